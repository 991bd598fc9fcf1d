// Course section: Futures.
//
// An `asyncio.Future` is an empty box that someone fills later with
// `set_result`, while someone else waits for it with `await`. Tokio's
// `oneshot` channel splits that box in two: the `Sender` is the
// `set_result` side, the `Receiver` is the future you await. The sender
// can live in another task or in a plain OS thread, and if it goes away
// without sending, the receiver gets an error instead of waiting forever.
//
// Run it with `cargo run --example oneshot_future`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::error::Error;
use std::thread;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::{Instant, sleep};

// ANCHOR: another_task
/// `future = loop.create_future()`; another task calls `set_result`.
async fn set_by_a_task(start: Instant) -> Result<(), oneshot::error::RecvError> {
    let (sender, receiver) = oneshot::channel();
    tokio::spawn(async move {
        sleep(Duration::from_secs(2)).await;
        // `send` fails only if nobody waits for the value any more.
        let _ = sender.send("the eggs are boiled");
    });
    let message = receiver.await?;
    println!("{} {message}", stamp(start));
    Ok(())
}
// ANCHOR_END: another_task

// ANCHOR: thread
/// Filled by a plain OS thread: `send` is an ordinary, non-async call.
async fn set_by_a_thread() -> Result<u64, Box<dyn Error>> {
    let (sender, receiver) = oneshot::channel();
    let worker = thread::Builder::new()
        .name("counter".to_string())
        .spawn(move || {
            let total: u64 = (1..=1_000_000).sum();
            let _ = sender.send(total);
        })?;
    let total = receiver.await?;
    worker.join().expect("the counter thread does not panic");
    Ok(total)
}
// ANCHOR_END: thread

// ANCHOR: boil
/// Reports through `done` when the eggs are boiled. With no eggs it gives
/// up at once, and `done` is dropped without a value.
async fn boil(eggs: u32, done: oneshot::Sender<String>) {
    if eggs == 0 {
        return;
    }
    sleep(Duration::from_secs(5)).await;
    let _ = done.send(format!("{eggs} eggs are boiled"));
}

async fn wait_for_boil(eggs: u32, start: Instant) -> Result<String, oneshot::error::RecvError> {
    let (sender, receiver) = oneshot::channel();
    tokio::spawn(boil(eggs, sender));
    let result = receiver.await;
    match &result {
        Ok(message) => println!("{} boil({eggs}): {message}", stamp(start)),
        Err(error) => println!("{} boil({eggs}): error: {error}", stamp(start)),
    }
    result
}
// ANCHOR_END: boil

/// `[ 2.0s]`: the time since `start`, as every line of output shows it.
fn stamp(start: Instant) -> String {
    format!("[{:4.1}s]", start.elapsed().as_secs_f64())
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    set_by_a_task(Instant::now()).await?;
    let total = set_by_a_thread().await?;
    println!("a thread worked out 1 + 2 + ... + 1000000 = {total}");

    let start = Instant::now();
    wait_for_boil(2, start).await?;
    let start = Instant::now();
    if wait_for_boil(0, start).await.is_err() {
        println!("main knows that no value will ever come");
    }
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_receiver_waits_until_the_other_task_sends() {
        let start = Instant::now();
        set_by_a_task(start).await.expect("the task sends");
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test]
    async fn a_thread_can_send_without_a_runtime() {
        let (sender, receiver) = oneshot::channel();
        let worker = thread::spawn(move || {
            // No tokio runtime on this thread, and `send` needs none.
            assert!(tokio::runtime::Handle::try_current().is_err());
            sender.send(7)
        });
        assert_eq!(receiver.await, Ok(7));
        assert_eq!(worker.join().expect("no panic"), Ok(()));
    }

    #[tokio::test]
    async fn set_by_a_thread_gets_the_sum() {
        let n = 1_000_000;
        assert_eq!(
            set_by_a_thread().await.expect("the thread sends"),
            n * (n + 1) / 2
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_sent_value_arrives_when_the_work_is_done() {
        let start = Instant::now();
        let message = wait_for_boil(2, start).await.expect("boil sends");
        assert_eq!(message, "2 eggs are boiled");
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_sender_is_an_error_at_once_not_a_hang() {
        let start = Instant::now();
        let error = wait_for_boil(0, start).await.expect_err("no value sent");
        assert_eq!(error.to_string(), "channel closed");
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn cancelling_the_sending_task_is_an_error_for_the_waiter() {
        let (sender, receiver) = oneshot::channel();
        let boiling = tokio::spawn(boil(2, sender));
        sleep(Duration::from_secs(1)).await;
        boiling.abort();
        let error = receiver.await.expect_err("the sender was dropped");
        assert_eq!(error.to_string(), "channel closed");
    }

    #[tokio::test]
    async fn send_hands_the_value_back_when_nobody_waits() {
        let (sender, receiver) = oneshot::channel();
        drop(receiver);
        assert!(sender.is_closed());
        assert_eq!(sender.send("too late"), Err("too late"));
    }

    #[tokio::test(start_paused = true)]
    async fn the_sender_can_wait_for_the_receiver_to_give_up() {
        let (mut sender, receiver) = oneshot::channel::<u32>();
        let start = Instant::now();
        tokio::spawn(async move {
            sleep(Duration::from_secs(1)).await;
            drop(receiver);
        });
        sender.closed().await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }
}
