// Exercise for "Async comprehensions": the first few good URLs, reading no more than needed.
//
// The solution: `cargo test --example first_ok_urls_solution` passes.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
extern crate async_stream;
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::cell::Cell;
use std::time::Duration;

use async_stream::stream;
use futures::{Stream, StreamExt};
use tokio::time::{Instant, sleep};

/// One answer of a pretend crawler.
struct Response {
    url: String,
    status: u16,
}

/// The crawler's answers, one a second; `read` counts those taken.
fn responses(read: &Cell<u32>) -> impl Stream<Item = Response> + '_ {
    const ANSWERS: [(&str, u16); 8] = [
        ("/a", 200),
        ("/b", 404),
        ("/c", 200),
        ("/d", 500),
        ("/e", 200),
        ("/f", 200),
        ("/g", 200),
        ("/h", 404),
    ];
    stream! {
        for (url, status) in ANSWERS {
            sleep(Duration::from_secs(1)).await;
            read.set(read.get() + 1);
            yield Response { url: url.to_string(), status };
        }
    }
}

// ANCHOR: solution
/// The URLs of the first `n` responses with status 200.
async fn first_ok_urls(responses: impl Stream<Item = Response>, n: usize) -> Vec<String> {
    responses
        .filter(|r| std::future::ready(r.status == 200))
        .map(|r| r.url)
        .take(n)
        .collect()
        .await
}
// ANCHOR_END: solution

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    let read = Cell::new(0);
    let start = Instant::now();
    let urls = first_ok_urls(responses(&read), 3).await;
    println!(
        "{urls:?} after {}s, {} responses read",
        start.elapsed().as_secs(),
        read.get()
    );
}

#[cfg(test)]
#[path = "../tests/first_ok_urls.rs"]
mod tests;
