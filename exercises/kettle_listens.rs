// Exercise for "Coroutines and awaitables": a future that stops when asked,
// at once, and says how far it got.
//
// Run its tests with `cargo test --example kettle_listens`; they fail until
// `heat` is fixed. The solution is in `solutions/kettle_listens.rs`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;
extern crate tokio_util;

use std::time::Duration;

use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;

// ANCHOR: starter
/// Heats water from 20 °C, 10 degrees a second, until it boils at 100 °C
/// or `stop` is cancelled, and returns the temperature it reached.
async fn heat(stop: CancellationToken) -> u32 {
    let mut degrees = 20;
    // Check the token once a second, as `while not stop.is_set():` would.
    while degrees < 100 && !stop.is_cancelled() {
        sleep(Duration::from_secs(1)).await;
        degrees += 10;
    }
    degrees
}
// ANCHOR_END: starter

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    let start = Instant::now();
    let stop = CancellationToken::new();
    let kettle = tokio::spawn(heat(stop.clone()));
    sleep(Duration::from_millis(2500)).await;
    println!("[{:4.1}s] switch it off", start.elapsed().as_secs_f64());
    stop.cancel();
    match kettle.await {
        Ok(degrees) => println!("[{:4.1}s] {degrees} °C", start.elapsed().as_secs_f64()),
        Err(error) => eprintln!("the kettle failed: {error}"),
    }
}

#[cfg(test)]
#[path = "tests/kettle_listens.rs"]
mod tests;
