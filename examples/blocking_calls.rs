// Course section: What, Why & Threads vs Asyncio.
//
// Python idea it mirrors: `time.sleep()` inside a coroutine freezes the
// whole event loop, while `await asyncio.sleep()`, `await
// asyncio.to_thread(blocking)` and `loop.run_in_executor(...)` let the
// other coroutines run. Here the course's stopwatch ticks beside a job on
// a current-thread runtime, tokio's closest match to asyncio's loop, and
// each job waits in a different way: blocking the thread, awaiting
// tokio's own version of the call, or handing the call to
// `spawn_blocking`.
//
// This example runs on the real clock, even with `--features paused-clock`.
// The paused clock moves only while the runtime has nothing to do, and
// tokio holds it still while a `spawn_blocking` call runs (`tokio::fs`
// makes them too), so the stopwatch would stop during the right fixes.
//
// Run it with `cargo run --example blocking_calls`; it takes about 2 seconds.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

use std::error::Error;
use std::io::{self, Write as _};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::task::{JoinError, spawn_blocking};
use tokio::time::{MissedTickBehavior, interval};

/// How often the stopwatch ticks, and how long each job takes.
const TICK: Duration = Duration::from_millis(40);
const JOB: Duration = Duration::from_millis(300);

// ANCHOR: stopwatch
/// The course's stopwatch, ticking 25 times a second instead of once. It
/// counts its ticks instead of printing them, so that a job can ask how
/// many happened while it ran.
async fn stopwatch(ticks: Arc<AtomicU32>) {
    let mut clock = interval(TICK);
    clock.set_missed_tick_behavior(MissedTickBehavior::Delay);
    clock.tick().await; // the first tick is at once
    loop {
        clock.tick().await;
        ticks.fetch_add(1, Ordering::Relaxed);
    }
}

/// Runs `job` while the stopwatch ticks on the same thread: returns how
/// many ticks happened meanwhile, and what the job returned.
async fn ticks_during<T>(job: impl Future<Output = T>) -> (u32, T) {
    let ticks = Arc::new(AtomicU32::new(0));
    let stopwatch = tokio::spawn(stopwatch(ticks.clone()));
    let output = job.await;
    stopwatch.abort();
    (ticks.load(Ordering::Relaxed), output)
}
// ANCHOR_END: stopwatch

// ANCHOR: blocking
/// Wrong: `time.sleep()` in a coroutine. The thread sleeps, and with it
/// every task on it: the stopwatch too.
async fn sleep_blocking(time: Duration) {
    thread::sleep(time);
}

/// Wrong for the same reason: a long computation without an `.await`.
async fn compute_in_the_task(time: Duration) -> u64 {
    crunch_for(time)
}
// ANCHOR_END: blocking

// ANCHOR: fixed
/// `await asyncio.sleep()`: the task waits; the thread runs other tasks.
async fn sleep_async(time: Duration) {
    tokio::time::sleep(time).await;
}

/// `await asyncio.to_thread(blocking)`: a blocking call, such as a library
/// without async support, goes to tokio's pool of blocking threads.
async fn sleep_on_a_blocking_thread(time: Duration) -> Result<(), JoinError> {
    spawn_blocking(move || thread::sleep(time)).await
}

/// A computation that ends goes there too. Should it panic, the `JoinError`
/// says so.
async fn compute_on_a_blocking_thread(time: Duration) -> Result<u64, JoinError> {
    spawn_blocking(move || crunch_for(time)).await
}
// ANCHOR_END: fixed

// ANCHOR: files
/// Wrong: every `std::fs` call blocks the thread until the system has done
/// it. `sync_data` waits until the disk has stored the line.
async fn log_blocking(path: &Path, time: Duration) -> io::Result<usize> {
    let mut file = std::fs::File::create(path)?;
    let start = std::time::Instant::now();
    let mut lines = 0;
    while start.elapsed() < time {
        writeln!(file, "line {lines}")?;
        file.sync_data()?;
        lines += 1;
    }
    Ok(lines)
}

/// `tokio::fs` runs the same calls on tokio's blocking threads (each one
/// is `spawn_blocking` around `std::fs`), and the task awaits each one.
/// `write_all` only hands the line over; `flush` waits for the write and
/// returns its error, if any, which `sync_data` would not report.
async fn log_async(path: &Path, time: Duration) -> io::Result<usize> {
    let mut file = tokio::fs::File::create(path).await?;
    let start = std::time::Instant::now();
    let mut lines = 0;
    while start.elapsed() < time {
        file.write_all(format!("line {lines}\n").as_bytes()).await?;
        file.flush().await?;
        file.sync_data().await?;
        lines += 1;
    }
    Ok(lines)
}
// ANCHOR_END: files

/// Busy work for `time` of the real clock: sums squares until time is up.
fn crunch_for(time: Duration) -> u64 {
    let start = std::time::Instant::now();
    let mut sum: u64 = 0;
    while start.elapsed() < time {
        for n in 0..10_000u64 {
            sum = sum.wrapping_add(n * n);
        }
    }
    sum
}

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let log = std::env::temp_dir().join(format!("blocking-calls-{}.log", std::process::id()));
    println!(
        "Each job takes {} ms; the stopwatch ticks every {} ms.",
        JOB.as_millis(),
        TICK.as_millis()
    );
    let (ticks, ()) = ticks_during(sleep_blocking(JOB)).await;
    report("thread::sleep in the task", ticks);
    let (ticks, ()) = ticks_during(sleep_async(JOB)).await;
    report("tokio::time::sleep, awaited", ticks);

    let (ticks, logged) = ticks_during(log_blocking(&log, JOB)).await;
    logged?;
    report("std::fs writes in the task", ticks);
    let (ticks, logged) = ticks_during(log_async(&log, JOB)).await;
    logged?;
    report("tokio::fs writes, awaited", ticks);
    std::fs::remove_file(&log)?;

    let (ticks, slept) = ticks_during(sleep_on_a_blocking_thread(JOB)).await;
    slept?;
    report("spawn_blocking(thread::sleep)", ticks);
    let (ticks, _) = ticks_during(compute_in_the_task(JOB)).await;
    report("computing in the task", ticks);
    let (ticks, computed) = ticks_during(compute_on_a_blocking_thread(JOB)).await;
    computed?;
    report("spawn_blocking(computing)", ticks);
    Ok(())
}

/// What the stopwatch did while a job ran, in words: how many ticks it
/// managed depends on how busy the machine is, but not whether it ticked.
fn report(job: &str, ticks: u32) {
    let verdict = if ticks == 0 {
        "stopped"
    } else {
        "kept ticking"
    };
    println!("{job:<30} the stopwatch {verdict}");
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use tokio::task::yield_now;
    use tokio::time::Instant;

    /// A neighbour task that counts its turns on the thread until stopped.
    /// It needs no clock: it yields after every turn.
    fn neighbour() -> (Arc<AtomicU32>, Arc<AtomicBool>) {
        let turns = Arc::new(AtomicU32::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (t, s) = (turns.clone(), stop.clone());
        tokio::spawn(async move {
            while !s.load(Ordering::Relaxed) {
                t.fetch_add(1, Ordering::Relaxed);
                yield_now().await;
            }
        });
        (turns, stop)
    }

    /// Waits, on whatever thread calls it, until `turns` has moved: the
    /// blocking call of the tests below. Gives up after 10 s, which happens
    /// only if the neighbour cannot run at all.
    fn wait_for_a_turn(turns: Arc<AtomicU32>) -> (thread::ThreadId, u32) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while turns.load(Ordering::Relaxed) == 0 && std::time::Instant::now() < deadline {
            thread::yield_now();
        }
        (thread::current().id(), turns.load(Ordering::Relaxed))
    }

    /// A file in the system's temporary directory, removed when dropped.
    struct TempFile(std::path::PathBuf);

    impl TempFile {
        fn new(name: &str) -> TempFile {
            let process = std::process::id();
            TempFile(std::env::temp_dir().join(format!("async-rust-book-{process}-{name}")))
        }

        fn lines(&self) -> usize {
            std::fs::read_to_string(&self.0)
                .expect("readable")
                .lines()
                .count()
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    /// `#[tokio::test]` runs on a current-thread runtime, like `main`.
    #[tokio::test]
    async fn a_blocking_call_stalls_every_other_task() {
        let (turns, stop) = neighbour();
        yield_now().await;
        let before = turns.load(Ordering::Relaxed);
        assert!(before > 0, "the neighbour runs when we await");

        // However long they take, the neighbour gets not one turn.
        let file = TempFile::new("blocking.log");
        let lines = log_blocking(&file.0, Duration::from_millis(20))
            .await
            .expect("the file is written");
        assert_eq!(file.lines(), lines);
        assert_eq!(turns.load(Ordering::Relaxed), before);
        compute_in_the_task(Duration::from_millis(20)).await;
        assert_eq!(turns.load(Ordering::Relaxed), before);
        stop.store(true, Ordering::Relaxed);
    }

    #[tokio::test]
    async fn tokio_fs_leaves_the_thread_to_the_other_tasks() {
        let (turns, stop) = neighbour();
        let file = TempFile::new("async.log");
        let lines = log_async(&file.0, Duration::from_millis(20))
            .await
            .expect("the file is written");
        assert_eq!(file.lines(), lines);
        assert!(turns.load(Ordering::Relaxed) > 0);
        stop.store(true, Ordering::Relaxed);
    }

    #[tokio::test(start_paused = true)]
    async fn tokio_sleep_lets_the_stopwatch_tick() {
        let start = Instant::now();
        // Ticks at 40, 80, ... 280 ms: 7 of them in 300 ms.
        assert_eq!(ticks_during(sleep_async(JOB)).await, (7, ()));
        assert_eq!(start.elapsed(), JOB);
    }

    /// The blocking call waits until the neighbour has had a turn. Had
    /// `spawn_blocking` run it on the runtime's own thread, the neighbour
    /// could not have had one.
    #[tokio::test]
    async fn spawn_blocking_leaves_the_thread_to_the_other_tasks() {
        let (turns, stop) = neighbour();
        let seen = turns.clone();
        let (ran_on, turns_seen) = spawn_blocking(move || wait_for_a_turn(seen))
            .await
            .expect("the blocking call finishes");
        assert!(turns_seen > 0);
        assert_ne!(ran_on, thread::current().id());
        stop.store(true, Ordering::Relaxed);
    }

    #[tokio::test]
    async fn a_panic_in_spawn_blocking_comes_back_as_an_error() {
        let result = spawn_blocking(|| -> u64 { panic!("the computation failed") }).await;
        assert!(result.expect_err("the closure panicked").is_panic());
    }

    /// On the multi-threaded runtime, a blocking call stops only the worker
    /// thread that makes it. While it blocks, a task spawned from outside
    /// the workers runs on the other one: the blocking call waits for that.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_the_multi_threaded_runtime_the_other_workers_carry_on() {
        let turns = Arc::new(AtomicU32::new(0));
        let (started, has_started) = tokio::sync::oneshot::channel();
        let seen = turns.clone();
        let blocked = tokio::spawn(async move {
            let _ = started.send(());
            wait_for_a_turn(seen) // holds its worker until the other task ran
        });
        has_started.await.expect("the blocking task started");
        let counter = turns.clone();
        let ran_on = tokio::spawn(async move {
            counter.fetch_add(1, Ordering::Relaxed);
            thread::current().id()
        })
        .await
        .expect("the other task finishes");
        let (blocked_on, turns_seen) = blocked.await.expect("the blocking task finishes");
        assert!(
            turns_seen > 0,
            "the other task never ran while one worker blocked"
        );
        assert_ne!(ran_on, blocked_on);
    }
}
