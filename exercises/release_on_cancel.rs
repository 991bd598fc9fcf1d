// Exercise for "The @asynccontextmanager decorator": give a connection back, even when cancelled.
//
// Run its tests with `cargo test --example release_on_cancel`; they fail
// until `with_connection` is fixed. The solution is in
// `solutions/release_on_cancel.rs`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::cell::Cell;
use std::time::Duration;

use tokio::time::{sleep, timeout};

/// A pretend pool of connections that counts the ones in use.
#[derive(Default)]
struct Pool {
    in_use: Cell<u32>,
}

impl Pool {
    fn check_out(&self) {
        self.in_use.set(self.in_use.get() + 1);
    }

    fn check_in(&self) {
        self.in_use.set(self.in_use.get() - 1);
    }

    fn in_use(&self) -> u32 {
        self.in_use.get()
    }
}

// ANCHOR: starter
/// Runs `body` with a connection checked out of `pool`, and checks it in
/// again however `body` ends: finished, or cancelled.
async fn with_connection<T>(pool: &Pool, body: impl Future<Output = T>) -> T {
    pool.check_out();
    // try:
    let result = body.await;
    // finally:
    pool.check_in();
    result
}
// ANCHOR_END: starter

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    let pool = Pool::default();
    let slow_query = with_connection(&pool, sleep(Duration::from_secs(10)));
    let timed_out = timeout(Duration::from_secs(1), slow_query).await.is_err();
    println!(
        "timed out: {timed_out}, connections in use: {}",
        pool.in_use()
    );
}

#[cfg(test)]
#[path = "tests/release_on_cancel.rs"]
mod tests;
