// Course section: Asynchronous functions.
//
// Python's `coroutine.send(None)` runs a coroutine up to its next suspension
// point; when the body finishes, `StopIteration` carries the return value.
// Rust's equivalent is `Future::poll`, which answers `Poll::Pending` ("not
// yet; I will wake you") or `Poll::Ready(value)`. Runtimes like tokio call
// `poll` for you; here we call it by hand with a waker that does nothing.
//
// Run it with `cargo run --example poll_by_hand`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};

use tokio::sync::oneshot;

// ANCHOR: no_await
async fn answer() -> u32 {
    42
}
// ANCHOR_END: no_await

// ANCHOR: waits
async fn wait_for(receiver: oneshot::Receiver<&'static str>) -> &'static str {
    receiver.await.unwrap_or("the sender went away")
}
// ANCHOR_END: waits

// ANCHOR: main
fn main() {
    // A context whose waker does nothing: fine when we poll again ourselves.
    let mut cx = Context::from_waker(Waker::noop());

    // A future with no `.await` inside finishes on its first poll.
    let mut future = pin!(answer());
    println!("answer(), poll 1: {:?}", future.as_mut().poll(&mut cx));

    // This one suspends at `.await` until a value arrives.
    let (sender, receiver) = oneshot::channel();
    let mut future = pin!(wait_for(receiver));
    println!("wait_for(), poll 1: {:?}", future.as_mut().poll(&mut cx));
    let _ = sender.send("the value arrived");
    println!("wait_for(), poll 2: {:?}", future.as_mut().poll(&mut cx));
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Poll;

    #[test]
    fn a_future_without_awaits_is_ready_on_the_first_poll() {
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(pin!(answer()).poll(&mut cx), Poll::Ready(42));
    }

    #[test]
    fn a_waiting_future_is_pending_until_its_value_arrives() {
        let mut cx = Context::from_waker(Waker::noop());
        let (sender, receiver) = oneshot::channel();
        let mut future = pin!(wait_for(receiver));
        assert_eq!(future.as_mut().poll(&mut cx), Poll::Pending);
        assert_eq!(future.as_mut().poll(&mut cx), Poll::Pending);
        sender
            .send("now")
            .expect("the future still holds the receiver");
        assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready("now"));
    }
}
