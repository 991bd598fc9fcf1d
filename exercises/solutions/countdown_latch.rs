// Solution of the exercise for "Types of awaitables": a future written by
// hand, which must arrange its own wake-up.
//
// Run its tests with `cargo test --example countdown_latch_solution`.

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

// ANCHOR: solution
/// What the counters and the waiter share.
struct Count {
    left: usize,
    /// The waker of the latest `poll` that found work left.
    waker: Option<std::task::Waker>,
}

/// Counts one worker as done; clone it for each worker.
#[derive(Clone)]
struct Counter(Arc<Mutex<Count>>);

/// A future that finishes once every worker has counted down.
struct AllDone(Arc<Mutex<Count>>);

/// A latch for `workers` workers: each calls `count_down` once.
fn latch(workers: usize) -> (Counter, AllDone) {
    let count = Arc::new(Mutex::new(Count {
        left: workers,
        waker: None,
    }));
    (Counter(Arc::clone(&count)), AllDone(count))
}

impl Counter {
    fn count_down(&self) {
        let waker = {
            let mut count = self.0.lock().expect("no panic while counting");
            count.left = count.left.saturating_sub(1);
            if count.left == 0 {
                count.waker.take()
            } else {
                None
            }
        };
        // The last worker wakes the waiting task, after unlocking.
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl Future for AllDone {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut count = self.0.lock().expect("no panic while counting");
        if count.left == 0 {
            Poll::Ready(())
        } else {
            // Say "not yet" only after leaving a way to be woken: the
            // newest waker, since this future may have moved to another task.
            count.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}
// ANCHOR_END: solution

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
#[path = "../tests/countdown_latch.rs"]
mod tests;
