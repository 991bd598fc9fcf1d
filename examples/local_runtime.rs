// Course section: Interact with the Event Loop.
//
// Since tokio 1.51, a `LocalRuntime` is a current-thread runtime that runs
// futures that are not `Send` without a `LocalSet`:
// `#[tokio::main(flavor = "local")]` builds one, and `task::spawn_local`
// works anywhere inside it. This is the `local_set` example without the
// `LocalSet`.
//
// Run it with `cargo run --example local_runtime`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use tokio::task;
use tokio::time::sleep;

/// The course's stopwatch, sharing its ticks through an `Rc`, as in the
/// `local_set` example.
async fn stopwatch(ticks: Rc<Cell<u64>>) {
    loop {
        sleep(Duration::from_secs(1)).await;
        ticks.set(ticks.get() + 1);
        println!("{}", ticks.get());
    }
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main(flavor = "local")]
async fn main() {
    let ticks = Rc::new(Cell::new(0));
    let stopwatch = task::spawn_local(stopwatch(Rc::clone(&ticks)));
    sleep(Duration::from_millis(3500)).await;
    stopwatch.abort();
    println!("main reads the shared counter: {}", ticks.get());
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::runtime::{Builder, Handle, LocalOptions, RuntimeFlavor};
    use tokio::time::Instant;

    #[test]
    fn a_local_runtime_runs_spawn_local_without_a_local_set() -> std::io::Result<()> {
        // What `#[tokio::main(flavor = "local", start_paused = true)]` builds.
        let runtime = Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build_local(LocalOptions::default())?;
        let ticks = Rc::new(Cell::new(0));
        let elapsed = runtime.block_on(async {
            let start = Instant::now();
            let stopwatch = task::spawn_local(stopwatch(Rc::clone(&ticks)));
            sleep(Duration::from_millis(3500)).await;
            stopwatch.abort();
            start.elapsed()
        });
        assert_eq!(elapsed, Duration::from_millis(3500));
        assert_eq!(ticks.get(), 3);
        Ok(())
    }

    /// What `#[tokio::main(flavor = "local")]` builds, asked from inside.
    #[tokio::main(flavor = "local")]
    async fn inside_a_local_main() -> (RuntimeFlavor, std::thread::ThreadId) {
        let ran_on = task::spawn_local(async { std::thread::current().id() })
            .await
            .expect("the task does not panic");
        (Handle::current().runtime_flavor(), ran_on)
    }

    #[test]
    fn flavor_local_is_a_current_thread_runtime_that_runs_spawn_local() {
        let (flavor, ran_on) = inside_a_local_main();
        assert_eq!(flavor, RuntimeFlavor::CurrentThread);
        assert_eq!(ran_on, std::thread::current().id());
    }

    #[test]
    fn local_tasks_run_on_the_thread_that_built_the_runtime() -> std::io::Result<()> {
        let runtime = Builder::new_current_thread().build_local(LocalOptions::default())?;
        let ran_on = runtime.block_on(async {
            task::spawn_local(async { std::thread::current().id() })
                .await
                .expect("the task does not panic")
        });
        assert_eq!(ran_on, std::thread::current().id());
        Ok(())
    }
}
