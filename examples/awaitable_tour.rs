// Course section: Types of Awaitable Objects.
//
// Python's `await` takes a coroutine, a Task, a Future, or any object with
// an `__await__` method. Rust's `.await` takes any value whose type
// implements `IntoFuture`, and every `Future` does. This tour awaits the
// kinds you meet most: the future of an `async fn`, an async block, a
// task's `JoinHandle`, the receiving ends of tokio's channels, a `Sleep`,
// and `std::future::ready`.
//
// Run it with `cargo run --example awaitable_tour`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::error::Error;
use std::time::Duration;

use tokio::sync::oneshot::error::RecvError;
use tokio::sync::{mpsc, oneshot};
use tokio::task::{JoinError, JoinHandle};
use tokio::time::{Instant, Sleep, sleep};

// ANCHOR: written
/// An `async fn`: calling it builds a future, and `.await` runs it.
async fn boil(secs: u64) -> u64 {
    sleep(Duration::from_secs(secs)).await;
    secs
}

async fn futures_you_write() -> (u64, u64) {
    let start = Instant::now();
    let one = boil(1).await;
    println!("{} async fn:      {one}", stamp(start));

    // An async block is a future written in place, like an inner
    // `async def` that you call at once. It, too, runs only when awaited.
    let both = async { boil(1).await + boil(1).await }.await;
    println!("{} async block:   {both}", stamp(start));
    (one, both)
}
// ANCHOR_END: written

// ANCHOR: tasks
async fn task_handles() -> Result<(u64, bool), JoinError> {
    let start = Instant::now();
    // `tokio::spawn` is `asyncio.create_task`: the task is scheduled now,
    // and runs whenever this one waits.
    let boiling: JoinHandle<u64> = tokio::spawn(boil(2));
    boil(1).await; // meanwhile, this task boils an egg of its own
    let boiled: Result<u64, JoinError> = boiling.await; // at 2 s, not 1 + 2
    println!("{} JoinHandle:    {boiled:?}", stamp(start));

    // `abort` is `task.cancel()`. The handle then reports a cancelled task
    // as an error value, where Python would raise `CancelledError`.
    let doomed = tokio::spawn(boil(60));
    doomed.abort();
    let cancelled = doomed.await.is_err_and(|error| error.is_cancelled());
    println!("{} aborted task:  cancelled is {cancelled}", stamp(start));
    Ok((boiled?, cancelled))
}
// ANCHOR_END: tasks

// ANCHOR: oneshot
async fn oneshot_receivers() -> Result<(&'static str, bool), RecvError> {
    let start = Instant::now();
    // A oneshot receiver is a future that another task completes: an
    // `asyncio.Future` whose `set_result` lives in a separate sender.
    let (sender, receiver) = oneshot::channel();
    tokio::spawn(async move {
        sleep(Duration::from_secs(1)).await;
        // `send` fails only if the receiver is gone, and then nobody cares.
        let _ = sender.send("ding");
    });
    let rung: Result<&str, RecvError> = receiver.await;
    println!("{} oneshot:       {rung:?}", stamp(start));

    // If the sender goes away without sending, awaiting returns an error
    // at once. An `asyncio.Future` that nobody completes waits forever.
    let (sender, receiver) = oneshot::channel::<&str>();
    drop(sender);
    let abandoned = receiver.await;
    println!("{} oneshot:       {abandoned:?}", stamp(start));
    Ok((rung?, abandoned.is_err()))
}
// ANCHOR_END: oneshot

// ANCHOR: mpsc
async fn mpsc_receiver() -> Vec<u32> {
    let start = Instant::now();
    let (sender, mut receiver) = mpsc::channel(8);
    tokio::spawn(async move {
        for count in 1..=3 {
            sleep(Duration::from_secs(1)).await;
            if sender.send(count).await.is_err() {
                break; // the receiver is gone
            }
        }
    }); // the task ends and drops the sender, which closes the channel

    // `recv` returns a new future on every call, like `queue.get()`.
    let mut received = Vec::new();
    while let Some(count) = receiver.recv().await {
        println!("{} mpsc recv:     Some({count})", stamp(start));
        received.push(count);
    }
    println!("{} mpsc recv:     None, every sender is gone", stamp(start));
    received
}
// ANCHOR_END: mpsc

// ANCHOR: ready_made
async fn ready_made() -> u64 {
    let start = Instant::now();
    // `sleep` returns a `Sleep`: a struct, with methods, that is a future.
    let nap: Sleep = sleep(Duration::from_secs(2));
    let due = (nap.deadline() - start).as_secs_f64();
    nap.await;
    println!("{} Sleep:         due at {due:.1}s", stamp(start));

    // `ready` is a future that is done before it starts: for code that
    // must return a future but already has the value.
    let value = std::future::ready(42).await;
    println!("{} future::ready: {value}", stamp(start));
    value
}
// ANCHOR_END: ready_made

/// `[ 1.0s]`: the time since `start`, as every line of output shows it.
fn stamp(start: Instant) -> String {
    format!("[{:4.1}s]", start.elapsed().as_secs_f64())
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // Each part starts its own clock at zero.
    println!("Futures you write:");
    futures_you_write().await;
    println!("Task handles:");
    task_handles().await?;
    println!("A oneshot channel:");
    oneshot_receivers().await?;
    println!("An mpsc channel:");
    mpsc_receiver().await;
    println!("Ready-made futures:");
    ready_made().await;
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt;

    #[tokio::test(start_paused = true)]
    async fn an_async_fn_and_an_async_block_give_their_values() {
        let start = Instant::now();
        assert_eq!(futures_you_write().await, (1, 2));
        assert_eq!(start.elapsed(), Duration::from_secs(1 + 1 + 1));
    }

    #[tokio::test(start_paused = true)]
    async fn an_async_block_does_nothing_until_awaited() {
        let start = Instant::now();
        let block = async { boil(1).await };
        sleep(Duration::from_secs(5)).await;
        assert_eq!(block.await, 1);
        assert_eq!(start.elapsed(), Duration::from_secs(5 + 1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_spawned_task_runs_before_its_handle_is_awaited() {
        let start = Instant::now();
        let (boiled, cancelled) = task_handles().await.expect("the first task finished");
        assert_eq!(boiled, 2);
        assert!(cancelled, "the aborted task reports a cancellation");
        // 2 s, not 1 + 2: the task boiled while this one did; and aborting
        // took no time, although the aborted task would have slept 60 s.
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_a_join_handle_does_not_stop_the_task() {
        let (sender, receiver) = oneshot::channel();
        let handle = tokio::spawn(async move {
            sleep(Duration::from_secs(1)).await;
            sender.send("still ran").expect("the receiver is alive");
        });
        drop(handle);
        assert_eq!(receiver.await, Ok("still ran"));
    }

    #[test]
    fn a_runtime_that_shuts_down_cancels_its_tasks() -> std::io::Result<()> {
        let build = || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .start_paused(true)
                .build()
        };
        let first = build()?;
        let boiling = first.spawn(boil(60));
        drop(first); // shuts the runtime down, and drops the task in it
        let joined = build()?.block_on(boiling);
        assert!(joined.is_err_and(|error| error.is_cancelled()));
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn a_oneshot_gives_the_value_or_an_error_if_the_sender_is_gone() {
        let start = Instant::now();
        let (rung, abandoned) = oneshot_receivers().await.expect("the bell rang");
        assert_eq!(rung, "ding");
        assert!(abandoned, "a dropped sender is an error, not a wait");
        // The abandoned receiver did not wait: the whole thing took 1 s.
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn recv_gives_each_message_then_none_when_the_senders_are_gone() {
        let start = Instant::now();
        assert_eq!(mpsc_receiver().await, [1, 2, 3]);
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_sleep_ends_at_its_deadline_and_ready_takes_no_time() {
        let start = Instant::now();
        assert_eq!(ready_made().await, 42);
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn ready_is_done_on_its_first_poll_and_a_sleep_is_not() {
        // `now_or_never` polls once: `Some` if that poll finished it.
        assert_eq!(std::future::ready(42).now_or_never(), Some(42));
        assert_eq!(sleep(Duration::from_secs(1)).now_or_never(), None);
    }
}
