// Course section: Real I/O (a server, as `asyncio.start_server` writes one).
//
// A key-value store that clients talk to over TCP, one command per line:
// `SET key value`, `GET key`, `DEL key`, `QUIT`. It serves each connection
// in a task of its own, turns away clients over a limit, closes idle
// connections and over-long lines, and on Ctrl-C or SIGTERM stops
// accepting, says goodbye to every client, and waits (for a while) for the
// answers it is writing.
//
// `cargo run --features real-io --example kv_server` runs a short demo.
// `-- --port 7878` serves on 127.0.0.1:7878 until Ctrl-C (`--port 0` lets
// the system pick, and prints the port); `-- --client 7878` runs the demo's
// client against a server on that port.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate tokio;
extern crate tokio_util;

use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, oneshot, watch};
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

// ANCHOR: limits
/// What the server allows; `Limits::default()` is what `main` uses.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Clients served at once; the next one gets `ERR busy`.
    pub max_clients: usize,
    /// The longest line, newline included; a longer one ends the connection.
    pub max_line: usize,
    /// How long the server waits for a client to finish a line, or to take
    /// an answer, before it hangs up.
    pub idle: Duration,
    /// How long shutdown waits for connections to finish.
    pub drain: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_clients: 100,
            max_line: 1024,
            idle: Duration::from_secs(30),
            drain: Duration::from_secs(10),
        }
    }
}

/// The data every connection shares.
pub type Store = Arc<Mutex<HashMap<String, String>>>;
// ANCHOR_END: limits

// ANCHOR: execute
/// Runs one command line; returns the answer and whether to hang up.
fn execute(line: &str, store: &Store) -> (String, bool) {
    let mut data = store.lock().unwrap_or_else(PoisonError::into_inner);
    let mut words = line.splitn(3, ' ');
    let answer = match (words.next(), words.next(), words.next()) {
        (Some("SET"), Some(key), Some(value)) => {
            data.insert(key.to_owned(), value.to_owned());
            "OK".to_owned()
        }
        (Some("GET"), Some(key), None) => match data.get(key) {
            Some(value) => format!("VALUE {value}"),
            None => "NOT_FOUND".to_owned(),
        },
        (Some("DEL"), Some(key), None) => match data.remove(key) {
            Some(_) => "OK".to_owned(),
            None => "NOT_FOUND".to_owned(),
        },
        (Some("QUIT"), None, None) => return ("BYE".to_owned(), true),
        (Some("SET" | "GET" | "DEL" | "QUIT"), ..) => "ERR wrong number of arguments".to_owned(),
        _ => "ERR unknown command".to_owned(),
    };
    (answer, false)
}
// ANCHOR_END: execute

// ANCHOR: read_line
/// One line from a client, read with a bound on its length.
enum Line {
    Command(String),
    TooLong,
    /// A whole line, but not UTF-8 text.
    NotText,
    /// The client closed the connection, maybe halfway through a line.
    Closed,
}

async fn read_line(reader: &mut (impl AsyncBufReadExt + Unpin), max: usize) -> io::Result<Line> {
    let mut line = Vec::new();
    // `take` stops the read after `max` bytes, newline or not. Bytes, not a
    // `String`: the cut may fall inside a multi-byte character.
    let read = reader.take(max as u64).read_until(b'\n', &mut line).await?;
    if line.pop() != Some(b'\n') {
        return Ok(if read == max {
            Line::TooLong
        } else {
            Line::Closed // the end of the stream: a half line is dropped
        });
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(String::from_utf8(line).map_or(Line::NotText, Line::Command))
}
// ANCHOR_END: read_line

// ANCHOR: connection
/// Writes one answer line; a client that does not take it within `idle`
/// (it sends but never reads) ends the connection with an error.
async fn send(
    writer: &mut (impl AsyncWrite + Unpin),
    answer: &str,
    idle: Duration,
) -> io::Result<()> {
    let line = format!("{answer}\n");
    match timeout(idle, writer.write_all(line.as_bytes())).await {
        Ok(written) => written,
        Err(_elapsed) => Err(io::ErrorKind::TimedOut.into()),
    }
}

/// Serves one client until it quits, misbehaves, or the server stops.
async fn handle(
    stream: impl AsyncRead + AsyncWrite,
    store: Store,
    limits: Limits,
    stop: CancellationToken,
) -> io::Result<()> {
    let (reader, mut writer) = tokio::io::split(stream);
    let mut reader = BufReader::new(reader);
    loop {
        let line = tokio::select! {
            // In this order: a request that has arrived is answered first.
            biased;
            read = timeout(limits.idle, read_line(&mut reader, limits.max_line)) => match read {
                Ok(line) => Some(line?),
                Err(_elapsed) => None,
            },
            () = stop.cancelled() => {
                send(&mut writer, "BYE shutting down", limits.idle).await?;
                break;
            }
        };
        let (answer, hang_up) = match line {
            None => ("BYE idle timeout".to_owned(), true),
            Some(Line::Command(line)) => execute(&line, &store),
            Some(Line::TooLong) => ("ERR line too long".to_owned(), true),
            Some(Line::NotText) => ("ERR not UTF-8".to_owned(), false),
            Some(Line::Closed) => break,
        };
        // Once a command has run, its answer is written even if the server
        // starts to stop meanwhile: shutdown waits for it (within `drain`).
        send(&mut writer, &answer, limits.idle).await?;
        if hang_up {
            break;
        }
    }
    writer.shutdown().await
}
// ANCHOR_END: connection

// ANCHOR: serve
/// Accepts clients until `shutdown` completes, then tells every client
/// `BYE shutting down` and waits at most `limits.drain` for them. Returns
/// how many connections were still open when the deadline passed.
pub async fn serve(
    listener: TcpListener,
    store: Store,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> usize {
    let permits = Arc::new(Semaphore::new(limits.max_clients));
    let stop = CancellationToken::new(); // "say goodbye"
    let cut = CancellationToken::new(); // "hang up now", at the deadline
    let tasks = TaskTracker::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (mut socket, _peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(error) => {
                    // Out of file descriptors, say: wait a little, go on.
                    eprintln!("accept failed: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => {
                let (store, stop, cut) = (Arc::clone(&store), stop.clone(), cut.clone());
                tasks.spawn(async move {
                    tokio::select! {
                        _ = handle(socket, store, limits, stop) => {}
                        // Dropping the handler closes its socket.
                        () = cut.cancelled() => {}
                    }
                    drop(permit); // the next client may come in
                });
            }
            Err(_) => {
                tasks.spawn(async move {
                    let _ = socket.write_all(b"ERR busy\n").await;
                });
            }
        }
    }
    drop(listener); // new clients are refused from here on
    stop.cancel();
    tasks.close();
    if timeout(limits.drain, tasks.wait()).await.is_ok() {
        return 0;
    }
    let still_open = tasks.len();
    cut.cancel();
    tasks.wait().await; // at once: every handler has been dropped
    still_open
}
// ANCHOR_END: serve

// ANCHOR: signals
/// Counts Ctrl-C (SIGINT) and SIGTERM: `nth_signal(receiver, n)` waits
/// for the `n`th. Each count comes with the exit code a shell reports for
/// that signal, 128 + its number: 130 for SIGINT, 143 for SIGTERM.
fn count_signals() -> io::Result<watch::Receiver<(u32, u8)>> {
    let (count, counted) = watch::channel((0, 0));
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::spawn(async move {
            loop {
                let code = tokio::select! {
                    Some(()) = interrupt.recv() => 130,
                    Some(()) = terminate.recv() => 143,
                    else => break,
                };
                count.send_modify(|(n, last)| (*n, *last) = (*n + 1, code));
            }
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            count.send_modify(|(n, last)| (*n, *last) = (*n + 1, 130));
        }
    });
    Ok(counted)
}

/// Waits for the `n`th signal and returns its exit code.
async fn nth_signal(mut counted: watch::Receiver<(u32, u8)>, n: u32) -> u8 {
    match counted.wait_for(|&(seen, _)| seen >= n).await {
        Ok(seen) => seen.1,
        Err(_) => std::future::pending().await, // no more signals can come
    }
}

/// Serves on `port` of 127.0.0.1 until a signal; a second one ends at once.
async fn run_server(port: u16) -> io::Result<ExitCode> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
    println!("listening on {}", listener.local_addr()?);
    let counted = count_signals()?;
    let first = nth_signal(counted.clone(), 1);
    let stopping = async {
        let _ = first.await;
        println!("stopping: no new clients, telling the others BYE");
    };
    let store = Store::default();
    tokio::select! {
        still_open = serve(listener, store, Limits::default(), stopping) => {
            println!("stopped; connections cut at the deadline: {still_open}");
            Ok(ExitCode::SUCCESS)
        }
        code = nth_signal(counted, 2) => {
            println!("second signal: stopping now");
            Ok(ExitCode::from(code))
        }
    }
}
// ANCHOR_END: signals

// ANCHOR: client
/// The demo's client: sends each command, prints it and the answer.
async fn client(address: SocketAddr, name: &str, commands: &[&str]) -> io::Result<()> {
    let stream = TcpStream::connect(address).await?;
    let (reader, mut writer) = stream.into_split();
    let mut answers = BufReader::new(reader).lines();
    for command in commands {
        let shown = match command.len() {
            0..=40 => command.to_string(),
            long => format!("{}... ({long} bytes)", &command[..10]),
        };
        println!("{name}> {shown}");
        writer.write_all(format!("{command}\n").as_bytes()).await?;
        match answers.next_line().await {
            Ok(Some(answer)) => println!("{name}< {answer}"),
            // A reset (ECONNRESET) also means the server hung up.
            Ok(None) | Err(_) => {
                println!("{name}: the server closed the connection");
                break;
            }
        }
    }
    Ok(())
}

async fn demo_client(address: SocketAddr) -> io::Result<()> {
    let long = "SET big ".to_owned() + &"x".repeat(2000);
    client(address, "alice", &["SET lang rust", "GET lang", "GET nope"]).await?;
    client(
        address,
        "bob",
        &["DEL lang", "GET lang", "FLY away", "QUIT"],
    )
    .await?;
    client(address, "carol", &["SET a 1", &long]).await
}
// ANCHOR_END: client

// ANCHOR: main
#[tokio::main]
async fn main() -> io::Result<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port = match args.get(1).map(|port| port.parse::<u16>()) {
        Some(Ok(port)) => Some(port),
        None => None,
        Some(Err(error)) => {
            eprintln!("error: bad port {:?}: {error}", args[1]);
            return Ok(ExitCode::FAILURE);
        }
    };
    match (args.first().map(String::as_str), port) {
        (Some("--port"), Some(port)) => return run_server(port).await,
        (Some("--client"), Some(port)) => {
            demo_client((Ipv4Addr::LOCALHOST, port).into()).await?;
            return Ok(ExitCode::SUCCESS);
        }
        (None, None) => {}
        _ => {
            eprintln!("usage: kv_server [--port PORT | --client PORT]");
            return Ok(ExitCode::FAILURE);
        }
    }
    // The demo: a server on a port the system picks, three clients, one
    // after another, and a fourth that is connected when the server stops.
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let address = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = async {
        let _ = stopped.await;
    };
    let server = tokio::spawn(serve(
        listener,
        Store::default(),
        Limits::default(),
        shutdown,
    ));
    demo_client(address).await?;

    let mut dave = BufReader::new(TcpStream::connect(address).await?);
    dave.write_all(b"SET last word\n").await?;
    let mut answer = String::new();
    dave.read_line(&mut answer).await?;
    println!("dave> SET last word\ndave< {}", answer.trim_end());
    println!("-- the server stops --");
    let _ = stop.send(());
    answer.clear();
    dave.read_line(&mut answer).await?;
    println!("dave< {}", answer.trim_end());
    let still_open = server.await?;
    println!("server stopped; connections cut at the deadline: {still_open}");
    Ok(ExitCode::SUCCESS)
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::duplex;
    use tokio::time::Instant;

    /// A bound for every wait on a real socket: far longer than anything
    /// here takes, so a test that hangs fails instead.
    const BOUND: Duration = Duration::from_secs(30);

    fn store_with(pairs: &[(&str, &str)]) -> Store {
        let map = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        Arc::new(Mutex::new(map.collect()))
    }

    #[test]
    fn commands_get_their_answers() {
        let store = Store::default();
        let run = |line: &str| execute(line, &store);
        assert_eq!(run("SET k hello world"), ("OK".into(), false));
        assert_eq!(run("GET k"), ("VALUE hello world".into(), false));
        assert_eq!(run("GET other"), ("NOT_FOUND".into(), false));
        assert_eq!(run("DEL k"), ("OK".into(), false));
        assert_eq!(run("DEL k"), ("NOT_FOUND".into(), false));
        assert_eq!(run("QUIT"), ("BYE".into(), true));
    }

    #[test]
    fn malformed_commands_get_an_error_and_change_nothing() {
        let store = store_with(&[("k", "v")]);
        for line in [
            "",
            "FLY away",
            "get k",
            "SET k",
            "GET",
            "GET k extra",
            "QUIT now",
        ] {
            let (answer, hang_up) = execute(line, &store);
            assert!(answer.starts_with("ERR "), "{line:?} got {answer:?}");
            assert!(!hang_up, "{line:?}");
        }
        assert_eq!(execute("FLY away", &store).0, "ERR unknown command");
        let data = store.lock().unwrap();
        assert_eq!(data.len(), 1);
        assert_eq!(data.get("k").map(String::as_str), Some("v"));
    }

    /// A connection over an in-memory pipe, served on the paused clock.
    fn connect(
        store: &Store,
        limits: Limits,
        stop: &CancellationToken,
    ) -> (
        tokio::io::DuplexStream,
        tokio::task::JoinHandle<io::Result<()>>,
    ) {
        let (client, server) = duplex(4096);
        let task = tokio::spawn(handle(server, Arc::clone(store), limits, stop.clone()));
        (client, task)
    }

    async fn read_all(mut client: impl AsyncRead + Unpin) -> String {
        let mut text = String::new();
        client
            .read_to_string(&mut text)
            .await
            .expect("utf-8 answers");
        text
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_that_never_speaks_is_closed_after_the_idle_timeout() {
        let limits = Limits::default();
        let (client, task) = connect(&Store::default(), limits, &CancellationToken::new());
        let start = Instant::now();
        assert_eq!(read_all(client).await, "BYE idle timeout\n");
        assert_eq!(start.elapsed(), limits.idle);
        task.await.unwrap().unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn each_command_restarts_the_idle_timer() {
        let limits = Limits::default();
        let (mut client, _task) = connect(&Store::default(), limits, &CancellationToken::new());
        let start = Instant::now();
        tokio::time::sleep(limits.idle / 2).await;
        client.write_all(b"SET a 1\n").await.unwrap();
        assert_eq!(read_all(client).await, "OK\nBYE idle timeout\n");
        assert_eq!(start.elapsed(), limits.idle / 2 + limits.idle);
    }

    #[tokio::test(start_paused = true)]
    async fn a_line_over_the_limit_gets_an_error_and_a_close() {
        let limits = Limits::default();
        let store = Store::default();
        let (mut client, task) = connect(&store, limits, &CancellationToken::new());
        let fits = format!("SET k {}\n", "v".repeat(limits.max_line - 7));
        assert_eq!(fits.len(), limits.max_line);
        client.write_all(fits.as_bytes()).await.unwrap();
        let long = format!("SET big {}\nGET k\n", "x".repeat(limits.max_line));
        client.write_all(long.as_bytes()).await.unwrap();
        assert_eq!(read_all(client).await, "OK\nERR line too long\n");
        task.await.unwrap().unwrap();
        assert!(store.lock().unwrap().contains_key("k"));
        assert!(!store.lock().unwrap().contains_key("big"));
    }

    #[tokio::test(start_paused = true)]
    async fn one_byte_over_the_limit_is_too_long_even_inside_a_character() {
        let limits = Limits::default();
        for last in ["x", "é"] {
            // max_line - 1 bytes, then `last`: the limit falls at or inside it.
            let line = format!("SET k {}{last}\n", "v".repeat(limits.max_line - 7));
            let (mut client, task) = connect(&Store::default(), limits, &CancellationToken::new());
            client.write_all(line.as_bytes()).await.unwrap();
            assert_eq!(read_all(client).await, "ERR line too long\n", "{last}");
            task.await.unwrap().unwrap();
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_line_that_is_not_utf8_gets_an_error_and_the_client_goes_on() {
        let (mut client, task) = connect(
            &Store::default(),
            Limits::default(),
            &CancellationToken::new(),
        );
        client.write_all(b"SET k \xff\xfe\nQUIT\n").await.unwrap();
        assert_eq!(read_all(client).await, "ERR not UTF-8\nBYE\n");
        task.await.unwrap().unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_that_vanishes_mid_line_is_closed_and_stores_nothing() {
        let store = store_with(&[("kept", "yes")]);
        let (mut client, task) = connect(&store, Limits::default(), &CancellationToken::new());
        client.write_all(b"SET a 1\nDEL kept").await.unwrap();
        client.shutdown().await.unwrap(); // gone, halfway through a line
        assert_eq!(read_all(client).await, "OK\n");
        task.await.unwrap().unwrap();
        let data = store.lock().unwrap();
        assert_eq!(data.get("kept").map(String::as_str), Some("yes"));
        assert_eq!(data.get("a").map(String::as_str), Some("1"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_that_never_reads_is_cut_after_the_idle_timeout() {
        let limits = Limits::default();
        let (mut client, task) = connect(&Store::default(), limits, &CancellationToken::new());
        let start = Instant::now();
        let value = "x".repeat(1000);
        // Ten answers of 1 KB: more than the 4 KB pipe holds.
        let requests = format!("SET v {value}\n{}", "GET v\n".repeat(10));
        client.write_all(requests.as_bytes()).await.unwrap();
        let ended = timeout(limits.idle * 2, task).await.expect("the task ends");
        let error = ended.unwrap().expect_err("the write timed out");
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert_eq!(start.elapsed(), limits.idle);
        drop(client); // kept until here: the server's write stays blocked
    }

    #[tokio::test(start_paused = true)]
    async fn a_stop_tells_an_idle_client_bye_at_once() {
        let stop = CancellationToken::new();
        let (client, task) = connect(&Store::default(), Limits::default(), &stop);
        tokio::time::sleep(Duration::from_secs(3)).await;
        let start = Instant::now();
        stop.cancel();
        assert_eq!(read_all(client).await, "BYE shutting down\n");
        assert_eq!(start.elapsed(), Duration::ZERO);
        task.await.unwrap().unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn requests_that_arrived_are_answered_before_the_goodbye() {
        let stop = CancellationToken::new();
        let (mut client, task) = connect(&Store::default(), Limits::default(), &stop);
        // Twenty requests: without `biased;`, `select!` would pick the stop
        // branch first at random, and answer few of them.
        client
            .write_all("SET a 1\n".repeat(20).as_bytes())
            .await
            .unwrap();
        stop.cancel(); // before the handler has read a byte
        let answers = "OK\n".repeat(20) + "BYE shutting down\n";
        assert_eq!(read_all(client).await, answers);
        task.await.unwrap().unwrap();
    }

    // Real sockets, on the real clock, from here on.

    async fn start(
        limits: Limits,
    ) -> (
        SocketAddr,
        Store,
        oneshot::Sender<()>,
        tokio::task::JoinHandle<usize>,
    ) {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let address = listener.local_addr().unwrap();
        let store = Store::default();
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async {
            let _ = stopped.await;
        };
        let server = tokio::spawn(serve(listener, Arc::clone(&store), limits, shutdown));
        (address, store, stop, server)
    }

    /// A test client: one line out, one line back, each wait bounded.
    struct Client(tokio::io::Lines<BufReader<TcpStream>>);

    impl Client {
        async fn connect(address: SocketAddr) -> Client {
            let stream = timeout(BOUND, TcpStream::connect(address))
                .await
                .unwrap()
                .unwrap();
            Client(BufReader::new(stream).lines())
        }
        /// The next line, or `None` once the server has closed.
        async fn answer(&mut self) -> Option<String> {
            let next = timeout(BOUND, self.0.next_line()).await;
            next.expect("an answer in time").ok().flatten()
        }
        async fn ask(&mut self, line: &str) -> Option<String> {
            let stream = self.0.get_mut().get_mut();
            match stream.write_all(format!("{line}\n").as_bytes()).await {
                Ok(()) => self.answer().await,
                Err(_) => None, // closed by the server
            }
        }
    }

    #[tokio::test]
    async fn the_client_over_the_limit_is_turned_away_and_the_others_go_on() {
        let limits = Limits {
            max_clients: 2,
            ..Limits::default()
        };
        let (address, _store, _stop, _server) = start(limits).await;
        let mut first = Client::connect(address).await;
        let mut second = Client::connect(address).await;
        // Both are being served once each has had an answer.
        assert_eq!(first.ask("SET a 1").await.as_deref(), Some("OK"));
        assert_eq!(second.ask("SET b 2").await.as_deref(), Some("OK"));
        let mut third = Client::connect(address).await;
        assert_eq!(third.answer().await.as_deref(), Some("ERR busy"));
        assert_eq!(third.answer().await, None, "closed at once");
        assert_eq!(first.ask("GET b").await.as_deref(), Some("VALUE 2"));
        assert_eq!(first.ask("QUIT").await.as_deref(), Some("BYE"));
        assert_eq!(first.answer().await, None);
        // The first one's place is free again (once its task has ended).
        let mut tries = 0;
        let mut fourth = loop {
            let mut client = Client::connect(address).await;
            match client.ask("GET a").await.as_deref() {
                Some("VALUE 1") => break client,
                // Turned away: `ERR busy`, or a reset that lost it.
                Some("ERR busy") | None if tries < 100 => tries += 1,
                other => panic!("unexpected {other:?}"),
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        assert_eq!(second.ask("GET a").await.as_deref(), Some("VALUE 1"));
        assert_eq!(fourth.ask("DEL a").await.as_deref(), Some("OK"));
    }

    #[tokio::test]
    async fn a_long_line_closes_only_its_own_connection() {
        let (address, store, _stop, _server) = start(Limits::default()).await;
        let mut calm = Client::connect(address).await;
        assert_eq!(calm.ask("SET mine safe").await.as_deref(), Some("OK"));
        let mut loud = Client::connect(address).await;
        let long = format!("SET big {}", "x".repeat(5000));
        assert_eq!(loud.ask(&long).await.as_deref(), Some("ERR line too long"));
        assert_eq!(calm.ask("GET mine").await.as_deref(), Some("VALUE safe"));
        assert!(!store.lock().unwrap().contains_key("big"));
    }

    #[tokio::test]
    async fn shutdown_says_bye_refuses_new_clients_and_finishes() {
        let (address, store, stop, server) = start(Limits::default()).await;
        let mut client = Client::connect(address).await;
        assert_eq!(client.ask("SET kept 1").await.as_deref(), Some("OK"));
        stop.send(()).unwrap();
        assert_eq!(client.answer().await.as_deref(), Some("BYE shutting down"));
        assert_eq!(client.answer().await, None);
        assert_eq!(
            timeout(BOUND, server).await.unwrap().unwrap(),
            0,
            "none was cut"
        );
        assert!(
            TcpStream::connect(address).await.is_err(),
            "no longer accepting"
        );
        assert_eq!(
            store.lock().unwrap().get("kept").map(String::as_str),
            Some("1")
        );
    }

    #[tokio::test]
    async fn shutdown_cuts_a_client_that_reads_nothing_at_the_deadline() {
        let limits = Limits {
            drain: Duration::from_millis(300),
            ..Limits::default()
        };
        let (address, _store, stop, server) = start(limits).await;
        let mut hog = Client::connect(address).await;
        assert_eq!(
            hog.ask(&format!("SET v {}", "x".repeat(1000)))
                .await
                .as_deref(),
            Some("OK")
        );
        // Megabytes of answers that it never reads: the server's write waits.
        let gets = "GET v\n".repeat(20_000);
        let (mut answers, mut requests) = hog.0.into_inner().into_inner().into_split();
        tokio::spawn(async move { requests.write_all(gets.as_bytes()).await });
        // Once the answers come, the server is busy until its write waits.
        timeout(BOUND, answers.peek(&mut [0]))
            .await
            .unwrap()
            .unwrap();
        stop.send(()).unwrap();
        assert_eq!(timeout(BOUND, server).await.unwrap().unwrap(), 1, "one cut");
        // Cut means closed: what was sent before the cut, then the end (or
        // a reset), long before the 20,000 answers.
        let mut buffer = vec![0; 64 * 1024];
        let mut received = 0;
        while let Ok(n @ 1..) = timeout(BOUND, answers.read(&mut buffer)).await.unwrap() {
            received += n;
        }
        let all = 20_000 * "VALUE \n".len() + 20_000 * 1000;
        assert!(received < all, "the hog got all {received} bytes: not cut");
    }

    /// 300 clients at once, 20 requests each, every answer checked; then a
    /// shutdown while they are still writing, after which every SET that
    /// got `OK` is in the store.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn three_hundred_clients_and_a_shutdown_lose_no_acknowledged_write() {
        const CLIENTS: usize = 300;
        const REQUESTS: usize = 20;
        let limits = Limits {
            max_clients: CLIENTS,
            ..Limits::default()
        };
        let (address, store, stop, server) = start(limits).await;
        let started = std::time::Instant::now();
        let mut clients = tokio::task::JoinSet::new();
        let checked = Arc::new(tokio::sync::Barrier::new(CLIENTS + 1));
        for id in 0..CLIENTS {
            let checked = Arc::clone(&checked);
            clients.spawn(async move {
                let mut client = Client::connect(address).await;
                let mut acknowledged = Vec::new();
                for n in 0..REQUESTS {
                    let (key, value) = (format!("c{id}-k{n}"), format!("v{n}"));
                    assert_eq!(
                        client.ask(&format!("SET {key} {value}")).await.as_deref(),
                        Some("OK")
                    );
                    let read = client.ask(&format!("GET {key}")).await;
                    assert_eq!(read, Some(format!("VALUE {value}")));
                    acknowledged.push((key, value));
                }
                checked.wait().await;
                // Then write until the server says goodbye.
                for n in REQUESTS.. {
                    let key = format!("c{id}-k{n}");
                    match client.ask(&format!("SET {key} late")).await.as_deref() {
                        Some("OK") => acknowledged.push((key, "late".to_owned())),
                        Some("BYE shutting down") | None => break,
                        other => panic!("unexpected {other:?}"),
                    }
                    assert!(n < 1_000_000, "the server never stopped");
                }
                acknowledged
            });
        }
        // Stop once every client has done its checked requests.
        timeout(BOUND, checked.wait())
            .await
            .expect("the load finishes");
        let load_time = started.elapsed();
        stop.send(()).unwrap();
        assert_eq!(timeout(BOUND, server).await.unwrap().unwrap(), 0);
        let mut acknowledged = 0;
        while let Some(writes) = clients.join_next().await {
            let data = store.lock().unwrap();
            for (key, value) in writes.unwrap() {
                assert_eq!(data.get(&key), Some(&value), "{key} was acknowledged");
                acknowledged += 1;
            }
        }
        println!(
            "{CLIENTS} clients, {} checked requests, {acknowledged} acknowledged writes, load in {load_time:?}",
            CLIENTS * REQUESTS * 2
        );
    }
}
