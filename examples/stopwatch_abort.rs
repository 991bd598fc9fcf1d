// Course section: Ways to run & cancel coroutines.
//
// The course's stopwatch prints 1, 2, 3, ... once a second, forever, and
// `main` stops it with `task.cancel()` after 2 seconds. In Rust the task is
// spawned with `tokio::spawn` and stopped with `JoinHandle::abort`; awaiting
// the handle then gives a `JoinError` whose `is_cancelled()` is true.
//
// Run it with `cargo run --example stopwatch_abort`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::fmt::Display;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::{Instant, sleep};

/// Prints each line after the time since the start, as `[ 2.0s] ...`, and
/// keeps the lines so that the tests can check what ran, and when.
#[derive(Clone)]
struct Log {
    start: Instant,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Log {
    fn new() -> Self {
        Log {
            start: Instant::now(),
            lines: Arc::default(),
        }
    }

    fn say(&self, what: impl Display) {
        let line = format!("[{:4.1}s] {what}", self.start.elapsed().as_secs_f64());
        let mut lines = self.lines.lock().expect("no thread panicked while logging");
        println!("{line}");
        lines.push(line);
    }

    #[cfg(test)]
    fn lines(&self) -> Vec<String> {
        self.lines.lock().expect("no panic while logging").clone()
    }
}

// ANCHOR: stopwatch
/// The course's stopwatch: 1, 2, 3, ... once a second, forever.
async fn stopwatch(log: Log) {
    let mut count = 0;
    loop {
        sleep(Duration::from_secs(1)).await;
        count += 1;
        log.say(count);
    }
}
// ANCHOR_END: stopwatch

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    let log = Log::new();
    let task = tokio::spawn(stopwatch(log.clone()));

    // Half a second past a tick, so that the abort and a tick never tie.
    sleep(Duration::from_millis(2500)).await;
    task.abort();
    log.say("main: abort()");

    // Awaiting an aborted task gives `Err(JoinError)`, Rust's `CancelledError`.
    let error = task
        .await
        .expect_err("the stopwatch never returns on its own");
    log.say(format!("main: is_cancelled() = {}", error.is_cancelled()));
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    #[tokio::test(start_paused = true)]
    async fn abort_stops_the_stopwatch_after_two_ticks() {
        let log = Log::new();
        let task = tokio::spawn(stopwatch(log.clone()));
        sleep(Duration::from_millis(2500)).await;
        task.abort();
        let error = timeout(Duration::from_secs(1), task)
            .await
            .expect("an aborted task ends without waiting for its next tick")
            .expect_err("the stopwatch never ends by itself");
        assert!(error.is_cancelled());
        assert!(!error.is_panic());
        // The task was dropped at once, at 2.5 s: no waiting for its next tick.
        assert_eq!(log.start.elapsed(), Duration::from_millis(2500));
        // Its code after the `.await` it was stuck on never runs again.
        sleep(Duration::from_secs(10)).await;
        assert_eq!(log.lines(), ["[ 1.0s] 1", "[ 2.0s] 2"]);
    }

    #[tokio::test(start_paused = true)]
    async fn abort_only_asks_and_the_handle_says_when_it_is_done() {
        let log = Log::new();
        let task = tokio::spawn(stopwatch(log.clone()));
        sleep(Duration::from_millis(500)).await;
        task.abort();
        assert!(
            !task.is_finished(),
            "abort() returns before the task is gone"
        );
        assert!(task.await.expect_err("aborted").is_cancelled());
        // The task's future was dropped, and the `Log` clone it held with it.
        assert_eq!(Arc::strong_count(&log.lines), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn aborting_a_finished_task_changes_nothing() {
        let task = tokio::spawn(async { "done" });
        sleep(Duration::from_secs(1)).await;
        assert!(task.is_finished());
        task.abort();
        assert_eq!(task.await.expect("it finished before the abort"), "done");
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_handle_detaches_the_task_and_abort_cancels_it() {
        let (detached_log, aborted_log) = (Log::new(), Log::new());
        let detached = tokio::spawn(stopwatch(detached_log.clone()));
        let aborted = tokio::spawn(stopwatch(aborted_log.clone()));
        sleep(Duration::from_millis(1500)).await;
        drop(detached);
        aborted.abort();
        sleep(Duration::from_secs(2)).await;
        // With no handle, the stopwatch ticks on; the aborted one is gone.
        assert_eq!(
            detached_log.lines(),
            ["[ 1.0s] 1", "[ 2.0s] 2", "[ 3.0s] 3"]
        );
        assert_eq!(aborted_log.lines(), ["[ 1.0s] 1"]);
        assert_eq!(Arc::strong_count(&aborted_log.lines), 1);
        assert_eq!(Arc::strong_count(&detached_log.lines), 2);
    }

    #[tokio::test]
    async fn awaiting_a_ready_future_does_not_yield() {
        // A thousand `.await`s on futures that are already done: the whole
        // body runs in one poll, so the runtime never gets a chance to
        // cancel it halfway.
        let mut polls = 0;
        let mut work = std::pin::pin!(async {
            for _ in 0..1000 {
                std::future::ready(()).await;
            }
        });
        std::future::poll_fn(|cx| {
            polls += 1;
            work.as_mut().poll(cx)
        })
        .await;
        assert_eq!(polls, 1);
    }

    #[test]
    fn when_block_on_returns_dropping_the_runtime_drops_its_tasks() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .expect("a runtime");
        let log = runtime.block_on(async {
            let log = Log::new();
            tokio::spawn(stopwatch(log.clone())); // detached
            sleep(Duration::from_millis(3500)).await;
            log
        });
        assert_eq!(log.lines(), ["[ 1.0s] 1", "[ 2.0s] 2", "[ 3.0s] 3"]);
        assert_eq!(Arc::strong_count(&log.lines), 2, "the task still exists");
        drop(runtime);
        assert_eq!(Arc::strong_count(&log.lines), 1, "the task was dropped");
        assert_eq!(log.lines().len(), 3);
    }
}
