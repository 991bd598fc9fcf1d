// Course section: Asynchronous Generators.
//
// Python's `download(urls)` is an async generator: an `async def` with
// `yield` in it, read with `async for`. In Rust it is a `Stream`, and the
// `async_stream` crate lets us write it the Python way: `stream!` holds a
// loop that awaits and yields, and `try_stream!` adds `?`, so that the first
// error ends the stream. Nothing is fetched until someone asks for an item.
//
// Run it with `cargo run --example download_stream`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate async_stream;
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::fmt;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_stream::{stream, try_stream};
use futures::{Stream, StreamExt};
use tokio::time::{Instant, sleep};

// ANCHOR: client
/// What a server sends back. A 404 is an answer too, so it is a `Response`.
#[derive(Debug)]
struct Response {
    url: String,
    status: u16,
}

/// A request that got no answer at all.
#[derive(Debug)]
struct FetchError {
    url: String,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot resolve host `{}`", self.url)
    }
}

impl std::error::Error for FetchError {}

/// The pretend internet: how many seconds each URL takes to answer, and its
/// status. Fixed, so that every run prints the same times.
fn route(url: &str) -> Option<(u64, u16)> {
    match url {
        "google.com" => Some((1, 200)),
        "bing.com" => Some((2, 200)),
        "duckduckgo.com" => Some((1, 200)),
        "example.com/missing" => Some((1, 404)),
        _ => None, // no such host: fails at once
    }
}

/// Stands in for an HTTP client such as `reqwest::Client` (or Python's
/// `aiohttp.ClientSession`), and counts the requests it sends.
#[derive(Default)]
struct Client {
    requests: AtomicUsize,
}

impl Client {
    /// Sends a request: how long until the answer comes, and its status.
    fn send(&self, url: &str) -> Result<(Duration, u16), FetchError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let (secs, status) = route(url).ok_or_else(|| FetchError {
            url: url.to_string(),
        })?;
        Ok((Duration::from_secs(secs), status))
    }

    /// Sends a request and waits for the answer.
    async fn get(&self, url: &str) -> Result<Response, FetchError> {
        let (latency, status) = self.send(url)?;
        sleep(latency).await;
        Ok(Response {
            url: url.to_string(),
            status,
        })
    }

    fn requests_sent(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }
}
// ANCHOR_END: client

const URLS: [&str; 5] = [
    "google.com",
    "bing.com",
    "nowhere.invalid",
    "duckduckgo.com",
    "example.com/missing",
];

// ANCHOR: download
/// Every result is an item, failures too; the stream goes on after one.
fn download(client: &Client, urls: &[&str]) -> impl Stream<Item = Result<Response, FetchError>> {
    stream! {
        for url in urls {
            yield client.get(url).await;
        }
    }
}
// ANCHOR_END: download

// ANCHOR: try_download
/// `?` yields the first error as the last item, then ends the stream.
fn try_download(
    client: &Client,
    urls: &[&str],
) -> impl Stream<Item = Result<Response, FetchError>> {
    try_stream! {
        for url in urls {
            let response = client.get(url).await?;
            yield response;
        }
    }
}
// ANCHOR_END: try_download

// ANCHOR: print_all
/// `async for response in responses: print(response)`
async fn print_all(responses: impl Stream<Item = Result<Response, FetchError>>, start: Instant) {
    // A generator keeps its place in itself, so it must not move: pin it.
    let mut responses = pin!(responses);
    while let Some(response) = responses.next().await {
        match response {
            Ok(response) => println!("{} {} {}", stamp(start), response.status, response.url),
            Err(error) => println!("{} error: {error}", stamp(start)),
        }
    }
}
// ANCHOR_END: print_all

// ANCHOR: print_until_error
/// Stops at the first error: `?` returns it, and nothing polls the stream
/// again, so the URLs after it are never fetched.
async fn print_until_error(
    responses: impl Stream<Item = Result<Response, FetchError>>,
    start: Instant,
) -> Result<(), FetchError> {
    let mut responses = pin!(responses);
    while let Some(response) = responses.next().await {
        let response = response?;
        println!("{} {} {}", stamp(start), response.status, response.url);
    }
    Ok(())
}
// ANCHOR_END: print_until_error

/// `[ 1.0s]`: the time since `start`, as every line of output shows it.
fn stamp(start: Instant) -> String {
    format!("[{:4.1}s]", start.elapsed().as_secs_f64())
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    println!("stream!, every result is an item:");
    let client = Client::default();
    let responses = download(&client, &URLS);
    println!("(stream created, {} requests sent)", client.requests_sent());
    let start = Instant::now();
    print_all(responses, start).await;
    println!("{} requests sent\n", client.requests_sent());

    println!("try_stream!, the first error ends the stream:");
    let client = Client::default();
    let start = Instant::now();
    print_all(try_download(&client, &URLS), start).await;
    println!("{} requests sent\n", client.requests_sent());

    println!("stream!, and `?` in the loop that reads it:");
    let client = Client::default();
    let start = Instant::now();
    if let Err(error) = print_until_error(download(&client, &URLS), start).await {
        println!("{} stopped: {error}", stamp(start));
    }
    println!("{} requests sent\n", client.requests_sent());

    println!("stream!, but take only the first 2:");
    let client = Client::default();
    let start = Instant::now();
    print_all(download(&client, &URLS).take(2), start).await;
    println!("{} requests sent", client.requests_sent());
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// Each result as its status, or as the URL that failed.
    async fn outcomes(
        responses: impl Stream<Item = Result<Response, FetchError>>,
    ) -> Vec<Result<u16, String>> {
        responses
            .map(|result| result.map(|r| r.status).map_err(|e| e.url))
            .collect()
            .await
    }

    #[tokio::test(start_paused = true)]
    async fn a_stream_does_nothing_until_it_is_polled() {
        let client = Client::default();
        let responses = download(&client, &URLS);
        // Even a minute later, not one request has gone out.
        sleep(Duration::from_secs(60)).await;
        assert_eq!(client.requests_sent(), 0);
        drop(responses);
    }

    #[tokio::test(start_paused = true)]
    async fn stream_yields_every_result_in_order_and_goes_on_after_an_error() {
        let client = Client::default();
        let start = Instant::now();
        let got = outcomes(download(&client, &URLS)).await;
        assert_eq!(
            got,
            [
                Ok(200),
                Ok(200),
                Err("nowhere.invalid".to_string()),
                Ok(200),
                Ok(404)
            ]
        );
        assert_eq!(client.requests_sent(), 5);
        // One request after another: 1 + 2 + 0 + 1 + 1 seconds.
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn try_stream_ends_with_the_first_error() {
        let client = Client::default();
        let start = Instant::now();
        let got = outcomes(try_download(&client, &URLS)).await;
        assert_eq!(got, [Ok(200), Ok(200), Err("nowhere.invalid".to_string())]);
        assert_eq!(client.requests_sent(), 3);
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    /// Notes its own drop: stands for a connection that a stream holds open.
    struct Connection<'a> {
        closed: &'a Cell<bool>,
    }

    impl Drop for Connection<'_> {
        fn drop(&mut self) {
            self.closed.set(true);
        }
    }

    /// `download`, holding a connection for as long as the stream lives.
    fn download_over<'a>(
        client: &'a Client,
        urls: &'a [&'a str],
        closed: &'a Cell<bool>,
    ) -> impl Stream<Item = Result<Response, FetchError>> + 'a {
        stream! {
            let _connection = Connection { closed };
            for url in urls {
                yield client.get(url).await;
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn question_mark_in_the_reader_drops_the_stream_on_the_way_out() {
        let client = Client::default();
        let closed = Cell::new(false);
        let start = Instant::now();
        let result = print_until_error(download_over(&client, &URLS, &closed), start).await;
        assert!(matches!(result, Err(FetchError { url }) if url == "nowhere.invalid"));
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        // `print_until_error` has returned, and the stream with it.
        assert!(closed.get(), "the stream was dropped");
        assert_eq!(client.requests_sent(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn after_break_the_stream_lives_to_the_end_of_its_block() {
        let client = Client::default();
        let closed = Cell::new(false);
        {
            let mut responses = pin!(download_over(&client, &URLS, &closed));
            while let Some(response) = responses.next().await {
                if response.is_err() {
                    break;
                }
            }
            // Out of the loop, but the stream still holds its connection,
            // paused at its `yield`.
            assert!(!closed.get(), "not dropped at the break");
        }
        assert!(closed.get(), "dropped at the end of the block");
        assert_eq!(client.requests_sent(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn drop_ends_a_boxed_stream_at_once() {
        let client = Client::default();
        let closed = Cell::new(false);
        let mut responses = Box::pin(download_over(&client, &URLS, &closed));
        assert!(responses.next().await.is_some());
        assert!(!closed.get());
        drop(responses);
        assert!(closed.get());
        assert_eq!(client.requests_sent(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn take_two_sends_two_requests() {
        let client = Client::default();
        let start = Instant::now();
        let got = outcomes(download(&client, &URLS).take(2)).await;
        assert_eq!(got, [Ok(200), Ok(200)]);
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        assert_eq!(client.requests_sent(), 2);
    }
}
