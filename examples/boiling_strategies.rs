// Course section: Asynchronous Iterators.
//
// `asyncio.gather` starts every coroutine at once; to run fewer at a time,
// Python reaches for a semaphore, and for tasks of its own, a `TaskGroup`.
// Rust has a tool for each case: `join_all` (everything at once, in this
// task), `buffer_unordered(n)` (at most `n` at a time, results as they
// finish, and only while the stream is read) and `JoinSet` (spawned tasks,
// which the multi-threaded runtime can run in parallel).
//
// Run it with `cargo run --example boiling_strategies`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
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

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
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
    use std::cell::Cell;
    use std::collections::HashSet;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use tokio::task::Id;

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

    #[tokio::test(start_paused = true)]
    async fn a_buffered_pot_stands_still_while_its_reader_is_away() {
        let start = Instant::now();
        let made = Cell::new(0); // how many egg futures `map` has made
        let mut pot = stream::iter(1..=4)
            .map(|egg| {
                made.set(made.get() + 1);
                boil(egg, start)
            })
            .buffer_unordered(2);

        assert_eq!(pot.next().await, Some(2));
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        // Only the two eggs in the pot exist; Python makes all its tasks up front.
        assert_eq!(made.get(), 2);

        // The reader does something else for 10 s: nobody polls the pot.
        sleep(Duration::from_secs(10)).await;
        assert_eq!(
            made.get(),
            2,
            "egg 3 is not even made while the reader is away"
        );

        let rest: Vec<_> = pot.collect().await;
        assert_eq!(rest, [1, 4, 3]);
        // Egg 3 had a free place at 2 s, but goes in at 12 s and is boiled at
        // 16 s: twice the 8 s of `a_pot_of_two_takes_eight_seconds`.
        assert_eq!(start.elapsed(), Duration::from_secs(16));
    }

    /// Boils egg `egg` one second at a time, counting each step done: many
    /// short awaits, one after another, as real work goes (read a chunk, then
    /// the next). Each step starts only when the future is polled again.
    async fn boil_in_steps(egg: usize, steps: Arc<AtomicU64>) -> usize {
        for _ in 0..BOIL_SECS[egg - 1] {
            sleep(Duration::from_secs(1)).await;
            steps.fetch_add(1, Ordering::Relaxed);
        }
        egg
    }

    /// Every step of every egg: 5 + 2 + 4 + 3.
    const ALL_STEPS: u64 = 14;

    #[tokio::test(start_paused = true)]
    async fn no_egg_in_a_buffered_pot_takes_a_step_while_its_reader_is_away() {
        let steps = Arc::new(AtomicU64::new(0));
        let mut pot = stream::iter(1..=4)
            .map(|egg| boil_in_steps(egg, steps.clone()))
            .buffer_unordered(2);

        assert_eq!(pot.next().await, Some(2));
        let done_so_far = steps.load(Ordering::Relaxed);
        sleep(Duration::from_secs(10)).await;
        assert_eq!(
            steps.load(Ordering::Relaxed),
            done_so_far,
            "nothing moved while nobody read"
        );

        let rest: Vec<_> = pot.collect().await;
        assert_eq!(rest.len(), 3);
        assert_eq!(steps.load(Ordering::Relaxed), ALL_STEPS);
    }

    #[tokio::test(start_paused = true)]
    async fn spawned_eggs_boil_on_while_the_reader_is_away() -> Result<(), JoinError> {
        let start = Instant::now();
        let steps = Arc::new(AtomicU64::new(0));
        let mut pot = JoinSet::new();
        for egg in 1..=4 {
            pot.spawn(boil_in_steps(egg, steps.clone()));
        }
        assert_eq!(pot.join_next().await.transpose()?, Some(2));
        assert_eq!(start.elapsed(), Duration::from_secs(2));

        sleep(Duration::from_secs(10)).await;
        // Every step of every egg was done while the reader was away.
        assert_eq!(steps.load(Ordering::Relaxed), ALL_STEPS);
        while let Some(egg) = pot.join_next().await {
            egg?;
        }
        assert_eq!(start.elapsed(), Duration::from_secs(2 + 10));
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn buffered_keeps_the_order_and_a_boiled_egg_keeps_its_place() {
        let start = Instant::now();
        let boiled: Vec<_> = stream::iter(1..=4)
            .map(|egg| boil(egg, start))
            .buffered(2)
            .collect()
            .await;
        assert_eq!(boiled, [1, 2, 3, 4]);
        // Egg 2 is boiled at 2 s but waits for egg 1 (5 s) in its place, so
        // eggs 3 (4 s) and 4 (3 s) go in at 5 s: 9 s, not 8.
        assert_eq!(start.elapsed(), Duration::from_secs(9));
    }

    /// The id of the task that polls this future.
    async fn polled_by() -> Id {
        tokio::task::yield_now().await;
        tokio::task::id()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn only_spawned_futures_get_tasks_of_their_own() -> Result<(), JoinError> {
        tokio::spawn(async {
            let this_task = tokio::task::id();
            let joined = join_all((0..4).map(|_| polled_by())).await;
            assert!(joined.iter().all(|id| *id == this_task));
            let buffered: Vec<Id> = stream::iter(0..4)
                .map(|_| polled_by())
                .buffer_unordered(2)
                .collect()
                .await;
            assert!(buffered.iter().all(|id| *id == this_task));

            let mut set = JoinSet::new();
            for _ in 0..4 {
                set.spawn(polled_by());
            }
            let spawned: HashSet<Id> = set.join_all().await.into_iter().collect();
            assert_eq!(spawned.len(), 4, "one task each");
            assert!(!spawned.contains(&this_task));
        })
        .await
    }
}
