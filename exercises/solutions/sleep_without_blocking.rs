// Exercise for "What async is for": wait for three downloads at once, without blocking.
//
// The solution: `cargo test --example sleep_without_blocking_solution` passes.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::time::Duration;

use futures::future::join_all;
use tokio::time::Instant;

// ANCHOR: solution
/// Stands in for a network request: almost all of it is waiting.
async fn download(page: &str, latency_ms: u64) -> String {
    // Wait for the server, as `await asyncio.sleep(latency)` would.
    tokio::time::sleep(Duration::from_millis(latency_ms)).await;
    format!("{page} downloaded")
}
// ANCHOR_END: solution

/// Downloads every page at once; the results keep the order given.
async fn download_all(pages: &[(&str, u64)]) -> Vec<String> {
    join_all(
        pages
            .iter()
            .map(|&(page, latency_ms)| download(page, latency_ms)),
    )
    .await
}

const PAGES: [(&str, u64); 3] = [("/news", 350), ("/weather", 250), ("/sports", 300)];

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    let start = Instant::now();
    let pages = download_all(&PAGES).await;
    println!("{pages:?} after {} ms", start.elapsed().as_millis());
}

#[cfg(test)]
#[path = "../tests/sleep_without_blocking.rs"]
mod tests;
