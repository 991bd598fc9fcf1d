//! Course section: Asynchronous Iterators.
//!
//! `asyncio.gather` starts every coroutine at once. When there are many, or
//! they must run on other threads, Python reaches for a semaphore or a
//! `TaskGroup`. Rust has a tool for each case: `join_all` (everything at
//! once, in this task), `buffer_unordered(n)` (at most `n` at a time, results
//! as they finish) and `JoinSet` (spawned tasks that can run in parallel).
//!
//! Run it with `cargo run --example boiling_strategies`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
extern crate futures;
extern crate tokio;

use std::time::Duration;

use futures::future::join_all;
use futures::stream::{self, StreamExt};
use tokio::task::{JoinError, JoinSet};
use tokio::time::{Instant, sleep};

/// Egg `n` boils for `BOIL_SECS[n - 1]` seconds, as in `egg_boiler`.
const BOIL_SECS: [u64; 4] = [5, 2, 4, 3];

async fn boil(egg: usize, start: Instant) -> usize {
    sleep(Duration::from_secs(BOIL_SECS[egg - 1])).await;
    println!(
        "[{:4.1}s] egg {egg} is boiled",
        start.elapsed().as_secs_f64()
    );
    egg
}

// ANCHOR: join_all
/// Every egg in the pot at once; results come back in the order given.
async fn with_join_all(start: Instant) -> Vec<usize> {
    join_all((1..=4).map(|egg| boil(egg, start))).await
}
// ANCHOR_END: join_all

// ANCHOR: buffer_unordered
/// A pot that holds two eggs: the next one goes in when one comes out.
async fn two_at_a_time(start: Instant) -> Vec<usize> {
    stream::iter(1..=4)
        .map(|egg| boil(egg, start))
        .buffer_unordered(2)
        .collect()
        .await
}
// ANCHOR_END: buffer_unordered

// ANCHOR: join_set
/// Each egg a spawned task; results come back as they finish.
async fn with_join_set(start: Instant) -> Result<Vec<usize>, JoinError> {
    let mut pot = JoinSet::new();
    for egg in 1..=4 {
        pot.spawn(boil(egg, start));
    }
    let mut boiled = Vec::new();
    while let Some(result) = pot.join_next().await {
        boiled.push(result?); // Err if the task panicked or was aborted
    }
    Ok(boiled)
}
// ANCHOR_END: join_set

#[cfg_attr(not(feature = "paused-clock"), tokio::main)]
#[cfg_attr(
    feature = "paused-clock",
    tokio::main(flavor = "current_thread", start_paused = true)
)]
async fn main() -> Result<(), JoinError> {
    println!("join_all:");
    let start = Instant::now();
    println!("results in order given: {:?}\n", with_join_all(start).await);

    println!("buffer_unordered(2):");
    let start = Instant::now();
    println!("results as they finish: {:?}\n", two_at_a_time(start).await);

    println!("JoinSet:");
    let start = Instant::now();
    println!("results as they finish: {:?}", with_join_set(start).await?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn join_all_takes_as_long_as_the_slowest_egg() {
        let start = Instant::now();
        assert_eq!(with_join_all(start).await, [1, 2, 3, 4]);
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pot_of_two_takes_eight_seconds() {
        let start = Instant::now();
        // Eggs 1 (5 s) and 2 (2 s) go in; 3 (4 s) follows 2 at 2 s, 4 (3 s) follows 1 at 5 s.
        assert_eq!(two_at_a_time(start).await, [2, 1, 3, 4]);
        assert_eq!(start.elapsed(), Duration::from_secs(8));
    }

    #[tokio::test(start_paused = true)]
    async fn join_set_takes_as_long_as_the_slowest_egg() -> Result<(), JoinError> {
        let start = Instant::now();
        assert_eq!(with_join_set(start).await?, [2, 4, 3, 1]);
        assert_eq!(start.elapsed(), Duration::from_secs(5));
        Ok(())
    }
}
