// The tests of the exercise `sleep_without_blocking`, shared by the starter
// and the solution. They run on tokio's paused clock, where
// `tokio::time::sleep` takes no real time; `std::thread::sleep` still does.

use super::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::time::{sleep, timeout};

#[tokio::test(start_paused = true)]
async fn three_downloads_wait_together() {
    let start = Instant::now();
    let pages = timeout(Duration::from_secs(10), download_all(&PAGES))
        .await
        .expect("download_all never finished");
    assert_eq!(
        pages,
        [
            "/news downloaded",
            "/weather downloaded",
            "/sports downloaded"
        ]
    );
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(350),
        "tokio's clock should show the slowest download, 350 ms; it does not move while a thread sleeps in std::thread::sleep, and on the paused clock a running spawn_blocking task holds it still"
    );
}

#[tokio::test(start_paused = true)]
async fn other_tasks_run_while_the_downloads_wait() {
    let ticks = Arc::new(AtomicU32::new(0));
    let heartbeat = tokio::spawn({
        let ticks = Arc::clone(&ticks);
        async move {
            loop {
                sleep(Duration::from_millis(100)).await;
                ticks.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    timeout(Duration::from_secs(10), download_all(&PAGES))
        .await
        .expect("download_all never finished");
    heartbeat.abort();
    assert_eq!(
        ticks.load(Ordering::SeqCst),
        3,
        "a task that ticks every 100 ms should tick 3 times during 350 ms of downloads; it cannot tick while its thread is blocked, nor while a spawn_blocking task holds the paused clock"
    );
}
