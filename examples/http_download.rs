// Course section: Asynchronous Generators (real HTTP requests).
//
// Python's `download(urls)` async generator, made real: `reqwest` sends the
// requests, at most a few at a time, with timeouts and a cap on the size of
// an answer, and tries again after a refused connection, a 5xx or a 429
// answer, waiting longer each time, or as long as the server asks. The results come out of a
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
use std::collections::hash_map::RandomState;
use std::error::Error;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::routing::get;
use futures::{Stream, StreamExt, stream};
use reqwest::header::RETRY_AFTER;
use reqwest::{Client, Response, Url};
use tokio::net::{TcpListener, TcpSocket};
use tokio::time::sleep;

// ANCHOR: client
/// At most this many requests are in flight at once.
const LIMIT: usize = 4;
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the server may keep us waiting for the answer, and then for
/// each piece of its body: a large page may take longer in all.
const READ_TIMEOUT: Duration = Duration::from_secs(2);
/// The largest body we accept, in bytes.
const MAX_BODY: usize = 1 << 20;
/// Who is asking, so that a site's owner can tell.
const USER_AGENT: &str = "egg-downloader/0.1";

/// One client for every request, like one `aiohttp.ClientSession`: it keeps
/// connections open and reuses them.
fn client(read_timeout: Duration) -> reqwest::Result<Client> {
    Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(read_timeout)
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
    /// A 4xx or 5xx answer, and how long its `Retry-After` header asks us
    /// to wait, if it has one.
    Status(reqwest::StatusCode, Option<Duration>),
    TooLarge,
    NotText,
    Other(reqwest::Error),
}

impl Failure {
    /// Worth another try: the server may be restarting or overloaded.
    fn is_transient(&self) -> bool {
        match self {
            Failure::CannotConnect => true,
            Failure::Status(status, _) => {
                status.is_server_error() || *status == reqwest::StatusCode::TOO_MANY_REQUESTS
            }
            Failure::TimedOut | Failure::TooLarge | Failure::NotText | Failure::Other(_) => false,
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
            Failure::TimedOut => write!(f, "no answer within {} s", READ_TIMEOUT.as_secs()),
            Failure::CannotConnect => write!(f, "cannot connect"),
            Failure::Status(status, _) => write!(f, "the server answered {status}"),
            Failure::TooLarge => write!(f, "the answer is larger than {MAX_BODY} bytes"),
            Failure::NotText => write!(f, "the answer is not UTF-8 text"),
            Failure::Other(error) => write!(f, "{error}"),
        }
    }
}

// ANCHOR: fetch
/// When to try again, and how often.
#[derive(Clone, Copy)]
struct Retry {
    /// A URL is tried at most this often.
    attempts: u32,
    /// The pause after the first failure; it doubles after each one.
    first_pause: Duration,
    /// The longest `Retry-After` we wait for; a longer one is a failure.
    longest_wait: Duration,
    /// A random number from 0 to 1 (tests pass a fixed one).
    random: fn() -> f64,
}

const RETRY: Retry = Retry {
    attempts: 3,
    first_pause: Duration::from_millis(100),
    longest_wait: Duration::from_secs(10),
    random: random_fraction,
};

impl Retry {
    /// The pause before the next attempt, or `None` to give up.
    fn pause(&self, attempts: u32, failure: &Failure) -> Option<Duration> {
        if attempts >= self.attempts || !failure.is_transient() {
            return None;
        }
        match failure {
            Failure::Status(_, Some(wait)) => (*wait <= self.longest_wait).then_some(*wait),
            // Doubling, with jitter: somewhere from half of it to all of it,
            // so that many clients that failed together do not retry together.
            _ => {
                let pause = self.first_pause * 2u32.pow(attempts - 1);
                Some(pause.mul_f64(0.5 + (self.random)() / 2.0))
            }
        }
    }
}

/// GETs one URL; tries again, after a pause, when it fails in a way that
/// may pass.
async fn fetch(client: &Client, url: Url, retry: Retry) -> Result<Page, DownloadError> {
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
        let Some(pause) = retry.pause(attempts, &failure) else {
            return Err(DownloadError {
                url,
                failure,
                attempts,
            });
        };
        sleep(pause).await;
    }
}

/// One attempt: a 4xx or 5xx answer is a failure too.
async fn get_text(client: &Client, url: &Url) -> Result<String, Failure> {
    let response = client.get(url.clone()).send().await?;
    let status = response.status();
    if !status.is_success() {
        return Err(Failure::Status(status, retry_after(&response)));
    }
    read_body(response).await
}

/// The `Retry-After` header in its seconds form, `Retry-After: 3`.
fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse().ok().map(Duration::from_secs)
}

/// Reads the body piece by piece, and stops at `MAX_BODY` bytes: a server
/// cannot fill our memory.
async fn read_body(mut response: Response) -> Result<String, Failure> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(Failure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| Failure::NotText)
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
        .map(move |url| fetch(client, url, RETRY))
        .buffered(limit)
}
// ANCHOR_END: download

/// A random number from 0 to 1. The standard library has no random number
/// generator, but it gives each `HashMap` random keys; the `rand` or
/// `fastrand` crates do this properly.
fn random_fraction() -> f64 {
    let bits = RandomState::new().build_hasher().finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// How many requests the server got for each path.
type Hits = Arc<Mutex<HashMap<String, u32>>>;

async fn count_hits(
    State(hits): State<Hits>,
    request: Request,
    next: Next,
) -> axum::response::Response {
    let path = request.uri().path().to_string();
    *hits
        .lock()
        .expect("no panic while counting")
        .entry(path)
        .or_default() += 1;
    next.run(request).await
}

/// The pretend internet. `/slow` never answers; `/flaky` fails once with
/// 503, then works; `/broken` always answers 500; `/huge` sends a body
/// that never ends; other paths are 404.
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
            "/huge",
            get(|| async {
                Body::from_stream(stream::repeat_with(|| {
                    Ok::<_, io::Error>("eggs ".repeat(4096))
                }))
            }),
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
        "/eggs/1", "/eggs/2", "/flaky", "/slow", "/broken", "/missing", "/huge",
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

    let client = client(READ_TIMEOUT)?;
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
    use axum::http::HeaderMap;
    use axum::http::header::{RETRY_AFTER, USER_AGENT as USER_AGENT_HEADER};
    use tokio::sync::{Barrier, Notify};
    use tokio::time::Instant;

    /// A timeout that no page on 127.0.0.1 needs, however busy the machine.
    /// The tests use it wherever no timeout is meant to strike: with the
    /// example's 2 s, a slow machine could fail them.
    const GENEROUS: Duration = Duration::from_secs(60);

    /// For the tests on the paused clock: were the clock ever to jump while
    /// a request waits on the network (tokio advances it when nothing is
    /// ready), it would reach a retry's pause long before these timeouts.
    fn paused_clock_client() -> reqwest::Result<Client> {
        let a_day = Duration::from_secs(24 * 60 * 60);
        Client::builder()
            .connect_timeout(a_day)
            .read_timeout(a_day)
            .no_proxy()
            .build()
    }

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
                        Failure::Status(status, _) => status.as_u16().to_string(),
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
            ("/broken", "500", RETRY.attempts),
            ("/missing", "404", 1),
            ("/huge", "TooLarge", 1),
            ("/refused", "CannotConnect", RETRY.attempts),
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
        for (path, count) in [("/flaky", 2), ("/broken", RETRY.attempts), ("/missing", 1)] {
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
            .map(|url| fetch(&client, url, RETRY))
            .buffer_unordered(2)
            .map(|result| result.map_or_else(|error| error.failure.to_string(), |page| page.body))
            .collect()
            .await;
        bodies.sort();
        assert_eq!(bodies, ["later", "quick", "released"]);
    }

    /// A server that sends a body without end: the client stops at the cap.
    #[tokio::test]
    async fn a_body_larger_than_the_cap_is_an_error() {
        let server = serve(kitchen_server(Hits::default()))
            .await
            .expect("a server");
        let client = client(GENEROUS).expect("a client");
        let endless = outcomes(&client, vec![url(server, "/huge")], LIMIT);
        let got = tokio::time::timeout(GENEROUS, endless)
            .await
            .expect("the client stops reading");
        assert_eq!(got, [("/huge".to_string(), "TooLarge".to_string(), 1)]);
    }

    #[tokio::test]
    async fn the_client_says_who_it_is() {
        let app = Router::new().route(
            "/who",
            get(|headers: HeaderMap| async move {
                let agent = headers.get(USER_AGENT_HEADER).cloned();
                agent.map_or_else(|| "nobody".to_string(), |a| format!("{a:?}"))
            }),
        );
        let server = serve(app).await.expect("a server");
        let client = client(GENEROUS).expect("a client");
        let got = outcomes(&client, vec![url(server, "/who")], LIMIT).await;
        assert_eq!(got[0].1, format!("{USER_AGENT:?}"));
    }

    #[tokio::test]
    async fn without_user_agent_reqwest_sends_none() {
        let app =
            Router::new().route(
                "/who",
                get(|headers: HeaderMap| async move {
                    headers.contains_key(USER_AGENT_HEADER).to_string()
                }),
            );
        let server = serve(app).await.expect("a server");
        let plain = Client::builder().no_proxy().build().expect("a client");
        let got = outcomes(&plain, vec![url(server, "/who")], LIMIT).await;
        assert_eq!(got[0].1, "false");
    }

    #[tokio::test]
    async fn a_body_that_is_not_utf8_is_not_text() {
        let app = Router::new().route("/bytes", get(|| async { vec![b'e', 0xff] }));
        let server = serve(app).await.expect("a server");
        let client = client(GENEROUS).expect("a client");
        let got = outcomes(&client, vec![url(server, "/bytes")], LIMIT).await;
        assert_eq!(got, [("/bytes".to_string(), "NotText".to_string(), 1)]);
    }

    /// Answers 429 with `Retry-After: SECONDS` the first time, then works.
    fn busy_server(seconds: u64) -> Router {
        let calls = Arc::new(AtomicU32::new(0));
        Router::new().route(
            "/busy",
            get(move || async move {
                match calls.fetch_add(1, Ordering::Relaxed) {
                    0 => {
                        let wait = [(RETRY_AFTER, seconds.to_string())];
                        (StatusCode::TOO_MANY_REQUESTS, wait).into_response()
                    }
                    _ => "your turn".into_response(),
                }
            }),
        )
    }

    /// On the paused clock: the retry comes exactly when the server asked.
    #[tokio::test(start_paused = true)]
    async fn a_429_is_tried_again_after_exactly_its_retry_after() {
        let server = serve(busy_server(3)).await.expect("a server");
        let client = paused_clock_client().expect("a client");
        let start = Instant::now();
        let page = fetch(&client, url(server, "/busy"), RETRY)
            .await
            .expect("the second attempt works");
        assert_eq!((page.body.as_str(), page.attempts), ("your turn", 2));
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    /// A server that asks for an hour gets no retry: the URL fails at once.
    #[tokio::test(start_paused = true)]
    async fn a_retry_after_longer_than_we_wait_is_a_failure() {
        let server = serve(busy_server(3600)).await.expect("a server");
        let client = paused_clock_client().expect("a client");
        let start = Instant::now();
        let error = fetch(&client, url(server, "/busy"), RETRY)
            .await
            .expect_err("no retry");
        assert!(matches!(error.failure, Failure::Status(_, Some(_))));
        assert_eq!(error.attempts, 1);
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    /// On the paused clock, with the random number fixed at 0: the pauses
    /// are half of 100 ms and then of 200 ms.
    #[tokio::test(start_paused = true)]
    async fn pauses_between_attempts_double_from_half_the_first_pause() {
        let server = serve(kitchen_server(Hits::default()))
            .await
            .expect("a server");
        let client = paused_clock_client().expect("a client");
        let retry = Retry {
            random: || 0.0,
            ..RETRY
        };
        let start = Instant::now();
        let error = fetch(&client, url(server, "/broken"), retry)
            .await
            .expect_err("always 500");
        assert_eq!(error.attempts, 3);
        assert_eq!(start.elapsed(), Duration::from_millis(50 + 100));
    }

    #[test]
    fn jitter_spreads_each_pause_between_half_and_all_of_it() {
        let failure = Failure::Status(StatusCode::SERVICE_UNAVAILABLE, None);
        let pause =
            |random: fn() -> f64, attempts| Retry { random, ..RETRY }.pause(attempts, &failure);
        assert_eq!(pause(|| 0.0, 1), Some(Duration::from_millis(50)));
        assert_eq!(pause(|| 0.0, 2), Some(Duration::from_millis(100)));
        let most = pause(|| 0.999, 2).expect("a pause");
        assert!(most > Duration::from_millis(199) && most < Duration::from_millis(200));
        assert_eq!(pause(|| 0.0, 3), None, "three attempts at most");
        // The real random numbers differ from call to call.
        let pauses: Vec<_> = (0..10).map(|_| RETRY.pause(1, &failure)).collect();
        assert!(pauses.iter().any(|p| *p != pauses[0]), "{pauses:?}");
        for p in pauses {
            let p = p.expect("a pause");
            assert!(p >= Duration::from_millis(50) && p <= Duration::from_millis(100));
        }
    }
}
