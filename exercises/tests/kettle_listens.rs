// The tests of the exercise `kettle_listens`, shared by the starter and the
// solution. They run on tokio's paused clock: sleeps take no real time.

use super::*;
use tokio::time::timeout;

/// Every wait in these tests is bounded, so a wrong answer fails, not hangs.
const BOUND: Duration = Duration::from_secs(60);

#[tokio::test(start_paused = true)]
async fn left_alone_it_boils_in_eight_seconds() {
    let start = Instant::now();
    let degrees = timeout(BOUND, heat(CancellationToken::new()))
        .await
        .expect("heat never returned");
    assert_eq!(degrees, 100);
    assert_eq!(start.elapsed(), Duration::from_secs(8));
}

#[tokio::test(start_paused = true)]
async fn it_stops_as_soon_as_it_is_told() {
    let start = Instant::now();
    let stop = CancellationToken::new();
    let kettle = tokio::spawn(timeout(BOUND, heat(stop.clone())));
    sleep(Duration::from_millis(2500)).await;
    stop.cancel();
    let degrees = kettle
        .await
        .expect("heat does not panic")
        .expect("heat never returned");
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(2500),
        "heat returns when the token is cancelled, not at its next tick"
    );
    assert_eq!(degrees, 40, "two ticks, at 1 s and 2 s, and no more");
}

#[tokio::test(start_paused = true)]
async fn told_to_stop_before_it_starts_it_stays_cold() {
    let start = Instant::now();
    let stop = CancellationToken::new();
    stop.cancel();
    let degrees = timeout(BOUND, heat(stop))
        .await
        .expect("heat never returned");
    assert_eq!(degrees, 20);
    assert_eq!(start.elapsed(), Duration::ZERO);
}
