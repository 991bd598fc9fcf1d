// Course section: Coroutines & Awaitables.
//
// A Python coroutine has `send`, `throw` and `close`. A Rust future has one
// method, `poll`. `coro.send(None)` is a poll. `coro.close()` is dropping
// the future: its locals are dropped, so their `Drop` runs, as `finally`
// blocks run on `close()`. `coro.throw()` has no equivalent: you race the
// future against a timeout (which drops it), or give it a token to watch so
// that it can stop on its own terms. Here the course's `stopwatch` shows all
// three.
//
// Run it with `cargo run --example coroutine_methods`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;
extern crate tokio_util;

use std::io::{self, Write};
use std::time::Duration;

use futures::poll;
use tokio::time::{sleep, timeout};
use tokio_util::sync::CancellationToken;

// ANCHOR: stopwatch
/// What the stopwatch shows. Its `Drop` runs however the stopwatch ends.
struct Readout<W: Write> {
    out: W,
    count: u32,
}

impl<W: Write> Readout<W> {
    fn tick(&mut self) -> io::Result<()> {
        self.count += 1;
        writeln!(self.out, "stopwatch: {}", self.count)
    }
}

impl<W: Write> Drop for Readout<W> {
    fn drop(&mut self) {
        // Like `finally` after `close()`: it runs, but it cannot `.await`.
        // Nor can it return an error, so a failed write is ignored.
        let _ = writeln!(self.out, "stopwatch: dropped at {}", self.count);
    }
}

/// Counts 1, 2, 3, ... once a second. Only a failed write ends it.
async fn stopwatch(out: impl Write) -> io::Result<()> {
    let mut readout = Readout { out, count: 0 };
    loop {
        sleep(Duration::from_secs(1)).await;
        readout.tick()?;
    }
}
// ANCHOR_END: stopwatch

// ANCHOR: until
/// A stopwatch that stops when asked, and returns its count.
async fn stopwatch_until(stop: CancellationToken, out: impl Write) -> io::Result<u32> {
    let mut readout = Readout { out, count: 0 };
    loop {
        tokio::select! {
            () = stop.cancelled() => return Ok(readout.count),
            () = sleep(Duration::from_secs(1)) => readout.tick()?,
        }
    }
}
// ANCHOR_END: until

/// `Ok(value)` or `Err(message)`, for the output.
fn outcome<T: std::fmt::Debug, E: std::fmt::Display>(result: &Result<T, E>) -> String {
    match result {
        Ok(value) => format!("Ok({value:?})"),
        Err(error) => format!("Err({error})"),
    }
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    println!("poll it by hand, like coro.send(None):");
    // `Box::pin`, not `pin!`, so that `drop(watch)` drops the future itself.
    let mut watch = Box::pin(stopwatch(io::stdout()));
    println!("-> {:?}", poll!(watch.as_mut()));
    sleep(Duration::from_millis(1500)).await;
    println!("1.5 s later, poll it again:");
    println!("-> {:?}", poll!(watch.as_mut()));

    println!("drop it, like coro.close():");
    drop(watch);

    println!("race it against a 3.5 s timeout:");
    let result = timeout(Duration::from_millis(3500), stopwatch(io::stdout())).await;
    println!("-> {}", outcome(&result));

    println!("ask it to stop after 2.5 s:");
    let stop = CancellationToken::new();
    let (result, ()) = tokio::join!(stopwatch_until(stop.clone(), io::stdout()), async {
        sleep(Duration::from_millis(2500)).await;
        stop.cancel();
    });
    println!("-> {}", outcome(&result));
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    fn lines(out: &[u8]) -> Vec<&str> {
        std::str::from_utf8(out).expect("UTF-8").lines().collect()
    }

    #[tokio::test(start_paused = true)]
    async fn each_poll_runs_it_to_its_next_await_and_drop_runs_its_guard() {
        let mut out = Vec::new();
        let mut watch = Box::pin(stopwatch(&mut out));
        assert!(poll!(watch.as_mut()).is_pending());
        sleep(Duration::from_millis(1500)).await;
        assert!(poll!(watch.as_mut()).is_pending());
        drop(watch);
        assert_eq!(lines(&out), ["stopwatch: 1", "stopwatch: dropped at 1"]);
    }

    #[tokio::test(start_paused = true)]
    async fn nothing_runs_between_polls() {
        let mut out = Vec::new();
        let mut watch = Box::pin(stopwatch(&mut out));
        assert!(poll!(watch.as_mut()).is_pending());
        sleep(Duration::from_secs(5)).await;
        drop(watch);
        // Five seconds passed, but it was polled once, before the first tick.
        assert_eq!(lines(&out), ["stopwatch: dropped at 0"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_drops_it_after_three_ticks() {
        let mut out = Vec::new();
        let start = Instant::now();
        let result = timeout(Duration::from_millis(3500), stopwatch(&mut out)).await;
        assert!(result.is_err(), "the timeout fires first");
        assert_eq!(start.elapsed(), Duration::from_millis(3500));
        assert_eq!(
            lines(&out),
            [
                "stopwatch: 1",
                "stopwatch: 2",
                "stopwatch: 3",
                "stopwatch: dropped at 3"
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_token_stops_it_and_it_returns_its_count() {
        let mut out = Vec::new();
        let start = Instant::now();
        let stop = CancellationToken::new();
        let (result, ()) = tokio::join!(stopwatch_until(stop.clone(), &mut out), async {
            sleep(Duration::from_millis(2500)).await;
            stop.cancel();
        });
        assert_eq!(result.expect("writing to a Vec cannot fail"), 2);
        assert_eq!(start.elapsed(), Duration::from_millis(2500));
        assert_eq!(
            lines(&out),
            ["stopwatch: 1", "stopwatch: 2", "stopwatch: dropped at 2"]
        );
    }

    /// A display that is unplugged: every write fails.
    struct Unplugged;

    impl Write for Unplugged {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::BrokenPipe, "unplugged"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_write_ends_it_with_the_error() {
        let start = Instant::now();
        let error = stopwatch(Unplugged).await.expect_err("writes fail");
        assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }
}
