// Course section: Structured concurrency.
//
// Dropping a future cancels what it owns, but a task it spawned belongs to
// the runtime: it runs on, orphaned, as a task from a bare
// `asyncio.create_task` does when the coroutine that made it is cancelled.
// tokio-util's `AbortOnDropHandle` ties a task to its parent, as a
// `TaskGroup` does in Python, and its `TaskTracker` waits for every task it
// spawned, for a clean shutdown.
//
// Run it with `cargo run --example orphans`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;
extern crate tokio_util;

use std::fmt::Display;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::{Instant, sleep, timeout};
use tokio_util::task::{AbortOnDropHandle, TaskTracker};

/// Prints each line after the time since the start, as `[ 1.0s] ...`, and
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
        println!("{line}");
        self.lines
            .lock()
            .expect("no panic while logging")
            .push(line);
    }

    #[cfg(test)]
    fn lines(&self) -> Vec<String> {
        self.lines.lock().expect("no panic while logging").clone()
    }
}

/// Counts the seconds up to 3: the child task.
async fn stopwatch(log: Log) {
    for count in 1..=3 {
        sleep(Duration::from_secs(1)).await;
        log.say(format!("child {count}"));
    }
}

// ANCHOR: parents
/// Spawns a child and drops its handle: the child is on its own.
async fn parent(log: Log) {
    tokio::spawn(stopwatch(log));
    sleep(Duration::from_secs(60)).await;
}

/// Keeps the child in an `AbortOnDropHandle`: dropping the parent's future
/// drops the handle, and that aborts the child.
async fn tied_parent(log: Log) {
    let _child = AbortOnDropHandle::new(tokio::spawn(stopwatch(log)));
    sleep(Duration::from_secs(60)).await;
}
// ANCHOR_END: parents

// ANCHOR: cancel_parent
/// Runs a parent for 1.5 seconds, drops it, and watches for 2.5 more.
async fn cancel_after_a_second_and_a_half(parent: impl Future<Output = ()>, log: &Log) {
    let _elapsed = timeout(Duration::from_millis(1500), parent).await;
    log.say("parent dropped");
    sleep(Duration::from_millis(2500)).await;
}
// ANCHOR_END: cancel_parent

// ANCHOR: tracker
/// Spawns jobs through a `TaskTracker`, then waits for all of them.
async fn shut_down_cleanly(log: &Log) {
    let tracker = TaskTracker::new();
    for seconds in [2, 1] {
        let log = log.clone();
        tracker.spawn(async move {
            sleep(Duration::from_secs(seconds)).await;
            log.say(format!("job of {seconds}s done"));
        });
    }
    tracker.close(); // no more tasks: `wait` may return once they are done
    tracker.wait().await;
    log.say("every tracked task is done");
}
// ANCHOR_END: tracker

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    println!("A spawned child outlives its parent:");
    let log = Log::new();
    cancel_after_a_second_and_a_half(parent(log.clone()), &log).await;

    println!("An AbortOnDropHandle dies with its parent:");
    let log = Log::new();
    cancel_after_a_second_and_a_half(tied_parent(log.clone()), &log).await;

    println!("A TaskTracker waits for its tasks:");
    shut_down_cleanly(&Log::new()).await;
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_child_runs_on_after_its_parent_future_was_dropped() {
        let log = Log::new();
        cancel_after_a_second_and_a_half(parent(log.clone()), &log).await;
        assert_eq!(
            log.lines(),
            [
                "[ 1.0s] child 1",
                "[ 1.5s] parent dropped",
                "[ 2.0s] child 2",
                "[ 3.0s] child 3",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_child_runs_on_after_its_parent_task_was_aborted() {
        let log = Log::new();
        let parent_task = tokio::spawn(parent(log.clone()));
        sleep(Duration::from_millis(1500)).await;
        parent_task.abort();
        assert!(parent_task.await.expect_err("aborted").is_cancelled());
        sleep(Duration::from_secs(2)).await;
        assert_eq!(
            log.lines(),
            ["[ 1.0s] child 1", "[ 2.0s] child 2", "[ 3.0s] child 3"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_abort_on_drop_handle_aborts_the_child_with_its_parent() {
        let log = Log::new();
        cancel_after_a_second_and_a_half(tied_parent(log.clone()), &log).await;
        // No tick after 1.5 s, and the child's clone of the log is gone.
        assert_eq!(log.lines(), ["[ 1.0s] child 1", "[ 1.5s] parent dropped"]);
        assert_eq!(Arc::strong_count(&log.lines), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn an_abort_on_drop_handle_aborts_without_waiting_for_the_child() {
        let log = Log::new();
        let dropped = timeout(Duration::from_millis(1500), tied_parent(log.clone())).await;
        assert!(dropped.is_err(), "the parent was dropped at 1.5 s");
        // The handle's drop only asked for the abort: the aborted child
        // still holds its clone of the log...
        assert_eq!(Arc::strong_count(&log.lines), 2);
        // ...until the runtime's next turn, which drops it.
        tokio::task::yield_now().await;
        assert_eq!(Arc::strong_count(&log.lines), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_task_tracker_waits_for_every_task() {
        let log = Log::new();
        shut_down_cleanly(&log).await;
        assert_eq!(log.start.elapsed(), Duration::from_secs(2));
        assert_eq!(
            log.lines(),
            [
                "[ 1.0s] job of 1s done",
                "[ 2.0s] job of 2s done",
                "[ 2.0s] every tracked task is done",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_task_tracker_does_not_abort_its_tasks_when_dropped() {
        let log = Log::new();
        let tracker = TaskTracker::new();
        tracker.spawn(stopwatch(log.clone()));
        drop(tracker);
        sleep(Duration::from_secs(4)).await;
        assert_eq!(log.lines().len(), 3);
    }
}
