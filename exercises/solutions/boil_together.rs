// Exercise for "Async functions": boil every egg at once, not one after another.
//
// The solution: `cargo test --example boil_together_solution` passes.

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

// ANCHOR: solution
/// Boils every egg at the same time, and returns them in the order given.
async fn boil_all(eggs: &[(&str, u64)]) -> Vec<String> {
    let pots = eggs.iter().map(|&(egg, secs)| boil(egg, secs));
    // `join_all` polls every pot in turn, so they all wait at once.
    futures::future::join_all(pots).await
}
// ANCHOR_END: solution

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    let start = Instant::now();
    let boiled = boil_all(&[("soft", 3), ("medium", 5), ("hard", 8)]).await;
    println!("{boiled:?} after {}s", start.elapsed().as_secs());
}

#[cfg(test)]
#[path = "../tests/boil_together.rs"]
mod tests;
