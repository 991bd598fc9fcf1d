// Course section: Structured concurrency.
//
// `tokio::time::timeout` is `asyncio.wait_for` and `asyncio.timeout`: when
// the time is up, it drops the future it was given, and with it whatever
// that future owned (here a pot, whose `Drop` says so). Given a whole
// `async` block, it cancels the step in progress, as `asyncio.timeout`
// does. Given a task's `JoinHandle`, it drops only the handle: the task
// runs on. `timeout_at` is the same with a deadline, as `asyncio.timeout_at`.
//
// Run it with `cargo run --example timeouts`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::fmt::Display;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::error::Elapsed;
use tokio::time::{Instant, sleep, timeout, timeout_at};

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

/// Says "pot dropped" when dropped: when `boil` returns or is cancelled.
struct Pot(&'static str, Log);

impl Drop for Pot {
    fn drop(&mut self) {
        self.1.say(format!("{} pot dropped", self.0));
    }
}

/// Boils `what` for `seconds`.
async fn boil(what: &'static str, seconds: u64, log: Log) {
    let _pot = Pot(what, log.clone());
    sleep(Duration::from_secs(seconds)).await;
    log.say(format!("{what} boiled"));
}

// ANCHOR: one_future
/// `asyncio.wait_for(boil(...), 1)`: the future is dropped at 1 second.
async fn one_future(log: &Log) {
    if timeout(Duration::from_secs(1), boil("egg", 3, log.clone()))
        .await
        .is_err()
    {
        log.say("the egg timed out");
    }
}
// ANCHOR_END: one_future

// ANCHOR: block
/// `async with asyncio.timeout(2.5):` around two steps: the first finishes,
/// the second is dropped at 2.5 seconds.
async fn a_block(log: &Log) {
    let steps = async {
        boil("egg", 1, log.clone()).await;
        boil("tea", 3, log.clone()).await;
    };
    if timeout(Duration::from_millis(2500), steps).await.is_err() {
        log.say("the block timed out");
    }
}
// ANCHOR_END: block

/// "done" or "timed out".
fn outcome(result: Result<(), Elapsed>) -> &'static str {
    if result.is_ok() { "done" } else { "timed out" }
}

// ANCHOR: deadline
/// `asyncio.timeout_at(deadline)`: one deadline for two separate waits.
async fn one_deadline(log: &Log) {
    let deadline = Instant::now() + Duration::from_secs(2);
    let egg = timeout_at(deadline, boil("egg", 1, log.clone())).await;
    let tea = timeout_at(deadline, boil("tea", 3, log.clone())).await;
    log.say(format!("egg: {}, tea: {}", outcome(egg), outcome(tea)));
}
// ANCHOR_END: deadline

// ANCHOR: handle
/// A timeout on a task's handle drops the handle, not the task.
async fn a_task(log: &Log) {
    let task = tokio::spawn(boil("egg", 3, log.clone()));
    if timeout(Duration::from_secs(1), task).await.is_err() {
        log.say("stopped waiting for the task");
    }
    sleep(Duration::from_secs(3)).await;
}
// ANCHOR_END: handle

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    println!("timeout on one future:");
    one_future(&Log::new()).await;
    println!("timeout on a block of steps:");
    a_block(&Log::new()).await;
    println!("timeout_at, one deadline for two waits:");
    one_deadline(&Log::new()).await;
    println!("timeout on a task's handle:");
    a_task(&Log::new()).await;
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn timeout_drops_the_future_at_the_deadline() {
        let log = Log::new();
        one_future(&log).await;
        assert_eq!(log.start.elapsed(), Duration::from_secs(1));
        assert_eq!(
            log.lines(),
            ["[ 1.0s] egg pot dropped", "[ 1.0s] the egg timed out",]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_on_a_block_drops_only_the_step_in_progress() {
        let log = Log::new();
        a_block(&log).await;
        assert_eq!(
            log.lines(),
            [
                "[ 1.0s] egg boiled",
                "[ 1.0s] egg pot dropped",
                "[ 2.5s] tea pot dropped",
                "[ 2.5s] the block timed out",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn timeout_at_shares_one_deadline_between_waits() {
        let log = Log::new();
        one_deadline(&log).await;
        // The tea got what was left of the 2 seconds: 1 second, not 3.
        assert_eq!(log.start.elapsed(), Duration::from_secs(2));
        assert_eq!(
            log.lines().last().map(String::as_str),
            Some("[ 2.0s] egg: done, tea: timed out")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_on_a_handle_leaves_the_task_running() {
        let log = Log::new();
        a_task(&log).await;
        assert_eq!(
            log.lines(),
            [
                "[ 1.0s] stopped waiting for the task",
                "[ 3.0s] egg boiled",
                "[ 3.0s] egg pot dropped",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_task_spawned_inside_a_timed_out_block_runs_on() {
        let log = Log::new();
        let block = async {
            tokio::spawn(boil("tea", 3, log.clone()));
            boil("egg", 5, log.clone()).await;
        };
        assert!(timeout(Duration::from_secs(1), block).await.is_err());
        sleep(Duration::from_secs(3)).await;
        assert_eq!(
            log.lines(),
            [
                "[ 1.0s] egg pot dropped",
                "[ 3.0s] tea boiled",
                "[ 3.0s] tea pot dropped",
            ]
        );
    }
}
