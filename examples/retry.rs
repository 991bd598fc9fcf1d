// Course section: Coroutines & Awaitables.
//
// Python checks at run time whether a callable is async, with
// `inspect.iscoroutinefunction`. Rust says it in the signature: `retry`
// takes any `F: FnMut() -> Fut` whose `Fut` is a `Future`, and the compiler
// rejects everything else before the program runs.
//
// Run it with `cargo run --example retry`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::cell::Cell;
use std::future::Future;
use std::time::Duration;

use tokio::time::sleep;

// ANCHOR: retry
/// Calls `operation` until it succeeds, at most `attempts` times (and at
/// least once), and returns its last result.
async fn retry<F, Fut, T, E>(attempts: u32, mut operation: F) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut attempt = 1;
    loop {
        match operation().await {
            Err(_) if attempt < attempts => attempt += 1,
            result => return result,
        }
    }
}
// ANCHOR_END: retry

// ANCHOR: lighter
/// A gas lighter that only lights on its third click.
struct Lighter {
    clicks: Cell<u32>,
}

impl Lighter {
    const CLICKS_NEEDED: u32 = 3;

    async fn click(&self) -> Result<u32, String> {
        sleep(Duration::from_millis(500)).await;
        let clicks = self.clicks.get() + 1;
        self.clicks.set(clicks);
        if clicks < Self::CLICKS_NEEDED {
            return Err(format!("no flame after {clicks} clicks"));
        }
        Ok(clicks)
    }
}
// ANCHOR_END: lighter

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    let lighter = Lighter {
        clicks: Cell::new(0),
    };
    let result = retry(5, || lighter.click()).await;
    println!("5 attempts: {result:?}");

    let lighter = Lighter {
        clicks: Cell::new(0),
    };
    let result = retry(2, || lighter.click()).await;
    println!("2 attempts: {result:?}");
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    fn new_lighter() -> Lighter {
        Lighter {
            clicks: Cell::new(0),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn it_stops_at_the_first_success() {
        let lighter = new_lighter();
        let start = Instant::now();
        assert_eq!(retry(5, || lighter.click()).await, Ok(3));
        assert_eq!(lighter.clicks.get(), 3, "no click after it lit");
        assert_eq!(start.elapsed(), Duration::from_millis(3 * 500));
    }

    #[tokio::test(start_paused = true)]
    async fn it_gives_up_with_the_last_error() {
        let lighter = new_lighter();
        let result = retry(2, || lighter.click()).await;
        assert_eq!(result, Err("no flame after 2 clicks".to_string()));
        assert_eq!(lighter.clicks.get(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn it_tries_at_least_once() {
        let lighter = new_lighter();
        assert!(retry(0, || lighter.click()).await.is_err());
        assert_eq!(lighter.clicks.get(), 1);
    }

    async fn always_fails() -> Result<(), &'static str> {
        Err("never")
    }

    #[tokio::test]
    async fn an_async_fn_and_a_closure_returning_an_async_block_fit_too() {
        assert_eq!(retry(3, always_fails).await, Err("never"));
        let calls = Cell::new(0);
        let result = retry(3, || async {
            calls.set(calls.get() + 1);
            Err::<(), _>(calls.get())
        })
        .await;
        assert_eq!(result, Err(3));
    }
}
