// Course section: Asynchronous Iterators.
//
// Python's `EggBoiler` is an async iterator: `__anext__` hands out one
// coroutine per egg, `async for` awaits them one at a time, and
// `asyncio.gather` boils them all at once. In Rust the async iterator is a
// `Stream`: `EggBoiler` implements `poll_next` by hand and yields eggs, and
// each egg's `boil` is an `async fn` that we await in turn or join.
//
// Run it with `cargo run --example egg_boiler`, or `-- 6` for six eggs.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::ops::RangeInclusive;
use std::pin::Pin;
use std::process::ExitCode;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::join_all;
use futures::{Stream, StreamExt};
use tokio::time::{Instant, sleep};

/// A dozen eggs is as many as the pot takes.
const MAX_EGGS: usize = 12;

// ANCHOR: egg
/// Boiling times in seconds. Fixed, not random, so that every run tells the
/// same story: egg 5 takes as long as egg 1, egg 6 as long as egg 2, and so on.
const BOIL_SECS: [u64; 4] = [5, 2, 4, 3];

struct Egg {
    number: usize,
}

impl Egg {
    async fn boil(self, start: Instant) -> usize {
        let secs = BOIL_SECS[(self.number - 1) % BOIL_SECS.len()];
        sleep(Duration::from_secs(secs)).await;
        println!("{} egg {} is boiled", stamp(start), self.number);
        self.number
    }
}
// ANCHOR_END: egg

// ANCHOR: stream
/// Hands out eggs one at a time, like the course's `__anext__`.
struct EggBoiler {
    eggs: RangeInclusive<usize>,
}

impl EggBoiler {
    fn new(amount: usize) -> Self {
        EggBoiler { eggs: 1..=amount }
    }
}

impl Stream for EggBoiler {
    type Item = Egg;

    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Egg>> {
        // `None` ends the stream, as `StopAsyncIteration` ends `async for`.
        Poll::Ready(self.eggs.next().map(|number| Egg { number }))
    }
}
// ANCHOR_END: stream

// ANCHOR: one_at_a_time
/// `async for egg in EggBoiler(n): await egg`
async fn boil_one_at_a_time(mut eggs: EggBoiler, start: Instant) -> Vec<usize> {
    let mut boiled = Vec::new();
    while let Some(egg) = eggs.next().await {
        boiled.push(egg.boil(start).await);
    }
    boiled
}
// ANCHOR_END: one_at_a_time

// ANCHOR: all_at_once
/// `await asyncio.gather(*[egg async for egg in EggBoiler(n)])`
async fn boil_all_at_once(eggs: EggBoiler, start: Instant) -> Vec<usize> {
    let boiling: Vec<_> = eggs.map(|egg| egg.boil(start)).collect().await;
    join_all(boiling).await
}
// ANCHOR_END: all_at_once

/// `[ 5.0s]`: the time since `start`, as every line of output shows it.
fn stamp(start: Instant) -> String {
    format!("[{:4.1}s]", start.elapsed().as_secs_f64())
}

/// Reads the optional number of eggs from the command line.
fn egg_count(mut args: impl Iterator<Item = String>) -> Result<usize, String> {
    let Some(arg) = args.next() else {
        return Ok(4);
    };
    if let Some(extra) = args.next() {
        return Err(format!(
            "unexpected argument `{extra}`: give at most one number of eggs"
        ));
    }
    match arg.parse() {
        Ok(amount @ 1..=MAX_EGGS) => Ok(amount),
        _ => Err(format!(
            "the number of eggs must be a whole number from 1 to {MAX_EGGS}, not `{arg}`"
        )),
    }
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() -> ExitCode {
    let amount = match egg_count(std::env::args().skip(1)) {
        Ok(amount) => amount,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };

    let eggs = if amount == 1 { "egg" } else { "eggs" };
    println!("Boiling {amount} {eggs} one at a time:");
    let start = Instant::now();
    boil_one_at_a_time(EggBoiler::new(amount), start).await;
    println!("{} all boiled\n", stamp(start));

    println!("Boiling {amount} {eggs} all at once:");
    let start = Instant::now();
    boil_all_at_once(EggBoiler::new(amount), start).await;
    println!("{} all boiled", stamp(start));
    ExitCode::SUCCESS
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test(start_paused = true)]
    async fn one_at_a_time_takes_the_sum_of_the_boiling_times() {
        let start = Instant::now();
        let boiled = boil_one_at_a_time(EggBoiler::new(4), start).await;
        assert_eq!(start.elapsed(), Duration::from_secs(5 + 2 + 4 + 3));
        assert_eq!(boiled, [1, 2, 3, 4]);
    }

    #[tokio::test(start_paused = true)]
    async fn all_at_once_takes_as_long_as_the_slowest_egg() {
        let start = Instant::now();
        let boiled = boil_all_at_once(EggBoiler::new(4), start).await;
        assert_eq!(start.elapsed(), Duration::from_secs(5));
        // `join_all` hands the results back in the order the eggs went in.
        assert_eq!(boiled, [1, 2, 3, 4]);
    }

    #[tokio::test(start_paused = true)]
    async fn join_all_boils_nothing_until_it_is_awaited() {
        let start = Instant::now();
        // A start probe: each egg counts itself as it goes into the pot.
        let started = Cell::new(0);
        let boiling = join_all((1..=4).map(|number| {
            let started = &started;
            async move {
                started.set(started.get() + 1);
                Egg { number }.boil(start).await
            }
        }));
        // Ten seconds pass, and the runtime runs whatever is ready meanwhile.
        sleep(Duration::from_secs(10)).await;
        assert_eq!(started.get(), 0, "no egg goes in before the await");

        let awaited = Instant::now();
        assert_eq!(boiling.await, [1, 2, 3, 4]);
        assert_eq!(started.get(), 4);
        // The slowest egg's 5 seconds count from the await, not from `join_all`.
        assert_eq!(awaited.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_dozen_eggs_at_once_still_take_five_seconds() {
        let start = Instant::now();
        boil_all_at_once(EggBoiler::new(MAX_EGGS), start).await;
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }

    #[test]
    fn the_stream_yields_each_egg_once_then_ends() {
        let numbers: Vec<_> =
            tokio_test::block_on(EggBoiler::new(3).map(|egg| egg.number).collect());
        assert_eq!(numbers, [1, 2, 3]);
    }

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|arg| arg.to_string())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn egg_count_reads_one_optional_number() {
        assert_eq!(egg_count(args(&[])), Ok(4));
        assert_eq!(egg_count(args(&["12"])), Ok(12));
        for bad in ["0", "13", "-1", "four", ""] {
            let error = egg_count(args(&[bad])).unwrap_err();
            assert!(error.contains(&format!("not `{bad}`")), "{error}");
        }
        assert!(
            egg_count(args(&["2", "3"]))
                .unwrap_err()
                .contains("unexpected argument `3`")
        );
    }
}
