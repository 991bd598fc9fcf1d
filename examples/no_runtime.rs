//! Course section: Asynchronous functions.
//!
//! In Python, driving a coroutine by hand with `send(None)` fails with
//! `RuntimeError: no running event loop` as soon as it awaits
//! `asyncio.sleep`. Tokio's timers need a running tokio runtime in the same
//! way: poll one outside a runtime and it panics. This program does that on
//! purpose, after asking politely first.
//!
//! Run it with `cargo run --example no_runtime` (it exits with a panic).

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};
use std::time::Duration;

use tokio::runtime::Handle;

// ANCHOR: main
async fn nap() {
    tokio::time::sleep(Duration::from_secs(1)).await;
}

fn main() {
    // The polite question: is there a runtime on this thread?
    println!("inside a tokio runtime: {}", Handle::try_current().is_ok());

    // Polling anyway: the sleep looks for the runtime's timer and panics.
    let mut cx = Context::from_waker(Waker::noop());
    let _ = pin!(nap()).poll(&mut cx);
    println!("never printed");
}
// ANCHOR_END: main
