// Course section: the server side of the real HTTP requests.
//
// What an aiohttp.web or Starlette app does, with axum: shared state, a JSON
// route, a route whose body is an async generator, a timeout and a limit on
// requests in flight (tower middleware), a span per request (tracing), and a
// graceful shutdown that lets the requests in flight finish.
//
// Run it with `cargo run --features real-io --example http_service`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate async_stream;
extern crate axum;
extern crate futures;
extern crate reqwest;
extern crate serde;
extern crate tokio;
extern crate tower;
extern crate tower_http;
extern crate tracing;
extern crate tracing_subscriber;

use std::convert::Infallible;
use std::error::Error;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_stream::stream;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::time::sleep;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tracing::Instrument;

// ANCHOR: state
/// An egg as the JSON routes send and receive it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Egg {
    id: u64,
    name: String,
    minutes: u32,
}

/// What a client sends to add an egg: no id, the server picks it.
#[derive(Serialize, Deserialize)]
struct NewEgg {
    name: String,
    minutes: u32,
}

/// The state every request shares, like `app["pantry"]` in aiohttp or
/// `app.state` in Starlette. A std `Mutex` is enough: no handler holds it
/// across an `.await`.
#[derive(Default)]
struct Pantry {
    eggs: Mutex<Vec<Egg>>,
}

type Shared = Arc<Pantry>;
// ANCHOR_END: state

// ANCHOR: handlers
async fn list_eggs(State(pantry): State<Shared>) -> Json<Vec<Egg>> {
    let eggs = pantry
        .eggs
        .lock()
        .expect("no handler panics holding the lock");
    Json(eggs.clone())
}

/// `Json(new)` parses the body; a body that is not a `NewEgg` never gets
/// here: axum answers 400, 415 or 422 itself.
async fn add_egg(State(pantry): State<Shared>, Json(new): Json<NewEgg>) -> (StatusCode, Json<Egg>) {
    let mut eggs = pantry
        .eggs
        .lock()
        .expect("no handler panics holding the lock");
    let egg = Egg {
        id: eggs.len() as u64 + 1,
        name: new.name,
        minutes: new.minutes,
    };
    eggs.push(egg.clone());
    (StatusCode::CREATED, Json(egg))
}

/// A body sent piece by piece as it is made, like a Starlette
/// `StreamingResponse` over an async generator.
async fn countdown() -> Body {
    Body::from_stream(stream! {
        for n in (1..=3).rev() {
            yield Ok::<_, Infallible>(format!("{n}...\n"));
            sleep(Duration::from_millis(100)).await;
        }
        yield Ok("boiled!\n".to_string());
    })
}

/// A handler that never finishes: only the timeout ends it.
async fn stuck() -> &'static str {
    std::future::pending().await
}

fn routes(pantry: Shared) -> Router {
    Router::new()
        .route("/eggs", get(list_eggs).post(add_egg))
        .route("/countdown", get(countdown))
        .route("/stuck", get(stuck))
        .with_state(pantry)
}
// ANCHOR_END: handlers

// ANCHOR: middleware
/// How long a handler may take to produce its response.
const TIMEOUT: Duration = Duration::from_secs(1);
/// At most this many requests are handled at once; the others wait.
const MAX_IN_FLIGHT: usize = 64;

/// Wraps every route of `router`. The layer added last is the outermost:
/// a request meets the span first, then the timeout, then the limit.
fn with_middleware(router: Router, timeout: Duration, max_in_flight: usize) -> Router {
    router
        .layer(GlobalConcurrencyLimitLayer::new(max_in_flight))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(middleware::from_fn(in_a_span))
}

/// A span per request, with an id: every log line written while the
/// request is handled carries it, like a request id in a `ContextVar`.
async fn in_a_span(request: Request, next: Next) -> Response {
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let span = tracing::info_span!(
        "request",
        id,
        method = %request.method(),
        path = request.uri().path(),
    );
    async move {
        let response = next.run(request).await;
        tracing::info!(status = response.status().as_u16(), "answered");
        response
    }
    .instrument(span)
    .await
}
// ANCHOR_END: middleware

// ANCHOR: serve
/// Serves `app` on `listener` until `stop` completes, then stops accepting
/// connections and waits for the requests in flight.
async fn serve(
    listener: TcpListener,
    app: Router,
    stop: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
}
// ANCHOR_END: serve

fn app() -> Router {
    with_middleware(routes(Shared::default()), TIMEOUT, MAX_IN_FLIGHT)
}

/// A client for 127.0.0.1 (no proxy), with a bound on every request.
fn client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .build()
}

async fn bind() -> io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let address = listener.local_addr()?;
    Ok((listener, address))
}

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // Log lines to stdout, without times, so that every run prints the same.
    tracing_subscriber::fmt()
        .without_time()
        .with_target(false)
        .init();

    let (listener, address) = bind().await?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, app(), async {
        stopped.await.ok(); // a real service waits for Ctrl-C or SIGTERM here
    }));

    let client = client()?;
    let base = format!("http://{address}");
    let added: Egg = client
        .post(format!("{base}/eggs"))
        .json(&NewEgg {
            name: "soft".to_string(),
            minutes: 6,
        })
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    println!("added {added:?}");
    let eggs: Vec<Egg> = client
        .get(format!("{base}/eggs"))
        .send()
        .await?
        .json()
        .await?;
    println!("listed {} egg(s)", eggs.len());
    let body = client
        .get(format!("{base}/countdown"))
        .send()
        .await?
        .text()
        .await?;
    print!("countdown:\n{body}");
    let status = client.get(format!("{base}/stuck")).send().await?.status();
    println!("/stuck answered {status}");

    stop.send(()).ok();
    tokio::time::timeout(Duration::from_secs(10), server).await???;
    println!("server stopped");
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use tokio::sync::Semaphore;

    /// Bounds every wait in the tests.
    const BOUND: Duration = Duration::from_secs(10);

    async fn start(
        app: Router,
    ) -> (
        SocketAddr,
        oneshot::Sender<()>,
        tokio::task::JoinHandle<io::Result<()>>,
    ) {
        let (listener, address) = bind().await.expect("a port");
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, app, async {
            stopped.await.ok();
        }));
        (address, stop, server)
    }

    #[tokio::test]
    async fn json_routes_add_and_list_eggs() {
        let (address, _stop, _server) = start(app()).await;
        let client = client().expect("a client");
        let response = client
            .post(format!("http://{address}/eggs"))
            .json(&NewEgg {
                name: "hard".to_string(),
                minutes: 10,
            })
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), StatusCode::CREATED.as_u16());
        let egg: Egg = response.json().await.expect("an egg");
        let expected = Egg {
            id: 1,
            name: "hard".into(),
            minutes: 10,
        };
        assert_eq!(egg, expected);
        let eggs: Vec<Egg> = client
            .get(format!("http://{address}/eggs"))
            .send()
            .await
            .expect("an answer")
            .json()
            .await
            .expect("a list");
        assert_eq!(eggs, [expected]);
    }

    #[tokio::test]
    async fn a_body_that_is_not_a_new_egg_gets_422_400_or_415_from_axum() {
        let (address, _stop, _server) = start(app()).await;
        let client = client().expect("a client");
        let post = |body: &'static str| {
            client
                .post(format!("http://{address}/eggs"))
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        let missing_field = post(r#"{"name": "soft"}"#).await.expect("an answer");
        assert_eq!(
            missing_field.status(),
            StatusCode::UNPROCESSABLE_ENTITY.as_u16()
        );
        let not_json = post("soft, 6 minutes").await.expect("an answer");
        assert_eq!(not_json.status(), StatusCode::BAD_REQUEST.as_u16());
        let no_content_type = client
            .post(format!("http://{address}/eggs"))
            .body(r#"{"name": "soft", "minutes": 6}"#)
            .send()
            .await
            .expect("an answer");
        assert_eq!(
            no_content_type.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE.as_u16()
        );
    }

    /// The stream's pieces arrive in order, and the timeout does not cut the
    /// body: it ends when the handler returns the response, and the body
    /// (300 ms here) is sent after that.
    #[tokio::test]
    async fn the_countdown_streams_and_the_timeout_does_not_cover_the_body() {
        let app = with_middleware(routes(Shared::default()), Duration::from_millis(50), 4);
        let (address, _stop, _server) = start(app).await;
        let client = client().expect("a client");
        let response = client
            .get(format!("http://{address}/countdown"))
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), StatusCode::OK.as_u16());
        let body = response.text().await.expect("a body");
        assert_eq!(body, "3...\n2...\n1...\nboiled!\n");
    }

    #[tokio::test]
    async fn a_handler_over_the_timeout_gets_408() {
        let app = with_middleware(routes(Shared::default()), Duration::from_millis(100), 4);
        let (address, _stop, _server) = start(app).await;
        let client = client().expect("a client");
        let response = client
            .get(format!("http://{address}/stuck"))
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT.as_u16());
    }

    /// A `MakeWriter` that keeps what the subscriber writes, for the test.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .expect("no panic while writing")
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl tracing_subscriber::fmt::MakeWriter<'_> for Captured {
        type Writer = Captured;

        fn make_writer(&self) -> Captured {
            self.clone()
        }
    }

    /// The test's runtime runs the server on this thread, so a subscriber
    /// set for this thread sees the server's logs.
    #[tokio::test]
    async fn every_request_is_logged_in_its_own_span_with_its_status() {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .without_time()
            .with_target(false)
            .with_writer(captured.clone())
            .finish();
        let _default = tracing::subscriber::set_default(subscriber);
        let app = with_middleware(routes(Shared::default()), Duration::from_millis(100), 4);
        let (address, _stop, _server) = start(app).await;
        let client = client().expect("a client");
        for path in ["/eggs", "/stuck"] {
            client
                .get(format!("http://{address}{path}"))
                .send()
                .await
                .expect("an answer");
        }
        let logs = String::from_utf8(captured.0.lock().expect("no panic").clone()).expect("UTF-8");
        let lines: Vec<&str> = logs.lines().collect();
        assert_eq!(lines.len(), 2, "{logs}");
        for (line, (path, status)) in lines.iter().zip([("/eggs", 200), ("/stuck", 408)]) {
            assert!(line.starts_with(" INFO request{id="), "{line}");
            let span_and_event =
                format!(r#" method=GET path="{path}"}}: answered status={status}"#);
            assert!(line.ends_with(&span_and_event), "{line}");
        }
    }

    /// A route for the tests: each request waits at `gate` until the test
    /// lets it through, and counts itself in `entered` on the way in.
    struct Gate {
        gate: Arc<Semaphore>,
        entered: Arc<AtomicUsize>,
        most: Arc<AtomicUsize>,
        polled: Arc<AtomicUsize>,
    }

    impl Gate {
        fn new() -> Self {
            Self {
                gate: Arc::new(Semaphore::new(0)),
                entered: Arc::default(),
                most: Arc::default(),
                polled: Arc::default(),
            }
        }

        /// `/gate` and `/other-gate` behind the book's middleware, and outside it a layer
        /// that polls each request once before counting it in `polled`:
        /// after that one poll, a request has entered the handler or is
        /// waiting at the limit.
        fn app(&self, timeout: Duration, max_in_flight: usize) -> Router {
            let (gate, entered, most) =
                (self.gate.clone(), self.entered.clone(), self.most.clone());
            let stream_gate = self.gate.clone();
            // A body whose last piece waits at the gate.
            let held_stream = move || {
                let gate = stream_gate.clone();
                async move {
                    Body::from_stream(stream! {
                        yield Ok::<_, Infallible>("first\n".to_string());
                        let _pass = gate.acquire().await.expect("the gate stays open");
                        yield Ok("last\n".to_string());
                    })
                }
            };
            let through = move || {
                let (gate, entered, most) = (gate.clone(), entered.clone(), most.clone());
                async move {
                    let now = entered.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    let _pass = gate.acquire().await.expect("the gate stays open");
                    entered.fetch_sub(1, Ordering::SeqCst);
                    "through"
                }
            };
            // Two routes, to show that the limit counts them together.
            let router = Router::new()
                .route("/gate", get(through.clone()))
                .route("/other-gate", get(through))
                .route("/slow", get(|| sleep(SLOW)))
                .route("/held-stream", get(held_stream));
            let polled = self.polled.clone();
            with_middleware(router, timeout, max_in_flight).layer(middleware::from_fn(
                move |request: Request, next: Next| {
                    let polled = polled.clone();
                    async move {
                        let mut response = std::pin::pin!(next.run(request));
                        if let std::task::Poll::Ready(response) = futures::poll!(&mut response) {
                            return response;
                        }
                        polled.fetch_add(1, Ordering::SeqCst);
                        response.await
                    }
                },
            ))
        }

        /// Waits, with a bound, until `n` requests have been polled.
        async fn until_polled(&self, n: usize) {
            tokio::time::timeout(BOUND, async {
                while self.polled.load(Ordering::SeqCst) < n {
                    sleep(Duration::from_millis(5)).await;
                }
            })
            .await
            .expect("the requests arrive");
        }
    }

    /// One limit for every route: two requests to `/gate` and one to
    /// `/other-gate`, with a limit of 2.
    #[tokio::test]
    async fn requests_beyond_the_limit_wait_and_then_succeed() {
        let gate = Gate::new();
        let (address, _stop, _server) = start(gate.app(BOUND, 2)).await;
        let client = client().expect("a client");
        let requests: Vec<_> = ["/gate", "/other-gate", "/gate"]
            .iter()
            .map(|path| {
                let request = client.get(format!("http://{address}{path}")).send();
                tokio::spawn(request)
            })
            .collect();
        gate.until_polled(3).await;
        // Three requests arrived; two are in the handler, one waits.
        assert_eq!(gate.entered.load(Ordering::SeqCst), 2);
        gate.gate.add_permits(3);
        for request in requests {
            let response = request.await.expect("no panic").expect("an answer");
            assert_eq!(response.status(), StatusCode::OK.as_u16());
        }
        assert_eq!(gate.most.load(Ordering::SeqCst), 2);
    }

    /// How long `/slow` takes: less than the timeout of `the_wait_at_the_limit_counts_against_the_timeout`.
    const SLOW: Duration = Duration::from_millis(600);

    /// With a limit of 1 and a timeout of 1 s, `/slow` (600 ms) waits at
    /// least 600 ms behind `/gate`: 1.2 s in all, over the timeout, though
    /// its handler alone is under it.
    #[tokio::test]
    async fn the_wait_at_the_limit_counts_against_the_timeout() {
        let gate = Gate::new();
        let (address, _stop, _server) = start(gate.app(Duration::from_secs(1), 1)).await;
        let client = client().expect("a client");
        let first = tokio::spawn(client.get(format!("http://{address}/gate")).send());
        gate.until_polled(1).await;
        let waiting = tokio::spawn(client.get(format!("http://{address}/slow")).send());
        gate.until_polled(2).await;
        // `/gate` holds the one slot; `/slow` waits for it.
        sleep(SLOW).await;
        gate.gate.add_permits(1);
        first.await.expect("no panic").expect("an answer");
        let waiting = waiting.await.expect("no panic").expect("an answer");
        assert_eq!(waiting.status(), StatusCode::REQUEST_TIMEOUT.as_u16());
    }

    /// With a limit of 1, a body still being sent holds no slot: `/slow`
    /// gets through while `/held-stream` waits to send its last piece.
    #[tokio::test]
    async fn a_streamed_body_holds_no_slot_of_the_limit() {
        let gate = Gate::new();
        let (address, _stop, _server) = start(gate.app(BOUND, 1)).await;
        let client = client().expect("a client");
        let mut streaming = client
            .get(format!("http://{address}/held-stream"))
            .send()
            .await
            .expect("an answer");
        let first = streaming.chunk().await.expect("a piece");
        assert_eq!(first.as_deref(), Some(&b"first\n"[..]));
        let slow = client
            .get(format!("http://{address}/slow"))
            .send()
            .await
            .expect("an answer");
        assert_eq!(slow.status(), StatusCode::OK.as_u16());
        gate.gate.add_permits(1);
        assert_eq!(streaming.text().await.expect("the rest"), "last\n");
    }

    #[tokio::test]
    async fn graceful_shutdown_finishes_the_request_in_flight_and_refuses_new_connections() {
        let gate = Gate::new();
        let (address, stop, server) = start(gate.app(BOUND, 4)).await;
        let client = client().expect("a client");
        let in_flight = tokio::spawn(client.get(format!("http://{address}/gate")).send());
        gate.until_polled(1).await;
        assert_eq!(gate.entered.load(Ordering::SeqCst), 1);

        stop.send(()).expect("the server is running");
        // The listener closes soon after the signal: from then on, a new
        // connection is refused.
        tokio::time::timeout(BOUND, async {
            loop {
                match tokio::net::TcpStream::connect(address).await {
                    Err(error) if error.kind() == io::ErrorKind::ConnectionRefused => break,
                    // Accepted before the listener closed, or reset as it closed.
                    _ => sleep(Duration::from_millis(5)).await,
                }
            }
        })
        .await
        .expect("new connections are refused");
        // The server waits for the request in flight...
        assert!(!server.is_finished());
        gate.gate.add_permits(1);
        let response = in_flight.await.expect("no panic").expect("an answer");
        assert_eq!(response.status(), StatusCode::OK.as_u16());
        assert_eq!(response.text().await.expect("a body"), "through");
        // ...and then stops.
        tokio::time::timeout(BOUND, server)
            .await
            .expect("the server stops")
            .expect("no panic")
            .expect("no error");
    }
}
