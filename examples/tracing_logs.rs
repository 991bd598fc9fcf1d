// Course section: logging, the way Rust programs do it (tracing).
//
// Python's `logging` with a request id in a `ContextVar`, done with
// `tracing`: levels, a filter read from RUST_LOG, and spans, which give
// every line the fields of the work it belongs to, however the tasks
// interleave.
//
// Run it with `cargo run --features real-io --example tracing_logs`, or
// `RUST_LOG=debug cargo run --features real-io --example tracing_logs`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate futures;
extern crate tokio;
extern crate tracing;
extern crate tracing_subscriber;

use std::error::Error;
use std::fmt;

use tracing::{Level, debug, info, instrument, warn};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt as log_format;
use tracing_subscriber::prelude::*;

// ANCHOR: setup
/// Sends log lines to stdout, at the levels that RUST_LOG asks for
/// (`info` when it is not set or empty), like `logging.basicConfig`.
fn init_logs() -> Result<(), Box<dyn Error>> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.is_empty() => directives.parse::<Targets>()?,
        _ => Targets::new().with_default(Level::INFO),
    };
    let format = log_format::layer()
        .without_time() // only so that the book's output is the same on every run
        .with_target(false);
    tracing_subscriber::registry()
        .with(format.with_filter(filter))
        .try_init()?;
    Ok(())
}
// ANCHOR_END: setup

// ANCHOR: spans
#[derive(Debug)]
struct NothingToBoil;

impl fmt::Display for NothingToBoil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an order needs at least one egg")
    }
}

impl Error for NothingToBoil {}

/// One span per order: every line logged while it runs, here or in
/// `boil`, carries `id` and `eggs`. `err` logs an `Err` it returns.
#[instrument(err)]
async fn order(id: u32, eggs: u32) -> Result<u32, NothingToBoil> {
    if eggs == 0 {
        return Err(NothingToBoil);
    }
    info!("started");
    for egg in 1..=eggs {
        boil(egg).await;
    }
    if eggs > 2 {
        warn!(eggs, "a big order");
    }
    debug!("shown only at the debug level");
    Ok(eggs)
}

#[instrument]
async fn boil(egg: u32) {
    tokio::task::yield_now().await; // lets the other orders run
    info!("boiled");
}
// ANCHOR_END: spans

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    init_logs()?;
    // Three orders at once, on one task: their lines interleave.
    let (a, b, c) = futures::join!(order(1, 2), order(2, 3), order(3, 0));
    info!(boiled = a? + b?, failed = c.is_err(), "all orders handled");
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;
    use std::sync::{Arc, Mutex};
    use tracing::Instrument;

    // ANCHOR: capture
    /// Where a test's subscriber writes: a buffer the test reads afterwards.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            let mut buffer = self.0.lock().expect("no panic while writing");
            buffer.extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl log_format::MakeWriter<'_> for Captured {
        type Writer = Captured;

        fn make_writer(&self) -> Captured {
            self.clone()
        }
    }

    impl Captured {
        fn lines(&self) -> Vec<String> {
            let buffer = self.0.lock().expect("no panic while writing");
            String::from_utf8_lossy(&buffer)
                .lines()
                .map(str::to_string)
                .collect()
        }
    }

    /// The example's format, into a buffer, for this thread only: the
    /// tests' runtime runs every task on the test's thread.
    fn capture(filter: Targets) -> (Captured, tracing::subscriber::DefaultGuard) {
        let captured = Captured::default();
        let format = log_format::layer()
            .without_time()
            .with_target(false)
            .with_writer(captured.clone());
        let subscriber = tracing_subscriber::registry().with(format.with_filter(filter));
        (captured, tracing::subscriber::set_default(subscriber))
    }
    // ANCHOR_END: capture

    fn info() -> Targets {
        Targets::new().with_default(Level::INFO)
    }

    #[tokio::test]
    async fn each_line_carries_the_fields_of_its_order_while_orders_interleave() {
        let (captured, _guard) = capture(info());
        let (a, b, c) = futures::join!(order(1, 2), order(2, 3), order(3, 0));
        assert_eq!((a.ok(), b.ok(), c.is_err()), (Some(2), Some(3), true));
        let expected = [
            " INFO order{id=1 eggs=2}: started",
            " INFO order{id=2 eggs=3}: started",
            "ERROR order{id=3 eggs=0}: error=an order needs at least one egg",
            " INFO order{id=1 eggs=2}:boil{egg=1}: boiled",
            " INFO order{id=2 eggs=3}:boil{egg=1}: boiled",
            " INFO order{id=1 eggs=2}:boil{egg=2}: boiled",
            " INFO order{id=2 eggs=3}:boil{egg=2}: boiled",
            " INFO order{id=2 eggs=3}:boil{egg=3}: boiled",
            " WARN order{id=2 eggs=3}: a big order eggs=3",
        ];
        assert_eq!(captured.lines(), expected);
    }

    #[tokio::test]
    async fn rust_log_style_directives_choose_the_levels() {
        let filter: Targets = "warn,tracing_logs=debug".parse().expect("valid directives");
        let (captured, _guard) = capture(filter);
        order(1, 1).await.expect("one egg");
        // Another crate: its warnings pass, its info lines do not.
        info!(target: "another_crate", "not shown");
        warn!(target: "another_crate", "shown");
        let lines = captured.lines();
        assert_eq!(
            lines[lines.len() - 2..],
            [
                "DEBUG order{id=1 eggs=1}: shown only at the debug level",
                " WARN shown"
            ]
        );
        assert!("tracing_logs=loudly".parse::<Targets>().is_err());
    }

    /// `#[instrument]` makes `INFO` spans: a filter that drops them drops
    /// their fields from the lines inside, unless the span keeps its level.
    #[tokio::test]
    async fn a_span_the_filter_drops_gives_no_fields() {
        let (captured, _guard) = capture("warn".parse().expect("valid directives"));
        order(2, 3).await.expect("three eggs");
        async { warn!("inside") }
            .instrument(tracing::warn_span!("request", id = 7))
            .await;
        let expected = [" WARN a big order eggs=3", " WARN request{id=7}: inside"];
        assert_eq!(captured.lines(), expected);
    }

    /// asyncio copies the context into a new task; `tokio::spawn` takes no
    /// span along unless the task is instrumented with one.
    #[tokio::test]
    async fn a_spawned_task_keeps_the_span_only_when_instrumented_with_it() {
        let (captured, _guard) = capture(info());
        async {
            tokio::spawn(async { info!("spawned") })
                .await
                .expect("no panic");
            tokio::spawn(async { info!("spawned, instrumented") }.in_current_span())
                .await
                .expect("no panic");
        }
        .instrument(tracing::info_span!("request", id = 7))
        .await;
        assert_eq!(
            captured.lines(),
            [
                " INFO spawned",
                " INFO request{id=7}: spawned, instrumented"
            ]
        );
    }
}
