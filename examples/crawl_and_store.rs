// Course section: What, why, and threads vs asyncio (all three blocking calls).
//
// The three blocking calls of the course in one program: it downloads
// pages over HTTP, four at a time and one host's requests spaced apart,
// stores the pages in SQLite as they arrive (those that arrive together in
// one transaction), logs what it does to a file, and shows its progress. Ctrl-C
// (Python's `KeyboardInterrupt`) or SIGTERM stops the downloads, and the
// program still closes the log and the database properly; every page it
// stored is committed. It keeps its files in a scratch directory that it
// deletes when it ends, unless you pass `--keep`.
//
// Run it with `cargo run --features real-io --example crawl_and_store`, or
// `-- 40` for 40 pages, which takes a few seconds: time to press Ctrl-C.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate axum;
extern crate futures;
extern crate reqwest;
extern crate rusqlite;
extern crate tokio;

use std::any::Any;
use std::collections::HashMap;
use std::error::Error;
use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::Path as UrlPath;
use axum::routing::get;
use reqwest::{Client, Response, Url};
use rusqlite::{Connection, TransactionBehavior};
use tokio::fs::{File, OpenOptions};
use tokio::io::{AsyncWriteExt, BufWriter};
use tokio::net::TcpListener;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

type BoxError = Box<dyn Error + Send + Sync>;

/// At most this many downloads at once.
const LIMIT: usize = 4;
/// How long a server may keep us waiting for an answer, and then for each
/// piece of it (`main` passes this to `run`).
const TIMEOUT: Duration = Duration::from_secs(10);
/// The largest page we accept, in bytes.
const MAX_BODY: usize = 1 << 20;
/// Who is asking, so that a site's owner can tell.
const USER_AGENT: &str = "recipe-crawler/0.1";
/// At most this many pages wait to be stored, and go in one transaction.
const BATCH: usize = 16;
/// The time between the starts of two requests to one host (`main`
/// passes this to `run`).
const HOST_DELAY: Duration = Duration::from_millis(100);

// The database, as in the `sqlite_store` example: a thread of its own runs
// the calls that async code sends it.

type Call = Box<dyn FnOnce(&mut Connection) + Send>;

enum Message {
    Call(Call),
    Close(oneshot::Sender<rusqlite::Result<()>>),
}

const QUEUE: usize = 64;

#[derive(Clone)]
struct Db {
    messages: mpsc::Sender<Message>,
}

#[derive(Debug)]
enum CallError {
    Panicked(String),
    Closed,
}

impl Db {
    async fn open(path: &Path) -> Result<Db, BoxError> {
        let path = path.to_path_buf();
        let (messages, inbox) = mpsc::channel(QUEUE);
        let (opened, is_open) = oneshot::channel();
        std::thread::Builder::new()
            .name("sqlite".to_string())
            .spawn(move || match open_file(&path) {
                Ok(conn) => {
                    let _ = opened.send(Ok(()));
                    run_calls(conn, inbox);
                }
                Err(error) => {
                    let _ = opened.send(Err(error));
                }
            })?;
        is_open.await??;
        Ok(Db { messages })
    }

    async fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> T + Send + 'static,
    ) -> Result<T, CallError> {
        let (reply, answer) = oneshot::channel();
        let call: Call = Box::new(move |conn| {
            if reply.is_closed() {
                return;
            }
            let value = catch_unwind(AssertUnwindSafe(|| work(conn)));
            if value.is_err() && !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            let _ = reply.send(value.map_err(panic_message));
        });
        let sent = self.messages.send(Message::Call(call)).await;
        sent.map_err(|_| CallError::Closed)?;
        answer.await.map_err(|_| CallError::Closed)?
    }

    async fn close(self) -> Result<(), BoxError> {
        let (reply, closed) = oneshot::channel();
        let sent = self.messages.send(Message::Close(reply)).await;
        sent.map_err(|_| CallError::Closed)?;
        Ok(closed.await.map_err(|_| CallError::Closed)??)
    }

    async fn page_count(&self) -> Result<i64, BoxError> {
        let count =
            self.call(|conn| conn.query_row("SELECT count(*) FROM pages", (), |row| row.get(0)));
        Ok(count.await??)
    }
}

fn run_calls(mut conn: Connection, mut inbox: mpsc::Receiver<Message>) {
    while let Some(message) = inbox.blocking_recv() {
        match message {
            Message::Call(call) => call(&mut conn),
            Message::Close(reply) => match conn.close() {
                Ok(()) => {
                    let _ = reply.send(Ok(()));
                    return;
                }
                Err((still_open, error)) => {
                    conn = still_open;
                    let _ = reply.send(Err(error));
                }
            },
        }
    }
}

fn open_file(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, body TEXT NOT NULL)",
    )?;
    Ok(conn)
}

fn panic_message(payload: Box<dyn Any + Send>) -> CallError {
    let message = match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => match payload.downcast::<&str>() {
            Ok(message) => message.to_string(),
            Err(_) => "a panic with no message".to_string(),
        },
    };
    CallError::Panicked(message)
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Panicked(message) => write!(f, "the database call panicked: {message}"),
            CallError::Closed => f.write_str("the database is closed"),
        }
    }
}

impl Error for CallError {}

// ANCHOR: save
impl Db {
    /// Stores a batch of pages in one transaction, and returns their URLs.
    /// Once it returns, every one of them is committed (in the log file,
    /// safe if the process is killed; with `synchronous=NORMAL` a power cut
    /// may still undo it). A page stored before gets the new body.
    async fn save(&self, pages: Vec<(Url, String)>) -> Result<Vec<Url>, BoxError> {
        let saved = self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut insert = tx.prepare(
                "INSERT INTO pages (url, body) VALUES (?1, ?2)
                 ON CONFLICT (url) DO UPDATE SET body = excluded.body",
            )?;
            for (url, body) in &pages {
                insert.execute((url.as_str(), body))?;
            }
            drop(insert); // a statement borrows `tx`, which `commit` takes
            tx.commit()?;
            Ok::<_, rusqlite::Error>(pages.into_iter().map(|(url, _)| url).collect())
        });
        Ok(saved.await??)
    }
}
// ANCHOR_END: save

// The log, as in the `async_logger` example.

#[derive(Clone)]
struct Logger {
    lines: mpsc::Sender<String>,
}

struct LogWriter {
    task: JoinHandle<io::Result<u64>>,
}

async fn start_logger(path: &Path) -> io::Result<(Logger, LogWriter)> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .await?;
    let (sender, receiver) = mpsc::channel(1024);
    let task = tokio::spawn(write_lines(BufWriter::new(file), receiver));
    Ok((Logger { lines: sender }, LogWriter { task }))
}

async fn write_lines(
    mut file: BufWriter<File>,
    mut lines: mpsc::Receiver<String>,
) -> io::Result<u64> {
    let mut written = 0;
    let mut buffered = 0;
    while let Some(line) = lines.recv().await {
        buffered += 1;
        let caught_up = lines.is_empty();
        if let Err(error) = write_line(&mut file, &line, caught_up).await {
            return Err(give_up(error, buffered, lines).await);
        }
        if caught_up {
            (written, buffered) = (written + buffered, 0);
        }
    }
    if let Err(error) = file.flush().await {
        return Err(give_up(error, buffered, lines).await);
    }
    file.get_ref().sync_all().await?;
    Ok(written + buffered)
}

async fn write_line(file: &mut BufWriter<File>, line: &str, flush: bool) -> io::Result<()> {
    file.write_all(line.as_bytes()).await?;
    file.write_all(b"\n").await?;
    if flush {
        file.flush().await?;
    }
    Ok(())
}

async fn give_up(error: io::Error, buffered: u64, mut lines: mpsc::Receiver<String>) -> io::Error {
    lines.close();
    let mut lost = buffered;
    while lines.recv().await.is_some() {
        lost += 1;
    }
    io::Error::new(
        error.kind(),
        format!("{error} (up to {lost} lines not written)"),
    )
}

impl Logger {
    async fn log(&self, line: impl Into<String>) -> io::Result<()> {
        self.lines
            .send(line.into())
            .await
            .map_err(|_| io::Error::other("the log writer has stopped"))
    }
}

impl LogWriter {
    async fn finish(self) -> io::Result<u64> {
        match self.task.await {
            Ok(result) => result,
            Err(error) => match error.try_into_panic() {
                Ok(panic) => resume_unwind(panic),
                Err(cancelled) => Err(io::Error::other(cancelled)),
            },
        }
    }
}

// ANCHOR: progress
/// In a terminal, one line that counts up in place; elsewhere, such as in
/// the book's output files, one line per step.
fn show_progress(done: usize, total: usize) {
    let line = format!("[{done}/{total}] pages done");
    let mut out = io::stdout().lock();
    // If stdout is gone (`| head -1`), there is nobody to tell: the crawl
    // goes on. `print!` would panic instead.
    let _ = if out.is_terminal() {
        // Back to the start of the line, and over it.
        write!(out, "\r{line}").and_then(|()| out.flush())
    } else {
        writeln!(out, "{line}")
    };
}
// ANCHOR_END: progress

// ANCHOR: signals
/// The signals that ask a program to stop: Ctrl-C in a terminal, and
/// SIGTERM from `kill`, `docker stop`, systemd or Kubernetes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stop {
    CtrlC,
    Terminate,
}

/// Listens for both signals from the moment it is made (Unix only).
struct Signals {
    interrupt: Signal,
    terminate: Signal,
}

impl Signals {
    fn listen() -> io::Result<Signals> {
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// The next signal. Cancel safe, like `Signal::recv`: in `select!`, a
    /// signal that arrives while another branch wins waits for the next call.
    async fn next(&mut self) -> Stop {
        tokio::select! {
            _ = self.interrupt.recv() => Stop::CtrlC,
            _ = self.terminate.recv() => Stop::Terminate,
        }
    }
}

impl Stop {
    /// What a shell reports for a program that the signal killed: 128 plus
    /// the signal's number.
    fn exit_code(self) -> ExitCode {
        match self {
            Stop::CtrlC => ExitCode::from(128 + 2),
            Stop::Terminate => ExitCode::from(128 + 15),
        }
    }
}
// ANCHOR_END: signals

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stop::CtrlC => "Ctrl-C",
            Stop::Terminate => "SIGTERM",
        })
    }
}

// ANCHOR: polite
/// Per-host politeness: when the next request to each host may start.
struct Politeness {
    delay: Duration,
    next_start: Mutex<HashMap<String, Instant>>,
}

impl Politeness {
    fn new(delay: Duration) -> Politeness {
        let next_start = Mutex::new(HashMap::new());
        Politeness { delay, next_start }
    }

    /// Waits for the turn of `url`'s host, and books the next turn `delay`
    /// after this one. Different hosts do not wait for each other.
    async fn wait_turn(&self, url: &Url) {
        let host = url.host_str().unwrap_or_default().to_string();
        let start = {
            // Held for a moment, never across an `.await`.
            let mut next_start = self
                .next_start
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let start = next_start.get(&host).map_or(now, |&next| next.max(now));
            next_start.insert(host, start + self.delay);
            start
        };
        tokio::time::sleep_until(start).await;
    }
}
// ANCHOR_END: polite

// ANCHOR: crawl
#[derive(Debug, Default, PartialEq)]
struct Summary {
    stored: usize,
    failed: usize,
    /// How many transactions stored the pages.
    commits: usize,
    stopped_by: Option<Stop>,
}

/// How the crawl treats the servers it asks.
#[derive(Clone, Copy)]
struct Manners {
    /// How long a server may keep us waiting for an answer, and then for
    /// each piece of it.
    timeout: Duration,
    /// The time between the starts of two requests to one host.
    host_delay: Duration,
}

/// One page, as in the `http_download` example: its text, at most
/// `MAX_BODY` bytes of it.
async fn get_text(client: &Client, url: Url) -> (Url, Result<String, BoxError>) {
    let text = async {
        let response = client.get(url.clone()).send().await?.error_for_status()?;
        read_body(response).await
    }
    .await;
    (url, text)
}

async fn read_body(mut response: Response) -> Result<String, BoxError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(format!("the page is larger than {MAX_BODY} bytes").into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8(body)?)
}

/// Downloads `urls`, at most `LIMIT` at a time and one host's requests
/// `host_delay` apart, and stores the pages as they arrive, until every
/// URL is done or a signal asks it to stop.
async fn crawl(
    urls: Vec<Url>,
    manners: Manners,
    db: &Db,
    log: &Logger,
    signals: &mut Signals,
) -> Result<Summary, BoxError> {
    let client = Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(manners.timeout)
        .read_timeout(manners.timeout)
        .no_proxy()
        .build()?;
    let polite = Arc::new(Politeness::new(manners.host_delay));
    let total = urls.len();
    // Each download is a task of its own, so downloads go on while a page
    // is stored. A bounded channel hands the pages to this loop: when it is
    // full, finished downloads wait, holding their places in the limit.
    let (send, mut pages) = mpsc::channel(BATCH);
    let limit = Arc::new(Semaphore::new(LIMIT));
    let mut downloads = JoinSet::new();
    for url in urls {
        let (client, send) = (client.clone(), send.clone());
        let (limit, polite) = (Arc::clone(&limit), Arc::clone(&polite));
        downloads.spawn(async move {
            let Ok(_place) = limit.acquire_owned().await else {
                return; // the semaphore is never closed
            };
            polite.wait_turn(&url).await;
            // This fails only once `crawl` has returned: nobody wants it.
            let _ = send.send(get_text(&client, url).await).await;
        });
    }
    drop(send); // the channel ends when the last download has sent its page
    let mut summary = Summary::default();
    let mut arrived = Vec::with_capacity(BATCH);
    loop {
        tokio::select! {
            biased; // look at the signals first, every time
            stop = signals.next() => {
                summary.stopped_by = Some(stop);
                break;
            }
            // Waits for one page, then takes up to `BATCH` of those waiting;
            // 0 when every URL is done. Cancel safe: nothing is lost.
            count = pages.recv_many(&mut arrived, BATCH) => if count == 0 {
                break;
            },
        }
        // Outside `select!`: the pages that have arrived are stored, in one
        // transaction, whatever happens meanwhile.
        let mut bodies = Vec::new();
        for (url, page) in arrived.drain(..) {
            match page {
                Ok(body) => bodies.push((url, body)),
                Err(error) => {
                    log.log(format!("failed: {error}")).await?;
                    summary.failed += 1;
                    show_progress(summary.stored + summary.failed, total);
                }
            }
        }
        if bodies.is_empty() {
            continue;
        }
        for url in db.save(bodies).await? {
            log.log(format!("stored {url}")).await?;
            summary.stored += 1;
            show_progress(summary.stored + summary.failed, total);
        }
        summary.commits += 1;
    }
    Ok(summary)
    // Returning drops `downloads`, a `JoinSet`, which aborts every download
    // still running.
}
// ANCHOR_END: crawl

// ANCHOR: shutdown
/// How long closing may take once the crawl has stopped: well inside the
/// 10 s that `docker stop` waits, from its SIGTERM, before its SIGKILL.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(5);

/// Runs `closing` to its end, unless it takes longer than `deadline` or
/// `another_signal` comes first: a program asked twice stops at once.
async fn close_within<T>(
    deadline: Duration,
    another_signal: impl Future<Output = Stop>,
    closing: impl Future<Output = Result<T, BoxError>>,
) -> Result<T, BoxError> {
    tokio::select! {
        closed = tokio::time::timeout(deadline, closing) => match closed {
            Ok(result) => result,
            Err(_) => Err(format!("closing took longer than {deadline:?}: gave up").into()),
        },
        stop = another_signal => Err(format!("{stop} while closing: gave up").into()),
    }
}
// ANCHOR_END: shutdown

// ANCHOR: run
/// Opens the database and the log in `dir`, crawls, and closes both.
async fn run(dir: &Path, urls: Vec<Url>, manners: Manners) -> Result<Summary, BoxError> {
    let mut signals = Signals::listen()?; // from here on, a signal is an event
    let db = Db::open(&dir.join("pages.db")).await?;
    let (log, writer) = start_logger(&dir.join("crawl.log")).await?;
    let summary = crawl(urls, manners, &db, &log, &mut signals).await;
    if io::stdout().is_terminal() {
        let _ = writeln!(io::stdout()); // end the progress line
    }
    let last_line = match &summary {
        Ok(Summary {
            stopped_by: Some(stop),
            ..
        }) => format!("interrupted by {stop}"),
        Ok(_) => "done".to_string(),
        Err(error) => format!("stopped by an error: {error}"),
    };
    let closing = async {
        // This fails only if the writer has stopped, and then `finish` says
        // why: its own error, such as a full disk, comes first.
        let _ = log.log(last_line.as_str()).await;
        drop(log);
        let lines = writer.finish().await?; // every line is in the file now
        let pages = db.page_count().await?;
        db.close().await?; // on the connection's thread
        Ok((lines, pages))
    };
    let (lines, pages) = close_within(SHUTDOWN_DEADLINE, signals.next(), closing).await?;
    let summary = summary?;
    let (stored, failed) = (summary.stored, summary.failed);
    let report = format!(
        "{last_line}: {stored} stored, {failed} failed\n\
         the database holds {pages} pages\n\
         the log holds {lines} lines\n"
    );
    let _ = io::stdout().write_all(report.as_bytes()); // as in `show_progress`
    Ok(summary)
}
// ANCHOR_END: run

/// The pretend website: `/recipes/N` answers after `delay`; `/stuck` never
/// answers; any other path is 404.
fn recipe_site(delay: Duration) -> Router {
    Router::new()
        .route(
            "/recipes/{n}",
            get(move |UrlPath(n): UrlPath<u32>| async move {
                tokio::time::sleep(delay).await;
                format!("recipe {n}: boil the eggs")
            }),
        )
        .route("/stuck", get(std::future::pending::<()>))
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

fn url(address: SocketAddr, path: &str) -> Url {
    Url::parse(&format!("http://{address}{path}")).expect("a valid URL")
}

/// `pages` recipes and one page that does not exist.
fn recipe_urls(server: SocketAddr, pages: usize) -> Vec<Url> {
    let mut urls: Vec<Url> = (1..pages)
        .map(|n| url(server, &format!("/recipes/{n}")))
        .collect();
    urls.push(url(server, "/no-such-recipe"));
    urls
}

/// Reads the optional number of pages from the command line.
fn page_count(mut args: impl Iterator<Item = String>) -> Result<usize, String> {
    let Some(arg) = args.next() else {
        return Ok(8);
    };
    match (arg.parse(), args.next()) {
        (Ok(pages @ 2..=100), None) => Ok(pages),
        _ => Err(format!(
            "give one number of pages from 2 to 100, not `{arg} ...`"
        )),
    }
}

/// A fresh directory, removed again when dropped (see the `drop_guard`
/// example).
struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    fn new(name: &str) -> io::Result<Self> {
        let process = std::process::id();
        let path = std::env::temp_dir().join(format!("async-rust-book-{process}-{name}"));
        std::fs::create_dir(&path)?;
        Ok(ScratchDir { path })
    }
}

impl ScratchDir {
    /// Leaves the directory in place, and returns its path.
    fn keep(mut self) -> PathBuf {
        let path = std::mem::take(&mut self.path);
        std::mem::forget(self); // no `Drop`: nothing is removed
        path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_dir_all(&self.path) {
            eprintln!("warning: could not remove a scratch directory: {error}");
        }
    }
}

// ANCHOR: main
fn main() -> Result<ExitCode, BoxError> {
    run_then_leave(crawl_main())?
}

/// `#[tokio::main]`, except at the end: dropping a runtime waits, without a
/// limit, for work on its blocking pool, such as a write to the log file
/// that `close_within` gave up on. `shutdown_background` does not wait.
fn run_then_leave<F: Future>(future: F) -> io::Result<F::Output> {
    let runtime = tokio::runtime::Runtime::new()?;
    let output = runtime.block_on(future);
    runtime.shutdown_background();
    Ok(output)
}

async fn crawl_main() -> Result<ExitCode, BoxError> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // `--keep` leaves the database and the log in place, to look at.
    let keep = args.iter().position(|a| a == "--keep");
    let keep = keep.map(|at| args.remove(at)).is_some();
    let pages = match page_count(args.into_iter()) {
        Ok(pages) => pages,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let server = serve(recipe_site(Duration::from_millis(250))).await?;
    let dir = ScratchDir::new("crawl_and_store")?;
    let manners = Manners {
        timeout: TIMEOUT,
        host_delay: HOST_DELAY,
    };
    let summary = run(&dir.path, recipe_urls(server, pages), manners).await;
    if keep {
        let _ = writeln!(io::stdout(), "kept {}", dir.keep().display());
    }
    Ok(summary?
        .stopped_by
        .map_or(ExitCode::SUCCESS, Stop::exit_code))
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::{Notify, watch};

    /// A timeout that no page on 127.0.0.1 needs, however busy the machine:
    /// for the tests in which nothing should time out.
    const GENEROUS: Duration = Duration::from_secs(60);

    /// The crawl's manners with this timeout, and no delay between the
    /// requests to one host.
    fn at_once(timeout: Duration) -> Manners {
        Manners {
            timeout,
            host_delay: Duration::ZERO,
        }
    }

    /// Keeps the connection thread busy, with a call that waits until the
    /// returned sender is dropped (or 120 s have passed: far longer than
    /// any wait of the tests, so it never ends one by itself).
    async fn hold(db: &Db) -> std::sync::mpsc::Sender<()> {
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (holding, is_holding) = oneshot::channel();
        let db = db.clone();
        tokio::spawn(async move {
            db.call(move |_| {
                let _ = holding.send(());
                let _ = held.recv_timeout(Duration::from_secs(120));
            })
            .await
        });
        is_holding
            .await
            .expect("the connection thread runs the call");
        release
    }

    /// Whether a call waits in the queue for the connection thread.
    fn a_call_waits(db: &Db) -> bool {
        db.messages.capacity() < QUEUE
    }

    /// Waits until `done` is true, looking every few milliseconds, for at
    /// most 30 s.
    async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while !done() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "waited 30 s for {what}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    fn stored_urls(dir: &Path) -> Vec<String> {
        let conn = Connection::open(dir.join("pages.db")).expect("the database opens");
        let mut query = conn.prepare("SELECT url FROM pages").expect("a query");
        let urls = query
            .query_map((), |row| row.get::<_, String>(0))
            .expect("rows");
        let mut paths: Vec<String> = urls
            .map(|url| {
                Url::parse(&url.expect("a row"))
                    .expect("a URL")
                    .path()
                    .to_string()
            })
            .collect();
        paths.sort();
        paths
    }

    fn log_lines(dir: &Path) -> Vec<String> {
        let text = std::fs::read_to_string(dir.join("crawl.log")).expect("the log");
        text.lines().map(String::from).collect()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn without_ctrl_c_every_page_is_stored_and_logged() {
        let dir = ScratchDir::new("test-complete").expect("a fresh directory");
        let server = serve(recipe_site(Duration::ZERO)).await.expect("a server");
        let summary = run(&dir.path, recipe_urls(server, 6), at_once(GENEROUS))
            .await
            .expect("runs");
        assert_eq!((summary.stored, summary.failed), (5, 1));
        assert_eq!(summary.stopped_by, None);
        let recipes: Vec<String> = (1..=5).map(|n| format!("/recipes/{n}")).collect();
        assert_eq!(stored_urls(&dir.path), recipes);
        let log = log_lines(&dir.path);
        assert_eq!(log.len(), 7);
        assert_eq!(log.iter().filter(|l| l.starts_with("stored ")).count(), 5);
        assert!(
            log.iter()
                .any(|l| l.starts_with("failed: ") && l.contains("404"))
        );
        assert_eq!(log.last().map(String::as_str), Some("done"));
    }

    /// `/stuck` never answers, but the client gives up on it after the
    /// timeout: it counts as failed, and the crawl ends by itself. It is the
    /// only URL, so the short timeout cannot cut off a page that answers.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_page_that_never_answers_fails_after_the_timeout() {
        let dir = ScratchDir::new("test-stuck").expect("a fresh directory");
        let server = serve(recipe_site(Duration::ZERO)).await.expect("a server");
        let urls = vec![url(server, "/stuck")];
        let crawl = run(&dir.path, urls, at_once(Duration::from_millis(200)));
        // A bound for the test itself, far beyond the timeout.
        let summary = tokio::time::timeout(Duration::from_secs(60), crawl)
            .await
            .expect("the crawl ended by itself")
            .expect("runs");
        let expected = Summary {
            stored: 0,
            failed: 1,
            commits: 0,
            stopped_by: None,
        };
        assert_eq!(summary, expected);
        let log = log_lines(&dir.path);
        assert!(
            log.iter()
                .any(|l| l.starts_with("failed: ") && l.contains("/stuck")),
            "{log:?}"
        );
        assert_eq!(log.last().map(String::as_str), Some("done"));
    }

    /// The table refuses `/recipes/2`: the crawl stops with SQLite's error,
    /// and the log is complete all the same, ending with that error.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_failed_crawl_still_leaves_a_complete_log_that_ends_with_the_reason() {
        let dir = ScratchDir::new("test-refused").expect("a fresh directory");
        Connection::open(dir.path.join("pages.db"))
            .expect("the database opens")
            .execute_batch(
                "CREATE TABLE pages (url TEXT PRIMARY KEY, body TEXT NOT NULL,
                    CHECK (url NOT LIKE '%/recipes/2'))",
            )
            .expect("a table with a rule");
        let server = serve(recipe_site(Duration::ZERO)).await.expect("a server");
        let error = run(&dir.path, recipe_urls(server, 4), at_once(GENEROUS))
            .await
            .expect_err("the database refuses a row");
        assert!(
            error.to_string().contains("CHECK constraint failed"),
            "{error}"
        );
        let log = log_lines(&dir.path);
        let last = format!("stopped by an error: {error}");
        assert_eq!(log.last(), Some(&last), "{log:?}");
        // Every page logged as stored is in the table, and no other.
        let mut logged: Vec<String> = log
            .iter()
            .filter_map(|l| l.strip_prefix("stored "))
            .map(|u| Url::parse(u).expect("a URL").path().to_string())
            .collect();
        logged.sort();
        assert_eq!(logged, stored_urls(&dir.path));
        assert!(!logged.contains(&"/recipes/2".to_string()), "{log:?}");
    }

    /// One refused row rolls back its whole batch: the page before it in
    /// the same transaction is not stored either.
    #[tokio::test]
    async fn one_refused_row_rolls_back_its_whole_batch() {
        let dir = ScratchDir::new("test-batch-rollback").expect("a fresh directory");
        Connection::open(dir.path.join("pages.db"))
            .expect("the database opens")
            .execute_batch(
                "CREATE TABLE pages (url TEXT PRIMARY KEY, body TEXT NOT NULL,
                    CHECK (url NOT LIKE '%/recipes/2'))",
            )
            .expect("a table with a rule");
        let db = Db::open(&dir.path.join("pages.db"))
            .await
            .expect("a database");
        let page = |n| Url::parse(&format!("http://127.0.0.1/recipes/{n}")).expect("a URL");
        let batch = vec![(page(1), "one".to_string()), (page(2), "two".to_string())];
        let error = db.save(batch).await.expect_err("the table refuses page 2");
        assert!(
            error.to_string().contains("CHECK constraint failed"),
            "{error}"
        );
        assert_eq!(db.page_count().await.expect("counts"), 0);
        db.close().await.expect("closes");
    }

    /// Crawls `pages` recipes while the connection thread is held, until
    /// the server has been asked for every page; returns the summary.
    async fn crawl_with_the_database_held(dir: &Path, pages: usize) -> Summary {
        let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let site = {
            let asked = Arc::clone(&asked);
            Router::new().route(
                "/recipes/{n}",
                get(move |UrlPath(n): UrlPath<u32>| async move {
                    asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    format!("recipe {n}: boil the eggs")
                }),
            )
        };
        let server = serve(site).await.expect("a server");
        let urls = (1..=pages)
            .map(|n| url(server, &format!("/recipes/{n}")))
            .collect();
        let db = Db::open(&dir.join("pages.db")).await.expect("a database");
        let (log, writer) = start_logger(&dir.join("crawl.log")).await.expect("a log");
        let mut signals = Signals::listen().expect("signal handlers");
        let held = hold(&db).await;
        let gate = async {
            let every_page = || asked.load(std::sync::atomic::Ordering::SeqCst) == pages;
            wait_until("every page to be asked for", every_page).await;
            drop(held);
        };
        let crawl = crawl(urls, at_once(GENEROUS), &db, &log, &mut signals);
        let (summary, ()) = tokio::join!(crawl, gate);
        drop(log);
        writer.finish().await.expect("the log is written");
        db.close().await.expect("closes");
        summary.expect("crawls")
    }

    /// The first `save` waits until the server has been asked for every
    /// page: the downloads go on while a page is being stored. (Had storing
    /// stopped them, the server would see only the first `LIMIT` requests,
    /// and the wait would fail after 30 s.)
    #[tokio::test(flavor = "multi_thread")]
    async fn downloads_go_on_while_a_page_is_stored() {
        let dir = ScratchDir::new("test-pipeline").expect("a fresh directory");
        let summary = crawl_with_the_database_held(&dir.path, 2 * LIMIT).await;
        assert_eq!((summary.stored, summary.failed), (2 * LIMIT, 0));
    }

    /// While the first batch waits for the database, the next pages
    /// arrive, and wait too: they go into the next transaction together.
    /// (Stored one by one, eight pages would take eight commits.)
    #[tokio::test(flavor = "multi_thread")]
    async fn pages_that_arrive_together_share_one_transaction() {
        let dir = ScratchDir::new("test-batches").expect("a fresh directory");
        let pages = 2 * LIMIT;
        let summary = crawl_with_the_database_held(&dir.path, pages).await;
        assert_eq!(summary.stored, pages);
        assert!(summary.commits < pages, "{summary:?}");
        assert_eq!(stored_urls(&dir.path).len(), pages);
    }

    /// A page stored again replaces its body: one row per URL, the newest.
    #[tokio::test]
    async fn a_page_stored_twice_keeps_one_row_with_the_newer_body() {
        let dir = ScratchDir::new("test-upsert").expect("a fresh directory");
        let db = Db::open(&dir.path.join("pages.db"))
            .await
            .expect("a database");
        let page = Url::parse("http://127.0.0.1/recipes/1").expect("a URL");
        db.save(vec![(page.clone(), "old".to_string())])
            .await
            .expect("saves");
        db.save(vec![(page.clone(), "new".to_string())])
            .await
            .expect("saves again");
        let rows = db.call(|conn| {
            let mut query = conn.prepare("SELECT url, body FROM pages")?;
            let rows = query.query_map((), |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<rusqlite::Result<Vec<(String, String)>>>()
        });
        let rows = rows.await.expect("runs").expect("reads");
        assert_eq!(rows, [(page.to_string(), "new".to_string())]);
        db.close().await.expect("closes");
    }

    /// On the paused clock: two pages of one host start `delay` apart;
    /// a page of another host (`localhost` is another name) starts at once.
    #[tokio::test(start_paused = true)]
    async fn one_host_waits_its_turn_and_another_host_does_not() {
        let delay = Duration::from_secs(1);
        let polite = Politeness::new(delay);
        let start = Instant::now();
        let started_after = |path: &str| {
            let url = Url::parse(path).expect("a URL");
            let polite = &polite;
            async move {
                polite.wait_turn(&url).await;
                start.elapsed()
            }
        };
        let (first, second, other_host) = tokio::join!(
            started_after("http://127.0.0.1:8000/recipes/1"),
            started_after("http://127.0.0.1:8000/recipes/2"),
            started_after("http://localhost:8000/recipes/3"),
        );
        assert_eq!(first, Duration::ZERO);
        assert_eq!(second, delay);
        assert_eq!(other_host, Duration::ZERO);
        // A request long after the last one does not wait.
        tokio::time::sleep(10 * delay).await;
        let later = started_after("http://127.0.0.1:8000/recipes/4").await;
        assert_eq!(later, 11 * delay);
    }

    /// Whether this process has `/dev/full` open.
    #[cfg(target_os = "linux")]
    fn dev_full_is_open() -> bool {
        std::fs::read_dir("/proc/self/fd")
            .expect("Linux lists open files in /proc")
            .filter_map(Result::ok)
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|to| to == Path::new("/dev/full")))
    }

    /// The log is Linux's `/dev/full`, which fails every write. The server
    /// answers `/recipes/1` at once and holds back the other pages until the
    /// writer has failed on the first line and closed the file. So the
    /// crawl stores the next page, then fails itself, because `log` can only
    /// say that the writer has stopped; `run` returns the writer's own
    /// error, which says why.
    #[cfg(target_os = "linux")]
    #[tokio::test(flavor = "multi_thread")]
    async fn on_a_full_disk_run_returns_the_writers_error() {
        let dir = ScratchDir::new("test-full").expect("a fresh directory");
        std::os::unix::fs::symlink("/dev/full", dir.path.join("crawl.log")).expect("a link");
        let first_asked = Arc::new(Notify::new());
        let (open_gate, gate) = watch::channel(false);
        let site = {
            let first_asked = Arc::clone(&first_asked);
            Router::new().route(
                "/recipes/{n}",
                get(move |UrlPath(n): UrlPath<u32>| async move {
                    if n == 1 {
                        first_asked.notify_one();
                    } else {
                        let _ = gate.clone().wait_for(|open| *open).await;
                    }
                    format!("recipe {n}: boil the eggs")
                }),
            )
        };
        let server = serve(site).await.expect("a server");
        let urls = (1..=4)
            .map(|n| url(server, &format!("/recipes/{n}")))
            .collect();
        let release_the_rest = async {
            // The log file is open before the first request.
            first_asked.notified().await;
            wait_until("the writer to close the log", || !dev_full_is_open()).await;
            open_gate.send_replace(true);
        };
        let (result, ()) = tokio::join!(run(&dir.path, urls, at_once(GENEROUS)), release_the_rest);
        let error = result.expect_err("the disk is full");
        let error = error.downcast_ref::<io::Error>().expect("an I/O error");
        assert_eq!(error.kind(), io::ErrorKind::StorageFull, "{error}");
        // The crawl stopped by itself, after storing the first batch that
        // arrived after the writer had stopped: page 1, then one or more.
        let stored = stored_urls(&dir.path);
        assert!(stored.len() >= 2, "{stored:?}");
        assert_eq!(stored[0], "/recipes/1");
    }

    /// A closing that never ends gives up at the deadline, to the second.
    #[tokio::test(start_paused = true)]
    async fn closing_gives_up_at_the_deadline() {
        let start = tokio::time::Instant::now();
        let never = std::future::pending::<Result<(), BoxError>>();
        let no_signal = std::future::pending::<Stop>();
        let error = close_within(SHUTDOWN_DEADLINE, no_signal, never)
            .await
            .expect_err("it gives up");
        assert_eq!(start.elapsed(), SHUTDOWN_DEADLINE);
        assert_eq!(error.to_string(), "closing took longer than 5s: gave up");
    }

    /// A closing stuck on the blocking pool, where `close_within` cannot
    /// stop it, does not keep the program from ending.
    #[test]
    fn a_closing_stuck_on_a_thread_does_not_keep_the_program_alive() {
        let (never_sent, stuck) = std::sync::mpsc::channel::<()>();
        let (done, ended) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let closing = async move {
                let _ = tokio::task::spawn_blocking(move || stuck.recv()).await;
                Ok(())
            };
            let no_signal = std::future::pending::<Stop>();
            let program = close_within(Duration::from_millis(10), no_signal, closing);
            let _ = done.send(run_then_leave(program).map(|closed| closed.is_err()));
        });
        let gave_up = ended
            .recv_timeout(Duration::from_secs(30))
            .expect("the runtime ends without waiting for the stuck thread");
        assert!(gave_up.expect("a runtime"), "closing gave up");
        drop(never_sent); // lets the stuck thread end
    }

    /// What a shell shows for a program killed by the signal: 128 plus
    /// its number, 2 for SIGINT and 15 for SIGTERM.
    #[test]
    fn the_exit_codes_are_those_of_a_program_killed_by_the_signal() {
        assert_eq!(Stop::CtrlC.exit_code(), ExitCode::from(130));
        assert_eq!(Stop::Terminate.exit_code(), ExitCode::from(143));
    }

    #[test]
    fn a_kept_scratch_directory_stays() {
        let dir = ScratchDir::new("test-keep").expect("a fresh directory");
        std::fs::write(dir.path.join("pages.db"), "rows").expect("a file");
        let path = dir.keep();
        assert!(path.join("pages.db").exists());
        std::fs::remove_dir_all(path).expect("removed by hand");
    }

    #[test]
    fn page_count_reads_one_optional_number() {
        let args = |list: &[&str]| {
            list.iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .into_iter()
        };
        assert_eq!(page_count(args(&[])), Ok(8));
        assert_eq!(page_count(args(&["40"])), Ok(40));
        for bad in [&["1"][..], &["101"], &["many"], &["4", "5"]] {
            assert!(page_count(args(bad)).is_err(), "{bad:?}");
        }
    }

    /// Ctrl-C and a crash, as signals sent to a child process (Unix only).
    #[cfg(unix)]
    mod signals {
        use super::*;
        use std::io::BufRead;
        use std::process::{Child, Command, Stdio};
        use std::sync::mpsc as std_mpsc;
        use std::time::Instant;
        use tokio::signal::unix::{SignalKind, signal};

        /// Where the child process keeps its database and log.
        const CHILD_DIR: &str = "CRAWL_AND_STORE_CHILD_DIR";
        /// The helper that crawls until a signal stops it, and what it
        /// prints once it has stored its three pages.
        const CRAWLER: &str = "child_crawls_until_stopped";
        const THREE_STORED: &str = "[3/4] pages done";

        /// Not a test of its own: the tests below run it in a child process.
        /// Three recipes arrive at once; `/stuck` never does, and with a
        /// timeout of an hour, far longer than the tests wait, the crawl
        /// waits for it until a signal stops it.
        #[test]
        #[ignore = "a helper that the signal tests run in a child process"]
        fn child_crawls_until_stopped() {
            let Some(dir) = std::env::var_os(CHILD_DIR) else {
                return;
            };
            let runtime = tokio::runtime::Runtime::new().expect("a runtime");
            let summary = runtime.block_on(async {
                let server = serve(recipe_site(Duration::ZERO)).await.expect("a server");
                let mut urls: Vec<Url> = (1..=3)
                    .map(|n| url(server, &format!("/recipes/{n}")))
                    .collect();
                urls.push(url(server, "/stuck"));
                run(Path::new(&dir), urls, at_once(Duration::from_secs(3600)))
                    .await
                    .expect("runs")
            });
            assert_eq!((summary.stored, summary.failed), (3, 0));
            assert!(summary.stopped_by.is_some(), "{summary:?}");
        }

        /// Not a test of its own: a test below runs it in a child process.
        /// A first signal starts a closing that never ends; the second must
        /// end it, long before the deadline of an hour.
        #[test]
        #[ignore = "a helper that the signal tests run in a child process"]
        fn child_hangs_while_closing() {
            if std::env::var_os(CHILD_DIR).is_none() {
                return;
            }
            let runtime = tokio::runtime::Runtime::new().expect("a runtime");
            runtime.block_on(async {
                let mut signals = Signals::listen().expect("signal handlers");
                println!("listening");
                let first = signals.next().await;
                println!("closing after {first}");
                let never = std::future::pending::<Result<(), BoxError>>();
                let hour = Duration::from_secs(3600);
                let error = close_within(hour, signals.next(), never)
                    .await
                    .expect_err("a second signal ends it");
                println!("{error}");
            });
        }

        /// Not a test of its own either: the Ctrl-C test below runs it in a
        /// child process. It runs `crawl` itself, with a `Db` whose
        /// connection thread it holds busy, so that the first `save` waits.
        /// It prints `saving` once that `save` waits in the queue, and lets
        /// the connection thread go only once the SIGINT has arrived.
        #[test]
        #[ignore = "a helper that the signal tests run in a child process"]
        fn child_is_interrupted_while_saving() {
            let Some(dir) = std::env::var_os(CHILD_DIR) else {
                return;
            };
            let dir = PathBuf::from(dir);
            let runtime = tokio::runtime::Runtime::new().expect("a runtime");
            let hour = Duration::from_secs(3600);
            let summary = runtime.block_on(async {
                let server = serve(recipe_site(Duration::ZERO)).await.expect("a server");
                let urls = vec![url(server, "/recipes/1"), url(server, "/stuck")];
                let db = Db::open(&dir.join("pages.db")).await.expect("a database");
                let (log, writer) = start_logger(&dir.join("crawl.log")).await.expect("a log");
                let mut signals = Signals::listen().expect("signal handlers");
                let mut interrupt = signal(SignalKind::interrupt()).expect("a handler for SIGINT");
                let held = hold(&db).await;
                let gate = async {
                    wait_until("the first save", || a_call_waits(&db)).await;
                    println!("saving");
                    interrupt.recv().await;
                    drop(held);
                };
                let crawl = crawl(urls, at_once(hour), &db, &log, &mut signals);
                let (summary, ()) = tokio::join!(crawl, gate);
                drop(log);
                writer.finish().await.expect("the log is written");
                summary.expect("crawls")
            });
            assert_eq!(
                summary,
                Summary {
                    stored: 1,
                    failed: 0,
                    commits: 1,
                    stopped_by: Some(Stop::CtrlC)
                }
            );
        }

        /// The child process, killed and waited for however the test ends.
        struct ChildGuard(Child);

        impl Drop for ChildGuard {
            fn drop(&mut self) {
                let _ = self.0.kill(); // fails only if it has ended already
                let _ = self.0.wait();
            }
        }

        /// Starts one of the helpers above and waits, at most 30 s, until it
        /// prints `ready`.
        fn start_child(
            dir: &Path,
            helper: &str,
            ready: &str,
        ) -> (ChildGuard, std_mpsc::Receiver<String>) {
            let mut child = Command::new(std::env::current_exe().expect("this test binary"))
                .args([
                    "--exact",
                    &format!("tests::signals::{helper}"),
                    "--ignored",
                    "--nocapture",
                ])
                .env(CHILD_DIR, dir)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .spawn()
                .expect("the child starts");
            let stdout = child.stdout.take().expect("piped");
            let child = ChildGuard(child);
            let (send, lines) = std_mpsc::channel();
            std::thread::spawn(move || {
                for line in io::BufReader::new(stdout).lines().map_while(Result::ok) {
                    if send.send(line).is_err() {
                        break;
                    }
                }
            });
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                match lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                    Ok(line) if line == ready => return (child, lines),
                    Ok(_) => continue,
                    // Dropping `child` as the panic unwinds kills it.
                    Err(error) => panic!("the child never printed {ready:?}: {error}"),
                }
            }
        }

        /// Sends `signal` (`INT`, `TERM` or `KILL`) to the child with the
        /// shell's own `kill`, which every `sh` has.
        fn send(child: &ChildGuard, signal: &str) {
            let sent = Command::new("sh")
                .args(["-c", &format!("kill -{signal} {}", child.0.id())])
                .status()
                .expect("`sh` runs");
            assert!(sent.success(), "kill -{signal} failed");
        }

        /// Sends `signal`, then waits at most 30 s for the child's output to
        /// end, and kills it if it is still running; returns whether it
        /// succeeded, and the rest of its output.
        fn signal_and_wait(
            mut child: ChildGuard,
            lines: std_mpsc::Receiver<String>,
            signal: &str,
        ) -> (bool, Vec<String>) {
            send(&child, signal);
            let mut rest = Vec::new();
            // The reader thread stops at the end of the child's output.
            let deadline = Instant::now() + Duration::from_secs(30);
            while let Ok(line) =
                lines.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                rest.push(line);
            }
            let _ = child.0.kill(); // in case it is still running: never hang
            let status = child.0.wait().expect("the child ends");
            (status.success(), rest)
        }

        /// Stops the crawling child with `signal`, and checks that it
        /// closed cleanly and kept its three pages.
        fn check_a_clean_stop(name: &str, signal: &str, stop: Stop) {
            let dir = ScratchDir::new(name).expect("a fresh directory");
            let (child, lines) = start_child(&dir.path, CRAWLER, THREE_STORED);
            let (succeeded, rest) = signal_and_wait(child, lines, signal);
            assert!(succeeded, "the child's own checks failed: {rest:?}");
            for line in [
                &format!("interrupted by {stop}: 3 stored, 0 failed"),
                "the database holds 3 pages",
                "the log holds 4 lines",
            ] {
                assert!(rest.iter().any(|l| l == line), "{line}: {rest:?}");
            }
            assert_eq!(
                stored_urls(&dir.path),
                ["/recipes/1", "/recipes/2", "/recipes/3"]
            );
            let log = log_lines(&dir.path);
            assert_eq!(log.len(), 4, "{log:?}");
            assert_eq!(log.last(), Some(&format!("interrupted by {stop}")));
        }

        #[test]
        fn ctrl_c_stops_the_downloads_and_keeps_what_was_stored() {
            check_a_clean_stop("test-ctrl-c", "INT", Stop::CtrlC);
        }

        #[test]
        fn sigterm_stops_the_crawl_as_cleanly_as_ctrl_c() {
            check_a_clean_stop("test-sigterm", "TERM", Stop::Terminate);
        }

        /// The first signal starts a closing that would take an hour; the
        /// second ends it at once.
        #[test]
        fn a_second_signal_ends_a_hanging_shutdown_at_once() {
            let dir = ScratchDir::new("test-twice").expect("a fresh directory");
            let (child, lines) = start_child(&dir.path, "child_hangs_while_closing", "listening");
            send(&child, "TERM");
            let closing = lines.recv_timeout(Duration::from_secs(30));
            assert_eq!(closing.as_deref(), Ok("closing after SIGTERM"));
            let (succeeded, rest) = signal_and_wait(child, lines, "INT");
            assert!(succeeded, "the child's own checks failed: {rest:?}");
            assert!(
                rest.iter().any(|l| l == "Ctrl-C while closing: gave up"),
                "{rest:?}"
            );
        }

        /// A crash runs no clean-up at all, yet every row that was stored stays:
        /// SQLite wrote it to the file before `save` returned.
        #[test]
        fn even_a_killed_process_keeps_the_stored_rows() {
            let dir = ScratchDir::new("test-kill").expect("a fresh directory");
            let (child, lines) = start_child(&dir.path, CRAWLER, THREE_STORED);
            let (succeeded, _) = signal_and_wait(child, lines, "KILL");
            assert!(!succeeded, "a killed process does not succeed");
            assert_eq!(
                stored_urls(&dir.path),
                ["/recipes/1", "/recipes/2", "/recipes/3"]
            );
        }

        /// The SIGINT arrives while the page is being saved. The save ends,
        /// its log line follows, and only then does the loop see the Ctrl-C:
        /// the row and its line are both there, and nothing after them.
        #[test]
        fn a_ctrl_c_during_a_save_lands_after_the_row_and_its_log_line() {
            let dir = ScratchDir::new("test-ctrl-c-saving").expect("a fresh directory");
            let (child, lines) =
                start_child(&dir.path, "child_is_interrupted_while_saving", "saving");
            let (succeeded, rest) = signal_and_wait(child, lines, "INT");
            assert!(succeeded, "the child's own checks failed: {rest:?}");
            assert_eq!(stored_urls(&dir.path), ["/recipes/1"]);
            let log = log_lines(&dir.path);
            assert_eq!(log.len(), 1, "{log:?}");
            assert!(
                log[0].starts_with("stored ") && log[0].ends_with("/recipes/1"),
                "{log:?}"
            );
        }
    }
}
