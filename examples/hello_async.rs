//! Course section: Asynchronous functions.
//!
//! Python's `asyncio.run(main())` starts an event loop, runs one coroutine to
//! the end and closes the loop. Rust's `#[tokio::main]` does the same for an
//! `async fn main`: it builds a tokio runtime and blocks on `main`'s future.
//!
//! Run it with `cargo run --example hello_async`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

use std::time::Duration;

use tokio::time::{Instant, sleep};

// ANCHOR: main
/// Says hello, waits two seconds, then says the rest. Each line starts with
/// the time since it began; `say` is what to do with a line.
async fn hello_world(mut say: impl FnMut(String)) {
    let start = Instant::now();
    say(format!("[{:4.1}s] hello...", start.elapsed().as_secs_f64()));
    sleep(Duration::from_secs(2)).await;
    say(format!("[{:4.1}s] ...world", start.elapsed().as_secs_f64()));
}

#[cfg_attr(not(feature = "paused-clock"), tokio::main)]
#[cfg_attr(
    feature = "paused-clock",
    tokio::main(flavor = "current_thread", start_paused = true)
)]
async fn main() {
    hello_world(|line| println!("{line}")).await;
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    // ANCHOR: test
    #[tokio::test(start_paused = true)]
    async fn says_hello_then_the_rest_two_seconds_later() {
        let mut lines = Vec::new();
        hello_world(|line| lines.push(line)).await;
        assert_eq!(lines, ["[ 0.0s] hello...", "[ 2.0s] ...world"]);
    }
    // ANCHOR_END: test
}
