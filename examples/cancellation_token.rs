// Course section: Ways to run & cancel coroutines.
//
// asyncio's `task.cancel()` lets a task catch `CancelledError`, finish what
// it is doing and clean up with awaits in `finally`. Rust's cancellation by
// drop cannot do that, so for a shutdown that must be orderly, Rust sends a
// message instead: `tokio_util::sync::CancellationToken`. Each worker
// watches the token and decides where to stop; its clean-up is ordinary code
// that can `.await`. Child tokens are cancelled with their parent.
//
// Run it with `cargo run --example cancellation_token`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;
extern crate tokio_util;

use std::error::Error;
use std::fmt::Display;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;

/// Prints each line after the time since the start, as `[ 2.0s] ...`, and
/// keeps the lines so that the tests can check what ran, and when.
#[derive(Clone)]
struct Log {
    start: Instant,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Log {
    fn new() -> Self {
        Log {
            start: Instant::now(),
            lines: Arc::default(),
        }
    }

    fn say(&self, what: impl Display) {
        let line = format!("[{:4.1}s] {what}", self.start.elapsed().as_secs_f64());
        let mut lines = self.lines.lock().expect("no thread panicked while logging");
        println!("{line}");
        lines.push(line);
    }

    #[cfg(test)]
    fn lines(&self) -> Vec<String> {
        self.lines.lock().expect("no panic while logging").clone()
    }
}

// ANCHOR: cook
/// Cooks orders until the token is cancelled or the orders run out. An
/// order that has started is always finished; then the stove is cleaned.
async fn cook(
    token: CancellationToken,
    mut orders: mpsc::Receiver<&'static str>,
    log: Log,
) -> usize {
    let mut served = 0;
    loop {
        let order = tokio::select! {
            biased; // check the token first: no new order after closing time
            () = token.cancelled() => break,
            order = orders.recv() => match order {
                Some(order) => order,
                None => break, // every sender is gone: no more orders
            },
        };
        // Not raced against the token: this part always runs to the end.
        log.say(format!("cook: {order} started"));
        sleep(Duration::from_secs(2)).await;
        log.say(format!("cook: {order} served"));
        served += 1;
    }
    // The `finally` that may await: nobody drops this future, it returns.
    log.say("cook: cleaning the stove");
    sleep(Duration::from_secs(1)).await;
    log.say("cook: stove clean");
    served
}
// ANCHOR_END: cook

// ANCHOR: washer
/// Washes a dish every 1.5 s until the token is cancelled. Stopping halfway
/// through a dish loses nothing that matters, so the work itself is raced.
async fn washer(token: CancellationToken, log: Log) -> u32 {
    let mut washed = 0;
    // `None` once the token is cancelled: the dish in hand is dropped.
    while let Some(()) = token
        .run_until_cancelled(sleep(Duration::from_millis(1500)))
        .await
    {
        washed += 1;
        log.say(format!("washer: dish {washed} clean"));
    }
    log.say("washer: going home");
    washed
}
// ANCHOR_END: washer

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let log = Log::new();
    let (orders, queue) = mpsc::channel(8);
    for order in ["soup", "pasta", "cake"] {
        orders.send(order).await?;
    }

    let closing_time = CancellationToken::new();
    let cooking = tokio::spawn(cook(closing_time.clone(), queue, log.clone()));
    // A child token: cancelled with its parent, or on its own.
    let washing = tokio::spawn(washer(closing_time.child_token(), log.clone()));

    sleep(Duration::from_millis(3500)).await;
    log.say("main: closing time");
    closing_time.cancel(); // only asks: each worker decides when to stop

    let (served, washed) = (cooking.await?, washing.await?);
    log.say(format!(
        "main: {served} orders served, {washed} dishes washed"
    ));
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    /// A channel holding `orders`, and its sender, which keeps it open.
    async fn queue_of(
        orders: &[&'static str],
    ) -> (mpsc::Sender<&'static str>, mpsc::Receiver<&'static str>) {
        let (sender, receiver) = mpsc::channel(8);
        for order in orders {
            sender.send(*order).await.expect("the receiver is here");
        }
        (sender, receiver)
    }

    #[tokio::test(start_paused = true)]
    async fn the_cook_finishes_the_order_in_hand_then_cleans_up() {
        let log = Log::new();
        let (_orders, queue) = queue_of(&["soup", "pasta", "cake"]).await;
        let token = CancellationToken::new();
        let cooking = tokio::spawn(cook(token.clone(), queue, log.clone()));
        sleep(Duration::from_millis(3500)).await;
        token.cancel();
        // Dropping would have stopped the cook at once; the token only asks.
        sleep(Duration::from_millis(400)).await;
        assert!(
            !cooking.is_finished(),
            "at 3.9 s the pasta is still cooking"
        );
        assert_eq!(cooking.await.expect("no panic"), 2);
        // Pasta is finished at 4 s, after the cancel; cake is never started,
        // though it waits in the channel (`biased` checks the token first).
        assert_eq!(log.start.elapsed(), Duration::from_secs(5));
        assert_eq!(
            log.lines(),
            [
                "[ 0.0s] cook: soup started",
                "[ 2.0s] cook: soup served",
                "[ 2.0s] cook: pasta started",
                "[ 4.0s] cook: pasta served",
                "[ 4.0s] cook: cleaning the stove",
                "[ 5.0s] cook: stove clean",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn once_cancelled_the_cook_starts_no_waiting_order() {
        // Without `biased`, `select!` picks one of the ready branches at
        // random; 32 tries make that show up here.
        for _ in 0..32 {
            let log = Log::new();
            let (_orders, queue) = queue_of(&["soup"]).await;
            let token = CancellationToken::new();
            token.cancel();
            assert_eq!(cook(token, queue, log.clone()).await, 0);
            assert_eq!(log.lines()[0], "[ 0.0s] cook: cleaning the stove");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_cook_also_stops_when_the_orders_run_out() {
        let log = Log::new();
        let (orders, queue) = queue_of(&["soup"]).await;
        drop(orders);
        let served = cook(CancellationToken::new(), queue, log.clone()).await;
        assert_eq!(served, 1);
        assert_eq!(log.start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn the_washer_stops_as_soon_as_it_is_cancelled() {
        let log = Log::new();
        let token = CancellationToken::new();
        let washing = tokio::spawn(washer(token.clone(), log.clone()));
        sleep(Duration::from_millis(3500)).await;
        token.cancel();
        assert_eq!(washing.await.expect("no panic"), 2);
        assert_eq!(log.start.elapsed(), Duration::from_millis(3500));
        assert_eq!(
            log.lines(),
            [
                "[ 1.5s] washer: dish 1 clean",
                "[ 3.0s] washer: dish 2 clean",
                "[ 3.5s] washer: going home",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn cancelling_the_parent_cancels_its_children() {
        let parent = CancellationToken::new();
        let child = parent.child_token();
        parent.cancel();
        assert!(child.is_cancelled());
    }

    #[tokio::test(start_paused = true)]
    async fn cancelling_a_child_leaves_the_parent_and_its_workers_alone() {
        let log = Log::new();
        let (_orders, queue) = queue_of(&["soup"]).await;
        let parent = CancellationToken::new();
        let child = parent.child_token();
        let cooking = tokio::spawn(cook(parent.clone(), queue, log.clone()));
        let washing = tokio::spawn(washer(child.clone(), log.clone()));
        sleep(Duration::from_secs(1)).await;
        child.cancel();
        assert_eq!(washing.await.expect("no panic"), 0);
        assert!(!parent.is_cancelled());
        sleep(Duration::from_secs(10)).await;
        assert!(!cooking.is_finished(), "the cook waits for more orders");
        assert!(
            log.lines()
                .contains(&"[ 2.0s] cook: soup served".to_string())
        );
        parent.cancel();
        assert_eq!(cooking.await.expect("no panic"), 1);
    }
}
