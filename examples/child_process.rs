// Course section: What, Why & Threads vs Asyncio (another call that waits: a child process).
//
// `asyncio.create_subprocess_exec` in Rust: `tokio::process::Command`. The
// program reads a child's output line by line while the child runs, talks to
// a child through its stdin, kills a child that takes too long, and shows
// that a `Child` dropped with its future is killed only when it was started
// with `kill_on_drop(true)`. So that it runs the same everywhere, with
// nothing installed, the program is its own child: `--child ...` makes it
// play one.
//
// Run it with `cargo run --features real-io --example child_process`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate tokio;

use std::env;
use std::io::{self, Write};
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::thread;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::time::timeout;

/// The most any child here may take before the program gives up on it.
const LIMIT: Duration = Duration::from_secs(10);

// ANCHOR: child
/// What the program does as a child: plain blocking code, with no runtime,
/// like most programs you would start. `count N` prints N lines, one every
/// 0.1 s; `shout` answers each line of its stdin in capitals until stdin
/// closes; `sleep SECONDS` sleeps and prints nothing.
fn be_the_child(args: &[String]) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    match args {
        [mode, n] if mode == "count" => {
            let n: u32 = n.parse().map_err(io::Error::other)?;
            for i in 1..=n {
                thread::sleep(Duration::from_millis(100));
                writeln!(stdout, "egg {i} of {n} is done")?;
                // Send each line now: Python buffers a pipe's output, and
                // Rust does not promise that it never will.
                stdout.flush()?;
            }
        }
        [mode] if mode == "shout" => {
            for line in io::stdin().lines() {
                writeln!(stdout, "{}", line?.to_uppercase())?;
                stdout.flush()?;
            }
        }
        [mode, seconds] if mode == "sleep" => {
            let seconds: u64 = seconds.parse().map_err(io::Error::other)?;
            thread::sleep(Duration::from_secs(seconds));
        }
        _ => {
            let message = format!("unknown child: {args:?}");
            return Err(io::Error::new(io::ErrorKind::InvalidInput, message));
        }
    }
    Ok(())
}
// ANCHOR_END: child

// ANCHOR: follow
/// Hands each line the child prints to `on_line` as soon as it arrives,
/// then waits for the child to end and returns how it ended.
async fn follow(child: &mut Child, mut on_line: impl FnMut(String)) -> io::Result<ExitStatus> {
    let stdout = child
        .stdout
        .take()
        .ok_or(io::Error::other("stdout is not piped"))?;
    let mut lines = BufReader::new(stdout).lines();
    while let Some(line) = lines.next_line().await? {
        on_line(line);
    }
    child.wait().await
}
// ANCHOR_END: follow

// ANCHOR: shout
/// Sends each word to the child's stdin, on a line of its own, and reads
/// the child's answer before sending the next. Closes stdin at the end.
async fn shout(child: &mut Child, words: &[&str]) -> io::Result<Vec<String>> {
    let mut stdin = child
        .stdin
        .take()
        .ok_or(io::Error::other("stdin is not piped"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or(io::Error::other("stdout is not piped"))?;
    let mut answers = BufReader::new(stdout).lines();
    let mut heard = Vec::new();
    for word in words {
        stdin.write_all(format!("{word}\n").as_bytes()).await?;
        let answer = answers.next_line().await?;
        heard.push(answer.ok_or(io::Error::other("the child stopped answering"))?);
    }
    drop(stdin); // the child reads the end of its input, and stops
    Ok(heard)
}
// ANCHOR_END: shout

// ANCHOR: wait_or_kill
/// Waits at most `limit` for the child to end; kills it if it has not.
async fn wait_or_kill(child: &mut Child, limit: Duration) -> io::Result<ExitStatus> {
    if let Ok(status) = timeout(limit, child.wait()).await {
        return status;
    }
    child.kill().await?; // sends the kill, then waits for the child to end
    child.wait().await // the same status again: the child has ended
}
// ANCHOR_END: wait_or_kill

// ANCHOR: dropped
/// Starts a child that sleeps for 10 s, and waits for it. The `Child` lives
/// in this future: when the future is dropped, the `Child` is dropped too.
async fn sleep_in_a_child(me: &Path) -> io::Result<ExitStatus> {
    let mut child = Command::new(me)
        .args(["--child", "sleep", "10"])
        .kill_on_drop(true)
        .spawn()?;
    child.wait().await
}
// ANCHOR_END: dropped

// ANCHOR: describe
/// "exited with code 0"; a child killed by a signal (on Unix) has no code.
fn describe(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exited with code {code}"),
        None => "was killed by a signal".to_string(),
    }
}
// ANCHOR_END: describe

// ANCHOR: main
fn main() -> io::Result<()> {
    let args: Vec<String> = env::args().skip(1).collect();
    match args.split_first() {
        Some((flag, part)) if flag == "--child" => be_the_child(part),
        _ => parent(),
    }
}

#[tokio::main]
async fn parent() -> io::Result<()> {
    // The program starts itself as its child; yours would start another
    // program: `Command::new("ffmpeg")`.
    let me = env::current_exe()?;

    let mut counter = Command::new(&me)
        .args(["--child", "count", "3"])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let status = timeout(
        LIMIT,
        follow(&mut counter, |line| println!("child: {line}")),
    )
    .await??;
    println!("the counter {}", describe(status));

    let mut shouter = Command::new(&me)
        .args(["--child", "shout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let words = ["soft", "runny"];
    let answers = timeout(LIMIT, shout(&mut shouter, &words)).await??;
    for (word, answer) in words.iter().zip(answers) {
        println!("sent {word}, read {answer}");
    }
    println!(
        "the shouter {}",
        describe(wait_or_kill(&mut shouter, LIMIT).await?)
    );

    let mut sleeper = Command::new(&me)
        .args(["--child", "sleep", "10"])
        .kill_on_drop(true)
        .spawn()?;
    let status = wait_or_kill(&mut sleeper, Duration::from_millis(200)).await?;
    println!("the sleeper {}", describe(status));

    // The timeout drops the future, and with it the `Child` inside.
    match timeout(Duration::from_millis(200), sleep_in_a_child(&me)).await {
        Ok(status) => println!("the second sleeper {}", describe(status?)),
        Err(_) => println!("gave up on the second sleeper, and dropped it: killed"),
    }
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    use std::future::{Future, poll_fn};
    use std::task::Poll;

    use tokio::io::AsyncReadExt;
    use tokio::process::{ChildStdin, ChildStdout};

    /// Where `child_command` tells the child which part to play.
    const CHILD_ARGS: &str = "CHILD_PROCESS_ARGS";

    /// What libtest prints before it runs the one test `child`.
    const LIBTEST_HEADER: &[u8] = b"\nrunning 1 test\n";

    /// The tests' child. `current_exe()` in a test is this test binary, not
    /// the example, so the tests start the test binary again, running only
    /// the ignored test `child` below, which plays the part `args` names
    /// as `main` does with `--child`. Every child is killed if a test drops it.
    fn child_command(args: &str) -> Command {
        let mut command = Command::new(env::current_exe().expect("this test binary"));
        command
            .args([
                "--exact",
                "tests::child",
                "--ignored",
                "--nocapture",
                "--quiet",
            ])
            .env(CHILD_ARGS, args)
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// Starts `command`, and reads what libtest prints before the child's
    /// own lines, so that the code under test reads only those.
    async fn start(command: &mut Command) -> Child {
        let mut child = command.spawn().expect("the child starts");
        let stdout = child.stdout.as_mut().expect("stdout is piped");
        let mut header = vec![0; LIBTEST_HEADER.len()];
        timeout(LIMIT, stdout.read_exact(&mut header))
            .await
            .expect("libtest prints its header at once")
            .expect("the child prints libtest's header");
        assert_eq!(
            header,
            LIBTEST_HEADER,
            "{:?}",
            String::from_utf8_lossy(&header)
        );
        child
    }

    /// Plays the child for the other tests, and does nothing in a plain
    /// `cargo test -- --ignored`. It exits as soon as its part is played,
    /// so that libtest prints nothing after the child's own lines.
    #[test]
    #[ignore = "the child process of the other tests"]
    fn child() {
        let Ok(args) = env::var(CHILD_ARGS) else {
            return;
        };
        let args: Vec<String> = args.split(' ').map(String::from).collect();
        let code = match be_the_child(&args) {
            Ok(()) => 0,
            Err(error) => {
                eprintln!("child: {error}");
                1
            }
        };
        std::process::exit(code);
    }

    #[tokio::test]
    async fn follow_hands_over_every_line_then_the_exit_status() {
        let mut child = start(&mut child_command("count 3")).await;
        let mut lines = Vec::new();
        let status = timeout(LIMIT, follow(&mut child, |line| lines.push(line)))
            .await
            .expect("the child ends by itself")
            .expect("follow reads the child");
        assert_eq!(
            lines,
            [
                "egg 1 of 3 is done",
                "egg 2 of 3 is done",
                "egg 3 of 3 is done"
            ]
        );
        assert_eq!(status.code(), Some(0));
    }

    #[tokio::test]
    async fn a_line_arrives_while_the_child_is_still_running() {
        let mut command = child_command("shout");
        let mut child = start(command.stdin(Stdio::piped())).await;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut answers = BufReader::new(stdout).lines();
        stdin.write_all(b"soft\n").await.expect("the child reads");
        let answer = timeout(LIMIT, answers.next_line())
            .await
            .expect("an answer");
        assert_eq!(answer.expect("a line").as_deref(), Some("SOFT"));
        assert!(
            child.try_wait().expect("try_wait").is_none(),
            "the child runs until its stdin closes"
        );
        drop(stdin);
        let status = timeout(LIMIT, child.wait()).await.expect("it ends");
        assert_eq!(status.expect("wait").code(), Some(0));
    }

    #[tokio::test]
    async fn shout_gets_one_answer_per_word_and_closes_stdin() {
        let mut command = child_command("shout");
        let mut child = start(command.stdin(Stdio::piped())).await;
        let answers = timeout(LIMIT, shout(&mut child, &["soft", "runny"]))
            .await
            .expect("the child answers")
            .expect("shout talks to the child");
        assert_eq!(answers, ["SOFT", "RUNNY"]);
        // The child ends by itself: `shout` closed its stdin.
        let status = timeout(LIMIT, child.wait()).await.expect("the child ends");
        assert_eq!(status.expect("wait").code(), Some(0));
    }

    #[tokio::test]
    async fn wait_closes_stdin_first() {
        let mut command = child_command("shout");
        let mut child = start(command.stdin(Stdio::piped())).await;
        assert!(child.stdin.is_some());
        // The child waits for its stdin to close; `wait` closes it.
        let status = timeout(LIMIT, child.wait()).await.expect("the child ends");
        assert_eq!(status.expect("wait").code(), Some(0));
    }

    #[tokio::test]
    async fn wait_or_kill_returns_the_status_of_a_child_that_ends_in_time() {
        let mut child = start(&mut child_command("count 1")).await;
        let status = wait_or_kill(&mut child, LIMIT).await.expect("waits");
        assert_eq!(status.code(), Some(0));
    }

    /// Asserts that `child` has ended and was reaped, killed by SIGKILL.
    fn assert_killed(child: &mut Child, status: ExitStatus) {
        assert_eq!(status.code(), None, "a killed child has no exit code");
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(9), "SIGKILL");
        }
        // `try_wait` has the status at once, and the process id is gone:
        // the child has ended and been waited for.
        let reaped = child.try_wait().expect("try_wait");
        assert_eq!(reaped, Some(status));
        assert_eq!(child.id(), None);
    }

    #[tokio::test]
    async fn wait_or_kill_kills_a_child_that_runs_too_long() {
        let mut child = start(&mut child_command("sleep 30")).await;
        let status = wait_or_kill(&mut child, Duration::from_millis(100))
            .await
            .expect("kills and waits");
        assert_killed(&mut child, status);
    }

    #[tokio::test]
    async fn start_kill_returns_at_once_and_wait_collects_the_child() {
        let mut child = start(&mut child_command("sleep 30")).await;
        child.start_kill().expect("the kill is sent");
        // Sent, not yet collected: the child still has its process id.
        assert!(child.id().is_some(), "start_kill does not wait");
        let status = timeout(LIMIT, child.wait()).await.expect("the child ends");
        assert_killed(&mut child, status.expect("wait"));
    }

    /// Starts a shouter with `kill_on_drop` set as given, moves its `Child`
    /// into a future that waits for it, polls that future once, and drops
    /// it, as a timeout or a cancelled task does. Returns the child's stdin
    /// and stdout, which the test kept.
    async fn drop_a_future_holding_a_child(kill_on_drop: bool) -> (ChildStdin, Lines) {
        let mut command = child_command("shout");
        command.stdin(Stdio::piped()).kill_on_drop(kill_on_drop);
        let mut child = start(&mut command).await;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut waiting = Box::pin(async move { child.wait().await });
        let polled = poll_fn(|cx| Poll::Ready(waiting.as_mut().poll(cx))).await;
        assert!(polled.is_pending(), "the child waits for its stdin");
        drop(waiting);
        (stdin, BufReader::new(stdout).lines())
    }

    type Lines = tokio::io::Lines<BufReader<ChildStdout>>;

    #[tokio::test]
    async fn a_dropped_child_keeps_running() {
        let (mut stdin, mut answers) = drop_a_future_holding_a_child(false).await;
        // The `Child` is gone, and the child still answers.
        stdin
            .write_all(b"still here\n")
            .await
            .expect("the child reads");
        let answer = timeout(LIMIT, answers.next_line())
            .await
            .expect("an answer");
        assert_eq!(answer.expect("a line").as_deref(), Some("STILL HERE"));
        // It ends only when its stdin closes, as it would have anyway.
        drop(stdin);
        let end = timeout(LIMIT, answers.next_line())
            .await
            .expect("the child ends");
        assert_eq!(end.expect("end of output"), None);
    }

    #[tokio::test]
    async fn a_dropped_child_with_kill_on_drop_is_killed() {
        let (_stdin, mut answers) = drop_a_future_holding_a_child(true).await;
        // Its stdin is still open, so it would wait for more input for ever:
        // its output ends because the process ended, killed.
        let end = timeout(LIMIT, answers.next_line())
            .await
            .expect("the child ends");
        assert_eq!(end.expect("end of output"), None);
    }
}
