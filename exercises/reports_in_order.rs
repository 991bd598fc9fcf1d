// Exercise for "Task objects": results in the order asked for, as
// `asyncio.gather` gives them.
//
// Run its tests with `cargo test --example reports_in_order`; they fail until
// `check_all` is fixed. The solution is in `solutions/reports_in_order.rs`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::{Instant, sleep};

// ANCHOR: given
/// Stands in for checking a website, which takes `secs` seconds.
async fn check(site: &'static str, secs: u64) -> String {
    sleep(Duration::from_secs(secs)).await;
    format!("{site}: up")
}
// ANCHOR_END: given

// ANCHOR: starter
/// Checks every site at once, each in a task of its own, and gives the
/// reports in the order of `sites`.
async fn check_all(sites: &[(&'static str, u64)]) -> Vec<String> {
    let mut checks = JoinSet::new();
    for &(site, secs) in sites {
        checks.spawn(check(site, secs));
    }
    // Every report, as `await asyncio.gather(*checks)` gives them.
    checks.join_all().await
}
// ANCHOR_END: starter

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    let start = Instant::now();
    let reports = check_all(&[("tokio.rs", 2), ("python.org", 3), ("rust-lang.org", 1)]).await;
    println!("[{:4.1}s] {reports:?}", start.elapsed().as_secs_f64());
}

#[cfg(test)]
#[path = "tests/reports_in_order.rs"]
mod tests;
