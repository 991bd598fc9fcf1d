// The tests of the exercise `reports_in_order`, shared by the starter and the
// solution. They run on tokio's paused clock: sleeps take no real time.

use super::*;
use tokio::time::timeout;

/// Every wait in these tests is bounded, so a wrong answer fails, not hangs.
const BOUND: Duration = Duration::from_secs(60);

/// Neither alphabetical, nor the order the checks finish in, nor its reverse.
const SITES: [(&str, u64); 3] = [("tokio.rs", 2), ("python.org", 3), ("rust-lang.org", 1)];

#[tokio::test(start_paused = true)]
async fn the_reports_come_in_the_order_of_the_sites() {
    let reports = timeout(BOUND, check_all(&SITES))
        .await
        .expect("check_all never returned");
    assert_eq!(
        reports,
        ["tokio.rs: up", "python.org: up", "rust-lang.org: up"],
        "in the order of the sites, not the order the checks finished"
    );
}

#[tokio::test(start_paused = true)]
async fn the_sites_are_checked_at_once() {
    let start = Instant::now();
    timeout(BOUND, check_all(&SITES))
        .await
        .expect("check_all never returned");
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(3),
        "as long as the slowest check, not the sum"
    );
}
