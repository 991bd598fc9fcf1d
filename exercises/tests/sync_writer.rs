// The tests of the exercise `sync_writer`, shared by the starter and the
// solution. They use no timers, so they run on the real clock; the bound
// on each wait only turns a hang into a failure.

use super::*;
use std::time::Duration;
use tokio::time::timeout;

const BOUND: Duration = Duration::from_secs(10);

fn lines(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|text| text.to_string()).collect()
}

#[tokio::test]
async fn every_line_is_written_in_order() {
    let written = timeout(BOUND, log_all(lines(&["eggs in", "toast down", "tea"])))
        .await
        .expect("log_all never returned")
        .expect("the writer does not fail");
    assert_eq!(
        written,
        ["wrote: eggs in", "wrote: toast down", "wrote: tea"]
    );
}

#[tokio::test]
async fn no_lines_write_nothing() {
    let written = timeout(BOUND, log_all(Vec::new()))
        .await
        .expect("log_all never returned")
        .expect("the writer does not fail");
    assert!(written.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runtime_with_many_threads_needs_the_same_fix() {
    let written = timeout(BOUND, log_all(lines(&["eggs in"])))
        .await
        .expect("log_all never returned")
        .expect("the writer does not fail");
    assert_eq!(written, ["wrote: eggs in"]);
}
