// Course section: Structured concurrency.
//
// asyncio's `gather`, `wait` and `as_completed` work on tasks, and a task
// runs on until someone cancels it. The `futures` combinators work on
// futures, which run only while polled: `join_all` waits for all of them,
// `try_join_all` drops the rest at the first error, `select` hands back the
// loser (drop it to cancel it), and `FuturesUnordered` yields results in the
// order they finish. Each job says so when it is dropped before it finished.
//
// Run it with `cargo run --example waiting_for_some`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::fmt::Display;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use futures::future::{self, Either};
use futures::stream::FuturesUnordered;
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

// ANCHOR: job
/// Says so when dropped before its job finished.
struct Unfinished(&'static str, Log);

impl Drop for Unfinished {
    fn drop(&mut self) {
        self.1.say(format!("{} dropped before it finished", self.0));
    }
}

/// Works for `seconds`, then returns its name, or fails if told to.
async fn job(
    name: &'static str,
    seconds: u64,
    fails: bool,
    log: Log,
) -> Result<&'static str, String> {
    let unfinished = Unfinished(name, log);
    sleep(Duration::from_secs(seconds)).await;
    std::mem::forget(unfinished); // finished: no message
    if fails {
        Err(format!("{name} failed"))
    } else {
        Ok(name)
    }
}

/// a: 1 s, b: 2 s and fails, c: 3 s.
fn three_jobs(log: &Log) -> Vec<impl Future<Output = Result<&'static str, String>> + use<>> {
    vec![
        job("a", 1, false, log.clone()),
        job("b", 2, true, log.clone()),
        job("c", 3, false, log.clone()),
    ]
}
// ANCHOR_END: job

/// `a`, or `error: b failed`.
fn show(result: &Result<&str, String>) -> String {
    match result {
        Ok(name) => name.to_string(),
        Err(error) => format!("error: {error}"),
    }
}

// ANCHOR: join_all
/// `gather(..., return_exceptions=True)`: every result, errors included.
async fn all_results(log: &Log) {
    let results = future::join_all(three_jobs(log)).await;
    let shown: Vec<String> = results.iter().map(show).collect();
    log.say(shown.join(", "));
}
// ANCHOR_END: join_all

// ANCHOR: try_join_all
/// The first error drops the jobs still running, as a `TaskGroup` cancels
/// them (`gather` without `return_exceptions` would leave them running).
async fn until_an_error(log: &Log) {
    if let Err(error) = future::try_join_all(three_jobs(log)).await {
        log.say(format!("the first error: {error}"));
    }
}
// ANCHOR_END: try_join_all

// ANCHOR: select
/// `wait(..., return_when=FIRST_COMPLETED)`: the loser comes back unfinished.
async fn the_first_of_two(log: &Log) {
    let fast = Box::pin(job("a", 1, false, log.clone()));
    let slow = Box::pin(job("c", 3, false, log.clone()));
    match future::select(fast, slow).await {
        Either::Left((winner, loser)) => {
            log.say(format!("first: {}", show(&winner)));
            drop(loser); // or `.await` it: it runs only while polled
        }
        Either::Right(_) => unreachable!("a takes 1 second, c takes 3"),
    }
}
// ANCHOR_END: select

// ANCHOR: unordered
/// `as_completed`: each result as its job finishes.
async fn as_they_finish(log: &Log) {
    let mut jobs: FuturesUnordered<_> = three_jobs(log).into_iter().collect();
    while let Some(result) = jobs.next().await {
        log.say(show(&result));
    }
}
// ANCHOR_END: unordered

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    println!("join_all:");
    all_results(&Log::new()).await;
    println!("try_join_all:");
    until_an_error(&Log::new()).await;
    println!("select:");
    the_first_of_two(&Log::new()).await;
    println!("FuturesUnordered:");
    as_they_finish(&Log::new()).await;
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::task::JoinSet;

    #[tokio::test(start_paused = true)]
    async fn join_all_waits_for_every_job_and_keeps_each_result() {
        let log = Log::new();
        all_results(&log).await;
        assert_eq!(log.lines(), ["[ 3.0s] a, error: b failed, c"]);
    }

    #[tokio::test(start_paused = true)]
    async fn try_join_all_drops_the_others_at_the_first_error() {
        let log = Log::new();
        until_an_error(&log).await;
        assert_eq!(
            log.lines(),
            [
                "[ 2.0s] c dropped before it finished",
                "[ 2.0s] the first error: b failed",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn select_hands_back_the_loser_and_dropping_it_cancels_it() {
        let log = Log::new();
        the_first_of_two(&log).await;
        assert_eq!(
            log.lines(),
            ["[ 1.0s] first: a", "[ 1.0s] c dropped before it finished"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_loser_that_nobody_polls_makes_no_progress() {
        let ticks = Arc::new(Mutex::new(0));
        let counting = {
            let ticks = ticks.clone();
            Box::pin(async move {
                loop {
                    sleep(Duration::from_millis(500)).await;
                    *ticks.lock().unwrap() += 1;
                }
            })
        };
        // The loop never ends, so the sleep wins: `Right` cannot happen.
        let Either::Left(((), loser)) =
            future::select(Box::pin(sleep(Duration::from_secs(1))), counting).await;
        assert_eq!(*ticks.lock().unwrap(), 1); // the tick at 0.5 s
        sleep(Duration::from_secs(5)).await;
        assert_eq!(*ticks.lock().unwrap(), 1); // not polled: no tick since
        drop(loser);
    }

    #[tokio::test(start_paused = true)]
    async fn select_all_hands_back_the_rest_and_they_can_still_finish() {
        let log = Log::new();
        let jobs: Vec<_> = three_jobs(&log).into_iter().map(Box::pin).collect();
        let (first, _index, rest) = future::select_all(jobs).await;
        assert_eq!(first, Ok("a"));
        assert_eq!(rest.len(), 2);
        let results = future::join_all(rest).await;
        assert!(results.contains(&Ok("c")));
        assert!(log.lines().is_empty()); // nothing was dropped unfinished
        assert_eq!(log.start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn futures_unordered_yields_results_in_the_order_they_finish() {
        let log = Log::new();
        let jobs: FuturesUnordered<_> = three_jobs(&log).into_iter().rev().collect();
        let results: Vec<_> = jobs.collect().await;
        assert_eq!(results, [Ok("a"), Err("b failed".to_string()), Ok("c")]);
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_futures_unordered_drops_the_rest() {
        let log = Log::new();
        let mut jobs: FuturesUnordered<_> = three_jobs(&log).into_iter().collect();
        assert_eq!(jobs.next().await, Some(Ok("a")));
        drop(jobs);
        let mut lines = log.lines();
        lines.sort();
        assert_eq!(
            lines,
            [
                "[ 1.0s] b dropped before it finished",
                "[ 1.0s] c dropped before it finished",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn join_next_leaves_the_other_tasks_running() {
        let log = Log::new();
        let mut tasks = JoinSet::new();
        for job in three_jobs(&log) {
            tasks.spawn(job);
        }
        assert_eq!(tasks.join_next().await.map(Result::unwrap), Some(Ok("a")));
        sleep(Duration::from_secs(5)).await; // nobody polls the set
        // The tasks ran on by themselves: both are done, none was dropped.
        let mut results = Vec::new();
        while let Some(Ok(result)) = tasks.try_join_next() {
            results.push(result);
        }
        assert_eq!(results.len(), 2);
        assert!(log.lines().is_empty());
    }
}
