//! Course section: Task Objects.
//!
//! Python's `asyncio.create_task` wraps a coroutine in a `Task`, which you
//! ask `done()`, `cancel()` and `result()`, and which has a name. Tokio's
//! `spawn` hands a future to the runtime and gives back a `JoinHandle`: ask it
//! `is_finished()`, `abort()` it, `.await` it for the result. Tasks have ids
//! on stable tokio; names need an unstable build, so we keep our own.
//!
//! Run it with `cargo run --example task_handle`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
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
async fn watch_and_cancel(start: Instant) {
    let task = tokio::spawn(stopwatch());
    println!("{} spawned, finished: {}", stamp(start), task.is_finished());

    sleep(Duration::from_millis(3500)).await;
    println!("{} finished: {}", stamp(start), task.is_finished());

    task.abort();
    match task.await {
        Ok(()) => println!("the stopwatch stopped by itself"),
        Err(error) if error.is_cancelled() => println!("{} cancelled", stamp(start)),
        Err(error) => println!("the stopwatch failed: {error}"),
    }
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

// ANCHOR: main
#[cfg_attr(not(feature = "paused-clock"), tokio::main)]
#[cfg_attr(
    feature = "paused-clock",
    tokio::main(flavor = "current_thread", start_paused = true)
)]
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
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

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
    async fn watch_and_cancel_takes_three_and_a_half_seconds() {
        let start = Instant::now();
        watch_and_cancel(start).await;
        assert_eq!(start.elapsed(), Duration::from_millis(3500));
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
        let first = tokio::spawn(sleep(Duration::from_secs(1)));
        let second = tokio::spawn(sleep(Duration::from_secs(1)));
        assert_ne!(first.id(), second.id());
        first.abort();
        second.abort();
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
    async fn detach_waits_two_seconds() {
        let start = Instant::now();
        detach(start).await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }
}
