// Solution of the exercise for "Ways to run and cancel": run a heartbeat in
// the background, for exactly as long as a download.
//
// Run its tests with `cargo test --example heartbeat_task_solution`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;
extern crate tokio_util;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::time::{Instant, sleep};

// ANCHOR: given
/// Counts heartbeats.
#[derive(Clone, Default)]
struct Beats(Arc<AtomicU32>);

impl Beats {
    fn count(&self) -> u32 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Beats once a second, forever.
async fn heartbeat(beats: Beats) {
    loop {
        sleep(Duration::from_secs(1)).await;
        let count = beats.0.fetch_add(1, Ordering::SeqCst) + 1;
        println!("beat {count}");
    }
}

/// Stands in for a download that takes `time`.
async fn download(time: Duration) -> &'static str {
    sleep(time).await;
    "<html>...</html>"
}
// ANCHOR_END: given

// ANCHOR: solution
/// Downloads, with a heartbeat beating for as long as the download runs.
async fn download_with_heartbeat(time: Duration, beats: &Beats) -> &'static str {
    // A task of its own, which runs while this function waits, and is
    // aborted when the handle is dropped: when this function returns, and
    // when its caller gives up on it.
    let task = tokio::spawn(heartbeat(beats.clone()));
    let _heartbeat = tokio_util::task::AbortOnDropHandle::new(task);
    download(time).await
}
// ANCHOR_END: solution

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    let start = Instant::now();
    let beats = Beats::default();
    let page = download_with_heartbeat(Duration::from_millis(2500), &beats).await;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "[{secs:4.1}s] downloaded {page} with {} beats",
        beats.count()
    );
}

#[cfg(test)]
#[path = "../tests/heartbeat_task.rs"]
mod tests;
