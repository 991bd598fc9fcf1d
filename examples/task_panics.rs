// Course section: Task Objects.
//
// In Python, `await task` (or `task.result()`) returns what the coroutine
// returned or raises what it raised, and an exception in one task does not
// stop the others. In Rust, awaiting a task gives `Result<T, JoinError>`:
// `Ok` with whatever the task returned (often a `Result` of its own), or a
// `JoinError` when the task panicked or was cancelled. A panic ends only
// the task it happened in. Tasks have no names on stable tokio, so this
// example keeps its own, keyed by task id. A second run follows
// `TaskGroup`'s rule by hand: the first failure aborts the other tasks.
//
// Run it with `cargo run --example task_panics`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::any::Any;
use std::collections::HashMap;
use std::time::Duration;

use tokio::task::{JoinError, JoinSet};
use tokio::time::{Instant, sleep};

// ANCHOR: jobs
/// What each kitchen task returns: a value, or an error it reports.
type Outcome = Result<u32, String>;

/// Counts the seconds up to `limit`, then returns how far it counted.
async fn stopwatch(limit: u32) -> Outcome {
    for count in 1..=limit {
        sleep(Duration::from_secs(1)).await;
        println!("{count}");
    }
    Ok(limit)
}

/// Fails the ordinary way: returns an error.
async fn kettle() -> Outcome {
    sleep(Duration::from_millis(2500)).await;
    Err("the kettle is empty".to_string())
}

/// Fails the other way: panics, which is a bug, not an error.
async fn toaster() -> Outcome {
    sleep(Duration::from_millis(1500)).await;
    panic!("the toaster caught fire");
}
// ANCHOR_END: jobs

// ANCHOR: panic_message
/// A panic's payload is what was passed to `panic!`: a `&str` for a plain
/// message, a `String` for a formatted one.
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(message) = payload.downcast_ref::<&str>() {
        message
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message
    } else {
        "(a panic without a message)"
    }
}
// ANCHOR_END: panic_message

// ANCHOR: kitchen
/// Runs the three tasks and reports each one as it ends, by name.
async fn kitchen(start: Instant) -> Vec<String> {
    let mut tasks = JoinSet::new();
    let mut names = HashMap::new();
    names.insert(tasks.spawn(stopwatch(3)).id(), "stopwatch");
    names.insert(tasks.spawn(kettle()).id(), "kettle");
    names.insert(tasks.spawn(toaster()).id(), "toaster");

    let mut reports = Vec::new();
    while let Some(joined) = tasks.join_next_with_id().await {
        let (id, report) = match joined {
            Ok((id, Ok(value))) => (id, format!("returned {value}")),
            Ok((id, Err(error))) => (id, format!("failed: {error}")),
            Err(error) => (error.id(), describe(error)),
        };
        let name = names.remove(&id).unwrap_or("a task with no name");
        let report = format!("{name} {report}");
        println!("{} {report}", stamp(start));
        reports.push(report);
    }
    reports
}

fn describe(error: JoinError) -> String {
    if error.is_panic() {
        format!("panicked: {}", panic_message(&*error.into_panic()))
    } else {
        "was cancelled".to_string()
    }
}
// ANCHOR_END: kitchen

// ANCHOR: first_failure
/// `TaskGroup`'s rule, by hand: the first failure aborts the other tasks.
async fn until_the_first_failure(start: Instant) -> Result<Vec<u32>, String> {
    let mut tasks = JoinSet::new();
    tasks.spawn(stopwatch(3));
    tasks.spawn(kettle());
    tasks.spawn(toaster());

    let mut values = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let failure = match joined {
            Ok(Ok(value)) => {
                values.push(value);
                continue;
            }
            Ok(Err(error)) => format!("failed: {error}"),
            Err(error) => describe(error),
        };
        tasks.shutdown().await; // abort the others, and wait until they are gone
        println!("{} {failure}; the others were aborted", stamp(start));
        return Err(failure);
    }
    Ok(values)
}
// ANCHOR_END: first_failure

/// `[ 1.5s]`: the time since `start`, as every line of output shows it.
fn stamp(start: Instant) -> String {
    format!("[{:4.1}s]", start.elapsed().as_secs_f64())
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!("Every task to its end:");
    kitchen(Instant::now()).await;
    println!("Until the first failure:");
    let _failure = until_the_first_failure(Instant::now()).await;
    println!("main is still running");
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn each_task_is_reported_by_name_as_it_ends() {
        let start = Instant::now();
        let reports = kitchen(start).await;
        assert_eq!(
            reports,
            [
                "toaster panicked: the toaster caught fire",
                "kettle failed: the kettle is empty",
                "stopwatch returned 3",
            ]
        );
        // The panic at 1.5 s stopped neither the stopwatch nor the kettle.
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_panic_comes_back_as_a_join_error_with_its_payload() {
        let error = tokio::spawn(toaster()).await.expect_err("it panicked");
        assert!(error.is_panic());
        assert!(!error.is_cancelled());
        assert_eq!(
            panic_message(&*error.into_panic()),
            "the toaster caught fire"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_error_comes_back_as_ok_of_err() {
        let joined = tokio::spawn(kettle()).await;
        assert_eq!(
            joined.expect("no panic"),
            Err("the kettle is empty".to_string())
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_join_error_knows_the_id_of_its_task() {
        let task = tokio::spawn(toaster());
        let id = task.id();
        assert_eq!(task.await.expect_err("it panicked").id(), id);
    }

    #[tokio::test(start_paused = true)]
    async fn the_first_failure_aborts_the_others_and_waits_for_them() {
        let start = Instant::now();
        let metrics = tokio::runtime::Handle::current().metrics();
        let result = until_the_first_failure(start).await;
        assert_eq!(result, Err("panicked: the toaster caught fire".to_string()));
        // At 1.5 s: the stopwatch and the kettle did not finish, and
        // `shutdown` returned only once they were gone.
        assert_eq!(start.elapsed(), Duration::from_millis(1500));
        assert_eq!(metrics.num_alive_tasks(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_a_join_set_aborts_its_tasks_without_waiting() {
        let metrics = tokio::runtime::Handle::current().metrics();
        let mut tasks = JoinSet::new();
        tasks.spawn(stopwatch(3));
        tasks.spawn(kettle());
        sleep(Duration::from_secs(1)).await;
        drop(tasks);
        // `drop` returned at once: the tasks are still there, marked for
        // abort, and go the next time the runtime gets to them.
        assert_eq!(metrics.num_alive_tasks(), 2);
        tokio::task::yield_now().await;
        assert_eq!(metrics.num_alive_tasks(), 0);
    }

    #[tokio::test(start_paused = true)]
    #[should_panic(expected = "the toaster caught fire")]
    async fn join_all_panics_when_a_task_panicked() {
        let mut tasks = JoinSet::new();
        tasks.spawn(stopwatch(3));
        tasks.spawn(toaster());
        tasks.join_all().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn on_the_multi_threaded_runtime_tasks_run_on_tokio_rt_worker_threads() {
        let name = tokio::spawn(async { std::thread::current().name().map(str::to_owned) })
            .await
            .expect("no panic");
        // The name the panic message shows in a reader's `cargo run`.
        assert_eq!(name.as_deref(), Some("tokio-rt-worker"));
    }

    #[test]
    fn panic_message_reads_plain_and_formatted_payloads() {
        let plain: Box<dyn Any + Send> = Box::new("plain");
        let formatted: Box<dyn Any + Send> = Box::new(format!("egg {}", 3));
        let other: Box<dyn Any + Send> = Box::new(42);
        assert_eq!(panic_message(&*plain), "plain");
        assert_eq!(panic_message(&*formatted), "egg 3");
        assert_eq!(panic_message(&*other), "(a panic without a message)");
    }

    #[tokio::test(start_paused = true)]
    #[should_panic(expected = "the toaster caught fire")]
    async fn resume_unwind_carries_the_panic_on_into_the_awaiting_code() {
        if let Err(error) = tokio::spawn(toaster()).await {
            std::panic::resume_unwind(error.into_panic());
        }
    }
}
