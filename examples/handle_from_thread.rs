// Course section: Interact with the Event Loop.
//
// Python code on a plain thread hands work to an event loop with
// `asyncio.run_coroutine_threadsafe(coro, loop)` and waits for it with
// `future.result()`. In tokio, a `Handle` is the way in from outside: a
// thread that holds one can `spawn` a task on the runtime and `block_on`
// the task's `JoinHandle`, while the runtime's workers do the async work.
//
// Run it with `cargo run --example handle_from_thread`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

use std::error::Error;
use std::thread;

use tokio::runtime::{Builder, Handle};
use tokio::task::{self, JoinError};

/// The name of the OS thread this code runs on.
fn thread_name() -> String {
    thread::current().name().unwrap_or("(unnamed)").to_string()
}

// ANCHOR: double
/// Some async work, and the thread it ran on.
async fn double(n: u64) -> (u64, String) {
    task::yield_now().await; // stands in for real waiting
    (n * 2, thread_name())
}
// ANCHOR_END: double

// ANCHOR: sync_caller
/// Plain, synchronous code on a thread of its own, such as a GUI's thread.
fn sync_caller(handle: Handle) -> Result<(), JoinError> {
    println!(
        "[{}] has a runtime: {}",
        thread_name(),
        Handle::try_current().is_ok()
    );

    // `asyncio.run_coroutine_threadsafe(double(21), loop)`: returns at once.
    let task = handle.spawn(double(21));
    println!("[{}] spawned a task; it runs without us", thread_name());

    // `future.result()`: blocks this thread, which drives no tasks, until the
    // task has finished on one of the runtime's workers.
    let (answer, ran_on) = handle.block_on(task)?;
    println!("[{}] got {answer}, computed on {ran_on}", thread_name());
    Ok(())
}
// ANCHOR_END: sync_caller

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    // Its worker threads run tasks whether or not anyone calls `block_on`.
    let runtime = Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;

    let handle = runtime.handle().clone();
    let caller = thread::Builder::new()
        .name("sync-caller".into())
        .spawn(move || sync_caller(handle))?;
    caller.join().expect("the caller thread does not panic")?;
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_thread_runs_a_task_on_the_workers_and_waits_for_it() -> std::io::Result<()> {
        let runtime = Builder::new_multi_thread().worker_threads(2).build()?;
        let handle = runtime.handle().clone();
        let (answer, ran_on) = thread::spawn(move || {
            assert!(Handle::try_current().is_err(), "no runtime on this thread");
            handle.block_on(handle.spawn(double(21)))
        })
        .join()
        .expect("the thread does not panic")
        .expect("the task does not panic");
        assert_eq!(answer, 42);
        assert_eq!(ran_on, "tokio-rt-worker");
        Ok(())
    }

    #[test]
    fn a_current_thread_runtime_runs_tasks_only_inside_block_on() -> std::io::Result<()> {
        let runtime = Builder::new_current_thread().build()?;
        let handle = runtime.handle().clone();
        let task = thread::spawn(move || handle.spawn(double(21)))
            .join()
            .expect("the thread does not panic");
        // Nobody drives this runtime, so nothing has run the task.
        assert!(!task.is_finished());
        let (answer, ran_on) = runtime.block_on(task).expect("the task does not panic");
        assert_eq!(answer, 42);
        assert_eq!(ran_on, thread_name(), "the thread that called block_on");
        Ok(())
    }
}
