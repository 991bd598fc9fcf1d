// Course section: Ways to run & cancel coroutines.
//
// Python cancels a coroutine by throwing `CancelledError` into it at the
// `await` where it waits: `except` and `finally` blocks run, and may even
// await. Rust cancels a future by dropping it: it is never polled again, so
// no code after that `.await` runs; only the `Drop` of each value it held
// does. `tokio::time::timeout` and `tokio::select!` both cancel this way. A
// spawned task is different: it runs on when the wait for it is dropped,
// which is how Rust does `asyncio.shield`.
//
// Run it with `cargo run --example cancel_by_drop`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::fmt::{Debug, Display};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinError;
use tokio::time::{Instant, sleep, timeout};

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

// ANCHOR: boil_egg
/// Says when it is dropped: the only code a cancelled future still runs.
struct Guard {
    name: &'static str,
    log: Log,
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.log.say(format!("{} dropped", self.name));
    }
}

async fn boil_egg(log: Log) -> &'static str {
    let _pot = Guard {
        name: "pot",
        log: log.clone(),
    };
    log.say("egg in the pot");
    sleep(Duration::from_secs(3)).await;
    log.say("egg boiled"); // never runs if the future is dropped during the sleep
    "a boiled egg"
}
// ANCHOR_END: boil_egg

/// The course's stopwatch: 1, 2, 3, ... once a second, forever.
async fn stopwatch(log: Log) {
    let mut count = 0;
    loop {
        sleep(Duration::from_secs(1)).await;
        count += 1;
        log.say(count);
    }
}

/// `Ok(value)` or `Err(message)`, for the output.
fn outcome<T: Debug, E: Display>(result: &Result<T, E>) -> String {
    match result {
        Ok(value) => format!("Ok({value:?})"),
        Err(error) => format!("Err({error})"),
    }
}

// ANCHOR: timeout
async fn cancel_with_timeout(log: &Log) {
    let result = timeout(Duration::from_secs(1), boil_egg(log.clone())).await;
    log.say(format!("timeout gave {}", outcome(&result)));
}
// ANCHOR_END: timeout

// ANCHOR: select
async fn cancel_with_select(log: &Log) {
    tokio::select! {
        () = stopwatch(log.clone()) => {} // never: the stopwatch runs forever
        () = sleep(Duration::from_millis(2500)) => log.say("the sleep won"),
    }
}
// ANCHOR_END: select

// ANCHOR: shield
async fn shield_with_spawn(log: &Log) -> Result<&'static str, JoinError> {
    let mut boiling = tokio::spawn(boil_egg(log.clone()));
    let result = timeout(Duration::from_secs(1), &mut boiling).await;
    log.say(format!("timeout gave {}", outcome(&result)));
    let egg = boiling.await?;
    log.say(format!("got {egg}"));
    Ok(egg)
}
// ANCHOR_END: shield

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() -> Result<(), JoinError> {
    println!("timeout(1 s) around boil_egg():");
    cancel_with_timeout(&Log::new()).await;
    println!("select! between the stopwatch and a 2.5 s sleep:");
    cancel_with_select(&Log::new()).await;
    println!("a spawned boil_egg(), timeout(1 s) around its handle:");
    shield_with_spawn(&Log::new()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EGG_IN: &str = "[ 0.0s] egg in the pot";

    #[tokio::test(start_paused = true)]
    async fn timeout_drops_the_future_at_its_await() {
        let log = Log::new();
        cancel_with_timeout(&log).await;
        assert_eq!(log.start.elapsed(), Duration::from_secs(1));
        // The guard's `Drop` ran before `timeout(...).await` returned, and
        // the line after the `.await` in `boil_egg` never ran.
        assert_eq!(
            log.lines(),
            [
                EGG_IN,
                "[ 1.0s] pot dropped",
                "[ 1.0s] timeout gave Err(deadline has elapsed)",
            ]
        );
        // Nothing goes on in the background: the egg is never boiled.
        sleep(Duration::from_secs(10)).await;
        assert_eq!(log.lines().len(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn the_branch_that_loses_a_select_is_dropped() {
        let log = Log::new();
        let egg = tokio::select! {
            egg = boil_egg(log.clone()) => Some(egg),
            () = sleep(Duration::from_secs(1)) => None,
        };
        assert_eq!(egg, None);
        assert_eq!(log.lines(), [EGG_IN, "[ 1.0s] pot dropped"]);
        sleep(Duration::from_secs(10)).await;
        assert_eq!(log.lines().len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn select_stops_the_stopwatch_after_two_ticks() {
        let log = Log::new();
        cancel_with_select(&log).await;
        assert_eq!(log.start.elapsed(), Duration::from_millis(2500));
        // The stopwatch future is gone, with the `Log` clone it held.
        assert_eq!(Arc::strong_count(&log.lines), 1);
        sleep(Duration::from_secs(10)).await;
        assert_eq!(
            log.lines(),
            ["[ 1.0s] 1", "[ 2.0s] 2", "[ 2.5s] the sleep won"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn aborting_a_task_drops_its_guard_too() {
        let log = Log::new();
        let task = tokio::spawn(boil_egg(log.clone()));
        sleep(Duration::from_secs(1)).await;
        task.abort();
        assert!(task.await.expect_err("aborted").is_cancelled());
        assert_eq!(log.lines(), [EGG_IN, "[ 1.0s] pot dropped"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_on_the_handle_leaves_the_task_running() {
        let log = Log::new();
        let egg = shield_with_spawn(&log).await.expect("never cancelled");
        assert_eq!(egg, "a boiled egg");
        assert_eq!(log.start.elapsed(), Duration::from_secs(3));
        assert_eq!(
            log.lines(),
            [
                EGG_IN,
                "[ 1.0s] timeout gave Err(deadline has elapsed)",
                "[ 3.0s] egg boiled",
                "[ 3.0s] pot dropped",
                "[ 3.0s] got a boiled egg",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_future_leaves_the_tasks_it_spawned_running() {
        let log = Log::new();
        let parent = async {
            let _child = tokio::spawn(stopwatch(log.clone()));
            sleep(Duration::from_secs(60)).await;
        };
        // The timeout drops `parent` at 1.5 s, and the handle it held.
        assert!(timeout(Duration::from_millis(1500), parent).await.is_err());
        sleep(Duration::from_secs(2)).await;
        // The child was not cancelled: it is still counting, orphaned.
        assert_eq!(log.lines(), ["[ 1.0s] 1", "[ 2.0s] 2", "[ 3.0s] 3"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_join_set_dropped_with_its_future_aborts_its_tasks() {
        let log = Log::new();
        let parent = async {
            let mut children = tokio::task::JoinSet::new();
            children.spawn(stopwatch(log.clone()));
            sleep(Duration::from_secs(60)).await;
        };
        assert!(timeout(Duration::from_millis(1500), parent).await.is_err());
        sleep(Duration::from_secs(2)).await;
        // Dropping the `JoinSet` aborted the child: no tick after 1.5 s,
        // and the `Log` clone it held is gone.
        assert_eq!(log.lines(), ["[ 1.0s] 1"]);
        assert_eq!(Arc::strong_count(&log.lines), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_the_handle_detaches_the_task() {
        let log = Log::new();
        let boiling = tokio::spawn(boil_egg(log.clone()));
        sleep(Duration::from_secs(1)).await;
        drop(boiling);
        sleep(Duration::from_secs(5)).await;
        assert_eq!(
            log.lines(),
            [EGG_IN, "[ 3.0s] egg boiled", "[ 3.0s] pot dropped"]
        );
    }
}
