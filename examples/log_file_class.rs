// Course section: Context Manager Classes.
//
// A Python class with `__aenter__` and `__aexit__` sets a resource up and
// tears it down around an `async with` block. In Rust the set-up is an async
// constructor, `LogFile::open`, and the tear-down an async method that the
// caller calls and whose error the caller gets, `LogFile::close`. Rust has
// no async `Drop`, so `Drop` is only a synchronous fallback for a `LogFile`
// whose `close` never ran to the end (never called, or cancelled): it warns,
// and saves the buffered lines with a blocking write.
//
// Run it with `cargo run --example log_file_class`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::error::Error;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::fs::{File, OpenOptions};
use tokio::io::{AsyncWriteExt, BufWriter};
use tokio::time::{sleep, timeout};

// ANCHOR: log_file
/// A log whose lines wait in a buffer until `close` writes them out.
struct LogFile {
    writer: BufWriter<File>,
    /// A second, blocking handle to the same open file, for `Drop`.
    fallback: std::fs::File,
    closed: bool,
}

impl LogFile {
    /// `__aenter__`: opens the file for appending, creating it if needed.
    async fn open(path: impl AsRef<Path>) -> io::Result<Self> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .await?;
        let fallback = file.try_clone().await?.into_std().await;
        Ok(LogFile {
            writer: BufWriter::new(file),
            fallback,
            closed: false,
        })
    }

    async fn write_line(&mut self, line: &str) -> io::Result<()> {
        self.writer.write_all(line.as_bytes()).await?;
        self.writer.write_all(b"\n").await
    }

    /// `__aexit__`: hands the buffered lines to the OS and waits until they
    /// are on the disk. Taking `self` means nobody can write after closing.
    async fn close(mut self) -> io::Result<()> {
        let result = async {
            self.writer.flush().await?;
            self.writer.get_ref().sync_all().await
        }
        .await;
        // Both steps are over, and the caller gets the result, error
        // included, so `Drop` keeps quiet. A `close` cancelled at one of the
        // `.await`s above never gets here: then `Drop` does what it can.
        self.closed = true;
        result?;
        println!("  close: flushed and synced"); // shows in the output when it ran
        Ok(())
    }
}
// ANCHOR_END: log_file

// ANCHOR: drop
/// The last line of a log that was dropped without `close`.
const NOT_CLOSED: &str = "-- not closed: lines above saved by Drop --";

impl Drop for LogFile {
    fn drop(&mut self) {
        if self.closed {
            return;
        }
        // No `.await` in here: save what is still buffered with a plain,
        // blocking write. Nothing is synced, and an error can only be printed.
        let pending = self.writer.buffer();
        let lines = pending.iter().filter(|&&byte| byte == b'\n').count();
        eprintln!("warning: LogFile dropped without close(): saving {lines} buffered line(s)");
        let saved = self
            .fallback
            .write_all(pending)
            .and_then(|()| writeln!(self.fallback, "{NOT_CLOSED}"));
        if let Err(error) = saved {
            eprintln!("warning: those lines are lost: {error}");
        }
    }
}
// ANCHOR_END: drop

// ANCHOR: use
/// The body of the `async with` block.
async fn boil_eggs(log: &mut LogFile, eggs: u32) -> io::Result<()> {
    log.write_line("water on").await?;
    if eggs > 4 {
        return Err(io::Error::other(format!(
            "the pot holds 4 eggs, not {eggs}"
        )));
    }
    log.write_line(&format!("{eggs} eggs in")).await?;
    sleep(Duration::from_secs(3)).await;
    log.write_line("eggs done").await
}

/// `async with LogFile(path) as log: await boil_eggs(log, eggs)`
async fn boil_and_close(path: &Path, eggs: u32) -> io::Result<()> {
    let mut log = LogFile::open(path).await?;
    // Keep the body's result instead of returning early with `?`, so that
    // `close` runs whatever it is.
    let result = boil_eggs(&mut log, eggs).await;
    let closed = log.close().await;
    // If both failed, the body's error is the one returned.
    result.and(closed)
}

/// The same, with the mistake that `Drop` is there for.
async fn boil_and_forget(path: &Path, eggs: u32) -> io::Result<()> {
    let mut log = LogFile::open(path).await?;
    boil_eggs(&mut log, eggs).await?; // an error returns here, skipping `close`
    log.close().await
}
// ANCHOR_END: use

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

/// A fresh directory for the log files, removed again when dropped (see the
/// `drop_guard` example).
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
    let dir = ScratchDir::new("log_file_class")?;

    println!("boil_and_close, 2 eggs:");
    let path = dir.join("two.log");
    println!("  result:  {}", outcome(&boil_and_close(&path, 2).await));
    println!("  on disk: {:?}", lines_on_disk(&path).await?);

    println!("boil_and_close, 6 eggs:");
    let path = dir.join("six.log");
    println!("  result:  {}", outcome(&boil_and_close(&path, 6).await));
    println!("  on disk: {:?}", lines_on_disk(&path).await?);

    println!("boil_and_forget, 6 eggs:");
    let path = dir.join("forgot.log");
    println!("  result:  {}", outcome(&boil_and_forget(&path, 6).await));
    println!("  on disk: {:?}", lines_on_disk(&path).await?);

    println!("boil_and_close, 2 eggs, cancelled after 1 s:");
    let path = dir.join("cancelled.log");
    let result = timeout(Duration::from_secs(1), boil_and_close(&path, 2)).await;
    println!("  result:  {}", outcome(&result));
    println!("  on disk: {:?}", lines_on_disk(&path).await?);
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Poll;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn close_puts_every_line_on_disk_and_drop_stays_quiet() {
        let dir = ScratchDir::new("test-close").expect("a fresh directory");
        let path = dir.join("log");
        boil_and_close(&path, 2).await.expect("two eggs fit");
        // No `NOT_CLOSED` line: the fallback did not run after `close`.
        assert_eq!(
            lines_on_disk(&path).await.expect("readable"),
            ["water on", "2 eggs in", "eggs done"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_error_from_the_body_still_closes_and_comes_back() {
        let dir = ScratchDir::new("test-error").expect("a fresh directory");
        let path = dir.join("log");
        let error = boil_and_close(&path, 6).await.expect_err("too many eggs");
        assert_eq!(error.to_string(), "the pot holds 4 eggs, not 6");
        // "water on" was only buffered, so `close` wrote it; and `Drop`
        // added nothing.
        assert_eq!(lines_on_disk(&path).await.expect("readable"), ["water on"]);
    }

    #[tokio::test(start_paused = true)]
    async fn skipping_close_makes_drop_save_the_buffer() {
        let dir = ScratchDir::new("test-forget").expect("a fresh directory");
        let path = dir.join("log");
        let error = boil_and_forget(&path, 6).await.expect_err("too many eggs");
        assert_eq!(error.to_string(), "the pot holds 4 eggs, not 6");
        assert_eq!(
            lines_on_disk(&path).await.expect("readable"),
            ["water on", NOT_CLOSED]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn cancelling_skips_close_and_drop_saves_the_buffer() {
        let dir = ScratchDir::new("test-cancel").expect("a fresh directory");
        let path = dir.join("log");
        let start = Instant::now();
        let result = timeout(Duration::from_secs(1), boil_and_close(&path, 2)).await;
        assert!(result.is_err(), "the timeout fired");
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        assert_eq!(
            lines_on_disk(&path).await.expect("readable"),
            ["water on", "2 eggs in", NOT_CLOSED]
        );
    }

    /// Linux's `/dev/full` accepts an open but fails every write with
    /// "No space left on device": a disk that fills up under the log.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn close_reports_a_failed_write() {
        let mut log = LogFile::open("/dev/full").await.expect("opens");
        log.write_line("fits in the buffer")
            .await
            .expect("buffered");
        let error = log.close().await.expect_err("the flush fails");
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
    }

    /// When `close` fails, its error goes to the caller and `Drop` adds
    /// nothing. The writer is swapped for one on `/dev/full`, so that the
    /// fallback's handle still reaches a file that the test can read.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_failed_close_reaches_the_caller_and_drop_stays_quiet() {
        let dir = ScratchDir::new("test-failed-close").expect("a fresh directory");
        let path = dir.join("log");
        let mut log = LogFile::open(&path).await.expect("opens");
        let full = OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .await
            .expect("opens");
        log.writer = BufWriter::new(full);
        log.write_line("lost").await.expect("buffered");
        let error = log.close().await.expect_err("the flush fails");
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
        // No `NOT_CLOSED` line: the fallback did not run.
        assert!(lines_on_disk(&path).await.expect("readable").is_empty());
    }

    /// `close` is dropped at its first `.await`, as a timeout would drop it.
    /// Its runtime has one blocking thread, kept busy, so the write that
    /// `flush` hands to tokio waits in the queue: the cancellation lands,
    /// deterministically, while the line is on its way to the file.
    #[test]
    fn cancelling_close_midway_leaves_the_fallback_to_drop() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .max_blocking_threads(1)
            .build()
            .expect("a runtime");
        let dir = ScratchDir::new("test-cancel-close").expect("a fresh directory");
        let path = dir.join("log");
        let on_disk = || std::fs::read_to_string(&path).expect("readable");
        runtime.block_on(async {
            let mut log = LogFile::open(&path).await.expect("opens");
            log.write_line("in flight").await.expect("buffered");
            let (release, busy) = std::sync::mpsc::channel::<()>();
            let blocker = tokio::task::spawn_blocking(move || busy.recv());

            let mut closing = Box::pin(log.close());
            let first_poll = std::future::poll_fn(|cx| Poll::Ready(closing.as_mut().poll(cx)));
            assert!(first_poll.await.is_pending(), "the write is queued");
            drop(closing); // the `LogFile` inside goes, and its `Drop` runs

            // `Drop` was not quiet: its line is there, before the queued one.
            assert_eq!(on_disk(), format!("{NOT_CLOSED}\n"));
            release.send(()).expect("the blocker waits");
            blocker.await.expect("ran").expect("released");
        });
        // Dropping the runtime waits for tokio's file writes to finish.
        drop(runtime);
        // The line that `flush` had handed to tokio was written on its own,
        // after the fallback's line.
        assert_eq!(on_disk(), format!("{NOT_CLOSED}\nin flight\n"));
    }

    /// The fallback writes through the handle that `open` made, not the
    /// path, so its lines follow the file when it is renamed.
    #[tokio::test]
    async fn the_fallback_follows_a_renamed_file() {
        let dir = ScratchDir::new("test-rename").expect("a fresh directory");
        let path = dir.join("log");
        let mut log = LogFile::open(&path).await.expect("opens");
        log.write_line("before the rename").await.expect("buffered");
        let renamed = dir.join("log.1");
        tokio::fs::rename(&path, &renamed).await.expect("renames");
        drop(log);
        assert!(!path.exists(), "nothing was written to the old path");
        assert_eq!(
            lines_on_disk(&renamed).await.expect("readable"),
            ["before the rename", NOT_CLOSED]
        );
    }
}
