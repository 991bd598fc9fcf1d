// Course section: Structured concurrency.
//
// Python's `async with asyncio.TaskGroup()` cancels the other tasks when
// one fails, and waits for all of them before the block ends. A tokio
// `JoinSet` does neither by itself; a `join_next` loop that calls
// `shutdown().await` at the first error does both. Each task here holds a
// guard whose `Drop` prints "cleaned up", as a `finally` block would in
// Python, so the output shows that the egg was cancelled, and cleaned up,
// before the group returned.
//
// Run it with `cargo run --example task_group`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::fmt::Display;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::{Instant, sleep};

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

// ANCHOR: cook
/// Says "cleaned up" when dropped: when its task returns, fails or is aborted.
struct Cleanup(&'static str, Log);

impl Drop for Cleanup {
    fn drop(&mut self) {
        self.1.say(format!("{} cleaned up", self.0));
    }
}

/// Cooks for `seconds`, then returns its name; fails instead if told to.
async fn cook(
    name: &'static str,
    seconds: f64,
    fails: bool,
    log: Log,
) -> Result<&'static str, String> {
    let _cleanup = Cleanup(name, log.clone());
    sleep(Duration::from_secs_f64(seconds)).await; // an abort drops the task here
    if fails {
        log.say(format!("{name} failed"));
        return Err(format!("the {name} caught fire"));
    }
    log.say(format!("{name} done"));
    Ok(name)
}
// ANCHOR_END: cook

// ANCHOR: group
/// `TaskGroup`'s promises with a `JoinSet`: the first error aborts the
/// others, and the function returns only once every task is gone.
async fn task_group(log: &Log, toaster_fails: bool) -> Result<Vec<&'static str>, String> {
    let mut group = JoinSet::new();
    group.spawn(cook("kettle", 0.5, false, log.clone()));
    group.spawn(cook("toaster", 1.0, toaster_fails, log.clone()));
    group.spawn(cook("egg", 3.0, false, log.clone()));

    let mut done = Vec::new();
    while let Some(joined) = group.join_next().await {
        // A panic in a task comes back as a `JoinError`: a failure too.
        match joined.unwrap_or_else(|panic| Err(panic.to_string())) {
            Ok(dish) => done.push(dish),
            Err(error) => {
                group.shutdown().await; // abort the others, and wait until they are gone
                return Err(error);
            }
        }
    }
    Ok(done)
}
// ANCHOR_END: group

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    let log = Log::new();
    match task_group(&log, true).await {
        Ok(dishes) => log.say(format!("breakfast: {dishes:?}")),
        Err(error) => log.say(format!("the group failed: {error}")),
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_first_error_cancels_the_siblings_and_waits_for_them() {
        let metrics = tokio::runtime::Handle::current().metrics();
        let log = Log::new();
        let result = task_group(&log, true).await;
        assert_eq!(result, Err("the toaster caught fire".to_string()));
        // The group returned at 1 s, not at 3: the egg was aborted, and its
        // guard had already run when `task_group` returned.
        assert_eq!(log.start.elapsed(), Duration::from_secs(1));
        assert_eq!(
            log.lines(),
            [
                "[ 0.5s] kettle done",
                "[ 0.5s] kettle cleaned up",
                "[ 1.0s] toaster failed",
                "[ 1.0s] toaster cleaned up",
                "[ 1.0s] egg cleaned up",
            ]
        );
        assert_eq!(metrics.num_alive_tasks(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn without_an_error_the_group_waits_for_every_task() {
        let log = Log::new();
        let result = task_group(&log, false).await;
        assert_eq!(result, Ok(vec!["kettle", "toaster", "egg"]));
        assert_eq!(log.start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_loop_that_goes_on_after_an_error_lets_the_siblings_finish() {
        // No `shutdown`, and no `return` at the `Err`: the toaster's error
        // stops nobody, and the egg boils on to 3 s, as with bare
        // `create_task` in Python.
        let log = Log::new();
        let mut group = JoinSet::new();
        group.spawn(cook("toaster", 1.0, true, log.clone()));
        group.spawn(cook("egg", 3.0, false, log.clone()));
        let mut results = Vec::new();
        while let Some(joined) = group.join_next().await {
            results.push(joined.expect("no panic"));
        }
        assert_eq!(
            results,
            [Err("the toaster caught fire".to_string()), Ok("egg")]
        );
        assert_eq!(log.start.elapsed(), Duration::from_secs(3));
        assert!(log.lines().contains(&"[ 3.0s] egg done".to_string()));

        // A bare `join_all` does the same.
        let log = Log::new();
        let mut group = JoinSet::new();
        group.spawn(cook("toaster", 1.0, true, log.clone()));
        group.spawn(cook("egg", 3.0, false, log.clone()));
        let results = group.join_all().await;
        assert_eq!(
            results,
            [Err("the toaster caught fire".to_string()), Ok("egg")]
        );
        assert!(log.lines().contains(&"[ 3.0s] egg done".to_string()));
    }

    /// `task_group` without the `shutdown` line: the `return` drops the set.
    async fn task_group_without_shutdown(log: &Log) -> Result<Vec<&'static str>, String> {
        let mut group = JoinSet::new();
        group.spawn(cook("toaster", 1.0, true, log.clone()));
        group.spawn(cook("egg", 3.0, false, log.clone()));
        let mut done = Vec::new();
        while let Some(joined) = group.join_next().await {
            match joined.unwrap_or_else(|panic| Err(panic.to_string())) {
                Ok(dish) => done.push(dish),
                Err(error) => return Err(error), // drops `group`
            }
        }
        Ok(done)
    }

    #[tokio::test(start_paused = true)]
    async fn returning_at_the_first_error_drops_the_set_which_aborts_without_waiting() {
        let metrics = tokio::runtime::Handle::current().metrics();
        let log = Log::new();
        let result = task_group_without_shutdown(&log).await;
        assert_eq!(result, Err("the toaster caught fire".to_string()));
        // Returned at 1 s; the egg is aborted, but not gone yet: its guard
        // has not run.
        assert_eq!(log.start.elapsed(), Duration::from_secs(1));
        assert_eq!(
            log.lines(),
            ["[ 1.0s] toaster failed", "[ 1.0s] toaster cleaned up"]
        );
        assert_eq!(metrics.num_alive_tasks(), 1);
        // At the runtime's next turn, the abort has dropped the egg.
        tokio::task::yield_now().await;
        assert_eq!(
            log.lines().last().map(String::as_str),
            Some("[ 1.0s] egg cleaned up")
        );
        assert_eq!(metrics.num_alive_tasks(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn after_abort_all_join_next_hands_back_the_aborted_siblings_as_cancelled() {
        // To collect every error: `abort_all` at the first one, keep
        // looping, and skip the `JoinError`s of the tasks that were aborted.
        let log = Log::new();
        let mut group = JoinSet::new();
        group.spawn(cook("toaster", 1.0, true, log.clone()));
        group.spawn(cook("egg", 3.0, false, log.clone()));
        let (mut errors, mut cancelled) = (Vec::new(), 0);
        while let Some(joined) = group.join_next().await {
            match joined {
                Ok(Ok(_dish)) => {}
                Ok(Err(error)) => {
                    errors.push(error);
                    group.abort_all();
                }
                Err(aborted) if aborted.is_cancelled() => cancelled += 1,
                Err(panic) => errors.push(panic.to_string()),
            }
        }
        assert_eq!(errors, ["the toaster caught fire"]);
        assert_eq!(cancelled, 1, "the egg came back as a cancelled JoinError");
        assert_eq!(log.start.elapsed(), Duration::from_secs(1));
    }
}
