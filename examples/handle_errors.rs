// Course section: Asynchronous List Comprehension.
//
// Python's `[await handle(e) for e in errors]` awaits one `handle` after
// another. Rust writes that as a `for` loop, and has three ways to run the
// handlers concurrently instead: `join_all` (the job of `asyncio.gather`,
// without tasks) runs them all at once; `buffer_unordered(n)` and
// `for_each_concurrent(n, ..)` run at most `n` at a time, the first one
// keeping the results.
//
// Run it with `cargo run --example handle_errors`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::time::Duration;

use futures::future::join_all;
use futures::stream::{self, StreamExt};
use tokio::time::{Instant, sleep};

// ANCHOR: handle
/// An error response, as the comprehension of `async_comprehension.rs`
/// collected it.
struct ErrorResponse {
    url: &'static str,
    status: u16,
    /// How long `handle` takes for this one. Fixed, not random, so that
    /// every run prints the same times, and no two handlers finish together.
    handling_secs: u64,
}

/// Logs one error response (to a slow log server) and returns its URL.
async fn handle(error: &ErrorResponse, start: Instant) -> &'static str {
    sleep(Duration::from_secs(error.handling_secs)).await;
    println!("{} logged {} {}", stamp(start), error.status, error.url);
    error.url
}
// ANCHOR_END: handle

/// What the comprehension collected: handling takes 4, 1, 2 and 3 seconds.
const ERRORS: [ErrorResponse; 4] = [
    ErrorResponse {
        url: "bing.com/old-page",
        status: 404,
        handling_secs: 4,
    },
    ErrorResponse {
        url: "example.com/crash",
        status: 500,
        handling_secs: 1,
    },
    ErrorResponse {
        url: "example.org/busy",
        status: 503,
        handling_secs: 2,
    },
    ErrorResponse {
        url: "example.net/gone",
        status: 410,
        handling_secs: 3,
    },
];

// ANCHOR: one_at_a_time
/// `[await handle(e) for e in errors]`
async fn one_at_a_time(errors: &[ErrorResponse], start: Instant) -> Vec<&'static str> {
    let mut handled = Vec::new();
    for error in errors {
        handled.push(handle(error, start).await);
    }
    handled
}
// ANCHOR_END: one_at_a_time

// ANCHOR: join_all
/// `await asyncio.gather(*(handle(e) for e in errors))`
async fn all_at_once(errors: &[ErrorResponse], start: Instant) -> Vec<&'static str> {
    join_all(errors.iter().map(|error| handle(error, start))).await
}
// ANCHOR_END: join_all

// ANCHOR: buffer_unordered
/// At most `limit` handlers at a time; results in the order they finish.
async fn at_most(limit: usize, errors: &[ErrorResponse], start: Instant) -> Vec<&'static str> {
    stream::iter(errors)
        .map(|error| handle(error, start))
        .buffer_unordered(limit)
        .collect::<Vec<_>>()
        .await
}
// ANCHOR_END: buffer_unordered

// ANCHOR: for_each_concurrent
/// At most `limit` handlers at a time; no results kept.
async fn at_most_for_each(limit: usize, errors: &[ErrorResponse], start: Instant) {
    stream::iter(errors)
        .for_each_concurrent(limit, |error| async move {
            handle(error, start).await;
        })
        .await;
}
// ANCHOR_END: for_each_concurrent

/// `[ 1.0s]`: the time since `start`, as every line of output shows it.
fn stamp(start: Instant) -> String {
    format!("[{:4.1}s]", start.elapsed().as_secs_f64())
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    println!("One at a time, a for loop:");
    let start = Instant::now();
    let handled = one_at_a_time(&ERRORS, start).await;
    println!("{} done: {handled:?}\n", stamp(start));

    println!("All at once, join_all:");
    let start = Instant::now();
    let handled = all_at_once(&ERRORS, start).await;
    println!("{} done: {handled:?}\n", stamp(start));

    println!("Two at a time, buffer_unordered(2):");
    let start = Instant::now();
    let handled = at_most(2, &ERRORS, start).await;
    println!("{} done: {handled:?}\n", stamp(start));

    println!("Two at a time, for_each_concurrent(2, ..):");
    let start = Instant::now();
    at_most_for_each(2, &ERRORS, start).await;
    println!("{} done", stamp(start));
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;
    use futures::future::try_join_all;
    use std::cell::Cell;

    const IN_ORDER: [&str; 4] = [
        "bing.com/old-page",
        "example.com/crash",
        "example.org/busy",
        "example.net/gone",
    ];

    #[tokio::test(start_paused = true)]
    async fn one_at_a_time_takes_the_sum_of_the_handling_times() {
        let start = Instant::now();
        let handled = one_at_a_time(&ERRORS, start).await;
        assert_eq!(start.elapsed(), Duration::from_secs(4 + 1 + 2 + 3));
        assert_eq!(handled, IN_ORDER);
    }

    #[tokio::test(start_paused = true)]
    async fn join_all_takes_as_long_as_the_slowest_and_keeps_the_order() {
        let start = Instant::now();
        let handled = all_at_once(&ERRORS, start).await;
        assert_eq!(start.elapsed(), Duration::from_secs(4));
        assert_eq!(handled, IN_ORDER);
    }

    #[tokio::test(start_paused = true)]
    async fn buffer_unordered_two_runs_like_a_pool_of_two() {
        let start = Instant::now();
        let handled = at_most(2, &ERRORS, start).await;
        // 404 (4 s) and 500 (1 s) start at 0; 503 (2 s) takes the free slot
        // at 1 and ends at 3; 410 (3 s) starts at 3 and ends at 6.
        assert_eq!(start.elapsed(), Duration::from_secs(6));
        assert_eq!(
            handled,
            [
                "example.com/crash",
                "example.org/busy",
                "bing.com/old-page",
                "example.net/gone"
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn for_each_concurrent_two_takes_as_long_as_buffer_unordered_two() {
        let start = Instant::now();
        at_most_for_each(2, &ERRORS, start).await;
        assert_eq!(start.elapsed(), Duration::from_secs(6));
    }

    #[tokio::test(start_paused = true)]
    async fn a_limit_of_one_is_the_for_loop_again() {
        let start = Instant::now();
        let handled = at_most(1, &ERRORS, start).await;
        assert_eq!(start.elapsed(), Duration::from_secs(10));
        assert_eq!(handled, IN_ORDER);
    }

    #[tokio::test(start_paused = true)]
    async fn then_is_the_for_loop_as_a_stream() {
        let start = Instant::now();
        let handled: Vec<_> = stream::iter(&ERRORS)
            .then(|error| handle(error, start))
            .collect()
            .await;
        assert_eq!(start.elapsed(), Duration::from_secs(4 + 1 + 2 + 3));
        assert_eq!(handled, IN_ORDER);
    }

    /// Counts the handlers that started, and those still in flight: a
    /// handler leaves the count when it finishes or is dropped.
    #[derive(Default)]
    struct Probe {
        started: Cell<usize>,
        in_flight: Cell<usize>,
    }

    struct InFlight<'a>(&'a Cell<usize>);

    impl Drop for InFlight<'_> {
        fn drop(&mut self) {
            self.0.set(self.0.get() - 1);
        }
    }

    /// `handle` that can fail: the log server refuses the 503, after its 2 s.
    async fn try_handle(
        error: &ErrorResponse,
        probe: &Probe,
    ) -> Result<&'static str, &'static str> {
        probe.started.set(probe.started.get() + 1);
        probe.in_flight.set(probe.in_flight.get() + 1);
        let _in_flight = InFlight(&probe.in_flight);
        sleep(Duration::from_secs(error.handling_secs)).await;
        if error.status == 503 {
            Err(error.url)
        } else {
            Ok(error.url)
        }
    }

    #[tokio::test(start_paused = true)]
    async fn join_all_over_results_is_gather_with_return_exceptions() {
        let start = Instant::now();
        let probe = Probe::default();
        let results = join_all(ERRORS.iter().map(|error| try_handle(error, &probe))).await;
        // Every handler ran to the end; the error is one result among the others.
        assert_eq!(
            results,
            [
                Ok("bing.com/old-page"),
                Ok("example.com/crash"),
                Err("example.org/busy"),
                Ok("example.net/gone")
            ]
        );
        assert_eq!(start.elapsed(), Duration::from_secs(4));
        assert_eq!(probe.started.get(), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn try_join_all_stops_at_the_first_error_and_drops_the_others() {
        let start = Instant::now();
        let probe = Probe::default();
        let result = try_join_all(ERRORS.iter().map(|error| try_handle(error, &probe))).await;
        // All four start at 0; the 503 fails at 2 s, while the 404 and the
        // 410 are still in flight: they are dropped, never finished.
        assert_eq!(result, Err("example.org/busy"));
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        assert_eq!(probe.in_flight.get(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn try_collect_stops_at_the_first_error_and_drops_the_handlers_in_flight() {
        let start = Instant::now();
        let probe = Probe::default();
        let result: Result<Vec<_>, _> = stream::iter(&ERRORS)
            // `try_buffer_unordered` wants items of type `Result<Fut, E>`.
            .map(|error| Ok(try_handle(error, &probe)))
            .try_buffer_unordered(2)
            .try_collect()
            .await;
        // 404 and 500 start at 0; the 500 is done at 1 and the 503 takes its
        // place, to fail at 3. The 404, due at 4, is dropped with the stream.
        assert_eq!(result, Err("example.org/busy"));
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        assert_eq!(probe.started.get(), 3, "the 410 never started");
        assert_eq!(probe.in_flight.get(), 0, "the 404 was dropped");
    }

    #[tokio::test(start_paused = true)]
    async fn try_buffer_unordered_yields_an_error_and_reads_on() {
        let start = Instant::now();
        let probe = Probe::default();
        let results: Vec<_> = stream::iter(&ERRORS)
            .map(|error| Ok(try_handle(error, &probe)))
            .try_buffer_unordered(2)
            .collect()
            .await;
        assert_eq!(
            results,
            [
                Ok("example.com/crash"),
                Err("example.org/busy"),
                Ok("bing.com/old-page"),
                Ok("example.net/gone")
            ]
        );
        assert_eq!(start.elapsed(), Duration::from_secs(6));
    }

    #[tokio::test(start_paused = true)]
    async fn buffered_two_keeps_the_order_but_a_slow_first_handler_holds_its_slot() {
        let start = Instant::now();
        let handled: Vec<_> = stream::iter(&ERRORS)
            .map(|error| handle(error, start))
            .buffered(2)
            .collect()
            .await;
        assert_eq!(handled, IN_ORDER);
        // 500 is done at 1, but waits for 404 (done at 4) and keeps its
        // slot till then: 503 and 410 start at 4 and end at 6 and 7.
        assert_eq!(start.elapsed(), Duration::from_secs(7));
    }
}
