// Course section: What, Why & Threads vs Asyncio.
//
// Python idea it mirrors: `asyncio.start_server`, which runs one coroutine
// per connection, against `socketserver.ThreadingTCPServer`, which runs one
// thread per connection. Four echo servers take the same load: a tokio
// server with a task per connection, a Rust server with a thread per
// connection, and the two Python servers of examples/many_connections.py.
//
// Every server runs in a child process of its own, and the load comes from
// another: this program, started again with `--load`, whose clients (tokio
// tasks) open every connection first, hold them all, and then all send their
// messages at once. So the server's process holds the server and nothing
// else, and what the kernel says about it (memory, CPU time, context
// switches) is the server's. Nothing listens anywhere but 127.0.0.1, every
// client and every server connection has a time limit, a server stops when
// the program that started it closes its input, a trial that runs too long
// is killed, and the program stops by itself.
//
// Run it with `cargo run --release --example many_connections`, or
// `-- 2000` for 2,000 connections; `-- --small` uses few connections, as the
// book's tests do; `-- --python PATH` picks the Python (`python3` otherwise).
// `./measure.sh` writes the book's tables with
// `-- --write book/src/measured/many_connections.md`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
extern crate libc;
extern crate measuring;
extern crate tokio;

use std::io::{self, BufRead as _, Read as _, Write as _};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::{Arc, mpsc as std_mpsc};
use std::time::{Duration, Instant};
use std::{env, fs, thread};

use measuring::{
    Memory, Options, Python, Spread, Usage, decimal, header, markdown_table, thousands,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::time::timeout;

/// Each client sends at least this many timed messages, one after another...
const ROUND_TRIPS: usize = 10;
/// ...and more, with fewer connections, so that every run has at least this
/// many round trips in all (`SMALL_ALL_ROUND_TRIPS` with `--small`).
const ALL_ROUND_TRIPS: usize = 50_000;
const SMALL_ALL_ROUND_TRIPS: usize = 500;
/// Round trips each client makes first, not timed, and not counted.
const WARM_UP: usize = 2;
/// The size of every message.
const MESSAGE_BYTES: usize = 64;
/// Connections opened when none are asked for, if the open-files limit allows.
const DEFAULT_CONNECTIONS: usize = 10_000;
/// Fewer connections than this would not say much: ask for a higher limit.
const MIN_CONNECTIONS: usize = 1_000;
/// Open files a process keeps for itself (standard streams, the runtime's
/// event queue, the listener, pipes...).
const SPARE_FILES: u64 = 64;
/// Clients connecting at once: each one's turn ends with its first echo, so
/// no more than this many connections wait for the server to accept them,
/// well below the listener's backlog of 1,024.
const CONNECTING_AT_ONCE: usize = 256;
/// The backlog every server asks for.
const BACKLOG: u32 = 1_024;
/// How long a client may take to connect, to warm up, and (from the signal
/// to start) to make its timed round trips: each of the three.
const CLIENT_LIMIT: Duration = Duration::from_secs(20);
/// How long a server waits for a client to say something.
const IDLE_LIMIT: Duration = Duration::from_secs(60);
/// How long one trial may run before its processes are killed.
const TRIAL_LIMIT: Duration = Duration::from_secs(180);
/// How many times each trial runs.
const RUNS: usize = 3;

/// The first line of the output, and of the book's copy of it.
const TITLE: &str = "*Measured by `cargo run --release --example many_connections -- --write book/src/measured/many_connections.md`, which `./measure.sh` runs.*";

// ANCHOR: task_server
/// `asyncio.start_server(echo, ...)`: one task per connection.
async fn serve_with_tasks(listener: TcpListener) -> io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(echo(stream));
    }
}

/// Sends back every byte it reads, until the client hangs up or stays
/// silent for `IDLE_LIMIT`.
async fn echo(mut stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buffer = [0; MESSAGE_BYTES];
    loop {
        let read = timeout(IDLE_LIMIT, stream.read(&mut buffer)).await??;
        if read == 0 {
            return Ok(());
        }
        stream.write_all(&buffer[..read]).await?;
    }
}
// ANCHOR_END: task_server

// ANCHOR: thread_server
/// `socketserver.ThreadingTCPServer`: one OS thread per connection.
fn serve_with_threads(listener: std::net::TcpListener) -> io::Result<()> {
    loop {
        let (stream, _) = listener.accept()?;
        thread::Builder::new().spawn(move || echo_blocking(stream))?;
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
/// Connects when it is its turn and checks with one message (not timed) that
/// the server holds the connection; says so. At the first signal, makes
/// `WARM_UP` round trips and says so; at the second, makes `trips` round
/// trips, each after the echo of the one before, and times each one.
/// Returns the connection too: the caller keeps it open until the server
/// has been measured.
async fn client(
    server: SocketAddr,
    turns: Arc<Semaphore>,
    connected: mpsc::UnboundedSender<bool>,
    warmed: mpsc::UnboundedSender<bool>,
    mut phase: watch::Receiver<u8>,
    trips: usize,
) -> io::Result<(Vec<Duration>, TcpStream)> {
    let turn = turns.acquire().await.expect("never closed");
    let stream = limited(connect(server)).await;
    drop(turn);
    let _ = connected.send(stream.is_ok());
    let mut stream = stream?;

    let _ = phase.wait_for(|&phase| phase >= 1).await;
    let warm = limited(async {
        for _ in 0..WARM_UP {
            round_trip(&mut stream, 0).await?;
        }
        Ok(())
    })
    .await;
    let _ = warmed.send(warm.is_ok());
    warm?;

    let _ = phase.wait_for(|&phase| phase >= 2).await;
    let mut times = Vec::with_capacity(trips);
    limited(async {
        for round in 0..trips {
            let sent = Instant::now();
            round_trip(&mut stream, round as u8).await?;
            times.push(sent.elapsed());
        }
        Ok(())
    })
    .await?;
    Ok((times, stream))
}

/// `work`, or a `TimedOut` error after `CLIENT_LIMIT`.
async fn limited<T>(work: impl Future<Output = io::Result<T>>) -> io::Result<T> {
    timeout(CLIENT_LIMIT, work)
        .await
        .unwrap_or_else(|_| Err(io::Error::new(io::ErrorKind::TimedOut, "client timed out")))
}

async fn connect(server: SocketAddr) -> io::Result<TcpStream> {
    let mut stream = TcpStream::connect(server).await?;
    stream.set_nodelay(true)?;
    round_trip(&mut stream, u8::MAX).await?;
    Ok(stream)
}

/// Sends one message, and reads its echo.
async fn round_trip(stream: &mut TcpStream, fill: u8) -> io::Result<()> {
    let message = [fill; MESSAGE_BYTES];
    let mut echo = [0; MESSAGE_BYTES];
    stream.write_all(&message).await?;
    stream.read_exact(&mut echo).await?;
    if echo != message {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "wrong echo"));
    }
    Ok(())
}
// ANCHOR_END: client

/// Which server a trial runs.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Server {
    Tasks,
    Threads,
    Asyncio,
    PythonThreads,
}

impl Server {
    const ALL: [Server; 4] = [
        Server::Tasks,
        Server::Threads,
        Server::Asyncio,
        Server::PythonThreads,
    ];

    fn label(self) -> &'static str {
        match self {
            Server::Tasks => "tokio tasks",
            Server::Threads => "Rust threads",
            Server::Asyncio => "asyncio tasks",
            Server::PythonThreads => "Python threads",
        }
    }

    /// The command that starts it; `None` for a Python server without Python.
    fn command(self, python: Result<&Python, &String>) -> io::Result<Option<Command>> {
        let (program, kind) = match self {
            Server::Tasks => (None, "tasks"),
            Server::Threads => (None, "threads"),
            Server::Asyncio => (Some(python), "asyncio"),
            Server::PythonThreads => (Some(python), "threads"),
        };
        let command = match program {
            None => {
                let mut command = Command::new(env::current_exe()?);
                command.env("RUST_BACKTRACE", "0");
                command
            }
            Some(Ok(python)) => {
                let mut command = Command::new(&python.executable);
                command
                    .args(["-I", "-W", "error::DeprecationWarning"])
                    .arg(measuring::twin("many_connections"));
                command
            }
            Some(Err(_)) => return Ok(None),
        };
        let mut command = command;
        command.args(["--serve", kind]);
        Ok(Some(command))
    }
}

/// The server's side: `--serve tasks|threads`. Prints `listening ADDRESS`,
/// then serves until its standard input closes.
fn serve(kind: &str) -> Result<(), String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    // The parent holds our input open; when it closes it, or ends, we end.
    thread::spawn(|| {
        let _ = io::copy(&mut io::stdin(), &mut io::sink());
        std::process::exit(0);
    });
    let listener = with_backlog(listener).map_err(|e| e.to_string())?;
    // The runtime starts before `listening`, so that what the parent counts
    // from then on is the connections' alone.
    let runtime = match kind {
        "tasks" => Some(tokio::runtime::Runtime::new().map_err(|e| e.to_string())?),
        "threads" => None,
        _ => return Err(format!("unknown server: {kind}")),
    };
    println!("listening {address}");
    let _ = io::stdout().flush();
    let served = match runtime {
        Some(runtime) => runtime.block_on(async {
            listener.set_nonblocking(true)?;
            serve_with_tasks(TcpListener::from_std(listener)?).await
        }),
        None => serve_with_threads(listener),
    };
    served.map_err(|e| e.to_string())
}

/// `listen` again with a backlog of `BACKLOG` (std's `bind` uses 128).
fn with_backlog(listener: std::net::TcpListener) -> io::Result<std::net::TcpListener> {
    use std::os::fd::AsRawFd;
    // SAFETY: `listen` on a socket this function owns; it reads no memory.
    if unsafe { libc::listen(listener.as_raw_fd(), BACKLOG as libc::c_int) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(listener)
}

/// What the load generator found, printed as `key value` lines.
#[derive(Debug, Default, PartialEq)]
struct Load {
    connected: Option<usize>,
    connect: Option<Duration>,
    round_trips: Option<usize>,
    failed: Option<usize>,
    busy: Option<Duration>,
    mean: Option<Duration>,
    p50: Option<Duration>,
    p99: Option<Duration>,
    first_error: Option<String>,
}

/// The load generator's side: `--load ADDRESS CONNECTIONS TRIPS`. Connects
/// every client and prints `connected`; at a line on its input, warms up
/// and prints `warmed`; at the next line, runs every timed round trip,
/// prints the results and `done`, then waits until its input closes,
/// holding the connections.
fn load(args: &[String]) -> Result<(), String> {
    let server: SocketAddr = args
        .first()
        .and_then(|arg| arg.parse().ok())
        .ok_or("--load needs an address")?;
    let number = |at: usize, what: &str| -> Result<usize, String> {
        args.get(at)
            .and_then(|arg| arg.parse().ok())
            .ok_or(format!("--load needs a number of {what}"))
    };
    let connections = number(1, "connections")?;
    let trips = number(2, "round trips per client")?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let mut result = Load::default();
    let (phase, phase_rx) = watch::channel(0u8);
    let (clients, mut warmed_rx) = runtime.block_on(async {
        let turns = Arc::new(Semaphore::new(CONNECTING_AT_ONCE));
        let (connected_tx, mut connected_rx) = mpsc::unbounded_channel();
        let (warmed_tx, warmed_rx) = mpsc::unbounded_channel();
        let start = Instant::now();
        let clients: Vec<_> = (0..connections)
            .map(|_| {
                tokio::spawn(client(
                    server,
                    turns.clone(),
                    connected_tx.clone(),
                    warmed_tx.clone(),
                    phase_rx.clone(),
                    trips,
                ))
            })
            .collect();
        drop(connected_tx);
        let mut connected = 0;
        for _ in 0..connections {
            match connected_rx.recv().await {
                Some(ok) => connected += usize::from(ok),
                None => break,
            }
        }
        result.connect = Some(start.elapsed());
        result.connected = Some(connected);
        (clients, warmed_rx)
    });
    let wait_for_a_line = || {
        let mut line = String::new();
        let _ = io::stdin().lock().read_line(&mut line);
    };
    print!("{}", result.to_lines());
    let _ = io::stdout().flush();
    wait_for_a_line();

    // Every client that connected says once whether it warmed up.
    runtime.block_on(async {
        phase.send_replace(1);
        for _ in 0..result.connected.unwrap_or(0) {
            if warmed_rx.recv().await.is_none() {
                break;
            }
        }
    });
    println!("warmed");
    let _ = io::stdout().flush();
    wait_for_a_line();

    let mut open = Vec::with_capacity(connections);
    runtime.block_on(async {
        let start = Instant::now();
        phase.send_replace(2);
        let mut times = Vec::with_capacity(connections * trips);
        let mut failed = 0;
        for client in clients {
            match client.await.map_err(io::Error::other).and_then(|done| done) {
                Ok((client_times, stream)) => {
                    times.extend(client_times);
                    open.push(stream);
                }
                Err(error) => {
                    failed += 1;
                    result.first_error.get_or_insert(error.to_string());
                }
            }
        }
        result.busy = Some(start.elapsed());
        result.round_trips = Some(times.len());
        result.failed = Some(failed);
        let total: Duration = times.iter().sum();
        result.mean = (!times.is_empty()).then(|| total / times.len() as u32);
        times.sort();
        result.p50 = times.get(times.len() / 2).copied();
        result.p99 = times.get(times.len() * 99 / 100).copied();
    });
    print!("{}", result.to_lines());
    println!("done");
    let _ = io::stdout().flush();
    // Hold the connections, so that the server's threads still live when
    // the parent reads their CPU time and context switches, until told to stop.
    let _ = io::copy(&mut io::stdin(), &mut io::sink());
    drop(open);
    Ok(())
}

impl Load {
    fn to_lines(&self) -> String {
        let mut lines = String::new();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(value) = value {
                lines.push_str(&format!("{key} {value}\n"));
            }
        };
        let nanos = |d: Option<Duration>| d.map(|d| d.as_nanos().to_string());
        put("connect_ns", nanos(self.connect));
        put("connected", self.connected.map(|n| n.to_string()));
        put("round_trips", self.round_trips.map(|n| n.to_string()));
        put("failed", self.failed.map(|n| n.to_string()));
        put("busy_ns", nanos(self.busy));
        put("mean_ns", nanos(self.mean));
        put("p50_ns", nanos(self.p50));
        put("p99_ns", nanos(self.p99));
        put("first_error", self.first_error.clone());
        lines
    }

    fn from_lines(text: &str) -> Load {
        let values = measuring::values(text);
        let number = |key: &str| values.get(key).and_then(|v| v.parse::<u64>().ok());
        let nanos = |key: &str| number(key).map(Duration::from_nanos);
        Load {
            connected: number("connected").map(|n| n as usize),
            connect: nanos("connect_ns"),
            round_trips: number("round_trips").map(|n| n as usize),
            failed: number("failed").map(|n| n as usize),
            busy: nanos("busy_ns"),
            mean: nanos("mean_ns"),
            p50: nanos("p50_ns"),
            p99: nanos("p99_ns"),
            first_error: values.get("first_error").map(|s| s.to_string()),
        }
    }
}

/// What one run of a trial found: the load generator's report, and what
/// the kernel says about the server's process.
#[derive(Debug, Default)]
struct Outcome {
    load: Load,
    /// Sockets the server gained while the clients were connected.
    held: Option<usize>,
    /// The server's `VmRSS` while every connection was held, less before.
    resident_per_connection: Option<i64>,
    kernel_per_connection: Option<i64>,
    /// The server's CPU time and context switches during the round trips.
    usage: Option<Usage>,
    problem: Option<String>,
}

/// A child process and its output, line by line.
struct Process {
    child: Child,
    lines: std_mpsc::Receiver<String>,
    stderr: thread::JoinHandle<String>,
}

impl Process {
    fn start(mut command: Command) -> io::Result<Process> {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let lines = measuring::lines_in_background(child.stdout.take());
        let stderr = measuring::read_in_background(child.stderr.take());
        Ok(Process {
            child,
            lines,
            stderr,
        })
    }

    /// The lines it prints until one starts with `last`, or an error that
    /// says what happened instead.
    fn until(&mut self, last: &str, deadline: Instant) -> Result<String, String> {
        let mut text = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let done = line.starts_with(last);
                    text.push_str(&line);
                    text.push('\n');
                    if done {
                        return Ok(text);
                    }
                }
                Err(std_mpsc::RecvTimeoutError::Timeout) => {
                    return Err(format!("no `{last}` within {} s", TRIAL_LIMIT.as_secs()));
                }
                Err(std_mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(format!("it ended before `{last}`"));
                }
            }
        }
    }

    fn say(&mut self, line: &str) {
        if let Some(input) = self.child.stdin.as_mut() {
            let _ = writeln!(input, "{line}");
            let _ = input.flush();
        }
    }

    /// Closes its input, which ends it; kills it if it has not ended within
    /// a few seconds. Returns how it ended, if it ended by itself before,
    /// and the messages it wrote.
    fn stop(mut self) -> (Option<String>, Vec<String>) {
        let ended_before = self.child.try_wait().ok().flatten();
        drop(self.child.stdin.take());
        let _ = measuring::wait_at_most(&mut self.child, Duration::from_secs(10));
        let messages = measuring::crash_messages(&self.stderr.join().unwrap_or_default());
        let ended = ended_before.map(|status| measuring::describe_end(Some(status), TRIAL_LIMIT));
        (ended, messages)
    }
}

/// Runs one trial: a server process, and a load generator process.
fn run(
    server: Server,
    connections: usize,
    trips: usize,
    python: Result<&Python, &String>,
) -> io::Result<Option<Outcome>> {
    let Some(command) = server.command(python)? else {
        return Ok(None);
    };
    let deadline = Instant::now() + TRIAL_LIMIT;
    let mut outcome = Outcome::default();
    let mut serving = Process::start(command)?;
    let result = measure(&mut serving, connections, trips, deadline, &mut outcome);
    let (ended, messages) = serving.stop();
    let mut problems = Vec::new();
    if let Err(problem) = result {
        problems.push(problem);
    }
    if let Some(failed) = outcome.load.failed.filter(|&n| n > 0) {
        problems.push(format!(
            "{} clients failed; the first error: `{}`",
            thousands(failed as u64),
            outcome.load.first_error.as_deref().unwrap_or("unknown")
        ));
    }
    if let Some(ended) = ended {
        let mut problem = format!("the server {ended}");
        if !messages.is_empty() {
            let quoted: Vec<String> = messages.iter().map(|m| format!("`{m}`")).collect();
            problem.push_str(&format!(": {}", quoted.join(", ")));
        }
        problems.push(problem);
    }
    outcome.problem = (!problems.is_empty()).then(|| problems.join("; "));
    Ok(Some(outcome))
}

/// The steps of a trial, once the server runs.
fn measure(
    serving: &mut Process,
    connections: usize,
    trips: usize,
    deadline: Instant,
    outcome: &mut Outcome,
) -> Result<(), String> {
    let said = serving
        .until("listening ", deadline)
        .map_err(|e| format!("the server: {e}"))?;
    let address = said
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    let pid = serving.child.id();
    let id = pid.to_string();
    let files_before = measuring::open_sockets(&id);
    let before = Memory::of(&id);

    let mut command = Command::new(env::current_exe().map_err(|e| e.to_string())?);
    command
        .env("RUST_BACKTRACE", "0")
        .arg("--load")
        .arg(&address)
        .arg(connections.to_string())
        .arg(trips.to_string());
    let mut load = Process::start(command).map_err(|e| e.to_string())?;
    let measured = (|| {
        let connected = load
            .until("connected ", deadline)
            .map_err(|e| format!("the load generator: {e}"))?;
        outcome.load = Load::from_lines(&connected);
        let while_held = Memory::of(&id);
        if let (Some(after), Some(before)) = (measuring::open_sockets(&id), files_before) {
            outcome.held = Some(after.saturating_sub(before));
        }
        if let (Some(before), Some(while_held)) = (before, while_held) {
            let per = |kib: i64| kib * 1024 / connections.max(1) as i64;
            outcome.resident_per_connection =
                Some(per(while_held.resident as i64 - before.resident as i64));
            outcome.kernel_per_connection =
                Some(per(while_held.kernel() as i64 - before.kernel() as i64));
        }
        load.say("warm up");
        load.until("warmed", deadline)
            .map_err(|e| format!("the load generator: {e}"))?;
        let usage_before = Usage::of(pid);
        load.say("go");
        let results = load
            .until("done", deadline)
            .map_err(|e| format!("the load generator: {e}"))?;
        let usage_after = Usage::of(pid);
        outcome.load = Load {
            connected: outcome.load.connected,
            connect: outcome.load.connect,
            ..Load::from_lines(&results)
        };
        if let (Some(a), Some(b)) = (usage_before, usage_after) {
            outcome.usage = Some(Usage {
                cpu: b.cpu.saturating_sub(a.cpu),
                switches: b.switches.saturating_sub(a.switches),
            });
        }
        Ok(())
    })();
    let (ended, messages) = load.stop();
    if let Some(ended) = ended.filter(|_| measured.is_err()) {
        return Err(format!(
            "the load generator {ended}: {}",
            messages.join(", ")
        ));
    }
    measured
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
            "{} open files needed (1 per connection, in the server's process and in the load generator's, and {SPARE_FILES} spare); {} allowed",
            thousands(needed),
            thousands(files.soft)
        );
        return Ok((wanted, why));
    }
    let fits = (files.soft.saturating_sub(SPARE_FILES)) as usize / 100 * 100;
    if asked.is_none() && fits >= MIN_CONNECTIONS {
        let why = format!(
            "the most that fit, in hundreds: {} would need {} open files (1 per connection, in the server's process and in the load generator's, and {SPARE_FILES} spare), and the limit is {}",
            thousands(wanted as u64),
            thousands(needed),
            thousands(files.soft)
        );
        return Ok((fits, why));
    }
    let mut message = format!(
        "{} connections need {} open files (1 per connection, in the server's process and in the load generator's, and {SPARE_FILES} spare), but this process may open at most {} (its hard limit). Run `ulimit -n {needed}` first (raising a hard limit needs root, or a `nofile` line in /etc/security/limits.conf)",
        thousands(wanted as u64),
        thousands(needed),
        thousands(files.hard),
    );
    if fits >= MIN_CONNECTIONS {
        message.push_str(&format!(", or ask for fewer connections: `-- {fits}`"));
    }
    Err(message)
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
        measuring::proc_value("/proc/sys/kernel/threads-max"),
        measuring::proc_value("/proc/sys/vm/max_map_count"),
        measuring::proc_value("/proc/sys/net/core/somaxconn"),
    )
}

/// Open files one process needs for `connections` connections: the server's
/// process holds one end of each, the load generator's the other.
fn files_needed(connections: usize) -> u64 {
    connections as u64 + SPARE_FILES
}

/// Timed round trips per client: `ROUND_TRIPS`, or more if fewer
/// connections would make fewer than `all` in all.
fn trips_per_client(connections: usize, all: usize) -> usize {
    ROUND_TRIPS.max(all / connections.max(1))
}

/// Each server with `first` connections, then with `connections`.
fn trials(first: usize, connections: usize) -> Vec<(Server, usize)> {
    let mut sizes = vec![first.min(connections), connections];
    sizes.dedup();
    Server::ALL
        .into_iter()
        .flat_map(|server| sizes.iter().map(move |&connections| (server, connections)))
        .collect()
}

/// One row of the tables: a trial and its runs (none if not measured).
struct Row {
    server: Server,
    connections: usize,
    runs: Vec<Outcome>,
}

impl Row {
    fn spread(&self, value: impl Fn(&Outcome) -> Option<f64>) -> Option<Spread> {
        Spread::of(self.runs.iter().filter_map(value))
    }

    /// The median, as a whole number.
    fn median(&self, value: impl Fn(&Outcome) -> Option<f64>) -> String {
        self.spread(value)
            .map_or_else(|| "—".into(), |s| decimal(s.median, 0))
    }

    fn shown(&self, places: usize, value: impl Fn(&Outcome) -> Option<f64>) -> String {
        self.spread(value)
            .map_or_else(|| "—".into(), |s| s.show(places))
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Whether every client did all its round trips: if not, the times and
/// the costs per round trip of the survivors alone would flatter the server,
/// and the tables show `—` instead.
fn all_done(o: &Outcome) -> bool {
    o.load.failed == Some(0)
}

/// Round trips per second, while every client sent its messages: those
/// that were done, if some clients failed.
fn rate(o: &Outcome) -> Option<f64> {
    let busy = o.load.busy?.as_secs_f64();
    let trips = o.load.round_trips? as f64;
    (busy > 0.0).then(|| trips / busy)
}

/// The server's CPU time (microseconds) and context switches per round trip.
fn per_round_trip(o: &Outcome) -> Option<(f64, f64)> {
    let usage = o.usage.filter(|_| all_done(o))?;
    let trips = o.load.round_trips?.max(1) as f64;
    Some((
        usage.cpu.as_secs_f64() * 1e6 / trips,
        usage.switches as f64 / trips,
    ))
}

const SPEED_HEADERS: [&str; 6] = [
    "Server",
    "Connections",
    "Round trips per second",
    "Mean (ms)",
    "p50 (ms)",
    "p99 (ms)",
];

const COST_HEADERS: [&str; 5] = [
    "Server",
    "Connections",
    "Round trips",
    "Server CPU per round trip (µs)",
    "Server switches per round trip",
];

const MEMORY_HEADERS: [&str; 6] = [
    "Server",
    "Connections",
    "Held at once",
    "Connect all (ms)",
    "RSS per connection (bytes)",
    "Kernel per connection (bytes)",
];

fn tables(rows: &[Row]) -> String {
    let label = |row: &Row| {
        vec![
            row.server.label().to_string(),
            thousands(row.connections as u64),
        ]
    };
    let speed: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let mut cells = label(row);
            cells.push(row.shown(0, rate));
            let time = |d: Option<Duration>, o: &Outcome| d.filter(|_| all_done(o)).map(ms);
            cells.push(row.shown(2, |o| time(o.load.mean, o)));
            cells.push(row.shown(2, |o| time(o.load.p50, o)));
            cells.push(row.shown(2, |o| time(o.load.p99, o)));
            cells
        })
        .collect();
    let cost: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let mut cells = label(row);
            cells.push(row.median(|o| o.load.round_trips.map(|n| n as f64)));
            cells.push(row.shown(1, |o| per_round_trip(o).map(|p| p.0)));
            cells.push(row.shown(2, |o| per_round_trip(o).map(|p| p.1)));
            cells
        })
        .collect();
    let memory: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let mut cells = label(row);
            cells.push(row.median(|o| o.held.map(|n| n as f64)));
            cells.push(row.shown(1, |o| o.load.connect.map(ms)));
            cells.push(row.median(|o| o.resident_per_connection.map(|n| n as f64)));
            cells.push(row.median(|o| o.kernel_per_connection.map(|n| n as f64)));
            cells
        })
        .collect();
    [
        markdown_table(&SPEED_HEADERS, &speed),
        markdown_table(&COST_HEADERS, &cost),
        markdown_table(&MEMORY_HEADERS, &memory),
    ]
    .join("\n")
}

fn report(rows: &[Row], keys: &[(&str, String)]) -> String {
    let mut text = header(TITLE, keys);
    text.push('\n');
    text.push_str(&tables(rows));
    let problems: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let failed: Vec<&String> = row.runs.iter().filter_map(|r| r.problem.as_ref()).collect();
            let first = failed.first()?;
            Some(format!(
                "- {} ({} connections), in {} of {} runs: {first}.\n",
                row.server.label(),
                thousands(row.connections as u64),
                failed.len(),
                row.runs.len()
            ))
        })
        .collect();
    if !problems.is_empty() {
        text.push('\n');
        text.push_str(&problems.concat());
    }
    text
}

/// Few connections, for the book's tests.
const SMALL_FIRST: usize = 10;
const SMALL_CONNECTIONS: usize = 50;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let child = match args.first().map(String::as_str) {
        Some("--serve") => Some(serve(args.get(1).map_or("", String::as_str))),
        Some("--load") => Some(load(&args[1..])),
        _ => None,
    };
    if let Some(result) = child {
        return match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        };
    }
    let options = match Options::parse(args.into_iter()) {
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
        options.number
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
    let python = measuring::find_python(options.python.as_deref());

    let began = Instant::now();
    let first = if options.small {
        SMALL_FIRST
    } else {
        MIN_CONNECTIONS
    };
    let all_round_trips = if options.small {
        SMALL_ALL_ROUND_TRIPS
    } else {
        ALL_ROUND_TRIPS
    };
    let load_before = measuring::load_average();
    let mut rows: Vec<Row> = trials(first, connections)
        .into_iter()
        .map(|(server, connections)| Row {
            server,
            connections,
            runs: Vec::new(),
        })
        .collect();
    // Round after round: each trial's runs are spread over the whole run,
    // so that a noisy minute does not fall on one trial's three runs.
    for _ in 0..RUNS {
        for row in &mut rows {
            let size = row.connections;
            eprint!(
                "{}, {} connections: ",
                row.server.label(),
                thousands(size as u64)
            );
            let started = Instant::now();
            let trips = trips_per_client(size, all_round_trips);
            match run(row.server, size, trips, python.as_ref()) {
                Ok(Some(outcome)) => row.runs.push(outcome),
                Ok(None) => {}
                Err(error) => {
                    eprintln!("error: cannot start a trial: {error}");
                    return ExitCode::FAILURE;
                }
            }
            eprintln!("{:.1} s", started.elapsed().as_secs_f64());
        }
    }
    let load_after = measuring::load_average();
    let keys = [
        ("Machine", measuring::machine()),
        ("Versions", measuring::versions(&python)),
        ("Limits", limits(files)),
        (
            "Connections",
            format!("{}: {why}", thousands(connections as u64)),
        ),
        (
            "Load",
            format!(
                "a separate process, the same for every server: this program with `--load`, whose clients are tokio tasks on tokio's default runtime; each connects and exchanges one message that is not timed (at most {CONNECTING_AT_ONCE} at a time); once all are connected, each makes {WARM_UP} round trips that are not timed; once all have, each sends {ROUND_TRIPS} messages of {MESSAGE_BYTES} bytes, or more so that there are at least {} round trips in all, each after the echo of the one before, all clients at once; a client's clock starts when it sends a message and stops at the echo, so it includes the time the client's task waits to run in the load generator",
                thousands(all_round_trips as u64)
            ),
        ),
        ("Measured", measuring::when(began)),
        (
            "Quiet",
            format!("load average (1, 5, 15 min) and threads on the machine, from `/proc/loadavg`: {load_before} before, {load_after} after"),
        ),
        (
            "Runs",
            format!("each trial ran {RUNS} times, with a new server and load generator each time, in {RUNS} rounds of every trial; a cell is the median, and the fastest and slowest run are in parentheses; where a client failed, the times and the costs per round trip are `—` (those of the clients that finished would flatter the server)"),
        ),
        (
            "Server",
            "held connections, CPU, switches and memory are the server process's, from `/proc/PID`: CPU time is the time on the CPU of each of its threads (the first field of `task/*/schedstat`, in nanoseconds), switches are voluntary and involuntary context switches of its threads in `task/*/status`, both during the timed round trips only; held connections are the sockets it gained (`fd` entries that are sockets); on loopback the kernel does much of the receiving side's work on the sending thread, so a server's CPU time includes some of delivering its echoes to the clients".to_string(),
        ),
        (
            "Memory",
            "RSS per connection is the server's `VmRSS` while every connection is held, less `VmRSS` before the first one, per connection; the kernel's share is its `VmPTE` plus `KernelStack` and `SUnreclaim` in `/proc/meminfo`, which count the whole machine, and so both ends of each connection, measured the same way".to_string(),
        ),
    ];
    let text = report(&rows, &keys);
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

    /// Both servers, a few clients each, in this process: every round trip
    /// comes back.
    #[test]
    fn both_servers_echo_every_message() {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        for threads in [false, true] {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
            let address = listener.local_addr().expect("an address");
            if threads {
                thread::spawn(move || serve_with_threads(listener));
            } else {
                listener.set_nonblocking(true).expect("non-blocking");
                let _guard = runtime.enter();
                let listener = TcpListener::from_std(listener).expect("a tokio listener");
                runtime.spawn(serve_with_tasks(listener));
            }
            let times = runtime.block_on(async {
                let turns = Arc::new(Semaphore::new(CONNECTING_AT_ONCE));
                let (connected, mut all_connected) = mpsc::unbounded_channel();
                let (warmed, mut all_warmed) = mpsc::unbounded_channel();
                let (phase, phase_rx) = watch::channel(0);
                let clients: Vec<_> = (0..20)
                    .map(|_| {
                        tokio::spawn(client(
                            address,
                            turns.clone(),
                            connected.clone(),
                            warmed.clone(),
                            phase_rx.clone(),
                            ROUND_TRIPS,
                        ))
                    })
                    .collect();
                for _ in 0..20 {
                    assert_eq!(all_connected.recv().await, Some(true), "threads: {threads}");
                }
                phase.send_replace(1);
                for _ in 0..20 {
                    assert_eq!(all_warmed.recv().await, Some(true), "threads: {threads}");
                }
                phase.send_replace(2);
                let mut times = 0;
                for client in clients {
                    times += client.await.expect("no panic").expect("every echo").0.len();
                }
                times
            });
            assert_eq!(times, 20 * ROUND_TRIPS, "threads: {threads}");
        }
    }

    /// A client that stays silent is cut off after `IDLE_LIMIT`.
    #[tokio::test(start_paused = true)]
    async fn a_silent_client_is_cut_off() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("an address");
        let _client = TcpStream::connect(address).await.expect("connects");
        let (stream, _) = listener.accept().await.expect("accepts");
        let error = echo(stream).await.expect_err("a time limit");
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }

    #[test]
    fn a_load_report_survives_the_trip_through_a_pipe() {
        let load = Load {
            connected: Some(9_900),
            connect: Some(Duration::from_nanos(123_456_789)),
            round_trips: Some(99_000),
            failed: Some(0),
            busy: Some(Duration::from_nanos(800_000_000)),
            mean: Some(Duration::from_nanos(700_000)),
            p50: Some(Duration::from_nanos(600_000)),
            p99: Some(Duration::from_nanos(9_000_000)),
            first_error: Some("connection reset by peer".into()),
        };
        assert_eq!(Load::from_lines(&load.to_lines()), load);
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
        let (picked, why) = pick_connections(None, files(10_064, 10_064)).expect("fits");
        assert_eq!(picked, 10_000);
        assert!(why.contains("10,064 open files needed"), "{why}");
    }

    #[test]
    fn otherwise_the_most_that_fit_in_hundreds() {
        // 10,000 connections need 10,064 files: 10,000 hold 9,936.
        let (picked, why) = pick_connections(None, files(10_000, 10_000)).expect("fits");
        assert_eq!(picked, 9_900);
        assert!(why.contains("10,000 would need 10,064 open files"), "{why}");
    }

    #[test]
    fn too_few_files_is_an_error_that_says_what_to_run() {
        let error = pick_connections(None, files(1_024, 1_024)).expect_err("1,024 is too few");
        assert!(error.contains("`ulimit -n 10064`"), "{error}");
        assert!(!error.contains("ask for fewer"), "{error}");

        let error = pick_connections(Some(15_000), files(10_000, 10_000)).expect_err("too many");
        assert!(
            error.contains("15,000 connections need 15,064 open files"),
            "{error}"
        );
        assert!(error.contains("`ulimit -n 15064`"), "{error}");
        assert!(error.contains("`-- 9900`"), "{error}");
    }

    #[test]
    fn a_number_asked_for_is_used_as_it_is() {
        let (picked, _) = pick_connections(Some(1_234), files(20_000, 20_000)).expect("fits");
        assert_eq!(picked, 1_234);
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
    fn each_server_runs_at_a_thousand_and_at_the_full_count() {
        let sizes = trials(MIN_CONNECTIONS, 9_900);
        assert_eq!(sizes.len(), 8);
        assert_eq!(sizes[0], (Server::Tasks, 1_000));
        assert_eq!(sizes[7], (Server::PythonThreads, 9_900));
        assert_eq!(trials(MIN_CONNECTIONS, 500).len(), 4);
    }
}
