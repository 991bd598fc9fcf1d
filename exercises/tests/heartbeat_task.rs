// The tests of the exercise `heartbeat_task`, shared by the starter and the
// solution. They run on tokio's paused clock: sleeps take no real time.

use super::*;
use tokio::time::timeout;

/// Every wait in these tests is bounded, so a wrong answer fails, not hangs.
const BOUND: Duration = Duration::from_secs(60);

#[tokio::test(start_paused = true)]
async fn the_heartbeat_beats_while_the_download_runs() {
    let start = Instant::now();
    let beats = Beats::default();
    let page = timeout(
        BOUND,
        download_with_heartbeat(Duration::from_millis(2500), &beats),
    )
    .await
    .expect("download_with_heartbeat never returned");
    assert_eq!(page, "<html>...</html>");
    assert_eq!(start.elapsed(), Duration::from_millis(2500));
    assert_eq!(
        beats.count(),
        2,
        "beats at 1 s and 2 s, during the download"
    );
}

#[tokio::test(start_paused = true)]
async fn the_heartbeat_stops_when_the_download_is_done() {
    let beats = Beats::default();
    timeout(
        BOUND,
        download_with_heartbeat(Duration::from_millis(2500), &beats),
    )
    .await
    .expect("download_with_heartbeat never returned");
    sleep(Duration::from_secs(10)).await;
    assert_eq!(
        beats.count(),
        2,
        "beats at 1 s and 2 s, and none after the download at 2.5 s"
    );
}

#[tokio::test(start_paused = true)]
async fn the_heartbeat_stops_when_the_caller_gives_up() {
    let beats = Beats::default();
    let gave_up = timeout(
        Duration::from_millis(1500),
        download_with_heartbeat(Duration::from_secs(5), &beats),
    )
    .await;
    assert!(gave_up.is_err(), "the caller gives up at 1.5 s");
    sleep(Duration::from_secs(10)).await;
    assert_eq!(
        beats.count(),
        1,
        "a beat at 1 s, and none after the caller gave up at 1.5 s"
    );
}
