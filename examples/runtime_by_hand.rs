//! Course section: Asynchronous functions.
//!
//! `asyncio.run(coro)` creates an event loop, runs the coroutine to the end,
//! returns its result and closes the loop. `#[tokio::main]` writes exactly
//! that for you; here it is by hand, with tokio's `Runtime::block_on`.
//!
//! Run it with `cargo run --example runtime_by_hand`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

use tokio::runtime::Builder;
use tokio::task;

async fn add_slowly(a: u64, b: u64) -> u64 {
    // Give other tasks a turn, as `await asyncio.sleep(0)` would.
    task::yield_now().await;
    a + b
}

// ANCHOR: main
fn main() -> std::io::Result<()> {
    // One thread, like asyncio's event loop. `enable_all` turns on the timer
    // and the I/O driver; `build` fails only if the OS refuses resources.
    let runtime = Builder::new_current_thread().enable_all().build()?;

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

    #[test]
    fn block_on_returns_the_output_of_the_future() -> std::io::Result<()> {
        let runtime = Builder::new_current_thread().build()?;
        assert_eq!(runtime.block_on(add_slowly(20, 22)), 42);
        Ok(())
    }
}
