// Course section: What, Why & Threads vs Asyncio.
//
// Python idea it mirrors: `asyncio.start_server`, which runs one coroutine
// per connection, against `socketserver.ThreadingTCPServer`, which runs one
// thread per connection. Here a tokio echo server and a thread-per-connection
// echo server take the same load: clients in the same process that open
// every connection first, hold them all, and then all send their messages
// at once.
//
// Every server runs in a child process of its own (this program, started
// again with a hidden `--trial` argument), so that its peak memory is its
// own and a crash is reported instead of ending the program. Nothing
// listens anywhere but 127.0.0.1, every client has a time limit, a trial
// that runs too long is killed, and the program stops by itself.
//
// Run it with `cargo run --release --example many_connections`, or
// `-- 2000` for 2,000 connections; `-- --small` uses few connections, as the
// book's tests do. `./measure.sh` writes the book's table with
// `-- --write book/src/measured/many_connections.md`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
extern crate libc;
extern crate tokio;

use std::collections::BTreeMap;
use std::io::{self, Read as _, Write as _};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use std::{env, fs, thread};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::time::timeout;

/// Each client sends this many messages, one after another.
const ROUND_TRIPS: usize = 10;
/// The size of every message.
const MESSAGE_BYTES: usize = 64;
/// Connections opened when none are asked for, if the open-files limit allows.
const DEFAULT_CONNECTIONS: usize = 10_000;
/// Fewer connections than this would not say much: ask for a higher limit.
const MIN_CONNECTIONS: usize = 1_000;
/// Open files the program keeps for itself (standard streams, the runtime's
/// event queue, the listener, pipes to the child process...).
const SPARE_FILES: u64 = 64;
/// Connections on their way to the server at once, well below the
/// listener's backlog of 1,024.
const CONNECTING_AT_ONCE: usize = 256;
/// How long a client may take, from connecting to its last echo.
const CLIENT_LIMIT: Duration = Duration::from_secs(60);
/// How long a thread of the thread server waits for a client to say something.
const IDLE_LIMIT: Duration = Duration::from_secs(60);
/// How long one trial may run before it is killed.
const TRIAL_LIMIT: Duration = Duration::from_secs(180);

/// The first line of the output, and of the book's copy of it.
const TITLE: &str = "*Measured by `cargo run --release --example many_connections -- --write book/src/measured/many_connections.md`, which `./measure.sh` runs.*";

/// Counts the connections a server holds. Each one it accepts also gives a
/// client its turn to connect: no more than `CONNECTING_AT_ONCE` connections
/// wait for the server at a time, so the kernel's queue of connections not
/// yet accepted never overflows (an overflow costs a client a whole second).
#[derive(Clone)]
struct Held {
    count: Arc<AtomicUsize>,
    turns: Arc<Semaphore>,
}

impl Held {
    fn new() -> Held {
        Held {
            count: Arc::default(),
            turns: Arc::new(Semaphore::new(CONNECTING_AT_ONCE)),
        }
    }

    /// Counts one more connection until the returned guard is dropped.
    fn hold(&self) -> HeldGuard {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.turns.add_permits(1);
        HeldGuard(self.count.clone())
    }

    fn now(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}

struct HeldGuard(Arc<AtomicUsize>);

impl Drop for HeldGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

// ANCHOR: task_server
/// `asyncio.start_server(echo, ...)`: one task per connection.
async fn serve_with_tasks(listener: TcpListener, held: Held) -> io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let guard = held.hold();
        tokio::spawn(async move {
            let _ = echo(stream).await;
            drop(guard);
        });
    }
}

/// Sends back every byte it reads, until the client hangs up.
async fn echo(mut stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buffer = [0; MESSAGE_BYTES];
    loop {
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            return Ok(());
        }
        stream.write_all(&buffer[..read]).await?;
    }
}
// ANCHOR_END: task_server

// ANCHOR: thread_server
/// `socketserver.ThreadingTCPServer`: one OS thread per connection.
fn serve_with_threads(listener: std::net::TcpListener, held: Held) -> io::Result<()> {
    loop {
        let (stream, _) = listener.accept()?;
        let guard = held.hold();
        thread::Builder::new().spawn(move || {
            let _ = echo_blocking(stream);
            drop(guard);
        })?;
    }
}

fn echo_blocking(mut stream: std::net::TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(IDLE_LIMIT))?;
    let mut buffer = [0; MESSAGE_BYTES];
    loop {
        let read = stream.read(&mut buffer)?;
        if read == 0 {
            return Ok(());
        }
        stream.write_all(&buffer[..read])?;
    }
}
// ANCHOR_END: thread_server

// ANCHOR: client
/// Connects when it is its turn, says so, waits for the signal, then sends
/// `ROUND_TRIPS` messages, each after the echo of the one before, and times
/// each one.
async fn client(
    server: SocketAddr,
    turns: Arc<Semaphore>,
    connected: mpsc::UnboundedSender<bool>,
    mut go: watch::Receiver<bool>,
) -> io::Result<Vec<Duration>> {
    // The server hands the turn on when it accepts the connection.
    turns.acquire().await.expect("never closed").forget();
    let stream = TcpStream::connect(server).await;
    if stream.is_err() {
        turns.add_permits(1);
    }
    let _ = connected.send(stream.is_ok());
    let mut stream = stream?;
    stream.set_nodelay(true)?;
    if go.wait_for(|go| *go).await.is_err() {
        return Err(io::Error::other("the signal to start never came"));
    }

    let mut times = Vec::with_capacity(ROUND_TRIPS);
    let mut echo = [0; MESSAGE_BYTES];
    for round in 0..ROUND_TRIPS {
        let message = [round as u8; MESSAGE_BYTES];
        let sent = Instant::now();
        stream.write_all(&message).await?;
        stream.read_exact(&mut echo).await?;
        times.push(sent.elapsed());
        if echo != message {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "wrong echo"));
        }
    }
    Ok(times)
}
// ANCHOR_END: client

/// Which server a trial runs.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Server {
    Tasks,
    Threads,
}

impl Server {
    fn label(self) -> &'static str {
        match self {
            Server::Tasks => "one task per connection",
            Server::Threads => "one thread per connection",
        }
    }

    fn arg(self) -> &'static str {
        match self {
            Server::Tasks => "tasks",
            Server::Threads => "threads",
        }
    }
}

/// What one trial found. A child process prints it as `key value` lines and
/// the parent reads them back.
#[derive(Debug, Default, PartialEq)]
struct Outcome {
    connected: Option<usize>,
    held: Option<usize>,
    connect: Option<Duration>,
    round_trips: Option<usize>,
    failed: Option<usize>,
    busy: Option<Duration>,
    p50: Option<Duration>,
    p99: Option<Duration>,
    peak_kib: Option<u64>,
    resident_per_connection: Option<u64>,
    kernel_per_connection: Option<i64>,
    first_error: Option<String>,
}

/// The child's side: starts a server and the clients, and measures.
async fn trial(server: Server, connections: usize) -> io::Result<Outcome> {
    let mut outcome = Outcome::default();
    let before = Memory::now();
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
    let listener = socket.listen(1024)?;
    let address = listener.local_addr()?;
    let held = Held::new();
    let serving = match server {
        Server::Tasks => {
            let task = tokio::spawn(serve_with_tasks(listener, held.clone()));
            Serving::Task(task)
        }
        Server::Threads => {
            let listener = listener.into_std()?;
            listener.set_nonblocking(false)?;
            let held = held.clone();
            Serving::Thread(thread::spawn(move || serve_with_threads(listener, held)))
        }
    };

    let start = Instant::now();
    let (connected_tx, mut connected_rx) = mpsc::unbounded_channel();
    let (go, go_rx) = watch::channel(false);
    let clients: Vec<_> = (0..connections)
        .map(|_| {
            let client = client(
                address,
                held.turns.clone(),
                connected_tx.clone(),
                go_rx.clone(),
            );
            tokio::spawn(timeout(CLIENT_LIMIT, client))
        })
        .collect();
    drop(connected_tx);
    let mut connected = 0;
    let mut answered = 0;
    while answered < connections {
        match connected_rx.recv().await {
            Some(ok) => {
                answered += 1;
                connected += usize::from(ok);
            }
            None => break,
        }
    }
    // A client is connected when the kernel has finished the handshake; the
    // server holds the connection once it has accepted it.
    let deadline = Instant::now() + CLIENT_LIMIT;
    while held.now() < connected && Instant::now() < deadline && !serving.stopped() {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    outcome.connect = Some(start.elapsed());
    outcome.connected = Some(connected);
    outcome.held = Some(held.now());
    let while_held = Memory::now();

    let start = Instant::now();
    go.send_replace(true);
    let mut times = Vec::with_capacity(connections * ROUND_TRIPS);
    let mut failed = 0;
    for client in clients {
        let result = match client.await {
            Ok(Ok(result)) => result,
            Ok(Err(_elapsed)) => Err(io::Error::new(io::ErrorKind::TimedOut, "client timed out")),
            Err(join_error) => Err(io::Error::other(join_error)),
        };
        match result {
            Ok(client_times) => times.extend(client_times),
            Err(error) => {
                failed += 1;
                outcome.first_error.get_or_insert(error.to_string());
            }
        }
    }
    outcome.busy = Some(start.elapsed());
    outcome.round_trips = Some(times.len());
    outcome.failed = Some(failed);
    times.sort();
    outcome.p50 = times.get(times.len() / 2).copied();
    outcome.p99 = times.get(times.len() * 99 / 100).copied();
    if let Some(error) = serving.error().await {
        outcome.first_error = Some(format!("the server stopped: {error}"));
    }
    if let (Some(before), Some(while_held), Some(after)) = (before, while_held, Memory::now()) {
        let connections = connections.max(1);
        outcome.peak_kib = Some(after.peak);
        outcome.resident_per_connection =
            Some(after.peak.saturating_sub(before.resident) * 1024 / connections as u64);
        let kernel = while_held.kernel() as i64 - before.kernel() as i64;
        outcome.kernel_per_connection = Some(kernel * 1024 / connections as i64);
    }
    Ok(outcome)
}

/// A running server: a task, or a thread.
enum Serving {
    Task(tokio::task::JoinHandle<io::Result<()>>),
    Thread(thread::JoinHandle<io::Result<()>>),
}

impl Serving {
    fn stopped(&self) -> bool {
        match self {
            Serving::Task(task) => task.is_finished(),
            Serving::Thread(thread) => thread.is_finished(),
        }
    }

    /// Why the server stopped, if it did. A server that still runs is left
    /// to run: the process ends soon, and every thread with it.
    async fn error(self) -> Option<String> {
        if !self.stopped() {
            return None;
        }
        match self {
            Serving::Task(task) => match task.await {
                Ok(Ok(())) => None,
                Ok(Err(error)) => Some(error.to_string()),
                Err(error) => Some(error.to_string()),
            },
            Serving::Thread(thread) => match thread.join() {
                Ok(Ok(())) => None,
                Ok(Err(error)) => Some(error.to_string()),
                Err(_) => Some("the server thread panicked".into()),
            },
        }
    }
}

/// What Linux says about this process's memory, in KiB. The last two fields
/// count the whole machine: the kernel keeps no per-process total of them.
#[derive(Clone, Copy, Debug)]
struct Memory {
    /// `VmRSS`: the pages of this process in RAM now.
    resident: u64,
    /// `VmHWM`: the most `VmRSS` has ever been.
    peak: u64,
    /// `VmPTE`: the page tables that map this process's memory.
    page_tables: u64,
    /// `KernelStack` in `/proc/meminfo`.
    kernel_stacks: u64,
    /// `SUnreclaim` in `/proc/meminfo`: kernel objects in use, such as the
    /// kernel's side of every socket.
    kernel_objects: u64,
}

impl Memory {
    /// `None` where there is no `/proc` (any system but Linux).
    fn now() -> Option<Memory> {
        let status = fs::read_to_string("/proc/self/status").ok()?;
        let machine = fs::read_to_string("/proc/meminfo").ok()?;
        Some(Memory {
            resident: kib(&status, "VmRSS:")?,
            peak: kib(&status, "VmHWM:")?,
            page_tables: kib(&status, "VmPTE:")?,
            kernel_stacks: kib(&machine, "KernelStack:")?,
            kernel_objects: kib(&machine, "SUnreclaim:")?,
        })
    }

    fn kernel(&self) -> u64 {
        self.page_tables + self.kernel_stacks + self.kernel_objects
    }
}

/// The number after `key` in a `/proc` file, such as `VmRSS:  1234 kB`.
fn kib(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix(key))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

impl Outcome {
    fn to_lines(&self) -> String {
        let mut lines = String::new();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(value) = value {
                lines.push_str(&format!("{key} {value}\n"));
            }
        };
        let nanos = |d: Option<Duration>| d.map(|d| d.as_nanos().to_string());
        put("connected", self.connected.map(|n| n.to_string()));
        put("held", self.held.map(|n| n.to_string()));
        put("connect_ns", nanos(self.connect));
        put("round_trips", self.round_trips.map(|n| n.to_string()));
        put("failed", self.failed.map(|n| n.to_string()));
        put("busy_ns", nanos(self.busy));
        put("p50_ns", nanos(self.p50));
        put("p99_ns", nanos(self.p99));
        put("peak_kib", self.peak_kib.map(|n| n.to_string()));
        put(
            "resident_per_connection",
            self.resident_per_connection.map(|n| n.to_string()),
        );
        put(
            "kernel_per_connection",
            self.kernel_per_connection.map(|n| n.to_string()),
        );
        put("first_error", self.first_error.clone());
        lines
    }

    fn from_lines(text: &str) -> Outcome {
        let values: BTreeMap<&str, &str> = text
            .lines()
            .filter_map(|line| line.split_once(' '))
            .collect();
        let number = |key: &str| values.get(key).and_then(|v| v.parse::<u64>().ok());
        let count = |key: &str| number(key).map(|n| n as usize);
        let nanos = |key: &str| number(key).map(Duration::from_nanos);
        Outcome {
            connected: count("connected"),
            held: count("held"),
            connect: nanos("connect_ns"),
            round_trips: count("round_trips"),
            failed: count("failed"),
            busy: nanos("busy_ns"),
            p50: nanos("p50_ns"),
            p99: nanos("p99_ns"),
            peak_kib: number("peak_kib"),
            resident_per_connection: number("resident_per_connection"),
            kernel_per_connection: values
                .get("kernel_per_connection")
                .and_then(|v| v.parse().ok()),
            first_error: values.get("first_error").map(|v| v.to_string()),
        }
    }
}

/// The child's side: `--trial tasks|threads CONNECTIONS`.
fn run_trial(args: &[String]) -> Result<(), String> {
    let server = match args.first().map(String::as_str) {
        Some("tasks") => Server::Tasks,
        Some("threads") => Server::Threads,
        _ => return Err(format!("unknown trial: {args:?}")),
    };
    let connections = args
        .get(1)
        .and_then(|arg| arg.parse().ok())
        .ok_or("--trial needs a number of connections")?;
    // tokio's default runtime, one worker thread per core, runs the clients
    // in both trials, and the server in the first.
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;

    let outcome = runtime
        .block_on(trial(server, connections))
        .map_err(|e| e.to_string())?;
    print!("{}", outcome.to_lines());
    // Threads of the thread server that still wait for a client end with
    // the process: Rust does not wait for them when `main` returns.
    Ok(())
}

/// The open-files limits of this process: the soft one it runs with, the
/// hard one it may raise the soft one to, and the soft one it started with.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Files {
    was: u64,
    soft: u64,
    hard: u64,
}

/// Raises the soft limit on open files to the hard limit: any process may.
#[cfg(unix)]
fn raise_open_files_limit() -> io::Result<Files> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `getrlimit` writes one `rlimit` through the pointer, which
    // points to a live, writable local of exactly that type.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let was = limit.rlim_cur;
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max;
        // SAFETY: `setrlimit` only reads the `rlimit` behind the pointer,
        // a live local of exactly that type.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
            // Some systems (macOS) refuse "unlimited": keep the old limit.
            limit.rlim_cur = was;
        }
    }
    // `rlim_t` is `u64` on most systems, not on all of them.
    #[allow(clippy::unnecessary_cast)]
    let files = Files {
        was: was as u64,
        soft: limit.rlim_cur as u64,
        hard: limit.rlim_max as u64,
    };
    Ok(files)
}

#[cfg(not(unix))]
fn raise_open_files_limit() -> io::Result<Files> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no open-files limit to read here",
    ))
}

/// Open files needed for `connections` connections within this process.
fn files_needed(connections: usize) -> u64 {
    2 * connections as u64 + SPARE_FILES
}

/// How many connections to open, and why; or why there are too few files.
fn pick_connections(asked: Option<usize>, files: Option<Files>) -> Result<(usize, String), String> {
    let Some(files) = files else {
        let connections = asked.unwrap_or(DEFAULT_CONNECTIONS);
        return Ok((connections, "the open-files limit is unknown here".into()));
    };
    let wanted = asked.unwrap_or(DEFAULT_CONNECTIONS);
    let needed = files_needed(wanted);
    if needed <= files.soft {
        let why = format!(
            "{} open files needed (2 per connection, for its client end and its server end, and {SPARE_FILES} spare); {} allowed",
            thousands(needed),
            thousands(files.soft)
        );
        return Ok((wanted, why));
    }
    let fits = (files.soft.saturating_sub(SPARE_FILES) / 2) as usize / 100 * 100;
    if asked.is_none() && fits >= MIN_CONNECTIONS {
        let why = format!(
            "the most that fit, in hundreds: {} would need {} open files (2 per connection, for its client end and its server end, and {SPARE_FILES} spare), and the limit is {}",
            thousands(wanted as u64),
            thousands(needed),
            thousands(files.soft)
        );
        return Ok((fits, why));
    }
    let mut message = format!(
        "{} connections need {} open files (2 per connection, for its client end and its server end, and {SPARE_FILES} spare), but this process may open at most {} (its hard limit). Run `ulimit -n {needed}` first (raising a hard limit needs root, or a `nofile` line in /etc/security/limits.conf)",
        thousands(wanted as u64),
        thousands(needed),
        thousands(files.hard),
    );
    if fits >= MIN_CONNECTIONS {
        message.push_str(&format!(", or ask for fewer connections: `-- {fits}`"));
    }
    Err(message)
}

/// One row of the table.
struct Trial {
    server: Server,
    connections: usize,
}

/// Each server with `first` connections, then with `connections`.
fn trials(first: usize, connections: usize) -> Vec<Trial> {
    let mut sizes = vec![first.min(connections), connections];
    sizes.dedup();
    [Server::Tasks, Server::Threads]
        .into_iter()
        .flat_map(|server| {
            sizes.iter().map(move |&connections| Trial {
                server,
                connections,
            })
        })
        .collect()
}

/// How a child process ended, and what it printed.
struct Finished {
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
}

/// Runs `command`, killing it after `limit`; reads its output as it comes,
/// so that a child with much to say never blocks on a full pipe.
fn run_bounded(mut command: Command, limit: Duration) -> io::Result<Finished> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdout = read_in_background(child.stdout.take());
    let stderr = read_in_background(child.stderr.take());
    let status = wait_at_most(&mut child, limit)?;
    Ok(Finished {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

fn read_in_background(pipe: Option<impl io::Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

/// `None` if the child was still running after `limit` and was killed.
fn wait_at_most(child: &mut Child, limit: Duration) -> io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            child.kill()?;
            child.wait()?;
            return Ok(None);
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// "exited with status 1", "aborted (SIGABRT)", "was killed after 180 s".
fn describe_end(status: Option<ExitStatus>, limit: Duration) -> String {
    let Some(status) = status else {
        return format!("was killed after {} s", limit.as_secs());
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return match signal {
                6 => "aborted (SIGABRT)".into(),
                9 => "was killed (SIGKILL)".into(),
                11 => "crashed (SIGSEGV)".into(),
                other => format!("was stopped by signal {other}"),
            };
        }
    }
    match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => "ended abnormally".into(),
    }
}

/// The first lines of a crash report worth reading: messages, not locations.
fn crash_messages(stderr: &str) -> Vec<String> {
    let mut messages: Vec<String> = Vec::new();
    for line in stderr.lines().map(str::trim) {
        let noise = line.is_empty()
            || line.starts_with("thread '")
            || line.starts_with("stack backtrace")
            || line.starts_with("note: ");
        if !noise && !messages.iter().any(|m| m == line) {
            messages.push(line.to_string());
        }
    }
    messages.truncate(2);
    messages
}

/// One finished trial, ready for the table.
struct Row {
    trial: Trial,
    outcome: Outcome,
    problem: Option<String>,
}

fn run(trial: Trial) -> io::Result<Row> {
    let mut command = Command::new(env::current_exe()?);
    command
        .arg("--trial")
        .arg(trial.server.arg())
        .arg(trial.connections.to_string())
        .env("RUST_BACKTRACE", "0");
    let finished = run_bounded(command, TRIAL_LIMIT)?;
    let outcome = Outcome::from_lines(&finished.stdout);
    let mut problems = Vec::new();
    if let Some(error) = &outcome.first_error {
        let failed = outcome.failed.unwrap_or(0);
        problems.push(format!(
            "{} clients failed; the first error: `{error}`",
            thousands(failed as u64)
        ));
    }
    if !finished.status.is_some_and(|status| status.success()) {
        let mut problem = format!("the process {}", describe_end(finished.status, TRIAL_LIMIT));
        let messages = crash_messages(&finished.stderr);
        if !messages.is_empty() {
            let quoted: Vec<String> = messages.iter().map(|m| format!("`{m}`")).collect();
            problem.push_str(&format!(": {}", quoted.join(", ")));
        }
        problems.push(problem);
    }
    let problem = (!problems.is_empty()).then(|| problems.join("; "));
    Ok(Row {
        trial,
        outcome,
        problem,
    })
}

const HEADERS: [&str; 11] = [
    "Server",
    "Connections",
    "Held at once",
    "Connect all (ms)",
    "Round trips",
    "Round trips per second",
    "p50 (ms)",
    "p99 (ms)",
    "Peak RSS (MB)",
    "RSS per connection (bytes)",
    "Kernel per connection (bytes)",
];

fn table_row(row: &Row) -> Vec<String> {
    let o = &row.outcome;
    let dash = || "—".to_string();
    let count = |n: Option<usize>| n.map_or_else(dash, |n| thousands(n as u64));
    let ms = |d: Option<Duration>| d.map_or_else(dash, |d| decimal(d.as_secs_f64() * 1000.0, 2));
    let rate = match (o.round_trips, o.busy) {
        (Some(done), Some(busy)) if !busy.is_zero() => {
            thousands((done as f64 / busy.as_secs_f64()) as u64)
        }
        _ => dash(),
    };
    vec![
        row.trial.server.label().to_string(),
        thousands(row.trial.connections as u64),
        count(o.held),
        o.connect
            .map_or_else(dash, |d| decimal(d.as_secs_f64() * 1000.0, 1)),
        count(o.round_trips),
        rate,
        ms(o.p50),
        ms(o.p99),
        o.peak_kib
            .map_or_else(dash, |kib| decimal(kib as f64 / 1024.0, 1)),
        o.resident_per_connection.map_or_else(dash, thousands),
        o.kernel_per_connection.map_or_else(dash, |n| {
            let sign = if n < 0 { "-" } else { "" };
            format!("{sign}{}", thousands(n.unsigned_abs()))
        }),
    ]
}

/// The facts above the table: `(key, value)`.
fn report(rows: &[Row], facts: &[(&str, String)]) -> String {
    let mut text = format!("{TITLE}\n\n");
    let lines: Vec<String> = facts
        .iter()
        .map(|(key, value)| format!("**{key}:** {value}"))
        .collect();
    text.push_str(&lines.join("\\\n"));
    text.push_str("\n\n");
    let cells: Vec<Vec<String>> = rows.iter().map(table_row).collect();
    let mut right = [true; HEADERS.len()];
    right[0] = false;
    text.push_str(&markdown_table(&HEADERS, &cells, &right));
    let problems: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let problem = row.problem.as_ref()?;
            Some(format!(
                "- {}, {} connections: {problem}.\n",
                row.trial.server.label(),
                thousands(row.trial.connections as u64)
            ))
        })
        .collect();
    if !problems.is_empty() {
        text.push('\n');
        text.push_str(&problems.concat());
    }
    text
}

/// A Markdown table, padded so that it also reads well in a terminal.
fn markdown_table(headers: &[&str], rows: &[Vec<String>], right: &[bool]) -> String {
    let width = |column: usize| {
        rows.iter()
            .map(|row| row[column].chars().count())
            .chain([headers[column].chars().count(), 3])
            .max()
            .unwrap_or(3)
    };
    let widths: Vec<usize> = (0..headers.len()).map(width).collect();
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    let pad = |text: &str, column: usize| {
        if right[column] {
            format!("{text:>w$}", w = widths[column])
        } else {
            format!("{text:<w$}", w = widths[column])
        }
    };
    let mut table = line(headers.iter().enumerate().map(|(c, h)| pad(h, c)).collect());
    table.push_str(&line(
        widths
            .iter()
            .enumerate()
            .map(|(c, w)| {
                if right[c] {
                    format!("{}:", "-".repeat(w - 1))
                } else {
                    "-".repeat(*w)
                }
            })
            .collect(),
    ));
    for row in rows {
        table.push_str(&line(
            row.iter().enumerate().map(|(c, t)| pad(t, c)).collect(),
        ));
    }
    table
}

/// `1,234,567`
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// `1,234.5` with `places` decimals.
fn decimal(value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let whole = thousands(whole.parse().unwrap_or(0));
    if fraction.is_empty() {
        whole
    } else {
        format!("{whole}.{fraction}")
    }
}

/// A number from `/proc`, or "unknown" where there is none.
fn proc_value(path: &str) -> String {
    fs::read_to_string(path)
        .ok()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .map_or_else(|| "unknown".into(), thousands)
}

fn machine() -> String {
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|text| format!("Linux {}", text.trim()))
        .unwrap_or_else(|_| env::consts::OS.to_string());
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    let memory = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| kib(&text, "MemTotal:"))
        .map_or_else(
            || "unknown memory".into(),
            |kib| format!("{} GiB of memory", decimal(kib as f64 / 1024.0 / 1024.0, 1)),
        );
    format!(
        "{kernel} {}, {cpu}, {cores} cores, {memory}",
        env::consts::ARCH
    )
}

fn limits(files: Option<Files>) -> String {
    let files = files.map_or_else(
        || "open files unknown".into(),
        |f| {
            if f.was == f.soft {
                format!("open files {}", thousands(f.soft))
            } else {
                format!(
                    "open files {}, raised from {} (the hard limit is {})",
                    thousands(f.soft),
                    thousands(f.was),
                    thousands(f.hard)
                )
            }
        },
    );
    format!(
        "{files}, kernel.threads-max {}, vm.max_map_count {}, net.core.somaxconn {}",
        proc_value("/proc/sys/kernel/threads-max"),
        proc_value("/proc/sys/vm/max_map_count"),
        proc_value("/proc/sys/net/core/somaxconn"),
    )
}

/// `2025-06-01 14:05 UTC`, from the system clock.
fn utc_now() -> String {
    utc(SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()))
}

/// The date and time `seconds` after 1970-01-01 00:00 UTC.
fn utc(seconds: u64) -> String {
    let (days, rest) = ((seconds / 86_400) as i64, seconds % 86_400);
    // Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a date.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3600,
        rest / 60 % 60
    )
}

struct Options {
    small: bool,
    write: Option<String>,
    connections: Option<usize>,
}

fn options(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        small: false,
        write: None,
        connections: None,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--small" => options.small = true,
            "--write" => options.write = Some(args.next().ok_or("--write needs a file name")?),
            number => match number.parse() {
                Ok(n) if n > 0 && options.connections.is_none() => options.connections = Some(n),
                _ => {
                    return Err(format!(
                        "unexpected argument `{arg}`; give a number of connections, --small or --write FILE"
                    ));
                }
            },
        }
    }
    Ok(options)
}

/// Connections in `--small` mode, for the book's tests: two sizes, as in a
/// full run.
const SMALL_FIRST: usize = 10;
const SMALL_CONNECTIONS: usize = 50;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    if args.first().is_some_and(|arg| arg == "--trial") {
        return match run_trial(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        };
    }
    let options = match options(args.into_iter()) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    // The children inherit the raised limit.
    let files = raise_open_files_limit().ok();
    let asked = if options.small {
        Some(SMALL_CONNECTIONS)
    } else {
        options.connections
    };
    let (connections, why) = match pick_connections(asked, files) {
        Ok(picked) => picked,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let why = if options.small {
        "`--small`, for the book's tests".to_string()
    } else {
        why
    };

    let began = Instant::now();
    let mut rows = Vec::new();
    let first = if options.small {
        SMALL_FIRST
    } else {
        MIN_CONNECTIONS
    };
    for trial in trials(first, connections) {
        eprint!(
            "{}, {} connections: ",
            trial.server.label(),
            thousands(trial.connections as u64)
        );
        let started = Instant::now();
        match run(trial) {
            Ok(row) => {
                eprintln!("{:.1} s", started.elapsed().as_secs_f64());
                rows.push(row);
            }
            Err(error) => {
                eprintln!("error: cannot start a trial: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let measured = format!(
        "{}, {build} build, {:.0} s in all",
        utc_now(),
        began.elapsed().as_secs_f64()
    );
    let memory = if Memory::now().is_some() {
        "peak RSS is `VmHWM` in `/proc/self/status`; RSS per connection is the peak less `VmRSS` before the server started, per connection; the kernel's share is `VmPTE` (this process's page tables) plus `KernelStack` and `SUnreclaim` in `/proc/meminfo` (which count the whole machine) while all connections are open, less the same before"
    } else {
        "not measured: it is read from `/proc`, which only Linux has"
    };
    let facts = [
        ("Machine", machine()),
        ("Limits", limits(files)),
        (
            "Connections",
            format!("{}: {why}", thousands(connections as u64)),
        ),
        (
            "Load",
            format!(
                "clients are tokio tasks in the same process, for both servers; all connect first (at most {CONNECTING_AT_ONCE} not yet accepted at a time), then each sends {ROUND_TRIPS} messages of {MESSAGE_BYTES} bytes, each after the echo of the one before, all clients at once"
            ),
        ),
        ("Measured", measured),
        ("Memory", memory.to_string()),
    ];
    let text = report(&rows, &facts);
    print!("{text}");
    if let Some(path) = options.write {
        if let Err(error) = fs::write(&path, &text) {
            eprintln!("error: cannot write {path}: {error}");
            return ExitCode::FAILURE;
        }
        eprintln!("wrote {path}");
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both servers, a few clients each: every round trip comes back.
    #[test]
    fn both_servers_echo_every_message() {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        for server in [Server::Tasks, Server::Threads] {
            let outcome = runtime.block_on(trial(server, 20)).expect("the trial runs");
            assert_eq!(outcome.connected, Some(20), "{server:?}");
            assert_eq!(outcome.held, Some(20), "{server:?}");
            assert_eq!(outcome.round_trips, Some(20 * ROUND_TRIPS), "{server:?}");
            assert_eq!(outcome.failed, Some(0), "{server:?}");
            assert_eq!(outcome.first_error, None, "{server:?}");
            assert!(outcome.p50 <= outcome.p99, "{server:?}");
        }
    }

    #[test]
    fn an_outcome_survives_the_trip_through_a_pipe() {
        let outcome = Outcome {
            connected: Some(9_900),
            held: Some(9_900),
            connect: Some(Duration::from_nanos(123_456_789)),
            round_trips: Some(99_000),
            failed: Some(0),
            busy: Some(Duration::from_nanos(800_000_000)),
            p50: Some(Duration::from_nanos(600_000)),
            p99: Some(Duration::from_nanos(9_000_000)),
            peak_kib: Some(25_000),
            resident_per_connection: Some(2_400),
            kernel_per_connection: Some(-3),
            first_error: Some("connection reset by peer".into()),
        };
        assert_eq!(Outcome::from_lines(&outcome.to_lines()), outcome);
    }

    fn files(soft: u64, hard: u64) -> Option<Files> {
        Some(Files {
            was: 1024,
            soft,
            hard,
        })
    }

    #[test]
    fn the_default_is_ten_thousand_when_they_fit() {
        let (picked, why) = pick_connections(None, files(20_064, 20_064)).expect("fits");
        assert_eq!(picked, 10_000);
        assert!(why.contains("20,064 open files needed"), "{why}");
    }

    #[test]
    fn otherwise_the_most_that_fit_in_hundreds() {
        // 10,000 connections need 20,064 files: 20,000 hold 9,968.
        let (picked, why) = pick_connections(None, files(20_000, 20_000)).expect("fits");
        assert_eq!(picked, 9_900);
        assert!(why.contains("10,000 would need 20,064 open files"), "{why}");
    }

    #[test]
    fn too_few_files_is_an_error_that_says_what_to_run() {
        let error = pick_connections(None, files(1_024, 1_024)).expect_err("1,024 is too few");
        assert!(error.contains("`ulimit -n 20064`"), "{error}");
        assert!(!error.contains("ask for fewer"), "{error}");

        let error = pick_connections(Some(15_000), files(20_000, 20_000)).expect_err("too many");
        assert!(
            error.contains("15,000 connections need 30,064 open files"),
            "{error}"
        );
        assert!(error.contains("`ulimit -n 30064`"), "{error}");
        assert!(error.contains("`-- 9900`"), "{error}");
    }

    #[test]
    fn a_number_asked_for_is_used_as_it_is() {
        let (picked, _) = pick_connections(Some(1_234), files(20_000, 20_000)).expect("fits");
        assert_eq!(picked, 1_234);
    }

    #[test]
    fn each_server_runs_at_a_thousand_and_at_the_full_count() {
        let sizes: Vec<(Server, usize)> = trials(MIN_CONNECTIONS, 9_900)
            .iter()
            .map(|t| (t.server, t.connections))
            .collect();
        assert_eq!(
            sizes,
            [
                (Server::Tasks, 1_000),
                (Server::Tasks, 9_900),
                (Server::Threads, 1_000),
                (Server::Threads, 9_900)
            ]
        );
        assert_eq!(trials(MIN_CONNECTIONS, 500).len(), 2);
        assert_eq!(trials(SMALL_FIRST, SMALL_CONNECTIONS).len(), 4);
    }

    /// This process's open-files limits, soft and hard, as `u64`s.
    #[cfg(unix)]
    #[allow(clippy::unnecessary_cast)] // `rlim_t` is `u64` on most systems
    fn open_files_limits() -> (u64, u64) {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: as in `raise_open_files_limit`.
        let read = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
        assert_eq!(read, 0, "getrlimit works");
        (limit.rlim_cur as u64, limit.rlim_max as u64)
    }

    /// Reads the limits back from the system after `raise_open_files_limit`.
    /// Where the soft limit is already the hard one, the test first lowers
    /// it by one (if the system lets it), so that there is something to
    /// raise; a lower soft limit is always allowed.
    #[cfg(unix)]
    #[test]
    #[allow(clippy::unnecessary_cast)] // `rlim_t` is `u64` on most systems
    fn the_soft_limit_is_raised_to_the_hard_limit() {
        let (soft, hard) = open_files_limits();
        if soft == hard && hard > 256 {
            let lower = libc::rlimit {
                rlim_cur: (hard - 1) as libc::rlim_t,
                rlim_max: hard as libc::rlim_t,
            };
            // SAFETY: as in `raise_open_files_limit`. A refusal leaves
            // the limits as they were, which the checks below allow for.
            unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lower) };
        }
        let (before, _) = open_files_limits();

        let files = raise_open_files_limit().expect("getrlimit works");

        let (after, hard) = open_files_limits();
        assert_eq!(
            files,
            Files {
                was: before,
                soft: after,
                hard
            }
        );
        // Linux refuses any limit above `fs.nr_open` (for instance an
        // unlimited hard limit); the function then keeps the old one.
        let most = fs::read_to_string("/proc/sys/fs/nr_open")
            .ok()
            .and_then(|text| text.trim().parse::<u64>().ok());
        match most {
            Some(most) if hard > most => assert_eq!(after, before),
            Some(_) => assert_eq!(after, hard),
            // Not Linux: raised to the hard limit, or refused and kept.
            None => assert!(after == hard || after == before, "{after} {hard}"),
        }
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_825_600), "2000-02-29 12:00 UTC");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13 UTC");
    }
}
