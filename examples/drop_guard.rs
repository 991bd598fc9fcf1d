// Course section: The `@asynccontextmanager` Decorator.
//
// Some cleanup needs no `async with` at all. When it is quick, synchronous
// and has no error that anyone could act on, Rust puts it in `Drop`: a guard
// value cleans up when it goes out of scope, which happens on a normal
// return, on an early `?`, during a panic, and when a future that holds the
// guard is cancelled. `ScratchDir` creates a directory and `Drop` removes it.
//
// Run it with `cargo run --example drop_guard`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::error::Error;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::time::{sleep, timeout};

// ANCHOR: guard
/// A directory that exists exactly as long as this value does.
struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// Creates a new, empty directory under the system's temp directory.
    fn new(name: &str) -> io::Result<Self> {
        let path = scratch_path(name);
        std::fs::create_dir(&path)?;
        Ok(ScratchDir { path })
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        // Quick and synchronous. `drop` cannot return an error, so the best
        // it can do with one is to say so.
        if let Err(error) = std::fs::remove_dir_all(&self.path) {
            eprintln!("warning: could not remove a scratch directory: {error}");
        }
    }
}
// ANCHOR_END: guard

/// One directory per process and name, so that tests running side by side
/// and two runs of the program never share one.
fn scratch_path(name: &str) -> PathBuf {
    let process = std::process::id();
    std::env::temp_dir().join(format!("async-rust-book-{process}-{name}"))
}

// ANCHOR: boil
/// How many eggs there are to boil.
const CARTON: u32 = 4;

/// Boils eggs one after another, keeping a note per egg in a scratch
/// directory that nobody needs once the work is over, however it ends.
async fn boil(name: &str, eggs: u32) -> io::Result<()> {
    let scratch = ScratchDir::new(name)?;
    for egg in 1..=eggs {
        if egg > CARTON {
            // Returning drops `scratch`, which removes the directory.
            return Err(io::Error::other(format!(
                "only {CARTON} eggs in the carton, not {eggs}"
            )));
        }
        let note = scratch.path().join(format!("egg-{egg}.txt"));
        tokio::fs::write(note, "boiling\n").await?;
        sleep(Duration::from_secs(1)).await;
    }
    Ok(())
}
// ANCHOR_END: boil

/// Whether the directory called `name` is still there.
fn left_behind(name: &str) -> bool {
    scratch_path(name).exists()
}

/// `Ok(value)` or `Err(message)`, for the output.
fn outcome<T: std::fmt::Debug, E: std::fmt::Display>(result: &Result<T, E>) -> String {
    match result {
        Ok(value) => format!("Ok({value:?})"),
        Err(error) => format!("Err({error})"),
    }
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    println!("boil 2 eggs:");
    let result = boil("drop_guard-two", 2).await;
    println!("  result: {}", outcome(&result));
    println!("  directory left behind: {}", left_behind("drop_guard-two"));

    println!("boil 6 eggs:");
    let result = boil("drop_guard-six", 6).await;
    println!("  result: {}", outcome(&result));
    println!("  directory left behind: {}", left_behind("drop_guard-six"));

    println!("boil 4 eggs, cancelled after 1.5 s:");
    // `timeout` drops the unfinished `boil` future, and `scratch` in it,
    // while `boil` sleeps between two eggs.
    let result = timeout(Duration::from_millis(1500), boil("drop_guard-late", 4)).await;
    println!("  result: {}", outcome(&result));
    println!(
        "  directory left behind: {}",
        left_behind("drop_guard-late")
    );
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn the_directory_exists_while_the_work_runs() {
        let name = "test-exists-while-running";
        let work = tokio::spawn(async move { boil(name, 2).await });
        sleep(Duration::from_millis(500)).await;
        assert!(left_behind(name));
        assert!(scratch_path(name).join("egg-1.txt").is_file());
        work.await
            .expect("the task ran")
            .expect("there are two eggs");
        assert!(!left_behind(name));
    }

    #[tokio::test(start_paused = true)]
    async fn a_normal_return_removes_the_directory() {
        let name = "test-normal";
        let start = Instant::now();
        boil(name, 2).await.expect("there are two eggs");
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        assert!(!left_behind(name));
    }

    #[tokio::test(start_paused = true)]
    async fn an_error_removes_the_directory() {
        let name = "test-error";
        let error = boil(name, 6).await.expect_err("there are not six eggs");
        assert_eq!(error.to_string(), "only 4 eggs in the carton, not 6");
        assert!(!left_behind(name));
    }

    #[tokio::test(start_paused = true)]
    async fn cancelling_by_timeout_removes_the_directory() {
        let name = "test-timeout";
        let start = Instant::now();
        let result = timeout(Duration::from_millis(1500), boil(name, 4)).await;
        assert!(result.is_err(), "the timeout fires first");
        assert_eq!(start.elapsed(), Duration::from_millis(1500));
        assert!(!left_behind(name));
    }

    #[tokio::test(start_paused = true)]
    async fn aborting_the_task_removes_the_directory() {
        let name = "test-abort";
        let work = tokio::spawn(async move { boil(name, 4).await });
        sleep(Duration::from_millis(500)).await;
        assert!(left_behind(name));
        work.abort();
        assert!(work.await.expect_err("aborted").is_cancelled());
        assert!(!left_behind(name));
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_write_leaves_by_the_question_mark_and_removes_the_directory() {
        let name = "test-question-mark";
        let work = tokio::spawn(async move { boil(name, 2).await });
        sleep(Duration::from_millis(500)).await;
        // A directory where the second note should go: writing it fails.
        std::fs::create_dir(scratch_path(name).join("egg-2.txt")).expect("created");
        let error = work
            .await
            .expect("the task ran")
            .expect_err("the second note cannot be written");
        assert_eq!(error.kind(), io::ErrorKind::IsADirectory);
        assert!(!left_behind(name));
    }

    /// The panic comes from inside `boil`: polled outside a tokio runtime,
    /// its first `tokio::fs::write` panics, after `scratch` was created.
    #[test]
    fn a_panic_removes_the_directory() {
        let name = "test-panic";
        // Outside a tokio runtime, the first `tokio::fs::write` panics: after
        // `ScratchDir::new` made the directory, so the unwinding must remove it.
        let panicked = std::panic::catch_unwind(|| futures::executor::block_on(boil(name, 2)));
        let payload = panicked.expect_err("boil should panic outside a runtime");
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        assert!(message.contains("Tokio 1.x runtime"), "{message}");
        assert!(!left_behind(name));
    }
}
