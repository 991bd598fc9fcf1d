// The tests of the exercise `countdown_latch`, shared by the starter and the
// solution. They run on tokio's paused clock: sleeps take no real time.

use super::*;
use tokio::time::timeout;

/// Every wait in these tests is bounded, so a wrong answer fails, not hangs.
const BOUND: Duration = Duration::from_secs(60);

/// Starts one worker per entry, which counts down after that many seconds.
fn start_workers(counter: &Counter, seconds: &[u64]) {
    for &secs in seconds {
        let counter = counter.clone();
        tokio::spawn(async move {
            sleep(Duration::from_secs(secs)).await;
            counter.count_down();
        });
    }
}

#[tokio::test(start_paused = true)]
async fn the_waiter_is_done_when_the_last_worker_is() {
    let start = Instant::now();
    let (counter, all_done) = latch(3);
    start_workers(&counter, &[2, 1, 3]);
    timeout(BOUND, all_done)
        .await
        .expect("never done, even when the timeout polled it one last time");
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(3),
        "the last worker counted down at 3 s, but nothing woke the waiter then"
    );
}

#[tokio::test(start_paused = true)]
async fn with_no_workers_it_is_done_at_once() {
    let (_counter, all_done) = latch(0);
    let start = Instant::now();
    timeout(BOUND, all_done).await.expect("never done");
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn a_waiter_moved_to_another_task_is_woken_there() {
    let (counter, mut all_done) = latch(1);
    // Polled once here, by the test's own task...
    assert!(futures::poll!(&mut all_done).is_pending());
    // ...then moved into a task of its own, which must be the one woken.
    let waiter = tokio::spawn(timeout(BOUND, all_done));
    start_workers(&counter, &[1]);
    let start = Instant::now();
    waiter
        .await
        .expect("the waiter does not panic")
        .expect("never done");
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(1),
        "the worker counted down at 1 s, but the task that waits was not woken"
    );
}
