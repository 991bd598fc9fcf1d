// Solution of the exercise for "Task objects": stop every task at the first
// failure, as a `TaskGroup` would.
//
// Run its tests with `cargo test --example kitchen_shutdown_solution`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::{Instant, sleep};

// ANCHOR: kitchen
/// Counts the burners that are on.
#[derive(Clone, Default)]
struct Stove(Arc<AtomicUsize>);

impl Stove {
    fn light(&self) -> Burner {
        self.0.fetch_add(1, Ordering::SeqCst);
        Burner(self.clone())
    }

    fn burners_on(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A burner that is on; dropping it turns it off, however its dish ends.
struct Burner(Stove);

impl Drop for Burner {
    fn drop(&mut self) {
        (self.0).0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A dish: its name, how many seconds it cooks, and whether it burns.
type Dish = (&'static str, u64, bool);

/// Cooks one dish on a burner of its own.
async fn cook(stove: Stove, (name, secs, burns): Dish) -> Result<&'static str, String> {
    let _burner = stove.light();
    sleep(Duration::from_secs(secs)).await;
    if burns {
        Err(format!("the {name} burnt"))
    } else {
        Ok(name)
    }
}
// ANCHOR_END: kitchen

// ANCHOR: solution
/// Cooks every dish at once, and gives their names in the order they are
/// done. The first dish that burns stops the kitchen, as an exception stops
/// an `asyncio.TaskGroup`: `cook_all` returns that error at once, with every
/// burner off.
async fn cook_all(stove: &Stove, dishes: &[Dish]) -> Result<Vec<&'static str>, String> {
    let mut kitchen = JoinSet::new();
    for &dish in dishes {
        kitchen.spawn(cook(stove.clone(), dish));
    }
    let mut done = Vec::new();
    while let Some(joined) = kitchen.join_next().await {
        let error = match joined {
            Ok(Ok(name)) => {
                done.push(name);
                continue;
            }
            Ok(Err(error)) => error,
            Err(error) => error.to_string(),
        };
        // A `JoinSet` stops nobody by itself: abort the other dishes, and
        // wait until each one is gone, burner off.
        kitchen.shutdown().await;
        return Err(error);
    }
    Ok(done)
}
// ANCHOR_END: solution

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    let stove = Stove::default();
    let start = Instant::now();
    let dishes = [("roast", 5, false), ("toast", 1, true), ("soup", 3, false)];
    let result = cook_all(&stove, &dishes).await;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "[{secs:4.1}s] {result:?}, burners on: {}",
        stove.burners_on()
    );
}

#[cfg(test)]
#[path = "../tests/kitchen_shutdown.rs"]
mod tests;
