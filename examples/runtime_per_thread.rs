// Course section: Interact with the Event Loop.
//
// In Python each OS thread runs its own event loop: `asyncio.run` in a
// thread makes a loop for that thread only, and other threads do not see
// it. A tokio current-thread runtime is the same: two threads, each with
// its own runtime, run their tasks on their own thread, and a thread that
// built none has none.
//
// Run it with `cargo run --example runtime_per_thread`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

use std::error::Error;
use std::thread;

use tokio::runtime::{Builder, Handle, Id};

/// The name of the OS thread this code runs on.
fn thread_name() -> String {
    thread::current().name().unwrap_or("(unnamed)").to_string()
}

// ANCHOR: own_runtime
/// What one thread learns from the runtime it built.
struct Report {
    runtime: Id,
    task_ran_on: String,
}

/// `asyncio.run(...)` inside a thread: a new runtime for this thread only.
fn run_own_runtime() -> Result<Report, Box<dyn Error + Send + Sync>> {
    let runtime = Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let task_ran_on = tokio::spawn(async { thread_name() }).await?;
        let runtime = Handle::current().id();
        Ok(Report {
            runtime,
            task_ran_on,
        })
    })
}
// ANCHOR_END: own_runtime

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error + Send + Sync>> {
    let has_runtime = Handle::try_current().is_ok();
    println!("thread 'main' has a runtime: {has_runtime}");

    // Two OS threads, running at the same time, each with its own runtime.
    let kitchen = thread::Builder::new()
        .name("kitchen".into())
        .spawn(run_own_runtime)?;
    let garden = thread::Builder::new()
        .name("garden".into())
        .spawn(run_own_runtime)?;
    let kitchen = kitchen.join().expect("the thread does not panic")?;
    let garden = garden.join().expect("the thread does not panic")?;

    println!("thread 'kitchen' ran its task on '{}'", kitchen.task_ran_on);
    println!("thread 'garden' ran its task on '{}'", garden.task_ran_on);
    println!("same runtime: {}", kitchen.runtime == garden.runtime);
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    fn run_on(name: &str) -> Report {
        thread::Builder::new()
            .name(name.to_string())
            .spawn(run_own_runtime)
            .expect("the OS starts a thread")
            .join()
            .expect("the thread does not panic")
            .expect("the runtime builds")
    }

    #[test]
    fn each_thread_runs_its_tasks_on_its_own_runtime() {
        let kitchen = run_on("kitchen");
        let garden = run_on("garden");
        assert_eq!(kitchen.task_ran_on, "kitchen");
        assert_eq!(garden.task_ran_on, "garden");
        assert_ne!(kitchen.runtime, garden.runtime);
    }

    #[test]
    fn a_thread_that_built_no_runtime_has_none() {
        let has_runtime = thread::spawn(|| Handle::try_current().is_ok())
            .join()
            .expect("the thread does not panic");
        assert!(!has_runtime);
    }
}
