// Course section: Asynchronous Generators.
//
// The course's `download(urls)` generator written by hand, as a struct that
// implements `Stream::poll_next`. This is the work `stream!` does for us:
// remember which URL comes next, keep the request in flight between polls,
// and answer `Pending` until it is done.
//
// Run it with `cargo run --example download_by_hand`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::slice;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures::{Stream, StreamExt};
use tokio::time::{Instant, Sleep, sleep};

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
/// Everything the generator keeps between two `yield`s, spelled out.
struct Download<'a> {
    client: &'a Client,
    urls: slice::Iter<'a, &'a str>,
    in_flight: Option<InFlight<'a>>,
}

/// A request that has been sent and whose answer is on its way.
struct InFlight<'a> {
    url: &'a str,
    status: u16,
    /// The wait for the answer. A `Sleep` must stay where it is once polled,
    /// so it lives pinned on the heap, and `Download` can move freely.
    answer: Pin<Box<Sleep>>,
}

fn download<'a>(client: &'a Client, urls: &'a [&'a str]) -> Download<'a> {
    Download {
        client,
        urls: urls.iter(),
        in_flight: None,
    }
}

impl<'a> Stream for Download<'a> {
    type Item = Result<Response, FetchError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self; // fine: every field of `Download` is `Unpin`
        let request = match &mut this.in_flight {
            Some(request) => request,
            None => {
                let Some(url) = this.urls.next() else {
                    return Poll::Ready(None); // no URLs left: the stream ends
                };
                let (latency, status) = match this.client.send(url) {
                    Ok(answer) => answer,
                    Err(error) => return Poll::Ready(Some(Err(error))),
                };
                this.in_flight.insert(InFlight {
                    url,
                    status,
                    answer: Box::pin(sleep(latency)),
                })
            }
        };
        // Not there yet: `Pending`, and the sleep wakes us up when it is.
        ready!(request.answer.as_mut().poll(cx));
        let response = Response {
            url: request.url.to_string(),
            status: request.status,
        };
        this.in_flight = None;
        Poll::Ready(Some(Ok(response)))
    }
}
// ANCHOR_END: download

/// `async for response in responses: print(response)`
async fn print_all(mut responses: Download<'_>, start: Instant) {
    // `Download` is `Unpin`, so `next` needs no `pin!` here.
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
    println!("impl Stream by hand:");
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
    use std::task::Waker;

    #[tokio::test(start_paused = true)]
    async fn a_hand_written_stream_is_lazy_too() {
        let client = Client::default();
        let responses = download(&client, &URLS);
        sleep(Duration::from_secs(60)).await;
        assert_eq!(client.requests_sent(), 0);
        drop(responses);
    }

    #[tokio::test(start_paused = true)]
    async fn by_hand_yields_what_stream_does() {
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
    async fn a_poll_that_is_not_ready_keeps_the_request_in_flight() {
        let client = Client::default();
        let mut responses = download(&client, &["bing.com"]);
        // The first poll sends the request; the answer takes 2 seconds.
        let mut cx = Context::from_waker(Waker::noop());
        assert!(Pin::new(&mut responses).poll_next(&mut cx).is_pending());
        assert!(Pin::new(&mut responses).poll_next(&mut cx).is_pending());
        assert_eq!(
            client.requests_sent(),
            1,
            "polling again sends no new request"
        );
        let start = Instant::now();
        let response = responses.next().await;
        assert!(matches!(response, Some(Ok(Response { status: 200, .. }))));
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        assert!(responses.next().await.is_none());
    }
}
