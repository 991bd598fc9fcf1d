// Exercise for "Types of awaitables": a future written by hand, which must
// arrange its own wake-up.
//
// Run its tests with `cargo test --example countdown_latch`; they fail until
// `count_down` and `poll` are fixed. The solution is in
// `solutions/countdown_latch.rs`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::{Instant, sleep};

// ANCHOR: starter
/// What the counters and the waiter share.
struct Count {
    left: usize,
}

/// Counts one worker as done; clone it for each worker.
#[derive(Clone)]
struct Counter(Arc<Mutex<Count>>);

/// A future that finishes once every worker has counted down.
struct AllDone(Arc<Mutex<Count>>);

/// A latch for `workers` workers: each calls `count_down` once.
fn latch(workers: usize) -> (Counter, AllDone) {
    let count = Arc::new(Mutex::new(Count { left: workers }));
    (Counter(Arc::clone(&count)), AllDone(count))
}

impl Counter {
    fn count_down(&self) {
        let mut count = self.0.lock().expect("no panic while counting");
        count.left = count.left.saturating_sub(1);
    }
}

impl Future for AllDone {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        let count = self.0.lock().expect("no panic while counting");
        // An asyncio Future says "not yet" and has nothing more to do: the
        // Task that awaits it has asked to be called back.
        if count.left == 0 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}
// ANCHOR_END: starter

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    let start = Instant::now();
    let (counter, all_done) = latch(3);
    for secs in 1..=3 {
        let counter = counter.clone();
        tokio::spawn(async move {
            sleep(Duration::from_secs(secs)).await;
            println!(
                "[{:4.1}s] worker {secs} done",
                start.elapsed().as_secs_f64()
            );
            counter.count_down();
        });
    }
    all_done.await;
    println!("[{:4.1}s] all done", start.elapsed().as_secs_f64());
}

#[cfg(test)]
#[path = "tests/countdown_latch.rs"]
mod tests;
