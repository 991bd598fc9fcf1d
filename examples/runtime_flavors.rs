// Course section: Interact with the Event Loop.
//
// asyncio has one kind of event loop, and it runs every task on one thread.
// Tokio is a library with two kinds of runtime: a current-thread runtime,
// which runs every task on the thread that calls `block_on` (like asyncio),
// and a multi-thread runtime, which runs spawned tasks on a pool of worker
// threads. This program builds one of each and asks each where code runs.
//
// Run it with `cargo run --example runtime_flavors`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

use std::error::Error;
use std::thread;

use tokio::runtime::{Builder, Handle};

/// The name of the OS thread this code runs on.
fn thread_name() -> String {
    thread::current().name().unwrap_or("(unnamed)").to_string()
}

// ANCHOR: report
/// Asks the running runtime what it is, and where its code runs.
async fn report() -> Result<(), Box<dyn Error>> {
    let handle = Handle::current();
    println!("  flavor:                  {:?}", handle.runtime_flavor());
    println!(
        "  worker threads:          {}",
        handle.metrics().num_workers()
    );
    println!("  the block_on future on:  {}", thread_name());
    let spawned_on = tokio::spawn(async { thread_name() }).await?;
    println!("  a spawned task on:       {spawned_on}");
    Ok(())
}
// ANCHOR_END: report

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    println!("Builder::new_current_thread()");
    let runtime = Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(report())?;

    println!("Builder::new_multi_thread().worker_threads(2)");
    let runtime = Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(report())?;
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::runtime::{Runtime, RuntimeFlavor};

    /// The flavor, the number of workers, and where the `block_on` future
    /// and a spawned task ran.
    fn inspect(runtime: &Runtime) -> (RuntimeFlavor, usize, thread::ThreadId, String) {
        runtime.block_on(async {
            let handle = Handle::current();
            let task_thread = tokio::spawn(async { thread_name() })
                .await
                .expect("the task does not panic");
            (
                handle.runtime_flavor(),
                handle.metrics().num_workers(),
                thread::current().id(),
                task_thread,
            )
        })
    }

    #[test]
    fn current_thread_runs_everything_on_the_calling_thread() -> std::io::Result<()> {
        let runtime = Builder::new_current_thread().enable_all().build()?;
        let (flavor, workers, future_thread, task_thread) = inspect(&runtime);
        assert_eq!(flavor, RuntimeFlavor::CurrentThread);
        assert_eq!(workers, 1);
        assert_eq!(future_thread, thread::current().id());
        assert_eq!(task_thread, thread_name(), "the test's own thread");
        Ok(())
    }

    #[test]
    fn multi_thread_runs_block_on_here_and_tasks_on_its_workers() -> std::io::Result<()> {
        let runtime = Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let (flavor, workers, future_thread, task_thread) = inspect(&runtime);
        assert_eq!(flavor, RuntimeFlavor::MultiThread);
        assert_eq!(workers, 2);
        assert_eq!(future_thread, thread::current().id());
        assert_eq!(task_thread, "tokio-rt-worker");
        Ok(())
    }

    #[test]
    fn a_multi_thread_runtime_is_one_runtime_across_its_threads() -> std::io::Result<()> {
        let runtime = Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let (here, there) = runtime.block_on(async {
            let here = (thread::current().id(), Handle::current().id());
            let there = tokio::spawn(async { (thread::current().id(), Handle::current().id()) })
                .await
                .expect("the task does not panic");
            (here, there)
        });
        // Two threads, the caller's and a worker, and one runtime.
        assert_ne!(here.0, there.0);
        assert_eq!(here.1, there.1);
        assert_eq!(here.1, runtime.handle().id());
        Ok(())
    }

    /// `#[tokio::main]` works on any function: each call builds a runtime.
    #[tokio::main]
    async fn what_tokio_main_builds() -> (RuntimeFlavor, usize) {
        let handle = Handle::current();
        (handle.runtime_flavor(), handle.metrics().num_workers())
    }

    #[tokio::main(worker_threads = 2)]
    async fn what_two_workers_main_builds() -> (RuntimeFlavor, usize) {
        let handle = Handle::current();
        (handle.runtime_flavor(), handle.metrics().num_workers())
    }

    #[tokio::main(flavor = "current_thread")]
    async fn what_current_thread_main_builds() -> RuntimeFlavor {
        Handle::current().runtime_flavor()
    }

    #[test]
    fn tokio_main_builds_what_the_table_says() -> std::io::Result<()> {
        let (flavor, workers) = what_tokio_main_builds();
        assert_eq!(flavor, RuntimeFlavor::MultiThread);
        // Tokio lets this variable override the default; only check the default.
        if std::env::var_os("TOKIO_WORKER_THREADS").is_none() {
            assert_eq!(workers, thread::available_parallelism()?.get());
        }
        assert_eq!(
            what_two_workers_main_builds(),
            (RuntimeFlavor::MultiThread, 2)
        );
        assert_eq!(
            what_current_thread_main_builds(),
            RuntimeFlavor::CurrentThread
        );
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread")]
    #[should_panic(expected = "requires the `current_thread` Tokio runtime")]
    async fn the_paused_clock_needs_a_current_thread_runtime() {
        tokio::time::pause();
    }

    #[tokio::test]
    async fn tokio_test_is_current_thread_by_default() {
        // `#[tokio::test]` defaults to one thread, unlike `#[tokio::main]`.
        assert_eq!(
            Handle::current().runtime_flavor(),
            RuntimeFlavor::CurrentThread
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 3)]
    async fn the_attribute_takes_the_same_settings_as_the_builder() {
        let handle = Handle::current();
        assert_eq!(handle.runtime_flavor(), RuntimeFlavor::MultiThread);
        assert_eq!(handle.metrics().num_workers(), 3);
    }
}
