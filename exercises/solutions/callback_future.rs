// Solution of the exercise for "Futures": turn a callback into a future, with
// an answer even when the callback never comes.
//
// Run its tests with `cargo test --example callback_future_solution`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::time::Duration;

use tokio::time::{Instant, sleep};

// ANCHOR: api
/// A callback API, as many C libraries and older Python ones have: it boils
/// the eggs in the background and calls `on_done` when they are ready. With
/// no eggs it has nothing to do, and never calls back; with more than 12 the
/// pot boils over at 2 seconds, and it never calls back either.
fn boil_eggs(eggs: u32, on_done: impl FnOnce(String) + Send + 'static) {
    if eggs == 0 {
        return;
    }
    tokio::spawn(async move {
        if eggs > 12 {
            sleep(Duration::from_secs(2)).await;
            return; // boiled over: `on_done` is dropped, never called
        }
        sleep(Duration::from_secs(5)).await;
        on_done(format!("{eggs} eggs boiled"));
    });
}

/// What `boil` gives when `boil_eggs` will never call back.
#[derive(Debug, PartialEq)]
struct NoAnswer;
// ANCHOR_END: api

// ANCHOR: solution
use tokio::sync::oneshot;

/// Boils `eggs` eggs with `boil_eggs`, and waits for its answer.
async fn boil(eggs: u32) -> Result<String, NoAnswer> {
    let (sender, receiver) = oneshot::channel();
    boil_eggs(eggs, move |result| {
        // `send` gives the result back if nobody waits any more: drop it.
        let _ = sender.send(result);
    });
    // A callback dropped without being called drops the sender inside it,
    // and the receiver fails at once instead of waiting forever.
    receiver.await.map_err(|_closed| NoAnswer)
}
// ANCHOR_END: solution

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    for eggs in [3, 0, 13] {
        let start = Instant::now();
        let answer = boil(eggs).await;
        let secs = start.elapsed().as_secs_f64();
        println!("[{secs:4.1}s] boil({eggs}): {answer:?}");
    }
}

#[cfg(test)]
#[path = "../tests/callback_future.rs"]
mod tests;
