// Course section: Asynchronous functions.
//
// Python's `asyncio.run(main())` starts an event loop, runs one coroutine to
// the end and closes the loop. Rust's `#[tokio::main]` does the same for an
// `async fn main`: it builds a tokio runtime and blocks on `main`'s future.
//
// Run it with `cargo run --example hello_async`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::time::Duration;

use tokio::time::{Instant, sleep};

// ANCHOR: main
/// Says hello, waits two seconds, then says the rest, each line starting
/// with the time since it began.
async fn hello_world() {
    let start = Instant::now();
    println!("[{:4.1}s] hello...", start.elapsed().as_secs_f64());
    sleep(Duration::from_secs(2)).await;
    println!("[{:4.1}s] ...world", start.elapsed().as_secs_f64());
}

// ANCHOR_END: main
#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    hello_world().await;
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    // ANCHOR: test
    #[tokio::test(start_paused = true)]
    async fn hello_world_takes_two_seconds() {
        let start = Instant::now();
        hello_world().await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }
    // ANCHOR_END: test
}
