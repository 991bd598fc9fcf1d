// The tests of the exercise `stop_on_timeout`, shared by the starter and the
// solution. They run on tokio's paused clock: sleeps take no real time.

use super::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// Every wait in these tests is bounded, so a wrong answer fails, not hangs.
const BOUND: Duration = Duration::from_secs(60);

/// Sets its flag when dropped: when the task that holds it is gone.
struct Gone(Arc<AtomicBool>);

impl Drop for Gone {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[tokio::test(start_paused = true)]
async fn a_task_that_ends_in_time_gives_its_output() {
    let start = Instant::now();
    let task = tokio::spawn(async {
        sleep(Duration::from_secs(1)).await;
        42
    });
    let output = timeout(BOUND, with_deadline(task, Duration::from_secs(2)))
        .await
        .expect("with_deadline never returned");
    assert_eq!(output, Some(42));
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(1),
        "no waiting after the task ends"
    );
}

#[tokio::test(start_paused = true)]
async fn a_slow_task_is_given_up_at_the_deadline() {
    let start = Instant::now();
    let task = tokio::spawn(async {
        sleep(Duration::from_secs(5)).await;
        42
    });
    let output = timeout(BOUND, with_deadline(task, Duration::from_secs(2)))
        .await
        .expect("with_deadline never returned");
    assert_eq!(output, None);
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn a_slow_task_stops_working_at_the_deadline() {
    let ticks = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&ticks);
    let task = tokio::spawn(async move {
        loop {
            sleep(Duration::from_secs(1)).await;
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    timeout(BOUND, with_deadline(task, Duration::from_millis(2500)))
        .await
        .expect("with_deadline never returned");
    sleep(Duration::from_secs(10)).await;
    assert_eq!(
        ticks.load(Ordering::SeqCst),
        2,
        "the task ticked at 1 s and 2 s, and must not tick after the deadline at 2.5 s"
    );
}

#[tokio::test(start_paused = true)]
async fn a_slow_task_is_gone_when_with_deadline_returns() {
    let gone = Arc::new(AtomicBool::new(false));
    let guard = Gone(Arc::clone(&gone));
    let task = tokio::spawn(async move {
        let _guard = guard;
        sleep(Duration::from_secs(5)).await;
    });
    timeout(BOUND, with_deadline(task, Duration::from_secs(2)))
        .await
        .expect("with_deadline never returned");
    assert!(
        gone.load(Ordering::SeqCst),
        "with_deadline returned while the task still held what it owned"
    );
}

/// On a runtime with two worker threads, the task runs on one of them while
/// `with_deadline` runs on another, so nothing but awaiting the aborted task
/// makes sure it is gone. (This runs on the real clock, which only the limit
/// uses; the paused clock needs the current-thread runtime.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_task_on_another_thread_is_gone_when_with_deadline_returns() {
    let gone = Arc::new(AtomicBool::new(false));
    let guard = Gone(Arc::clone(&gone));
    let task = tokio::spawn(async move {
        let _guard = guard;
        loop {
            // Stands in for work that holds its thread between two awaits.
            std::thread::sleep(Duration::from_millis(20));
            tokio::task::yield_now().await;
        }
    });
    timeout(BOUND, with_deadline(task, Duration::from_millis(50)))
        .await
        .expect("with_deadline never returned");
    assert!(
        gone.load(Ordering::SeqCst),
        "with_deadline returned while the task, busy on another thread, still held what it owned"
    );
}
