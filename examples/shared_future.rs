// Course section: Futures.
//
// Many Python coroutines can `await` one `asyncio.Future`, and each gets
// the same result. A Rust future is consumed by `.await`, so it has one
// waiter. `FutureExt::shared` turns it into a `Shared` future that can be
// cloned: every clone waits for the same result and gets its own copy.
//
// Run it with `cargo run --example shared_future`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::error::Error;
use std::time::Duration;

use futures::FutureExt;
use tokio::sync::oneshot;
use tokio::time::{Instant, sleep};

// ANCHOR: waiters
/// Three drinks wait for one kettle; the kettle boils once.
async fn make_drinks(start: Instant) -> Result<Vec<String>, Box<dyn Error>> {
    let (kettle, hot_water) = oneshot::channel();
    let hot_water = hot_water.shared();

    let mut drinks = Vec::new();
    for drink in ["tea", "coffee", "cocoa"] {
        let hot_water = hot_water.clone();
        drinks.push(tokio::spawn(async move {
            let water: &str = hot_water.await?;
            let made = format!("{} {drink} made with {water}", stamp(start));
            Ok::<_, oneshot::error::RecvError>(made)
        }));
    }

    sleep(Duration::from_secs(3)).await;
    // `send` fails only if every waiter has gone.
    let _ = kettle.send("water at 100 degrees");

    let mut made = Vec::new();
    for drink in drinks {
        made.push(drink.await??);
    }

    // A waiter that comes after the value was set gets it at once.
    let water = hot_water.await?;
    made.push(format!("{} a late waiter gets {water}", stamp(start)));
    Ok(made)
}
// ANCHOR_END: waiters

/// `[ 3.0s]`: the time since `start`, as every line of output shows it.
fn stamp(start: Instant) -> String {
    format!("[{:4.1}s]", start.elapsed().as_secs_f64())
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    for line in make_drinks(Instant::now()).await? {
        println!("{line}");
    }
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use futures::future::join_all;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test(start_paused = true)]
    async fn every_waiter_gets_the_value_when_it_is_set() {
        let start = Instant::now();
        let made = make_drinks(start).await.expect("the kettle sends");
        assert_eq!(
            made,
            [
                "[ 3.0s] tea made with water at 100 degrees",
                "[ 3.0s] coffee made with water at 100 degrees",
                "[ 3.0s] cocoa made with water at 100 degrees",
                "[ 3.0s] a late waiter gets water at 100 degrees",
            ]
        );
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn every_waiter_sees_the_error_when_the_sender_is_dropped() {
        let (sender, receiver) = oneshot::channel::<u32>();
        let shared = receiver.shared();
        let waiters = join_all([shared.clone(), shared.clone(), shared]);
        drop(sender);
        for result in waiters.await {
            assert_eq!(
                result.expect_err("nothing sent").to_string(),
                "channel closed"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_shared_computation_runs_once_for_all_its_waiters() {
        let runs = Arc::new(AtomicU32::new(0));
        let counter = Arc::clone(&runs);
        let start = Instant::now();
        let boil = async move {
            counter.fetch_add(1, Ordering::SeqCst);
            sleep(Duration::from_secs(3)).await;
            "hot water"
        }
        .shared();
        // Lazy, like every future: nothing has run yet.
        sleep(Duration::from_secs(1)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 0);

        let waiters: Vec<_> = (0..3).map(|_| tokio::spawn(boil.clone())).collect();
        for waiter in waiters {
            assert_eq!(waiter.await.expect("no panic"), "hot water");
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(start.elapsed(), Duration::from_secs(1 + 3));
    }
}
