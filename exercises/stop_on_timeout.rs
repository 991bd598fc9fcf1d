// Exercise for "Ways to run and cancel": give up on a slow task, and stop it.
//
// Run its tests with `cargo test --example stop_on_timeout`; they fail until
// `with_deadline` is fixed. The solution is in `solutions/stop_on_timeout.rs`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep, timeout};

// ANCHOR: starter
/// Waits at most `limit` for `task`, and gives its output, or `None` if it
/// failed or took too long. If the time is up, it aborts the task and waits
/// until it is gone: until its next `.await`, or, for a `spawn_blocking` job,
/// which `abort` cannot stop, until the job ends.
async fn with_deadline<T>(task: JoinHandle<T>, limit: Duration) -> Option<T> {
    // What `asyncio.wait_for(task, limit)` does: give up after `limit`.
    match timeout(limit, task).await {
        Ok(Ok(output)) => Some(output),
        _ => None,
    }
}
// ANCHOR_END: starter

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    let start = Instant::now();
    let kettle = tokio::spawn(async move {
        for second in 1..=5 {
            sleep(Duration::from_secs(1)).await;
            println!(
                "[{:4.1}s] kettle: {second} s",
                start.elapsed().as_secs_f64()
            );
        }
        "tea"
    });
    let tea = with_deadline(kettle, Duration::from_millis(2500)).await;
    println!("[{:4.1}s] got {tea:?}", start.elapsed().as_secs_f64());
    // Wait a little longer: does the kettle still run?
    sleep(Duration::from_secs(3)).await;
    println!("[{:4.1}s] done", start.elapsed().as_secs_f64());
}

#[cfg(test)]
#[path = "tests/stop_on_timeout.rs"]
mod tests;
