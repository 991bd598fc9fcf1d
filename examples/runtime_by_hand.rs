// Course section: Asynchronous functions.
//
// `asyncio.run(coro)` creates an event loop, runs the coroutine to the end,
// returns its result and closes the loop. `#[tokio::main]` writes that for
// you; here it is by hand, with tokio's `Runtime::block_on`.
//
// Run it with `cargo run --example runtime_by_hand`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

use tokio::runtime::{Builder, Runtime};
use tokio::task;

async fn add_slowly(a: u64, b: u64) -> u64 {
    // Give other tasks a turn, as `await asyncio.sleep(0)` would.
    task::yield_now().await;
    a + b
}

// ANCHOR: main
/// One thread, like asyncio's event loop. `enable_all` turns on the timer
/// and the I/O driver; `build` fails if the OS refuses what they need.
fn event_loop() -> std::io::Result<Runtime> {
    Builder::new_current_thread().enable_all().build()
}

fn main() -> std::io::Result<()> {
    let runtime = event_loop()?;

    // `block_on` is `asyncio.run`: drive one future to the end, return its output.
    let sum = runtime.block_on(add_slowly(2, 40));
    println!("add_slowly(2, 40) returned {sum}");
    Ok(())
    // Dropping `runtime` here shuts it down, as `asyncio.run` closes its loop.
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn block_on_returns_the_output_of_the_future() -> std::io::Result<()> {
        let runtime = event_loop()?;
        assert_eq!(runtime.block_on(add_slowly(20, 22)), 42);
        Ok(())
    }

    /// Like `asyncio.Runner.run`, `block_on` can be called again on the same
    /// runtime, and a task spawned during one call is still there in the next.
    #[test]
    fn block_on_runs_again_on_the_same_runtime_and_its_tasks_wait_there() -> std::io::Result<()> {
        let runtime = event_loop()?;
        let (send, receive) = tokio::sync::oneshot::channel::<u64>();
        #[expect(clippy::async_yields_async, reason = "the second call awaits it")]
        let waiting = runtime.block_on(async {
            tokio::spawn(async move { receive.await.expect("a number comes") + 1 })
        });
        let sum = runtime.block_on(async move {
            send.send(41)
                .expect("the task spawned in the first call is alive");
            waiting.await.expect("the task does not panic")
        });
        assert_eq!(sum, 42);
        assert_eq!(runtime.block_on(add_slowly(2, 40)), 42);
        Ok(())
    }

    /// A zero sleep waits for nothing, but it needs the runtime's timer: on
    /// a runtime without one it panics, as the next test shows.
    #[test]
    fn the_event_loop_has_a_timer() -> std::io::Result<()> {
        event_loop()?.block_on(async { tokio::time::sleep(Duration::ZERO).await });
        Ok(())
    }

    #[test]
    #[should_panic(expected = "timers are disabled")]
    fn without_enable_all_there_is_no_timer() {
        let runtime = Builder::new_current_thread()
            .build()
            .expect("a runtime without drivers");
        runtime.block_on(async { tokio::time::sleep(Duration::ZERO).await });
    }

    /// A task that would wait forever holds one end of a channel. Dropping
    /// the runtime drops the task, and with it that end.
    #[test]
    fn dropping_the_runtime_drops_the_tasks_still_on_it() -> std::io::Result<()> {
        let runtime = event_loop()?;
        let (alive, watcher) = mpsc::channel::<&str>();
        runtime.spawn(async move {
            alive.send("started").expect("the test is listening");
            std::future::pending::<()>().await; // waits here, for ever
        });
        runtime.block_on(task::yield_now()); // the task starts, and waits
        assert_eq!(watcher.try_recv(), Ok("started"));
        assert_eq!(watcher.try_recv(), Err(mpsc::TryRecvError::Empty));
        drop(runtime);
        assert_eq!(watcher.try_recv(), Err(mpsc::TryRecvError::Disconnected));
        Ok(())
    }
}
