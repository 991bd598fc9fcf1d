//! The `kv_server` example as a reader runs it: a process of its own, with
//! `--port 0`, stopped by signals; and the Rust and Python versions talking
//! to each other over 127.0.0.1 (`examples/kv_server.rs` and `.py`).
//!
//! Every child process is killed and waited for however a test ends, and
//! every wait has a bound (`BOUND`). Unix only: the tests send SIGTERM.
#![cfg(unix)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Longer than anything here takes, so that a hang fails instead.
const BOUND: Duration = Duration::from_secs(30);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Builds the example once, where tests/output.rs builds it (so neither
/// compiles it twice), and returns the binary's path.
fn rust_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    let _one_at_a_time = LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    BUILT
        .get_or_init(|| {
            let target = root().join("target/mdbook");
            let status = Command::new(env!("CARGO"))
                .current_dir(root())
                .args(["build", "--quiet", "--example", "kv_server"])
                .args(["--features", "paused-clock,real-io", "--target-dir"])
                .arg(&target)
                .status()
                .expect("cargo runs");
            assert!(status.success(), "building the kv_server example failed");
            target.join("debug/examples/kv_server")
        })
        .clone()
}

#[derive(Clone, Copy, Debug)]
enum Lang {
    Rust,
    Python,
}

fn command(lang: Lang, args: &[&str]) -> Command {
    let mut command = match lang {
        Lang::Rust => Command::new(rust_binary()),
        Lang::Python => {
            let mut python = Command::new("python3");
            python.arg(root().join("examples/kv_server.py"));
            python
        }
    };
    command.args(args);
    command
}

/// A child process, killed and waited for however the test ends.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill(); // fails only if it has ended already
        let _ = self.0.wait();
    }
}

/// A server started with `--port 0`, and the lines it prints.
struct Server {
    child: Guard,
    port: u16,
    lines: mpsc::Receiver<String>,
}

impl Server {
    fn start(lang: Lang) -> Server {
        Server::start_with(command(lang, &["--port", "0"]))
    }

    fn start_with(mut command: Command) -> Server {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("piped");
        let child = Guard(child);
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let first = lines
            .recv_timeout(BOUND)
            .expect("the server prints its address");
        let port = first
            .strip_prefix("listening on 127.0.0.1:")
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("{command:?}: unexpected first line {first:?}"));
        Server { child, port, lines }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).expect("connects");
        stream.set_read_timeout(Some(BOUND)).expect("a timeout");
        stream.set_write_timeout(Some(BOUND)).expect("a timeout");
        stream
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.0.id()).expect("a pid");
        // SAFETY: `kill` has no memory-safety preconditions; the pid is our
        // child's, which `Guard` has not waited for yet, so it is not reused.
        let sent = unsafe { libc::kill(pid, signal) };
        assert_eq!(sent, 0, "kill failed: {}", io::Error::last_os_error());
    }

    /// Waits for the line `wanted`, returning the lines before it.
    fn wait_for_line(&self, wanted: &str) -> Vec<String> {
        let deadline = Instant::now() + BOUND;
        let mut before = Vec::new();
        loop {
            match self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) if line == wanted => return before,
                Ok(line) => before.push(line),
                Err(error) => panic!("never printed {wanted:?} ({error}); printed {before:?}"),
            }
        }
    }

    /// Waits (bounded) for the process to end, and returns how it ended.
    fn wait(mut self) -> ExitStatus {
        let deadline = Instant::now() + BOUND;
        loop {
            if let Some(status) = self.child.0.try_wait().expect("waits") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not end");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Sends one line and reads one answer, byte by byte (no buffer to lose).
fn ask(stream: &mut TcpStream, line: &str) -> String {
    stream
        .write_all(format!("{line}\n").as_bytes())
        .expect("sends");
    read_line(stream)
}

fn read_line(stream: &mut TcpStream) -> String {
    let mut line = Vec::new();
    let mut byte = [0];
    while stream.read(&mut byte).expect("reads in time") == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    String::from_utf8(line).expect("utf-8")
}

fn sigterm_says_bye_and_drains(lang: Lang) {
    let server = Server::start(lang);
    let mut client = server.connect();
    assert_eq!(ask(&mut client, "SET kept 1"), "OK");
    server.signal(libc::SIGTERM);
    assert_eq!(read_line(&mut client), "BYE shutting down");
    assert_eq!(read_line(&mut client), "", "then the server closes");
    server.wait_for_line("stopping: no new clients, telling the others BYE");
    server.wait_for_line("stopped; connections cut at the deadline: 0");
    let status = server.wait();
    assert!(status.success(), "{lang:?}: {status}");
}

#[test]
fn rust_sigterm_says_bye_and_drains() {
    sigterm_says_bye_and_drains(Lang::Rust);
}

#[test]
fn python_sigterm_says_bye_and_drains() {
    sigterm_says_bye_and_drains(Lang::Python);
}

/// A client that asks for megabytes and reads none keeps the drain waiting
/// (the server's write cannot finish); a second signal ends it at once.
fn a_second_signal_ends_the_drain_at_once(lang: Lang) {
    let server = Server::start(lang);
    let mut hog = server.connect();
    assert_eq!(ask(&mut hog, &format!("SET v {}", "x".repeat(1000))), "OK");
    let mut writer = hog.try_clone().expect("a second handle");
    let writing = std::thread::spawn(move || {
        // 20 MB of answers, more than the sockets' buffers hold.
        let _ = writer.write_all("GET v\n".repeat(20_000).as_bytes());
    });
    // Once the answers come, the server is busy until its write waits.
    hog.peek(&mut [0]).expect("the first answer, in time");
    server.signal(libc::SIGTERM);
    server.wait_for_line("stopping: no new clients, telling the others BYE");
    server.signal(libc::SIGTERM);
    server.wait_for_line("second signal: stopping now");
    let status = server.wait();
    assert_eq!(
        status.code(),
        Some(128 + libc::SIGTERM),
        "{lang:?}: {status}"
    );
    drop(hog);
    writing
        .join()
        .expect("the writer ends once the server is gone");
}

#[test]
fn rust_second_signal_ends_the_drain_at_once() {
    a_second_signal_ends_the_drain_at_once(Lang::Rust);
}

#[test]
fn python_second_signal_ends_the_drain_at_once() {
    a_second_signal_ends_the_drain_at_once(Lang::Python);
}

/// A client that stops reading keeps the drain waiting until the deadline
/// (10 seconds); then the server cuts it, says so, and exits with success.
fn the_deadline_cuts_a_client_that_reads_nothing(server: Server) {
    let mut hog = server.connect();
    assert_eq!(ask(&mut hog, &format!("SET v {}", "x".repeat(1000))), "OK");
    let mut writer = hog.try_clone().expect("a second handle");
    let writing = std::thread::spawn(move || {
        let _ = writer.write_all("GET v\n".repeat(20_000).as_bytes());
    });
    hog.peek(&mut [0]).expect("the first answer, in time");
    server.signal(libc::SIGTERM);
    server.wait_for_line("stopping: no new clients, telling the others BYE");
    server.wait_for_line("stopped; connections cut at the deadline: 1");
    let status = server.wait();
    assert!(status.success(), "{status}");
    // Cut means closed: the hog reads the end (or a reset), not 20 MB.
    let mut buffer = vec![0; 64 * 1024];
    let mut received = 0;
    while let Ok(n @ 1..) = hog.read(&mut buffer) {
        received += n;
    }
    assert!(
        received < 20_000 * 1007,
        "all {received} bytes came: not cut"
    );
    writing
        .join()
        .expect("the writer ends once the server is gone");
}

#[test]
fn rust_deadline_cuts_a_client_that_reads_nothing() {
    the_deadline_cuts_a_client_that_reads_nothing(Server::start(Lang::Rust));
}

/// On `python3`, and on each Python 3.11+ that pyenv installed: from 3.12
/// on, `Server.wait_closed()` waits for every connection, so a twin that
/// did not abort the hog's transport would never exit.
#[test]
fn python_deadline_cuts_a_client_that_reads_nothing() {
    let mut pythons = vec![PathBuf::from("python3")];
    let pyenv = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".pyenv")));
    if let Some(Ok(versions)) = pyenv.map(|root| std::fs::read_dir(root.join("versions"))) {
        for version in versions.map_while(Result::ok) {
            let name = version.file_name().to_string_lossy().into_owned();
            let minor = name
                .strip_prefix("3.")
                .and_then(|rest| rest.split('.').next());
            if minor.and_then(|minor| minor.parse::<u32>().ok()) >= Some(11) {
                pythons.push(version.path().join("bin/python3"));
            }
        }
    }
    let script = root().join("examples/kv_server.py");
    std::thread::scope(|scope| {
        for python in &pythons {
            let script = &script;
            scope.spawn(move || {
                let mut command = Command::new(python);
                command.arg(script).args(["--port", "0"]);
                the_deadline_cuts_a_client_that_reads_nothing(Server::start_with(command));
            });
        }
    });
}

/// The demo's client session, as the book's output file shows it.
fn expected_session() -> Vec<String> {
    let path = root().join("book/src/output/kv_server.txt");
    let text = std::fs::read_to_string(path).expect("the output file");
    let session: Vec<String> = text
        .lines()
        .skip(1) // the command
        .take_while(|line| !line.starts_with("dave"))
        .map(str::to_owned)
        .collect();
    assert!(session.len() > 10, "too short: {session:?}");
    session
}

fn client_talks_to_server(client: Lang, server: Lang) {
    let running = Server::start(server);
    let output = command(client, &["--client", &running.port.to_string()])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .expect("the client runs");
    assert!(
        output.status.success(),
        "{client:?} client: {}",
        output.status
    );
    let printed: Vec<String> = String::from_utf8(output.stdout)
        .expect("utf-8")
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        printed,
        expected_session(),
        "{client:?} client, {server:?} server"
    );
    running.signal(libc::SIGTERM);
    assert!(running.wait().success());
}

#[test]
fn the_python_client_talks_to_the_rust_server() {
    client_talks_to_server(Lang::Python, Lang::Rust);
}

#[test]
fn the_rust_client_talks_to_the_python_server() {
    client_talks_to_server(Lang::Rust, Lang::Python);
}
