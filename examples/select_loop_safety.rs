// Course section: Ways to run & cancel coroutines.
//
// Every time `tokio::select!` finishes, it drops the futures of the branches
// that lost. In a loop, a branch written as `next_table(&mut orders)` is a
// new future on every turn, and whatever the old one had done is dropped
// with it: here, orders already taken off a channel. Python's
// `asyncio.wait(..., return_when=FIRST_COMPLETED)` leaves the losers running,
// so asyncio code rarely meets this. The fixes: keep one future alive across
// the loop, pinned, or keep the state in the loop and select on a
// cancel-safe call such as `mpsc::Receiver::recv`.
//
// Run it with `cargo run --example select_loop_safety`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::fmt::Display;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinError;
use tokio::time::{Instant, Interval, interval_at};

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

// ANCHOR: customers
/// Three customers order one after another, at 0.5 s, 1.5 s and 2.5 s;
/// then the channel closes.
async fn customers(orders: mpsc::Sender<u32>, log: Log) {
    let first = Instant::now() + Duration::from_millis(500);
    let mut arrivals = interval_at(first, Duration::from_secs(1));
    for order in 1..=3 {
        arrivals.tick().await;
        log.say(format!("customer: order {order}"));
        if orders.send(order).await.is_err() {
            return; // nobody takes orders any more
        }
    }
}

/// A tick every second, starting one second from now.
fn every_second() -> Interval {
    let second = Duration::from_secs(1);
    interval_at(Instant::now() + second, second)
}
// ANCHOR_END: customers

// ANCHOR: next_table
const TABLE: usize = 3;

/// Takes orders off the channel until a table's worth is in. Not cancel
/// safe: the orders taken so far live in this future, and go when it does.
async fn next_table(orders: &mut mpsc::Receiver<u32>) -> Vec<u32> {
    let mut table = Vec::new();
    while table.len() < TABLE {
        match orders.recv().await {
            Some(order) => table.push(order),
            None => break, // the channel closed: serve what there is
        }
    }
    table
}
// ANCHOR_END: next_table

// ANCHOR: lossy
/// Wrong: a new `next_table` future on every turn of the loop.
async fn lossy(mut orders: mpsc::Receiver<u32>, log: Log) -> Vec<u32> {
    let mut ticks = every_second();
    loop {
        tokio::select! {
            table = next_table(&mut orders) => return table,
            _ = ticks.tick() => log.say("waiter: still waiting"),
        }
    }
}
// ANCHOR_END: lossy

// ANCHOR: pinned
/// Right: one `next_table` future, pinned, polled again on every turn.
async fn pinned(mut orders: mpsc::Receiver<u32>, log: Log) -> Vec<u32> {
    let mut ticks = every_second();
    let mut next = pin!(next_table(&mut orders));
    loop {
        tokio::select! {
            table = &mut next => return table,
            _ = ticks.tick() => log.say("waiter: still waiting"),
        }
    }
}
// ANCHOR_END: pinned

// ANCHOR: with_recv
/// Also right: the orders live in the loop, and `recv` is cancel safe.
async fn with_recv(mut orders: mpsc::Receiver<u32>, log: Log) -> Vec<u32> {
    let mut ticks = every_second();
    let mut table = Vec::new();
    while table.len() < TABLE {
        tokio::select! {
            order = orders.recv() => match order {
                Some(order) => table.push(order),
                None => break,
            },
            _ = ticks.tick() => log.say("waiter: still waiting"),
        }
    }
    table
}
// ANCHOR_END: with_recv

/// Lets the customers order while `waiter` collects a table, and logs what
/// the waiter ends up with.
async fn serve(
    log: Log,
    waiter: impl AsyncFnOnce(mpsc::Receiver<u32>, Log) -> Vec<u32>,
) -> Result<Vec<u32>, JoinError> {
    let (orders, queue) = mpsc::channel(TABLE);
    let ordering = tokio::spawn(customers(orders, log.clone()));
    let table = waiter(queue, log.clone()).await;
    log.say(format!("waiter: got {table:?}"));
    ordering.await?;
    Ok(table)
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), JoinError> {
    println!("A new next_table() future on every turn:");
    serve(Log::new(), lossy).await?;
    println!("One pinned next_table() future:");
    serve(Log::new(), pinned).await?;
    println!("recv() in the loop:");
    serve(Log::new(), with_recv).await?;
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    /// What every waiter sees: three orders and two ticks, none at once.
    const ORDERS_AND_TICKS: [&str; 5] = [
        "[ 0.5s] customer: order 1",
        "[ 1.0s] waiter: still waiting",
        "[ 1.5s] customer: order 2",
        "[ 2.0s] waiter: still waiting",
        "[ 2.5s] customer: order 3",
    ];

    #[tokio::test(start_paused = true)]
    async fn a_new_future_every_turn_loses_the_orders_it_had_taken() {
        let log = Log::new();
        let table = serve(log.clone(), lossy).await.expect("no panic");
        // Orders 1 and 2 were taken off the channel, then dropped with the
        // `next_table` future that held them when a tick won, at 1 s and 2 s.
        assert_eq!(table, [3]);
        assert_eq!(log.start.elapsed(), Duration::from_millis(2500));
        assert_eq!(log.lines()[..5], ORDERS_AND_TICKS);
        assert_eq!(log.lines()[5..], ["[ 2.5s] waiter: got [3]"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pinned_future_keeps_every_order() {
        let log = Log::new();
        let table = serve(log.clone(), pinned).await.expect("no panic");
        assert_eq!(table, [1, 2, 3]);
        assert_eq!(log.start.elapsed(), Duration::from_millis(2500));
        assert_eq!(log.lines()[..5], ORDERS_AND_TICKS);
        assert_eq!(log.lines()[5..], ["[ 2.5s] waiter: got [1, 2, 3]"]);
    }

    #[tokio::test(start_paused = true)]
    async fn recv_in_the_loop_keeps_every_order() {
        let log = Log::new();
        let table = serve(log.clone(), with_recv).await.expect("no panic");
        assert_eq!(table, [1, 2, 3]);
        assert_eq!(log.start.elapsed(), Duration::from_millis(2500));
        assert_eq!(log.lines()[..5], ORDERS_AND_TICKS);
        assert_eq!(log.lines()[5..], ["[ 2.5s] waiter: got [1, 2, 3]"]);
    }

    #[test]
    #[should_panic(expected = "`async fn` resumed after completion")]
    fn polling_a_finished_future_again_panics() {
        use std::task::{Context, Waker};
        let (orders, mut queue) = mpsc::channel::<u32>(TABLE);
        drop(orders); // closed: `next_table` finishes on its first poll
        let mut next = pin!(next_table(&mut queue));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(next.as_mut().poll(&mut cx).is_ready());
        let _ = next.as_mut().poll(&mut cx); // the `select!` loop must not do this
    }

    #[tokio::test(start_paused = true)]
    async fn next_table_alone_loses_nothing() {
        // The loss comes from dropping the future, not from `next_table`.
        let (orders, mut queue) = mpsc::channel(TABLE);
        let ordering = tokio::spawn(customers(orders, Log::new()));
        assert_eq!(next_table(&mut queue).await, [1, 2, 3]);
        ordering.await.expect("no panic");
    }
}
