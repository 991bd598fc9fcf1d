// Course section: Task Objects.
//
// Python's `task.add_done_callback(cb)` registers a function that the event
// loop calls when the task is done. Rust futures and tokio tasks keep no
// list of callbacks. You get the same effect by composing: a task that
// awaits the work and then acts, `FutureExt::inspect`, or a `JoinSet` loop
// that acts on each result as it finishes.
//
// Run it with `cargo run --example done_callbacks`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::time::Duration;

use futures::FutureExt;
use tokio::task::{JoinError, JoinSet};
use tokio::time::{Instant, sleep};

// ANCHOR: stopwatch
/// The course's stopwatch, with an end: counts the seconds up to `limit`,
/// then returns how far it counted.
async fn stopwatch(limit: u32) -> u32 {
    for count in 1..=limit {
        sleep(Duration::from_secs(1)).await;
        println!("{count}");
    }
    limit
}
// ANCHOR_END: stopwatch

// ANCHOR: compose
/// The callback is the code after the `.await`, in the same task.
async fn compose() -> Result<u32, JoinError> {
    let task = tokio::spawn(async {
        let counted = stopwatch(3).await;
        println!("task is done: counted to {counted}");
        counted
    });
    task.await
}
// ANCHOR_END: compose

// ANCHOR: inspect
/// `inspect` wraps a future; the closure sees a reference to its output.
async fn inspect() -> Result<u32, JoinError> {
    let task = tokio::spawn(
        stopwatch(2).inspect(|counted| println!("task is done: counted to {counted}")),
    );
    task.await
}
// ANCHOR_END: inspect

// ANCHOR: join_set
/// Spawn several tasks, then act on each result the moment it finishes.
async fn as_they_finish(start: Instant) -> Result<Vec<&'static str>, JoinError> {
    let mut kitchen = JoinSet::new();
    for (dish, secs) in [("egg", 5), ("tea", 3), ("toast", 2)] {
        kitchen.spawn(async move {
            sleep(Duration::from_secs(secs)).await;
            dish
        });
    }

    let mut ready = Vec::new();
    while let Some(result) = kitchen.join_next().await {
        let dish = result?;
        println!("{} {dish} is ready", stamp(start));
        ready.push(dish);
    }
    Ok(ready)
}
// ANCHOR_END: join_set

/// `[ 2.0s]`: the time since `start`, as every line of output shows it.
fn stamp(start: Instant) -> String {
    format!("[{:4.1}s]", start.elapsed().as_secs_f64())
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), JoinError> {
    println!("Compose:");
    let counted = compose().await?;
    println!("main got {counted}\n");

    println!("FutureExt::inspect:");
    let counted = inspect().await?;
    println!("main got {counted}\n");

    println!("JoinSet, in the order they finish:");
    let ready = as_they_finish(Instant::now()).await?;
    println!("ready: {ready:?}");
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test(start_paused = true)]
    async fn compose_hands_back_the_result_after_the_work() {
        let start = Instant::now();
        assert_eq!(compose().await.expect("no panic"), 3);
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn inspect_hands_back_the_result_after_the_work() {
        let start = Instant::now();
        assert_eq!(inspect().await.expect("no panic"), 2);
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    /// 0 means "not called"; otherwise, the value the callback saw.
    fn callback_record() -> (Arc<AtomicU32>, impl Fn(&u32) + Send + 'static) {
        let seen = Arc::new(AtomicU32::new(0));
        let record = Arc::clone(&seen);
        (seen, move |counted: &u32| {
            record.store(*counted, Ordering::SeqCst)
        })
    }

    #[tokio::test(start_paused = true)]
    async fn inspect_runs_the_callback_with_the_output_when_the_work_ends() {
        let (seen, callback) = callback_record();
        let task = tokio::spawn(stopwatch(2).inspect(callback));
        sleep(Duration::from_millis(1999)).await;
        assert_eq!(seen.load(Ordering::SeqCst), 0, "not before the end");
        assert_eq!(task.await.expect("no panic"), 2);
        assert_eq!(seen.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn an_aborted_task_never_runs_its_callback() {
        let (seen, callback) = callback_record();
        let task = tokio::spawn(stopwatch(2).inspect(callback));
        sleep(Duration::from_secs(1)).await;
        task.abort();
        assert!(task.await.expect_err("aborted").is_cancelled());
        sleep(Duration::from_secs(5)).await;
        assert_eq!(seen.load(Ordering::SeqCst), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_panicking_task_never_runs_its_callback() {
        let (seen, callback) = callback_record();
        let work = async {
            sleep(Duration::from_secs(1)).await;
            panic!("the stopwatch broke");
        };
        let task = tokio::spawn(
            async move {
                let counted: u32 = work.await;
                counted
            }
            .inspect(callback),
        );
        assert!(task.await.expect_err("it panicked").is_panic());
        assert_eq!(seen.load(Ordering::SeqCst), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_join_set_hands_back_results_in_the_order_they_finish() {
        let start = Instant::now();
        let ready = as_they_finish(start).await.expect("no panic");
        // Spawned as egg, tea, toast; they take 5, 3 and 2 seconds.
        assert_eq!(ready, ["toast", "tea", "egg"]);
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_join_set_sees_an_aborted_task_as_cancelled() {
        let mut set = JoinSet::new();
        let stopwatch = set.spawn(stopwatch(10));
        sleep(Duration::from_secs(1)).await;
        stopwatch.abort();
        let result = set.join_next().await.expect("one task in the set");
        assert!(result.expect_err("aborted").is_cancelled());
        assert!(set.join_next().await.is_none());
    }
}
