// Course section: The `@asynccontextmanager` Decorator.
//
// An `@asynccontextmanager` function sets a resource up, `yield`s it to the
// body of an `async with` block, and tears it down afterwards. Rust has no
// `async with`, so `with_log_file` takes the body as an async closure: it
// opens a buffered log file, runs the body, then flushes and syncs the file
// whatever the body returned, and hands the body's result back (or both
// errors, when the body and the closing both fail).
//
// Run it with `cargo run --example with_log_file`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::error::Error;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::fs::{File, OpenOptions};
use tokio::io::{AsyncWriteExt, BufWriter};
use tokio::time::{sleep, timeout};

// ANCHOR: open_close
/// Set-up: open the log for appending (creating it), behind a buffer, so
/// that each line costs no trip to the disk.
async fn open_log(path: &Path) -> io::Result<BufWriter<File>> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .await?;
    Ok(BufWriter::new(file))
}

/// Tear-down: hand the buffered lines to the OS, then wait until the OS has
/// put them on the disk. Both steps can fail, and both need `.await`.
async fn close_log(mut log: BufWriter<File>) -> io::Result<()> {
    log.flush().await?;
    log.get_ref().sync_all().await?;
    println!("  close_log: flushed and synced"); // shows in the output when it ran
    Ok(())
}
// ANCHOR_END: open_close

// ANCHOR: with_log_file
/// Why `with_log_file` failed. When the body and the tear-down both fail,
/// the caller gets both errors.
#[derive(Debug)]
enum LogError<E> {
    /// Opening or closing the log failed (the body succeeded, or never ran).
    Log(io::Error),
    /// The body failed; the log was closed.
    Body(E),
    /// The body failed, and closing the log failed too.
    Both { body: E, close: io::Error },
}

/// `async with log_file(path) as log: ...`, written as a function.
async fn with_log_file<T, E>(
    path: &Path,
    body: impl AsyncFnOnce(&mut BufWriter<File>) -> Result<T, E>,
) -> Result<T, LogError<E>> {
    let mut log = open_log(path).await.map_err(LogError::Log)?; // before `yield`
    let result = body(&mut log).await; // the body of `async with`
    let closed = close_log(log).await; // the code after `yield`, always
    match (result, closed) {
        (Ok(value), Ok(())) => Ok(value),
        (Ok(_), Err(close)) => Err(LogError::Log(close)),
        (Err(body), Ok(())) => Err(LogError::Body(body)),
        (Err(body), Err(close)) => Err(LogError::Both { body, close }),
    }
}
// ANCHOR_END: with_log_file

impl<E: fmt::Display> fmt::Display for LogError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogError::Log(error) => write!(f, "{error}"),
            LogError::Body(error) => write!(f, "{error}"),
            LogError::Both { body, close } => {
                write!(f, "{body} (and closing the log failed: {close})")
            }
        }
    }
}

impl<E: Error> Error for LogError<E> {}

/// The lines that reached the file.
async fn lines_on_disk(path: &Path) -> io::Result<Vec<String>> {
    let text = tokio::fs::read_to_string(path).await?;
    Ok(text.lines().map(String::from).collect())
}

/// `Ok(value)` or `Err(message)`, for the output.
fn outcome<T: std::fmt::Debug, E: std::fmt::Display>(result: &Result<T, E>) -> String {
    match result {
        Ok(value) => format!("Ok({value:?})"),
        Err(error) => format!("Err({error})"),
    }
}

/// A fresh directory for the log files, removed again when dropped. The
/// next example, `drop_guard`, explains this kind of value.
struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// One directory per process and name, so tests never share one.
    fn new(name: &str) -> io::Result<Self> {
        let process = std::process::id();
        let path = std::env::temp_dir().join(format!("async-rust-book-{process}-{name}"));
        std::fs::create_dir(&path)?;
        Ok(ScratchDir { path })
    }

    fn join(&self, file: &str) -> PathBuf {
        self.path.join(file)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_dir_all(&self.path) {
            eprintln!("warning: could not remove a scratch directory: {error}");
        }
    }
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let dir = ScratchDir::new("with_log_file")?;

    println!("The body succeeds:");
    let path = dir.join("ok.log");
    let result: Result<u32, LogError<io::Error>> = with_log_file(&path, async |log| {
        log.write_all(b"water on\n").await?;
        log.write_all(b"2 eggs in\n").await?;
        Ok(2)
    })
    .await;
    println!("  result:  {}", outcome(&result));
    println!("  on disk: {:?}", lines_on_disk(&path).await?);

    println!("The body fails:");
    let path = dir.join("err.log");
    let result: Result<u32, LogError<io::Error>> = with_log_file(&path, async |log| {
        log.write_all(b"water on\n").await?;
        Err(io::Error::other("the carton is empty"))
    })
    .await;
    println!("  result:  {}", outcome(&result));
    println!("  on disk: {:?}", lines_on_disk(&path).await?);

    println!("The body is cancelled after 1 s:");
    let path = dir.join("cancelled.log");
    let boiling = with_log_file(&path, async |log| {
        log.write_all(b"water on\n").await?;
        log.flush().await?; // this line goes to the OS now
        log.write_all(b"2 eggs in\n").await?; // this one waits in the buffer
        sleep(Duration::from_secs(3)).await;
        Ok::<_, io::Error>(2)
    });
    let result = timeout(Duration::from_secs(1), boiling).await;
    println!("  result:  {}", outcome(&result));
    println!("  on disk: {:?}", lines_on_disk(&path).await?);
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test]
    async fn on_ok_every_line_is_on_disk_and_the_value_comes_back() {
        let dir = ScratchDir::new("test-ok").expect("a fresh directory");
        let path = dir.join("log");
        let result: Result<&str, LogError<io::Error>> = with_log_file(&path, async |log| {
            log.write_all(b"one\ntwo\n").await?;
            Ok("done")
        })
        .await;
        assert_eq!(result.expect("nothing fails"), "done");
        assert_eq!(
            lines_on_disk(&path).await.expect("readable"),
            ["one", "two"]
        );
    }

    #[tokio::test]
    async fn on_err_the_log_is_still_closed_and_the_error_comes_back() {
        let dir = ScratchDir::new("test-err").expect("a fresh directory");
        let path = dir.join("log");
        let result: Result<(), LogError<io::Error>> = with_log_file(&path, async |log| {
            // Only in the buffer: if it reaches the disk, `close_log` ran.
            log.write_all(b"before the error\n").await?;
            Err(io::Error::new(io::ErrorKind::InvalidData, "bad egg"))
        })
        .await;
        let LogError::Body(error) = result.expect_err("the body failed") else {
            panic!("the log closed, so only the body's error comes back");
        };
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert_eq!(error.to_string(), "bad egg");
        assert_eq!(
            lines_on_disk(&path).await.expect("readable"),
            ["before the error"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn on_cancel_no_tear_down_runs_and_buffered_lines_are_lost() {
        let dir = ScratchDir::new("test-cancel").expect("a fresh directory");
        let path = dir.join("log");
        let start = Instant::now();
        let body_finished = std::cell::Cell::new(false);
        let result = timeout(
            Duration::from_secs(1),
            with_log_file(&path, async |log| {
                log.write_all(b"flushed\n").await?;
                log.flush().await?;
                log.write_all(b"buffered\n").await?;
                sleep(Duration::from_secs(3)).await;
                body_finished.set(true);
                Ok::<_, io::Error>(())
            }),
        )
        .await;
        assert!(result.is_err(), "the timeout fired");
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        assert!(!body_finished.get());
        // What the body flushed itself is there; what sat in the buffer
        // went when the future, and the `BufWriter` in it, was dropped.
        assert_eq!(lines_on_disk(&path).await.expect("readable"), ["flushed"]);
    }

    /// Linux's `/dev/full` accepts an open but fails every write with
    /// "No space left on device": a disk that fills up under the log.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn an_error_while_closing_reaches_the_caller() {
        let result: Result<(), LogError<io::Error>> =
            with_log_file(Path::new("/dev/full"), async |log| {
                log.write_all(b"this line fits in the buffer\n").await?;
                Ok(())
            })
            .await;
        let LogError::Log(error) = result.expect_err("the flush fails") else {
            panic!("only closing failed");
        };
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
    }

    /// A bound that names the future (`FnOnce() -> Fut`) can ask it to be
    /// `Send`, so a generic function can spawn it; it fits closures whose
    /// future owns what it uses.
    #[tokio::test]
    async fn a_bound_that_names_the_future_can_require_send() {
        fn spawn_call<F, Fut>(body: F) -> tokio::task::JoinHandle<u32>
        where
            F: FnOnce() -> Fut + Send + 'static,
            Fut: Future<Output = u32> + Send + 'static,
        {
            tokio::spawn(async move { body().await })
        }
        let n = 41;
        let answer = spawn_call(async move || n + 1).await.expect("the task ran");
        assert_eq!(answer, 42);
    }

    /// With a concrete closure, the compiler sees the whole future and
    /// finds it `Send`, so `tokio::spawn` takes it.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_call_with_a_concrete_closure_can_be_spawned() {
        let dir = ScratchDir::new("test-spawn").expect("a fresh directory");
        let path = dir.join("log");
        let in_task = path.clone();
        let task = tokio::spawn(async move {
            with_log_file(&in_task, async |log| {
                log.write_all(b"from a task\n").await?;
                Ok::<_, io::Error>(1)
            })
            .await
        });
        let value = task.await.expect("the task ran").expect("nothing fails");
        assert_eq!(value, 1);
        assert_eq!(
            lines_on_disk(&path).await.expect("readable"),
            ["from a task"]
        );
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn when_the_body_and_closing_both_fail_both_errors_come_back() {
        let result: Result<(), LogError<io::Error>> =
            with_log_file(Path::new("/dev/full"), async |log| {
                log.write_all(b"this line fits in the buffer\n").await?;
                Err(io::Error::other("bad egg"))
            })
            .await;
        let LogError::Both { body, close } = result.expect_err("both fail") else {
            panic!("the body and the flush both failed");
        };
        assert_eq!(body.to_string(), "bad egg");
        assert_eq!(close.kind(), io::ErrorKind::StorageFull);
    }
}
