// Course section: Asynchronous Generators (real HTTP requests).
//
// Python's `download(urls)` async generator, made real: `reqwest` sends the
// requests, at most a few at a time, each with a timeout, and tries again
// after a refused connection or a 5xx answer. The results come out of a
// `Stream` in the order of the URLs, errors included, like the items of
// `async for`. A small `axum` server on 127.0.0.1 plays the internet.
//
// Run it with `cargo run --features real-io --example http_download`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate axum;
extern crate futures;
extern crate reqwest;
extern crate tokio;

use std::collections::HashMap;
use std::error::Error;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::{Stream, StreamExt, stream};
use reqwest::{Client, Url};
use tokio::net::{TcpListener, TcpSocket};
use tokio::time::sleep;

// ANCHOR: client
/// At most this many requests are in flight at once.
const LIMIT: usize = 4;
/// How long one attempt may take, from connecting to the last byte.
const TIMEOUT: Duration = Duration::from_secs(2);
/// A URL is tried at most this often.
const ATTEMPTS: u32 = 3;

/// One client for every request, like one `aiohttp.ClientSession`: it keeps
/// connections open and reuses them.
fn client(timeout: Duration) -> reqwest::Result<Client> {
    Client::builder()
        .timeout(timeout)
        // The server is on this machine: ignore any HTTP_PROXY setting.
        // Leave this line out for the internet.
        .no_proxy()
        .build()
}
// ANCHOR_END: client

// ANCHOR: failure
/// A page that arrived.
#[derive(Debug)]
struct Page {
    url: Url,
    body: String,
    attempts: u32,
}

/// A URL that gave no page, after `attempts` tries.
#[derive(Debug)]
struct DownloadError {
    url: Url,
    failure: Failure,
    attempts: u32,
}

#[derive(Debug)]
enum Failure {
    TimedOut,
    CannotConnect,
    Status(reqwest::StatusCode),
    Other(reqwest::Error),
}

impl Failure {
    /// Worth another try: the server may be restarting or overloaded.
    fn is_transient(&self) -> bool {
        match self {
            Failure::CannotConnect => true,
            Failure::Status(status) => status.is_server_error(),
            Failure::TimedOut | Failure::Other(_) => false,
        }
    }
}

impl From<reqwest::Error> for Failure {
    fn from(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            Failure::TimedOut
        } else if error.is_connect() {
            Failure::CannotConnect
        } else {
            Failure::Other(error)
        }
    }
}
// ANCHOR_END: failure

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::TimedOut => write!(f, "no answer within {} s", TIMEOUT.as_secs()),
            Failure::CannotConnect => write!(f, "cannot connect"),
            Failure::Status(status) => write!(f, "the server answered {status}"),
            Failure::Other(error) => write!(f, "{error}"),
        }
    }
}

// ANCHOR: fetch
/// GETs one URL; tries again, after a short pause, when it fails in a way
/// that may pass.
async fn fetch(client: &Client, url: Url) -> Result<Page, DownloadError> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let failure = match get_text(client, &url).await {
            Ok(body) => {
                return Ok(Page {
                    url,
                    body,
                    attempts,
                });
            }
            Err(failure) => failure,
        };
        if attempts == ATTEMPTS || !failure.is_transient() {
            return Err(DownloadError {
                url,
                failure,
                attempts,
            });
        }
        sleep(Duration::from_millis(100) * attempts).await;
    }
}

/// One attempt: a 4xx or 5xx answer is a failure too.
async fn get_text(client: &Client, url: &Url) -> Result<String, Failure> {
    let response = client.get(url.clone()).send().await?;
    let status = response.status();
    if !status.is_success() {
        return Err(Failure::Status(status));
    }
    Ok(response.text().await?)
}
// ANCHOR_END: fetch

// ANCHOR: download
/// The course's `download(urls)`: one item per URL, in the order of `urls`,
/// with at most `limit` requests in flight.
fn download(
    client: &Client,
    urls: Vec<Url>,
    limit: usize,
) -> impl Stream<Item = Result<Page, DownloadError>> {
    stream::iter(urls)
        .map(move |url| fetch(client, url))
        .buffered(limit)
}
// ANCHOR_END: download

/// How many requests the server got for each path.
type Hits = Arc<Mutex<HashMap<String, u32>>>;

async fn count_hits(State(hits): State<Hits>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    *hits
        .lock()
        .expect("no panic while counting")
        .entry(path)
        .or_default() += 1;
    next.run(request).await
}

/// The pretend internet. `/slow` never answers; `/flaky` fails once with
/// 503, then works; `/broken` always answers 500; other paths are 404.
fn kitchen_server(hits: Hits) -> Router {
    let flaky_calls = Arc::new(AtomicU32::new(0));
    Router::new()
        .route(
            "/eggs/{n}",
            get(|Path(n): Path<u32>| async move { format!("egg {n}, boiled") }),
        )
        .route("/slow", get(std::future::pending::<()>))
        .route(
            "/broken",
            get(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        )
        .route(
            "/flaky",
            get(move || async move {
                match flaky_calls.fetch_add(1, Ordering::Relaxed) {
                    0 => StatusCode::SERVICE_UNAVAILABLE.into_response(),
                    _ => "fresh toast".into_response(),
                }
            }),
        )
        .layer(middleware::from_fn_with_state(hits, count_hits))
}

/// Serves `app` on 127.0.0.1, on a port the OS picks, until the runtime
/// stops.
async fn serve(app: Router) -> io::Result<SocketAddr> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            eprintln!("the test server stopped: {error}");
        }
    });
    Ok(address)
}

/// A port on 127.0.0.1 that refuses connections: the socket holds the port,
/// so no one else can take it, but never listens. Keep it alive.
fn refusing_port() -> io::Result<(TcpSocket, SocketAddr)> {
    let socket = TcpSocket::new_v4()?;
    socket.bind((Ipv4Addr::LOCALHOST, 0).into())?;
    let address = socket.local_addr()?;
    Ok((socket, address))
}

fn url(address: SocketAddr, path: &str) -> Url {
    Url::parse(&format!("http://{address}{path}")).expect("a valid URL")
}

/// Two good pages, each kind of failure, and good pages after them.
fn kitchen_urls(server: SocketAddr, refusing: SocketAddr) -> Vec<Url> {
    let mut urls: Vec<Url> = [
        "/eggs/1", "/eggs/2", "/flaky", "/slow", "/broken", "/missing",
    ]
    .iter()
    .map(|path| url(server, path))
    .collect();
    urls.push(url(refusing, "/refused"));
    urls.extend((3..=4).map(|n| url(server, &format!("/eggs/{n}"))));
    urls
}

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let server = serve(kitchen_server(Hits::default())).await?;
    let (_socket, refusing) = refusing_port()?; // holds the port until the end
    let urls = kitchen_urls(server, refusing);

    let client = client(TIMEOUT)?;
    let mut results = pin!(download(&client, urls, LIMIT));
    while let Some(result) = results.next().await {
        // The path only: the ports change from run to run.
        let (path, what, attempts) = match &result {
            Ok(page) => (page.url.path(), format!("{:?}", page.body), page.attempts),
            Err(error) => (error.url.path(), error.failure.to_string(), error.attempts),
        };
        println!("{path:<9} {what}, {}", tries(attempts));
    }
    Ok(())
}
// ANCHOR_END: main

fn tries(attempts: u32) -> String {
    match attempts {
        1 => "1 attempt".to_string(),
        n => format!("{n} attempts"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::{Barrier, Notify};

    /// A timeout that no page on 127.0.0.1 needs, however busy the machine.
    /// The tests use it wherever no timeout is meant to strike: with the
    /// example's 2 s, a slow machine could fail them.
    const GENEROUS: Duration = Duration::from_secs(60);

    /// The example's URLs without `/slow`, which would take `GENEROUS` to
    /// time out: `a_page_that_never_answers_times_out_and_is_not_sent_again`
    /// tests it on its own.
    fn kitchen_urls_but_slow(server: SocketAddr, refusing: SocketAddr) -> Vec<Url> {
        let mut urls = kitchen_urls(server, refusing);
        urls.retain(|url| url.path() != "/slow");
        urls
    }

    /// Each result as (path, body or failure, attempts).
    async fn outcomes(client: &Client, urls: Vec<Url>, limit: usize) -> Vec<(String, String, u32)> {
        download(client, urls, limit)
            .map(|result| match result {
                Ok(page) => (page.url.path().to_string(), page.body, page.attempts),
                Err(error) => {
                    let failure = match error.failure {
                        Failure::Status(status) => status.as_u16().to_string(),
                        other => format!("{other:?}"),
                    };
                    (error.url.path().to_string(), failure, error.attempts)
                }
            })
            .collect()
            .await
    }

    #[tokio::test]
    async fn every_url_gives_one_item_in_order_and_failures_do_not_stop_the_rest() {
        let server = serve(kitchen_server(Hits::default()))
            .await
            .expect("a server");
        let (_socket, refusing) = refusing_port().expect("a port");
        let client = client(GENEROUS).expect("a client");
        let got = outcomes(&client, kitchen_urls_but_slow(server, refusing), LIMIT).await;
        let expected = [
            ("/eggs/1", "egg 1, boiled", 1),
            ("/eggs/2", "egg 2, boiled", 1),
            ("/flaky", "fresh toast", 2),
            ("/broken", "500", ATTEMPTS),
            ("/missing", "404", 1),
            ("/refused", "CannotConnect", ATTEMPTS),
            ("/eggs/3", "egg 3, boiled", 1),
            ("/eggs/4", "egg 4, boiled", 1),
        ]
        .map(|(path, what, attempts)| (path.to_string(), what.to_string(), attempts));
        assert_eq!(got, expected);
    }

    #[tokio::test]
    async fn only_transient_failures_are_sent_again() {
        let hits = Hits::default();
        let server = serve(kitchen_server(hits.clone())).await.expect("a server");
        let (_socket, refusing) = refusing_port().expect("a port");
        let client = client(GENEROUS).expect("a client");
        outcomes(&client, kitchen_urls_but_slow(server, refusing), LIMIT).await;
        let hits = hits.lock().expect("no panic while counting").clone();
        for (path, count) in [("/flaky", 2), ("/broken", ATTEMPTS), ("/missing", 1)] {
            assert_eq!(hits.get(path), Some(&count), "{path}");
        }
    }

    /// `/slow` alone, so that a short timeout cuts off nothing else: the
    /// attempt ends with a timeout error, which is not sent again.
    #[tokio::test]
    async fn a_page_that_never_answers_times_out_and_is_not_sent_again() {
        let hits = Hits::default();
        let server = serve(kitchen_server(hits.clone())).await.expect("a server");
        let client = client(Duration::from_millis(200)).expect("a client");
        let got = outcomes(&client, vec![url(server, "/slow")], LIMIT).await;
        assert_eq!(got, [("/slow".to_string(), "TimedOut".to_string(), 1)]);
        let hits = hits.lock().expect("no panic while counting").clone();
        assert_eq!(hits.get("/slow"), Some(&1));
    }

    /// Each request waits at the server until `limit` requests are there at
    /// once (with a smaller limit they would wait until the generous
    /// timeouts below), then stays a little longer, which is time for a
    /// request beyond the limit to arrive and be counted.
    #[tokio::test]
    async fn exactly_limit_requests_are_in_flight_at_once() {
        let limit = 3;
        let barrier = Arc::new(Barrier::new(limit));
        let in_flight = Arc::new(AtomicU32::new(0));
        let most = Arc::new(AtomicU32::new(0));
        let app = {
            let (in_flight, most) = (in_flight.clone(), most.clone());
            Router::new().route(
                "/gate/{n}",
                get(move || async move {
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    let met = tokio::time::timeout(Duration::from_secs(10), barrier.wait()).await;
                    sleep(Duration::from_millis(100)).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    if met.is_ok() {
                        StatusCode::OK
                    } else {
                        StatusCode::REQUEST_TIMEOUT
                    }
                }),
            )
        };
        let server = serve(app).await.expect("a server");
        let client = client(GENEROUS).expect("a client");
        let urls = (0..limit * 3)
            .map(|n| url(server, &format!("/gate/{n}")))
            .collect();
        let got = outcomes(&client, urls, limit).await;
        assert!(
            got.iter()
                .all(|(_, body, attempts)| body.is_empty() && *attempts == 1),
            "{got:?}"
        );
        assert_eq!(most.load(Ordering::SeqCst), limit as u32);
    }

    /// `/hold` waits until `/later` has been asked for, and answers
    /// "released"; or, with `give_up`, until that much time has passed, and
    /// answers "gave up". `/quick` answers at once.
    fn hold_server(give_up: Option<Duration>) -> Router {
        let later_asked = Arc::new(Notify::new());
        let asked = later_asked.clone();
        Router::new()
            .route(
                "/hold",
                get(move || {
                    let later_asked = later_asked.clone();
                    async move {
                        let released = later_asked.notified();
                        match give_up {
                            Some(wait) => match tokio::time::timeout(wait, released).await {
                                Ok(()) => "released",
                                Err(_) => "gave up",
                            },
                            None => {
                                released.await;
                                "released"
                            }
                        }
                    }
                }),
            )
            .route("/quick", get(|| async { "quick" }))
            .route(
                "/later",
                get(move || async move {
                    asked.notify_one(); // kept for `/hold` if it is not waiting yet
                    "later"
                }),
            )
    }

    fn hold_urls(server: SocketAddr) -> Vec<Url> {
        ["/hold", "/quick", "/later"]
            .iter()
            .map(|path| url(server, path))
            .collect()
    }

    /// Two slots. `/quick` is done at once, but `buffered` keeps its result,
    /// and its slot, until `/hold` before it is done: `/later` cannot start,
    /// so `/hold` is never released and gives up. (However long it waited,
    /// `/later` could not come: the half second only keeps the test short.)
    #[tokio::test]
    async fn a_finished_page_keeps_its_slot_until_the_pages_before_it_are_done() {
        let server = serve(hold_server(Some(Duration::from_millis(500))))
            .await
            .expect("a server");
        let client = client(GENEROUS).expect("a client");
        let got = outcomes(&client, hold_urls(server), 2).await;
        let expected = [
            ("/hold", "gave up", 1),
            ("/quick", "quick", 1),
            ("/later", "later", 1),
        ]
        .map(|(path, what, attempts)| (path.to_string(), what.to_string(), attempts));
        assert_eq!(got, expected);
    }

    /// The same with `buffer_unordered`: `/quick`'s result is yielded at once,
    /// its slot goes to `/later`, and `/later` releases `/hold`.
    #[tokio::test]
    async fn buffer_unordered_gives_a_finished_pages_slot_to_the_next_url() {
        let server = serve(hold_server(None)).await.expect("a server");
        // `/hold` should be released long before this.
        let client = client(GENEROUS).expect("a client");
        let mut bodies: Vec<String> = stream::iter(hold_urls(server))
            .map(|url| fetch(&client, url))
            .buffer_unordered(2)
            .map(|result| result.map_or_else(|error| error.failure.to_string(), |page| page.body))
            .collect()
            .await;
        bodies.sort();
        assert_eq!(bodies, ["later", "quick", "released"]);
    }
}
