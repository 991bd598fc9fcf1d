// Course section: What, why, and threads vs asyncio.
//
// A blocking call (an HTTP request, a database query, a log write) spends
// most of its time waiting. asyncio overlaps those waits on one thread with
// an event loop; so does tokio. Here three simulated downloads run one after
// another, then all at once, and every line says which thread ran it.
//
// Run it with `cargo run --example waiting_together`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::thread;
use std::time::Duration;

use futures::future::join_all;
use tokio::time::{Instant, sleep};

// ANCHOR: download
/// Stands in for a network request: almost all of it is waiting.
async fn download(page: &str, latency_ms: u64, start: Instant) -> usize {
    sleep(Duration::from_millis(latency_ms)).await;
    let thread = thread::current();
    let thread = thread.name().unwrap_or("unnamed");
    println!(
        "[{:4.1}s] got {page:<9} on thread {thread}",
        start.elapsed().as_secs_f64()
    );
    page.len()
}
// ANCHOR_END: download

const PAGES: [(&str, u64); 3] = [("/news", 1200), ("/weather", 800), ("/sports", 1000)];

// ANCHOR: one_after_another
async fn one_after_another(start: Instant) {
    for (page, latency_ms) in PAGES {
        download(page, latency_ms, start).await;
    }
}
// ANCHOR_END: one_after_another

// ANCHOR: all_at_once
async fn all_at_once(start: Instant) {
    join_all(PAGES.map(|(page, latency_ms)| download(page, latency_ms, start))).await;
}
// ANCHOR_END: all_at_once

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    println!("One after another:");
    let start = Instant::now();
    one_after_another(start).await;

    println!("\nAll at once:");
    let start = Instant::now();
    all_at_once(start).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn one_after_another_waits_for_the_sum_of_the_latencies() {
        let start = Instant::now();
        one_after_another(start).await;
        assert_eq!(start.elapsed(), Duration::from_millis(1200 + 800 + 1000));
    }

    #[tokio::test(start_paused = true)]
    async fn all_at_once_waits_for_the_slowest_only() {
        let start = Instant::now();
        all_at_once(start).await;
        assert_eq!(start.elapsed(), Duration::from_millis(1200));
    }
}
