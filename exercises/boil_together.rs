// Exercise for "Async functions": boil every egg at once, not one after another.
//
// Run its tests with `cargo test --example boil_together`; they fail until
// `boil_all` is fixed. The solution is in `solutions/boil_together.rs`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::time::Duration;

use tokio::time::{Instant, sleep};

/// Stands in for boiling: waits, then says which egg is done.
async fn boil(egg: &str, secs: u64) -> String {
    sleep(Duration::from_secs(secs)).await;
    format!("{egg} egg")
}

// ANCHOR: starter
/// Boils every egg at the same time, and returns them in the order given.
async fn boil_all(eggs: &[(&str, u64)]) -> Vec<String> {
    // One pot per egg first, then wait for each pot, as you would with
    // `asyncio.create_task` and `await`.
    let pots: Vec<_> = eggs.iter().map(|&(egg, secs)| boil(egg, secs)).collect();
    let mut boiled = Vec::new();
    for pot in pots {
        boiled.push(pot.await);
    }
    boiled
}
// ANCHOR_END: starter

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    let start = Instant::now();
    let boiled = boil_all(&[("soft", 3), ("medium", 5), ("hard", 8)]).await;
    println!("{boiled:?} after {}s", start.elapsed().as_secs());
}

#[cfg(test)]
#[path = "tests/boil_together.rs"]
mod tests;
