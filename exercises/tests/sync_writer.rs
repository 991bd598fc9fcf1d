// The tests of the exercise `sync_writer`, shared by the starter and the
// solution. They use no timers, so they run on the real clock.

use super::*;
use std::sync::mpsc as std_mpsc;
use std::time::Duration;
use tokio::runtime::{Builder, Runtime};

/// How long a test may take before it counts as hung.
const BOUND: Duration = Duration::from_secs(10);

/// Sends `texts` into a channel from a task of its own, one at a time, each
/// after letting the other tasks run, and closes the channel when done.
/// Returns the channel's other end, for `log_all`.
fn send_lines(texts: &'static [&'static str]) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel(1);
    tokio::spawn(async move {
        for text in texts {
            tokio::task::yield_now().await;
            if sender.send(text.to_string()).await.is_err() {
                break;
            }
        }
    });
    receiver
}

/// Runs `log_all` on the lines `texts`, sent while it runs, on `runtime`,
/// and gives what it wrote. It runs on a thread of its own, watched from
/// this one: a `log_all` that blocks the runtime's thread keeps the task
/// that sends from ever running, and no tokio timeout could fire there.
fn log_on(runtime: Runtime, texts: &'static [&'static str]) -> Vec<String> {
    let (done, result) = std_mpsc::channel();
    std::thread::spawn(move || {
        let written = runtime.block_on(async { log_all(send_lines(texts)).await });
        let _ = done.send(written);
    });
    match result.recv_timeout(BOUND) {
        Ok(written) => written.expect("the writer does not fail"),
        Err(std_mpsc::RecvTimeoutError::Timeout) => panic!(
            "log_all never returned: it blocks the runtime's thread, so the task that sends the lines never runs"
        ),
        Err(std_mpsc::RecvTimeoutError::Disconnected) => {
            panic!("log_all panicked (see the message above)")
        }
    }
}

fn current_thread() -> Runtime {
    Builder::new_current_thread()
        .build()
        .expect("a runtime can be built")
}

#[test]
fn every_line_is_written_in_order_while_a_task_sends_them() {
    let written = log_on(current_thread(), &["eggs in", "toast down", "tea"]);
    assert_eq!(
        written,
        ["wrote: eggs in", "wrote: toast down", "wrote: tea"]
    );
}

#[test]
fn no_lines_write_nothing() {
    assert!(log_on(current_thread(), &[]).is_empty());
}

#[test]
fn a_runtime_with_many_threads_needs_the_same_fix() {
    let runtime = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("a runtime can be built");
    let written = log_on(runtime, &["eggs in", "toast down"]);
    assert_eq!(written, ["wrote: eggs in", "wrote: toast down"]);
}
