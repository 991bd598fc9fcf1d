// Course section: Ways to run & cancel coroutines.
//
// Python runs a coroutine in three ways: `asyncio.run(main())` from
// synchronous code, `await download()` inside a coroutine, and
// `asyncio.create_task(log())` to start it alongside. Tokio's three are
// `Runtime::block_on`, `.await` and `tokio::spawn`. A spawned task starts
// running without being awaited; a bare future does nothing at all.
//
// Run it with `cargo run --example run_three_ways`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

use std::error::Error;
use std::fmt::Display;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinError;
use tokio::time::{Instant, sleep};

/// Prints each line after the time since the start, as `[ 2.0s] ...`, and
/// keeps the lines so that the tests can check what ran, and when.
#[derive(Clone)]
struct Log {
    start: Instant,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Log {
    fn new() -> Self {
        Log {
            start: Instant::now(),
            lines: Arc::default(),
        }
    }

    fn say(&self, what: impl Display) {
        let line = format!("[{:4.1}s] {what}", self.start.elapsed().as_secs_f64());
        let mut lines = self.lines.lock().expect("no thread panicked while logging");
        println!("{line}");
        lines.push(line);
    }

    #[cfg(test)]
    fn lines(&self) -> Vec<String> {
        self.lines.lock().expect("no panic while logging").clone()
    }
}

// ANCHOR: jobs
/// A job we await: it runs inside the task that awaits it.
async fn download(log: &Log) -> usize {
    log.say("download: started");
    sleep(Duration::from_secs(2)).await;
    log.say("download: finished");
    1024
}

/// A job we spawn: it becomes a task of its own and runs alongside.
async fn heartbeat(name: &'static str, log: Log) {
    for beat in 1..=3 {
        sleep(Duration::from_millis(500)).await;
        log.say(format!("{name}: beat {beat}"));
    }
}
// ANCHOR_END: jobs

// ANCHOR: app
async fn app() -> Result<usize, JoinError> {
    let log = Log::new();
    // `asyncio.create_task(heartbeat())`: the runtime runs it from now on.
    let beating = tokio::spawn(heartbeat("task", log.clone()));
    // A bare future is only a value: nobody awaits this one, so it never runs.
    let _never_run = heartbeat("bare future", log.clone());

    // `await download()`: runs here, and we wait for its result.
    let bytes = download(&log).await;

    // The task has finished by now; awaiting its handle collects the result.
    beating.await?;
    log.say(format!("app: downloaded {bytes} bytes"));
    Ok(bytes)
}
// ANCHOR_END: app

/// A one-thread runtime, like asyncio's event loop. The book's tests build
/// the examples with the `paused-clock` feature, which starts it paused.
fn new_runtime() -> io::Result<Runtime> {
    let mut builder = Builder::new_current_thread();
    builder.enable_all();
    #[cfg(feature = "paused-clock")]
    builder.start_paused(true);
    builder.build()
}

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    let runtime = new_runtime()?;
    // `asyncio.run(app())`: run one future to the end, from sync code.
    let bytes = runtime.block_on(app())?;
    println!("main: block_on returned {bytes}");
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    const HALF: Duration = Duration::from_millis(500);

    #[tokio::test(start_paused = true)]
    async fn a_spawned_task_runs_without_being_awaited() {
        let log = Log::new();
        let task = tokio::spawn(heartbeat("task", log.clone()));
        sleep(Duration::from_secs(2)).await;
        // Nobody awaited `task`, yet it has done all its work.
        assert!(task.is_finished());
        assert_eq!(
            log.lines(),
            [
                "[ 0.5s] task: beat 1",
                "[ 1.0s] task: beat 2",
                "[ 1.5s] task: beat 3"
            ]
        );
        task.await.expect("the task did not panic");
        assert_eq!(log.start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_bare_future_runs_only_when_awaited() {
        let log = Log::new();
        let future = heartbeat("bare future", log.clone());
        sleep(Duration::from_secs(2)).await;
        assert!(log.lines().is_empty(), "nothing ran in the background");
        future.await;
        // It started at 2 s, when it was awaited, and took its 1.5 s then.
        assert_eq!(log.start.elapsed(), Duration::from_secs(2) + 3 * HALF);
        assert_eq!(log.lines().len(), 3);
    }

    #[test]
    fn block_on_runs_the_app_to_the_end_and_returns_its_output() -> io::Result<()> {
        let runtime = Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()?;
        let (bytes, took) = runtime.block_on(async {
            let start = Instant::now();
            let bytes = app().await.expect("the heartbeat task did not panic");
            (bytes, start.elapsed())
        });
        assert_eq!(bytes, 1024);
        // The 1.5 s of beats ran during the 2 s download, not after it.
        assert_eq!(took, Duration::from_secs(2));
        Ok(())
    }
}
