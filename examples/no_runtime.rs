// Course section: Asynchronous functions.
//
// In Python, driving a coroutine by hand with `send(None)` fails with
// `RuntimeError: no running event loop` as soon as it awaits
// `asyncio.sleep`. Tokio's timers need a running tokio runtime in the same
// way: create one outside a runtime and it panics. This program does that
// on purpose, by polling a future that creates one, after asking first.
//
// Run it with `cargo run --example no_runtime` (it exits with a panic).

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

    // Polling anyway: the first poll runs `nap`, whose call to `sleep`
    // looks for the runtime's timer and panics.
    let mut cx = Context::from_waker(Waker::noop());
    let _ = pin!(nap()).poll(&mut cx);
    println!("never printed");
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_thread_has_no_runtime() {
        assert!(Handle::try_current().is_err());
    }

    #[test]
    fn calling_nap_outside_a_runtime_runs_nothing_and_does_not_panic() {
        let future = nap();
        drop(future);
    }

    #[test]
    #[should_panic(
        expected = "there is no reactor running, must be called from the context of a Tokio 1.x runtime"
    )]
    fn polling_nap_outside_a_runtime_panics() {
        let mut cx = Context::from_waker(Waker::noop());
        let _ = pin!(nap()).poll(&mut cx);
    }

    /// `sleep` is a plain function, not an `async fn`: it creates its timer
    /// when it is called, and that is what panics, before anything is polled.
    #[test]
    #[should_panic(
        expected = "there is no reactor running, must be called from the context of a Tokio 1.x runtime"
    )]
    fn creating_a_tokio_timer_outside_a_runtime_panics() {
        let _timer = tokio::time::sleep(Duration::from_secs(1));
    }
}
