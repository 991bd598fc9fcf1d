// Course section: What, why, and threads vs asyncio (writing to log files).
//
// Many tasks log lines; one writer task owns the file and gets the lines
// through a channel, as Python's `QueueHandler` and `QueueListener` do for
// `logging`. When the last `Logger` handle is dropped, the writer writes
// what is left, flushes, syncs the file and reports how many lines it
// wrote, or the error that stopped it.
//
// Run it with `cargo run --example async_logger`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

use std::error::Error;
use std::io;
use std::panic::resume_unwind;
use std::path::{Path, PathBuf};

use tokio::fs::{File, OpenOptions};
use tokio::io::{AsyncWriteExt, BufWriter};
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};

// ANCHOR: logger
/// A handle to log through; clone one for each task.
#[derive(Clone)]
struct Logger {
    lines: mpsc::Sender<String>,
}

/// The task that writes the file.
struct LogWriter {
    task: JoinHandle<io::Result<u64>>,
}

/// Opens the log for appending and starts its writer task.
async fn start_logger(path: &Path) -> io::Result<(Logger, LogWriter)> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .await?;
    // At most 1024 lines wait in the channel; then `log` waits.
    let (sender, receiver) = mpsc::channel(1024);
    let task = tokio::spawn(write_lines(BufWriter::new(file), receiver));
    Ok((Logger { lines: sender }, LogWriter { task }))
}

async fn write_lines(
    mut file: BufWriter<File>,
    mut lines: mpsc::Receiver<String>,
) -> io::Result<u64> {
    let mut written = 0; // lines flushed to the OS
    let mut buffered = 0; // lines in the `BufWriter`, not flushed yet
    // `None` comes once every `Logger` is gone and the channel is empty.
    while let Some(line) = lines.recv().await {
        buffered += 1;
        let caught_up = lines.is_empty(); // then hand the lines to the OS
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

/// The writer stops at its first error. The lines in its buffer and those
/// still in the channel are lost, though the failed write may have written
/// some of them, or part of one: the error says at most how many.
async fn give_up(error: io::Error, buffered: u64, mut lines: mpsc::Receiver<String>) -> io::Error {
    lines.close(); // `log` fails from now on
    let mut lost = buffered;
    // `None` once the channel is empty and no `log` is halfway through a
    // send (`try_recv` could miss such a line).
    while lines.recv().await.is_some() {
        lost += 1;
    }
    io::Error::new(
        error.kind(),
        format!("{error} (up to {lost} lines not written)"),
    )
}

impl Logger {
    /// Queues one line for the writer.
    async fn log(&self, line: impl Into<String>) -> io::Result<()> {
        self.lines
            .send(line.into())
            .await
            .map_err(|_| io::Error::other("the log writer has stopped"))
    }
}

impl LogWriter {
    /// Waits until every line is in the file and the file is synced. The
    /// writer stops when the last `Logger` is dropped: drop them first.
    async fn finish(self) -> io::Result<u64> {
        match self.task.await {
            Ok(result) => result,
            Err(error) => match error.try_into_panic() {
                // The writer panicked: panic here too.
                Ok(panic) => resume_unwind(panic),
                // Its runtime shut down and dropped it before it finished.
                Err(cancelled) => Err(io::Error::other(cancelled)),
            },
        }
    }
}
// ANCHOR_END: logger

/// A fresh directory for the log, removed again when dropped (see the
/// `drop_guard` example).
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

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let dir = ScratchDir::new("async_logger")?;
    let path = dir.join("kitchen.log");
    let (log, writer) = start_logger(&path).await?;

    let mut cooks = JoinSet::new();
    for cook in 1..=3 {
        let log = log.clone();
        cooks.spawn(async move {
            for egg in 1..=4 {
                log.log(format!("cook {cook}: egg {egg} in")).await?;
            }
            io::Result::Ok(())
        });
    }
    drop(log); // the cooks hold the other handles
    while let Some(cook) = cooks.join_next().await {
        cook??;
    }
    // Every handle is gone now, so `finish` does not wait for ever.
    println!("the writer wrote {} lines", writer.finish().await?);

    let text = tokio::fs::read_to_string(&path).await?;
    for cook in 1..=3 {
        let prefix = format!("cook {cook}:");
        let lines: Vec<&str> = text.lines().filter(|l| l.starts_with(&prefix)).collect();
        println!("{lines:?}");
    }
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::sync::oneshot;

    fn lines_in(path: &Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .expect("readable")
            .lines()
            .map(String::from)
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_line_is_lost_when_many_tasks_log_at_once() {
        let dir = ScratchDir::new("test-many").expect("a fresh directory");
        let path = dir.join("log");
        let (log, writer) = start_logger(&path).await.expect("starts");
        let (tasks, lines) = (20, 500);
        let mut set = JoinSet::new();
        for task in 0..tasks {
            let log = log.clone();
            set.spawn(async move {
                for line in 0..lines {
                    log.log(format!("{task} {line}")).await.expect("logs");
                }
            });
        }
        drop(log);
        set.join_all().await;
        assert_eq!(writer.finish().await.expect("writes"), tasks * lines);

        // Each line once, and each task's lines in the order it logged them.
        let mut next = vec![0; tasks as usize];
        for line in lines_in(&path) {
            let (task, number) = line.split_once(' ').expect("two numbers");
            let task: usize = task.parse().expect("a task number");
            assert_eq!(number, next[task].to_string(), "task {task}");
            next[task] += 1;
        }
        assert_eq!(next, vec![lines; tasks as usize]);
    }

    /// Before `finish`: the writer flushes whenever it has caught up.
    #[tokio::test]
    async fn the_lines_reach_the_file_when_the_writer_catches_up() {
        let dir = ScratchDir::new("test-caught-up").expect("a fresh directory");
        let path = dir.join("log");
        let (log, writer) = start_logger(&path).await.expect("starts");
        for line in ["one", "two", "three"] {
            log.log(line).await.expect("logs");
        }
        let waited = tokio::time::timeout(Duration::from_secs(10), async {
            while lines_in(&path).len() < 3 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        assert!(waited.is_ok(), "the lines never reached the file");
        assert_eq!(lines_in(&path), ["one", "two", "three"]);
        drop(log);
        writer.finish().await.expect("writes");
    }

    /// A task that is aborted keeps what it logged: the lines are in the
    /// channel, which the writer owns, not in the task.
    #[tokio::test]
    async fn an_aborted_task_loses_only_the_lines_it_had_not_logged() {
        let dir = ScratchDir::new("test-abort").expect("a fresh directory");
        let path = dir.join("log");
        let (log, writer) = start_logger(&path).await.expect("starts");
        let (logged, has_logged) = oneshot::channel();
        let cook = tokio::spawn(async move {
            log.log("water on").await.expect("logs");
            log.log("2 eggs in").await.expect("logs");
            logged.send(()).expect("the test waits for it");
            std::future::pending::<()>().await; // waits for ever
            log.log("eggs out").await.expect("never gets here");
        });
        has_logged.await.expect("the cook logged");
        cook.abort(); // drops the task, and its `Logger` with it
        assert!(cook.await.expect_err("aborted").is_cancelled());
        assert_eq!(writer.finish().await.expect("writes"), 2);
        assert_eq!(lines_in(&path), ["water on", "2 eggs in"]);
    }

    /// Forgetting `finish`: the runtime stops, and drops the writer task
    /// with the lines that it had not written yet.
    #[test]
    fn without_finish_the_lines_are_lost_when_the_runtime_stops() {
        let dir = ScratchDir::new("test-no-finish").expect("a fresh directory");
        let path = dir.join("log");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let (log, _writer) = start_logger(&path).await.expect("starts");
            for line in ["water on", "2 eggs in"] {
                log.log(line).await.expect("logs");
            }
        });
        drop(runtime);
        assert!(lines_in(&path).is_empty());
    }

    /// A runtime that shuts down drops the writer task; a `finish` awaited
    /// elsewhere then reports it as an error rather than panicking.
    #[test]
    fn finish_reports_a_writer_that_its_runtime_dropped() {
        let dir = ScratchDir::new("test-dropped").expect("a fresh directory");
        let runtime = || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime")
        };
        let first = runtime();
        let (log, writer) = first
            .block_on(start_logger(&dir.join("log")))
            .expect("starts");
        drop(first); // drops the writer task, which never ran to its end
        let error = runtime()
            .block_on(writer.finish())
            .expect_err("the writer was dropped");
        assert!(error.to_string().contains("cancelled"), "{error}");
        drop(log);
    }

    /// Linux's `/dev/full` fails every write: the writer stops, `finish`
    /// reports why, and `log` fails from then on.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_write_error_reaches_finish() {
        let (log, writer) = start_logger(Path::new("/dev/full")).await.expect("opens");
        log.log("this line does not fit").await.expect("queued");
        // `log` is still alive: the writer stops because of the error.
        let finished = tokio::time::timeout(Duration::from_secs(10), writer.finish()).await;
        let error = finished
            .expect("the writer stopped")
            .expect_err("the disk is full");
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
        let late = log.log("too late").await.expect_err("nobody writes it");
        assert_eq!(late.to_string(), "the log writer has stopped");
    }

    /// Three lines logged before the writer runs, each longer than the
    /// `BufWriter`'s buffer (8 KiB), so it hands each one to the file at
    /// once. Writing the second waits for the first, which `/dev/full`
    /// refused: the writer stops with two lines written to no avail and the
    /// third still in the channel, and the error counts all three.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_write_error_counts_the_lines_it_drops() {
        let (log, writer) = start_logger(Path::new("/dev/full")).await.expect("opens");
        for letter in ["a", "b", "c"] {
            log.log(letter.repeat(10_000)).await.expect("queued");
        }
        let error = writer.finish().await.expect_err("the disk is full");
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
        assert!(
            error.to_string().ends_with("(up to 3 lines not written)"),
            "{error}"
        );
    }

    /// A `send` that has reserved its place in the channel before the
    /// writer fails, and puts its line there only after `give_up` has
    /// closed it: the line is counted too. (`try_recv` would find the
    /// channel empty and miss it.)
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_line_sent_while_the_writer_gives_up_is_counted() {
        let (log, writer) = start_logger(Path::new("/dev/full")).await.expect("opens");
        let halfway = log.lines.reserve().await.expect("a place in the channel");
        for letter in ["a", "b", "c"] {
            log.log(letter.repeat(10_000)).await.expect("queued");
        }
        let late_send = async {
            log.lines.closed().await; // `give_up` has closed the channel
            halfway.send("d".to_string());
        };
        let (result, ()) = tokio::join!(writer.finish(), late_send);
        let error = result.expect_err("the disk is full");
        assert!(
            error.to_string().ends_with("(up to 4 lines not written)"),
            "{error}"
        );
    }

    /// A line that a task wrote into a `BufWriter`, and did not flush, is
    /// lost when the runtime stops: it drops the task, and the `BufWriter`
    /// with its buffer.
    #[test]
    fn a_buffered_line_is_lost_when_the_runtime_stops() {
        let dir = ScratchDir::new("test-buffered").expect("a fresh directory");
        let path = dir.join("log");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let file = File::create(&path).await.expect("creates");
            let (written, is_written) = oneshot::channel();
            tokio::spawn(async move {
                let mut file = BufWriter::new(file);
                file.write_all(b"water on\n").await.expect("buffered");
                written.send(()).expect("the test waits for it");
                std::future::pending::<()>().await; // never flushes
            });
            is_written.await.expect("the task wrote the line");
        });
        drop(runtime);
        assert!(lines_in(&path).is_empty());
    }
}
