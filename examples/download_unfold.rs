// Course section: Asynchronous Generators.
//
// The course's `download(urls)` generator once more, without a macro:
// `futures::stream::unfold` builds a `Stream` from a state and a closure
// that returns a future, which turns the state into one item and the next
// state. Where `stream!` keeps its state in the locals of an async block,
// here the state is a value we pass along by hand.
//
// Run it with `cargo run --example download_unfold`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::fmt;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::stream::{self, Stream, StreamExt};
use tokio::time::{Instant, sleep};

// The same pretend client as in `download_stream.rs`.
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

const URLS: [&str; 5] = [
    "google.com",
    "bing.com",
    "nowhere.invalid",
    "duckduckgo.com",
    "example.com/missing",
];

// ANCHOR: download
/// The state is the URLs still to fetch. Each step takes one, fetches it,
/// and hands back the result with the rest; `None` ends the stream.
fn download(client: &Client, urls: &[&str]) -> impl Stream<Item = Result<Response, FetchError>> {
    stream::unfold(urls.iter(), move |mut rest| async move {
        let url = rest.next()?;
        let result = client.get(url).await;
        Some((result, rest))
    })
}
// ANCHOR_END: download

/// `async for response in responses: print(response)`
async fn print_all(responses: impl Stream<Item = Result<Response, FetchError>>, start: Instant) {
    let mut responses = pin!(responses);
    while let Some(response) = responses.next().await {
        match response {
            Ok(response) => println!("{} {} {}", stamp(start), response.status, response.url),
            Err(error) => println!("{} error: {error}", stamp(start)),
        }
    }
}

/// `[ 1.0s]`: the time since `start`, as every line of output shows it.
fn stamp(start: Instant) -> String {
    format!("[{:4.1}s]", start.elapsed().as_secs_f64())
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    println!("stream::unfold:");
    let client = Client::default();
    let responses = download(&client, &URLS);
    println!("(stream created, {} requests sent)", client.requests_sent());
    let start = Instant::now();
    print_all(responses, start).await;
    println!("{} requests sent", client.requests_sent());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn unfold_is_lazy_too() {
        let client = Client::default();
        let responses = download(&client, &URLS);
        sleep(Duration::from_secs(60)).await;
        assert_eq!(client.requests_sent(), 0);
        drop(responses);
    }

    #[tokio::test(start_paused = true)]
    async fn unfold_yields_what_stream_does() {
        let client = Client::default();
        let start = Instant::now();
        let got: Vec<Result<u16, String>> = download(&client, &URLS)
            .map(|result| result.map(|r| r.status).map_err(|e| e.url))
            .collect()
            .await;
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
        assert_eq!(start.elapsed(), Duration::from_secs(5));
        assert_eq!(client.requests_sent(), 5);
    }

    #[tokio::test(start_paused = true)]
    async fn taking_two_fetches_two() {
        let client = Client::default();
        let start = Instant::now();
        let got: Vec<_> = download(&client, &URLS).take(2).collect().await;
        assert_eq!(got.len(), 2);
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        assert_eq!(client.requests_sent(), 2);
    }
}
