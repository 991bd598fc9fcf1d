// Course section: Task Objects.
//
// Python's `asyncio.create_task` wraps a coroutine in a `Task`, which you
// ask `done()`, `cancel()` and `result()`, and which has a name. Tokio's
// `spawn` hands a future to the runtime and gives back a `JoinHandle`: ask it
// `is_finished()`, `abort()` it, `.await` it for the result. Tasks have ids
// on stable tokio; names need an unstable build, so we keep our own.
//
// Run it with `cargo run --example task_handle`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::time::Duration;

use tokio::task::{self, JoinError};
use tokio::time::{Instant, sleep};

// ANCHOR: stopwatch
/// The course's stopwatch: prints 1, 2, 3, ... once a second, forever.
async fn stopwatch() {
    let mut count = 0;
    loop {
        sleep(Duration::from_secs(1)).await;
        count += 1;
        println!("{count}");
    }
}
// ANCHOR_END: stopwatch

// ANCHOR: watch_and_cancel
/// `task = asyncio.create_task(stopwatch())`, then `done()` and `cancel()`.
/// Returns whether the handle reported the task as cancelled.
async fn watch_and_cancel(start: Instant) -> bool {
    let task = tokio::spawn(stopwatch());
    println!("{} spawned, finished: {}", stamp(start), task.is_finished());

    sleep(Duration::from_millis(3500)).await;
    println!("{} finished: {}", stamp(start), task.is_finished());

    task.abort();
    let cancelled = task.await.is_err_and(|error| error.is_cancelled());
    println!("{} cancelled: {cancelled}", stamp(start));
    cancelled
}
// ANCHOR_END: watch_and_cancel

// ANCHOR: ids
/// Every task has an id; `main` is not a task, so it has none.
async fn ids() -> Result<(), JoinError> {
    let task = tokio::spawn(async { task::id() });
    let from_outside = task.id();
    let from_inside = task.await?;
    println!(
        "same id inside and outside: {}",
        from_inside == from_outside
    );
    println!("main has a task id: {}", task::try_id().is_some());
    Ok(())
}
// ANCHOR_END: ids

// ANCHOR: detach
/// Dropping the handle lets the task go on; it does not cancel it.
async fn detach(start: Instant) {
    let task = tokio::spawn(async move {
        sleep(Duration::from_secs(1)).await;
        println!("{} the task with no handle ran to the end", stamp(start));
    });
    drop(task);
    sleep(Duration::from_secs(2)).await;
    println!("{} main is done waiting", stamp(start));
}
// ANCHOR_END: detach

/// `[ 3.5s]`: the time since `start`, as every line of output shows it.
fn stamp(start: Instant) -> String {
    format!("[{:4.1}s]", start.elapsed().as_secs_f64())
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), JoinError> {
    watch_and_cancel(Instant::now()).await;
    println!();
    ids().await?;
    println!();
    detach(Instant::now()).await;
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use tokio::time::timeout;

    #[tokio::test(start_paused = true)]
    async fn the_stopwatch_never_finishes_by_itself_and_abort_cancels_it() {
        let start = Instant::now();
        let task = tokio::spawn(stopwatch());
        assert!(!task.is_finished());
        sleep(Duration::from_secs(3600)).await;
        assert!(!task.is_finished(), "still counting after an hour");
        task.abort();
        let error = task.await.expect_err("an aborted task has no result");
        assert!(error.is_cancelled());
        assert!(!error.is_panic());
        assert_eq!(start.elapsed(), Duration::from_secs(3600));
    }

    #[tokio::test(start_paused = true)]
    async fn is_finished_is_true_after_a_cancel_or_a_panic() {
        let aborted = tokio::spawn(stopwatch());
        let panicked = tokio::spawn(async {
            sleep(Duration::from_secs(1)).await;
            panic!("the stopwatch broke");
        });
        aborted.abort();
        sleep(Duration::from_secs(2)).await;
        assert!(aborted.is_finished());
        assert!(panicked.is_finished());
        assert!(aborted.await.expect_err("aborted").is_cancelled());
        assert!(panicked.await.expect_err("panicked").is_panic());
    }

    #[tokio::test(start_paused = true)]
    async fn watch_and_cancel_cancels_the_stopwatch_at_three_and_a_half_seconds() {
        let start = Instant::now();
        assert!(watch_and_cancel(start).await, "the handle reports a cancel");
        assert_eq!(start.elapsed(), Duration::from_millis(3500));
        // The aborted stopwatch is gone from the runtime.
        let metrics = tokio::runtime::Handle::current().metrics();
        assert_eq!(metrics.num_alive_tasks(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn on_one_thread_a_spawned_task_waits_until_the_spawner_yields() {
        let ran = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&ran);
        let task = tokio::spawn(async move { flag.store(true, Ordering::SeqCst) });
        // `spawn` never runs the task itself, and on a one-thread runtime
        // nothing else can run it while this code keeps the thread.
        assert!(!ran.load(Ordering::SeqCst));
        tokio::task::yield_now().await;
        assert!(ran.load(Ordering::SeqCst), "it ran while this code waited");
        task.await.expect("the task returned");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn on_many_threads_a_worker_runs_a_spawned_task_while_the_spawner_keeps_going() {
        let (done, signal) = std::sync::mpsc::channel();
        let task = tokio::spawn(async move { done.send(()).expect("the test waits") });
        // A blocking wait, not an `.await`: this code never yields, yet the
        // task runs, on a worker thread. (The bound only turns a bug into a
        // failure instead of a hang.)
        signal
            .recv_timeout(Duration::from_secs(10))
            .expect("a worker ran the task");
        task.await.expect("the task returned");
    }

    #[tokio::test(start_paused = true)]
    async fn is_finished_turns_true_when_the_task_returns() {
        let task = tokio::spawn(async {
            sleep(Duration::from_secs(1)).await;
            7
        });
        assert!(!task.is_finished());
        sleep(Duration::from_secs(2)).await;
        assert!(task.is_finished());
        assert_eq!(task.await.expect("the task returned"), 7);
    }

    #[tokio::test]
    async fn the_id_inside_a_task_is_the_id_on_its_handle() {
        let task = tokio::spawn(async { (task::id(), task::try_id()) });
        let from_outside = task.id();
        let (id, try_id) = task.await.expect("the task returned");
        assert_eq!(id, from_outside);
        assert_eq!(try_id, Some(from_outside));
    }

    #[tokio::test(start_paused = true)]
    async fn tasks_alive_at_the_same_time_have_different_ids() {
        // A thousand tasks at once, some of them already finished but with
        // their handles kept: a thousand different ids.
        let tasks: Vec<_> = (0..1000u64)
            .map(|i| tokio::spawn(sleep(Duration::from_millis(i % 2))))
            .collect();
        sleep(Duration::from_millis(1)).await;
        let ids: HashSet<task::Id> = tasks.iter().map(|task| task.id()).collect();
        assert_eq!(ids.len(), tasks.len());
        for task in tasks {
            task.await.expect("a sleep does not panic");
        }
    }

    #[tokio::test]
    async fn the_code_that_runs_main_is_not_a_task() {
        // `#[tokio::main]` and `#[tokio::test]` both run their body with
        // `block_on`, which has no task id.
        assert_eq!(task::try_id(), None);
    }

    #[tokio::test]
    #[should_panic(expected = "Can't get a task id when not inside a task")]
    async fn asking_main_for_its_task_id_panics() {
        task::id();
    }

    #[tokio::test]
    async fn a_handle_prints_its_id_and_nothing_else() {
        let task = tokio::spawn(async { "done" });
        assert_eq!(
            format!("{task:?}"),
            format!("JoinHandle {{ id: {:?} }}", task.id())
        );
        assert_eq!(task.await.expect("the task returned"), "done");
    }

    #[tokio::test(start_paused = true)]
    async fn a_task_whose_handle_was_dropped_still_runs_to_the_end() {
        let ran = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&ran);
        drop(tokio::spawn(async move {
            sleep(Duration::from_secs(1)).await;
            flag.store(true, Ordering::SeqCst);
        }));
        sleep(Duration::from_secs(2)).await;
        assert!(ran.load(Ordering::SeqCst));
    }

    #[tokio::test(start_paused = true)]
    async fn detach_lets_the_task_without_a_handle_run_to_the_end() {
        let metrics = tokio::runtime::Handle::current().metrics();
        let start = Instant::now();
        let mut detaching = std::pin::pin!(detach(start));
        // At 0.5 s the handle has been dropped, and the task is still alive:
        // dropping it did not cancel it.
        let waited = timeout(Duration::from_millis(500), &mut detaching).await;
        assert!(waited.is_err(), "detach waits 2 s");
        assert_eq!(metrics.num_alive_tasks(), 1);
        // At 1.5 s it is gone: it finished its 1 s of work.
        let waited = timeout(Duration::from_secs(1), &mut detaching).await;
        assert!(waited.is_err(), "detach waits 2 s");
        assert_eq!(metrics.num_alive_tasks(), 0);
        detaching.await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }
}
