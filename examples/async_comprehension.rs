// Course section: Asynchronous List Comprehension.
//
// Python's `[r async for r in download(urls) if r['status'] != 200]` reads
// an async generator to the end and keeps what passes the `if`. In Rust the
// generator is a `Stream`, and the comprehension is `StreamExt` adapters:
// `filter` for the `if`, `filter_map` for an `if` and a new value at once,
// and `collect` to build the `Vec`, awaited like the comprehension.
//
// Run it with `cargo run --example async_comprehension`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate async_stream;
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::future;
use std::time::Duration;

use async_stream::stream;
use futures::{Stream, StreamExt};
use tokio::time::{Instant, sleep};

#[derive(Debug)]
struct Response {
    url: String,
    status: u16,
}

/// The pretend internet: how many seconds each URL takes to answer, and its
/// status. Fixed, so that every run prints the same times.
fn route(url: &str) -> (u64, u16) {
    match url {
        "google.com" | "duckduckgo.com" => (1, 200),
        "bing.com/old-page" => (2, 404),
        "example.com/crash" => (1, 500),
        "example.org/busy" => (2, 503),
        _ => (1, 410), // gone
    }
}

const URLS: [&str; 6] = [
    "google.com",
    "bing.com/old-page",
    "duckduckgo.com",
    "example.com/crash",
    "example.org/busy",
    "example.net/gone",
];

/// The async generator of the previous chapter, without the failures.
fn download(urls: &[&str]) -> impl Stream<Item = Response> {
    stream! {
        for url in urls {
            let (secs, status) = route(url);
            sleep(Duration::from_secs(secs)).await;
            yield Response { url: url.to_string(), status };
        }
    }
}

// ANCHOR: filter
/// `[r async for r in download(urls) if r.status != 200]`
async fn error_responses(urls: &[&str]) -> Vec<Response> {
    download(urls)
        .filter(|response| future::ready(response.status != 200))
        .collect::<Vec<_>>()
        .await
}
// ANCHOR_END: filter

// ANCHOR: filter_map
/// `[r.url async for r in download(urls) if r.status != 200]`
async fn error_urls(urls: &[&str]) -> Vec<String> {
    download(urls)
        .filter_map(|response| async move { (response.status != 200).then_some(response.url) })
        .collect::<Vec<_>>()
        .await
}
// ANCHOR_END: filter_map

/// `[ 1.0s]`: the time since `start`, as every line of output shows it.
fn stamp(start: Instant) -> String {
    format!("[{:4.1}s]", start.elapsed().as_secs_f64())
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    println!("filter, then collect:");
    let start = Instant::now();
    let errors = error_responses(&URLS).await;
    println!("{} {} error responses", stamp(start), errors.len());
    for error in &errors {
        println!("        {} {}", error.status, error.url);
    }

    println!("\nfilter_map, then collect:");
    let start = Instant::now();
    let urls = error_urls(&URLS).await;
    println!("{} {urls:?}", stamp(start));
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn filter_keeps_the_error_responses_in_order() {
        let start = Instant::now();
        let errors = error_responses(&URLS).await;
        let statuses: Vec<u16> = errors.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [404, 500, 503, 410]);
        // Like the comprehension, `collect` reads the whole stream, one
        // download after another: 1 + 2 + 1 + 1 + 2 + 1 seconds.
        assert_eq!(start.elapsed(), Duration::from_secs(8));
    }

    #[tokio::test(start_paused = true)]
    async fn filter_map_keeps_the_urls_of_the_errors() {
        let start = Instant::now();
        let urls = error_urls(&URLS).await;
        assert_eq!(
            urls,
            [
                "bing.com/old-page",
                "example.com/crash",
                "example.org/busy",
                "example.net/gone"
            ]
        );
        assert_eq!(start.elapsed(), Duration::from_secs(8));
    }

    #[tokio::test(start_paused = true)]
    async fn nothing_passes_when_every_answer_is_ok() {
        let errors = error_responses(&["google.com", "duckduckgo.com"]).await;
        assert!(errors.is_empty());
    }
}
