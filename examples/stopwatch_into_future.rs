// Course section: Types of Awaitable Objects.
//
// The course makes a `Stopwatch` class awaitable by giving it an
// `__await__` method. Rust's nearest thing is `IntoFuture`: `.await` calls
// `into_future` first, so a value can be configured, builder style, and
// then awaited. Here the future it turns into is written by hand around a
// `tokio::time::Interval`, and passes its waker on to the interval instead
// of waking anyone itself.
//
// Run it with `cargo run --example stopwatch_into_future`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::time::{Instant, Interval, interval_at, timeout};

// ANCHOR: builder
/// Counts 1, 2, 3, ... up to `limit`, one number a second, when awaited.
struct Stopwatch {
    limit: u32,
    period: Duration,
}

impl Stopwatch {
    fn new(limit: u32) -> Self {
        Stopwatch {
            limit,
            period: Duration::from_secs(1),
        }
    }

    /// Counts once every `period` instead of once a second.
    fn every(self, period: Duration) -> Self {
        Stopwatch { period, ..self }
    }
}
// ANCHOR_END: builder

// ANCHOR: into_future
impl IntoFuture for Stopwatch {
    type Output = u32;
    type IntoFuture = Ticking;

    /// Called by `.await`, so the clock starts there, not in `new`.
    fn into_future(self) -> Ticking {
        let start = Instant::now();
        Ticking {
            interval: interval_at(start + self.period, self.period),
            start,
            count: 0,
            limit: self.limit,
        }
    }
}
// ANCHOR_END: into_future

// ANCHOR: ticking
/// A running stopwatch: the future that `Stopwatch` turns into.
struct Ticking {
    interval: Interval,
    start: Instant,
    count: u32,
    limit: u32,
}

impl Future for Ticking {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        while self.count < self.limit {
            // When the next tick is not due, `poll_tick` stores our waker
            // and says `Pending`, and `ready!` returns that `Pending`.
            ready!(self.interval.poll_tick(cx));
            self.count += 1;
            let elapsed = self.start.elapsed().as_secs_f64();
            println!("[{elapsed:4.1}s] {}", self.count);
        }
        Poll::Ready(self.count)
    }
}
// ANCHOR_END: ticking

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    println!("Stopwatch::new(3).await");
    let counted = Stopwatch::new(3).await;
    println!("counted to {counted}");

    println!("Stopwatch::new(4).every(Duration::from_millis(500)).await");
    let counted = Stopwatch::new(4).every(Duration::from_millis(500)).await;
    println!("counted to {counted}");

    // `tokio::spawn` wants a `Future`, so it needs `into_future()`.
    println!("tokio::spawn(Stopwatch::new(2).into_future())");
    match tokio::spawn(Stopwatch::new(2).into_future()).await {
        Ok(counted) => println!("counted to {counted}"),
        Err(error) => println!("the task failed: {error}"),
    }

    // `timeout` takes anything that is `IntoFuture`, and drops it in time.
    println!("timeout(Duration::from_millis(2500), Stopwatch::new(10))");
    match timeout(Duration::from_millis(2500), Stopwatch::new(10)).await {
        Ok(counted) => println!("counted to {counted}"),
        Err(elapsed) => println!("stopped: {elapsed}"),
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::poll_fn;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    use tokio::time::sleep;

    #[tokio::test(start_paused = true)]
    async fn it_counts_to_its_limit_once_a_second() {
        let start = Instant::now();
        assert_eq!(Stopwatch::new(3).await, 3);
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn every_sets_the_period() {
        let start = Instant::now();
        assert_eq!(Stopwatch::new(4).every(Duration::from_millis(500)).await, 4);
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn the_clock_starts_at_the_await_not_at_new() {
        let start = Instant::now();
        let stopwatch = Stopwatch::new(2);
        sleep(Duration::from_secs(5)).await;
        assert_eq!(stopwatch.await, 2);
        assert_eq!(start.elapsed(), Duration::from_secs(5 + 2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_limit_of_zero_is_done_at_once() {
        let start = Instant::now();
        assert_eq!(Stopwatch::new(0).await, 0);
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn it_is_polled_once_to_start_and_once_per_tick() {
        let mut ticking = Stopwatch::new(3).into_future();
        let mut polls = 0;
        let counted = poll_fn(|cx| {
            polls += 1;
            Pin::new(&mut ticking).poll(cx)
        })
        .await;
        assert_eq!(counted, 3);
        // The interval did the waking: one wake per tick, no busy polling.
        assert_eq!(polls, 1 + 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_spawned_stopwatch_counts_in_its_own_task() {
        let start = Instant::now();
        let counted = tokio::spawn(Stopwatch::new(2).into_future()).await;
        assert_eq!(counted.expect("the task finished"), 2);
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn join_takes_stopwatches_as_they_are() {
        let start = Instant::now();
        let counted = tokio::join!(Stopwatch::new(1), Stopwatch::new(2));
        assert_eq!(counted, (1, 2));
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn timeout_takes_a_stopwatch_as_it_is() {
        let start = Instant::now();
        let result = timeout(Duration::from_millis(2500), Stopwatch::new(10)).await;
        assert!(result.is_err(), "the timeout fired first");
        assert_eq!(start.elapsed(), Duration::from_millis(2500));
    }

    #[tokio::test(start_paused = true)]
    async fn select_takes_a_stopwatch_as_it_is() {
        let counted = tokio::select! {
            counted = Stopwatch::new(2) => Some(counted),
            () = sleep(Duration::from_secs(5)) => None,
        };
        assert_eq!(counted, Some(2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_drops_it_between_two_ticks() {
        let start = Instant::now();
        // Watch the running stopwatch from outside: `seen` gets its count
        // after every poll, and its strong count says whether it still exists.
        let seen = Arc::new(AtomicU32::new(0));
        let watch = Arc::clone(&seen);
        let mut ticking = Stopwatch::new(10).into_future();
        let watched = poll_fn(move |cx| {
            let poll = Pin::new(&mut ticking).poll(cx);
            watch.store(ticking.count, Ordering::SeqCst);
            poll
        });
        let result = timeout(Duration::from_millis(2500), watched).await;
        assert!(result.is_err(), "the timeout fired first");
        assert_eq!(start.elapsed(), Duration::from_millis(2500));
        // The timeout dropped the stopwatch, and it had counted to 2.
        assert_eq!(Arc::strong_count(&seen), 1);
        assert_eq!(seen.load(Ordering::SeqCst), 2);
    }
}
