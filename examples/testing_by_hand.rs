// Course section: Testing async code.
//
// A Python test can step a coroutine with `coro.send(None)` and look at
// where it stopped. tokio-test's `task::spawn` does that for a Rust future
// or stream: `poll` it once, check that it is `Pending`, make something
// happen, check that it was woken, poll again. The same tests check what a
// future leaves behind when it is dropped half-way, and that a stream does
// nothing before its first poll.
//
// Run it with `cargo run --example testing_by_hand`, its tests with
// `cargo test --example testing_by_hand`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
extern crate async_stream;
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::time::Duration;

use async_stream::stream;
use futures::{Stream, StreamExt};
use tokio::sync::{Mutex, oneshot};
use tokio::time::{Instant, sleep, timeout};

// ANCHOR: toast
/// Waits for the toaster's bell, which says what was toasted; gives up
/// after 10 seconds.
async fn wait_for_toast(bell: oneshot::Receiver<&'static str>) -> Result<String, String> {
    match timeout(Duration::from_secs(10), bell).await {
        Ok(Ok(bread)) => Ok(format!("toasted {bread}")),
        Ok(Err(_)) => Err("the toaster broke".to_string()),
        Err(_) => Err("no toast after 10 s".to_string()),
    }
}
// ANCHOR_END: toast

// ANCHOR: fry
/// Holds the pan while it fries `eggs` eggs, one a second, putting each on
/// the plate as it is done.
async fn fry(pan: &Mutex<()>, plate: &std::sync::Mutex<Vec<u32>>, eggs: u32) {
    let _holding = pan.lock().await;
    for egg in 1..=eggs {
        sleep(Duration::from_secs(1)).await;
        plate.lock().expect("no panic while plating").push(egg);
    }
}
// ANCHOR_END: fry

// ANCHOR: countdown
/// Counts down from `from` to 1, one number a second.
fn countdown(from: u64) -> impl Stream<Item = u64> {
    stream! {
        for n in (1..=from).rev() {
            sleep(Duration::from_secs(1)).await;
            yield n;
        }
    }
}
// ANCHOR_END: countdown

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    let start = Instant::now();
    let say = |what: String| println!("[{:4.1}s] {what}", start.elapsed().as_secs_f64());

    let (ring, bell) = oneshot::channel();
    tokio::spawn(async move {
        sleep(Duration::from_secs(2)).await;
        let _ = ring.send("rye"); // the waiter may have given up
    });
    match wait_for_toast(bell).await {
        Ok(toast) | Err(toast) => say(toast),
    }

    let (pan, plate) = (Mutex::new(()), std::sync::Mutex::new(Vec::new()));
    let fried = timeout(Duration::from_millis(2500), fry(&pan, &plate, 4)).await;
    let plate = plate.lock().expect("no panic while plating").clone();
    say(format!(
        "frying {}: plate {plate:?}, pan free: {}",
        if fried.is_ok() { "done" } else { "stopped" },
        pan.try_lock().is_ok()
    ));

    let numbers = countdown(3);
    sleep(Duration::from_secs(5)).await; // the stream is not polled yet
    say("polling the countdown".to_string());
    let mut numbers = std::pin::pin!(numbers);
    while let Some(n) = numbers.next().await {
        say(n.to_string());
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_test::{assert_pending, assert_ready_eq, task};

    // ANCHOR: step
    #[tokio::test]
    async fn the_bell_wakes_the_waiter_which_then_finishes() {
        let (ring, bell) = oneshot::channel();
        let mut waiter = task::spawn(wait_for_toast(bell));

        assert_pending!(waiter.poll()); // runs up to the bell, and stops
        assert!(!waiter.is_woken());

        ring.send("rye").expect("the waiter is still there");
        assert!(waiter.is_woken()); // the send woke it: poll it again
        assert_ready_eq!(waiter.poll(), Ok("toasted rye".to_string()));
    }

    #[tokio::test(start_paused = true)]
    async fn the_waiter_gives_up_after_ten_seconds_and_not_before() {
        let (_ring, bell) = oneshot::channel();
        let mut waiter = task::spawn(wait_for_toast(bell));
        assert_pending!(waiter.poll());

        // The test's own sleeps move the paused clock: when the test waits,
        // auto-advance jumps to the next timer and fires what is due.
        sleep(Duration::from_millis(9_999)).await;
        assert!(!waiter.is_woken());
        assert_pending!(waiter.poll());

        sleep(Duration::from_millis(1)).await;
        assert!(waiter.is_woken()); // its timer fired with the test's
        assert_ready_eq!(waiter.poll(), Err("no toast after 10 s".to_string()));
    }
    // ANCHOR_END: step

    // ANCHOR: cancel
    #[tokio::test(start_paused = true)]
    async fn a_frying_cut_short_keeps_its_eggs_and_frees_the_pan() {
        let (pan, plate) = (Mutex::new(()), std::sync::Mutex::new(Vec::new()));
        let fried = timeout(Duration::from_millis(2500), fry(&pan, &plate, 4)).await;

        assert!(fried.is_err(), "the timeout dropped the frying");
        assert_eq!(*plate.lock().unwrap(), [1, 2]); // done before the drop: kept
        assert!(
            pan.try_lock().is_ok(),
            "dropping the future released the lock"
        );
    }
    // ANCHOR_END: cancel

    // ANCHOR: stream
    #[tokio::test(start_paused = true)]
    async fn a_stream_yields_its_items_then_ends() {
        let mut numbers = task::spawn(countdown(2));
        assert_pending!(numbers.poll_next()); // sleeping before 2
        sleep(Duration::from_secs(1)).await;
        assert_ready_eq!(numbers.poll_next(), Some(2));
        assert_pending!(numbers.poll_next());
        sleep(Duration::from_secs(1)).await;
        assert_ready_eq!(numbers.poll_next(), Some(1));
        assert_ready_eq!(numbers.poll_next(), None); // the end
    }

    #[tokio::test(start_paused = true)]
    async fn a_stream_does_nothing_before_its_first_poll() {
        let start = Instant::now();
        let numbers = countdown(3);
        sleep(Duration::from_secs(5)).await;
        let all: Vec<u64> = numbers.collect().await;
        assert_eq!(all, [3, 2, 1]);
        // Its first sleep began at the first poll, at 5 s, not at 0 s.
        assert_eq!(start.elapsed(), Duration::from_secs(8));
    }
    // ANCHOR_END: stream

    // ANCHOR: block_on
    #[tokio::test]
    #[should_panic(expected = "Cannot start a runtime from within a runtime")]
    async fn block_on_inside_a_tokio_test_panics() {
        let (ring, bell) = oneshot::channel();
        ring.send("rye").expect("the waiter is still there");
        // Wrong: `tokio_test::block_on` builds a second runtime. Write
        // `wait_for_toast(bell).await` instead.
        let _ = tokio_test::block_on(wait_for_toast(bell));
    }
    // ANCHOR_END: block_on
}
