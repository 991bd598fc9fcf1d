// Course section: Interact with the Event Loop.
//
// Python's `asyncio.get_running_loop()` raises `RuntimeError` outside a
// coroutine and returns the thread's one loop inside. Tokio's twin is
// `Handle::try_current()`, which returns an error outside a runtime, and
// `Handle::current()`, which panics there. Inside, the handle spawns the
// course's stopwatch, as `loop.create_task(stopwatch())` would.
//
// Run it with `cargo run --example running_loop`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

use std::io;
use std::time::Duration;

use tokio::runtime::{Builder, Handle, Runtime};
use tokio::task::JoinError;
use tokio::time::sleep;

// ANCHOR: stopwatch
/// The course's stopwatch: prints 1, 2, 3, ... once a second, forever.
async fn stopwatch() {
    for second in 1u64.. {
        sleep(Duration::from_secs(1)).await;
        println!("{second}");
    }
}
// ANCHOR_END: stopwatch

// ANCHOR: new_runtime
/// A current-thread runtime, the kind of loop `asyncio.run` makes.
fn new_runtime() -> io::Result<Runtime> {
    let mut builder = Builder::new_current_thread();
    builder.enable_all();
    // ANCHOR_END: new_runtime
    // The book's tests run every example on tokio's paused clock.
    #[cfg(feature = "paused-clock")]
    builder.start_paused(true);
    // ANCHOR: new_runtime
    builder.build()
}
// ANCHOR_END: new_runtime

// ANCHOR: async_main
async fn async_main() -> Result<(), JoinError> {
    // `asyncio.get_running_loop()`: inside a runtime this cannot fail.
    let handle = Handle::current();
    println!("inside: a {:?} runtime", handle.runtime_flavor());

    // `loop.create_task(stopwatch())`: a task that runs alongside this one.
    let stopwatch = handle.spawn(stopwatch());
    sleep(Duration::from_millis(3500)).await;
    stopwatch.abort();

    // Every task on this runtime finds the same runtime.
    let seen_by_a_task = tokio::spawn(async { Handle::current().id() }).await?;
    println!(
        "a task sees the same runtime: {}",
        seen_by_a_task == handle.id()
    );
    Ok(())
}
// ANCHOR_END: async_main

// ANCHOR: main
fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `asyncio.get_running_loop()` here would raise RuntimeError.
    if let Err(error) = Handle::try_current() {
        println!("outside: {error}");
    }

    let runtime = new_runtime()?;
    runtime.block_on(async_main())?;
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::runtime::RuntimeFlavor;

    /// Tokio's one message for "no runtime here".
    const NO_RUNTIME: &str =
        "there is no reactor running, must be called from the context of a Tokio 1.x runtime";

    #[test]
    fn outside_a_runtime_try_current_is_an_error() {
        let error = Handle::try_current().expect_err("no runtime on a test thread");
        assert!(error.is_missing_context());
        assert_eq!(error.to_string(), NO_RUNTIME);
    }

    #[should_panic(
        expected = "there is no reactor running, must be called from the context of a Tokio 1.x runtime"
    )]
    #[test]
    fn outside_a_runtime_current_panics_with_the_same_message() {
        Handle::current();
    }

    #[should_panic(
        expected = "there is no reactor running, must be called from the context of a Tokio 1.x runtime"
    )]
    #[test]
    fn a_timer_outside_a_runtime_panics_with_the_same_message() {
        drop(sleep(Duration::from_secs(1)));
    }

    #[test]
    fn try_current_also_finds_a_runtime_where_no_future_runs() -> io::Result<()> {
        let runtime = new_runtime()?;
        // Entering a runtime's context runs nothing, yet `try_current` finds it;
        // `asyncio.get_running_loop()` would raise here.
        let guard = runtime.enter();
        assert_eq!(
            Handle::try_current().map(|handle| handle.id()).ok(),
            Some(runtime.handle().id())
        );
        drop(guard);
        assert!(Handle::try_current().is_err());
        // The same on the runtime's blocking threads, unlike a thread of
        // `asyncio.to_thread`.
        let on_blocking_thread = runtime.block_on(async {
            tokio::task::spawn_blocking(|| Handle::try_current().is_ok()).await
        });
        assert_eq!(on_blocking_thread.ok(), Some(true));
        Ok(())
    }

    #[test]
    fn inside_our_runtime_there_is_a_current_thread_handle() -> io::Result<()> {
        let runtime = new_runtime()?;
        let flavor = runtime.block_on(async { Handle::try_current().map(|h| h.runtime_flavor()) });
        assert_eq!(flavor.ok(), Some(RuntimeFlavor::CurrentThread));
        // After `block_on` returns, the thread is outside the runtime again.
        assert!(Handle::try_current().is_err());
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn the_stopwatch_runs_until_it_is_aborted() {
        let start = tokio::time::Instant::now();
        let stopwatch = tokio::spawn(stopwatch());
        sleep(Duration::from_secs(3600)).await;
        assert!(!stopwatch.is_finished(), "it never stops by itself");
        stopwatch.abort();
        let error = stopwatch.await.expect_err("it was aborted");
        assert!(error.is_cancelled());
        assert_eq!(start.elapsed(), Duration::from_secs(3600));
    }

    #[tokio::test(start_paused = true)]
    async fn async_main_takes_three_and_a_half_seconds() -> Result<(), JoinError> {
        let start = tokio::time::Instant::now();
        async_main().await?;
        assert_eq!(start.elapsed(), Duration::from_millis(3500));
        Ok(())
    }

    #[tokio::test]
    async fn every_task_sees_the_same_runtime_and_another_runtime_differs() -> io::Result<()> {
        let here = Handle::current().id();
        let in_a_task = tokio::spawn(async { Handle::current().id() })
            .await
            .expect("the task does not panic");
        assert_eq!(in_a_task, here);
        // A second runtime, on a thread of its own, is another runtime.
        let other = std::thread::spawn(|| new_runtime().map(|rt| rt.handle().id()))
            .join()
            .expect("the thread does not panic")?;
        assert_ne!(other, here);
        Ok(())
    }
}
