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
        (start.elapsed(), degrees),
        (Duration::from_millis(2500), 40),
        "heat returns when the token is cancelled, at 2.5 s and 40 °C after two ticks, not at its next tick"
    );
}

/// Awaits `future`, and gives its output and how many times it was polled.
/// It panics at the 100th poll: a future that wakes itself at once keeps
/// the runtime busy, so the paused clock never moves on.
async fn count_polls<T>(future: impl Future<Output = T>) -> (T, u32) {
    let mut future = std::pin::pin!(future);
    let mut polls = 0;
    let output = std::future::poll_fn(|cx| {
        polls += 1;
        assert!(
            polls < 100,
            "polled 100 times: heat checks the token in a loop"
        );
        future.as_mut().poll(cx)
    })
    .await;
    (output, polls)
}

#[tokio::test(start_paused = true)]
async fn it_waits_for_the_token_instead_of_checking_it() {
    let start = Instant::now();
    let stop = CancellationToken::new();
    let kettle = tokio::spawn(timeout(BOUND, count_polls(heat(stop.clone()))));
    // At an odd moment, so that checking the token on a timer is late.
    sleep(Duration::from_millis(2437)).await;
    stop.cancel();
    let (degrees, polls) = kettle
        .await
        .expect("heat does not panic")
        .expect("heat never returned");
    assert_eq!(
        (start.elapsed(), degrees),
        (Duration::from_millis(2437), 40)
    );
    assert!(
        polls <= 5,
        "heat was polled {polls} times; once to start, once a tick and once for the stop are enough"
    );
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
