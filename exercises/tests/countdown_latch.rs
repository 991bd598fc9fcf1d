// The tests of the exercise `countdown_latch`, shared by the starter and the
// solution. They run on tokio's paused clock: sleeps take no real time.

use super::*;
use tokio::time::timeout;

/// Every wait in these tests is bounded, so a wrong answer fails, not hangs.
const BOUND: Duration = Duration::from_secs(60);

/// Starts one worker per entry, which counts down after that many
/// milliseconds: off the whole seconds, so that a waiter that checks on a
/// timer of its own is late.
fn start_workers(counter: &Counter, millis: &[u64]) {
    for &ms in millis {
        let counter = counter.clone();
        tokio::spawn(async move {
            sleep(Duration::from_millis(ms)).await;
            counter.count_down();
        });
    }
}

/// Awaits `future`, and returns how many times it was polled. It panics at
/// the 100th poll: a future that wakes itself at once keeps the runtime
/// busy, so the paused clock never moves on and no timeout would fire.
async fn count_polls(future: impl Future<Output = ()>) -> u32 {
    let mut future = std::pin::pin!(future);
    let mut polls = 0;
    std::future::poll_fn(|cx| {
        polls += 1;
        assert!(
            polls < 100,
            "polled 100 times: it wakes itself at once instead of waiting to be woken"
        );
        future.as_mut().poll(cx)
    })
    .await;
    polls
}

#[tokio::test(start_paused = true)]
async fn the_waiter_is_done_when_the_last_worker_is() {
    let start = Instant::now();
    let (counter, all_done) = latch(3);
    start_workers(&counter, &[2_700, 1_300, 3_100]);
    let polls = timeout(BOUND, count_polls(all_done))
        .await
        .expect("never done, even when the timeout polled it one last time");
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(3_100),
        "the last worker counted down at 3.1 s, but nothing woke the waiter then"
    );
    assert!(
        polls <= 4,
        "polled {polls} times: once, and then only when a worker woke it, is enough"
    );
}

#[tokio::test(start_paused = true)]
async fn with_no_workers_it_is_done_at_once() {
    let (_counter, all_done) = latch(0);
    let start = Instant::now();
    let polls = timeout(BOUND, count_polls(all_done))
        .await
        .expect("never done");
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(polls, 1);
}

#[tokio::test(start_paused = true)]
async fn a_waiter_moved_to_another_task_is_woken_there() {
    let (counter, mut all_done) = latch(1);
    // Polled once here, by the test's own task...
    assert!(futures::poll!(&mut all_done).is_pending());
    // ...then moved into a task of its own, which must be the one woken.
    let waiter = tokio::spawn(timeout(BOUND, count_polls(all_done)));
    start_workers(&counter, &[1_300]);
    let start = Instant::now();
    let polls = waiter
        .await
        .expect("the waiter does not panic")
        .expect("never done");
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(1_300),
        "the worker counted down at 1.3 s, but the task that waits was not woken"
    );
    assert!(
        polls <= 2,
        "polled {polls} times in its new task: once, then when the worker woke it, is enough"
    );
}
