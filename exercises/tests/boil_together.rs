// The tests of the exercise `boil_together`, shared by the starter and the
// solution. They run on tokio's paused clock: sleeps take no real time.

use super::*;
use tokio::time::timeout;

const EGGS: [(&str, u64); 3] = [("soft", 3), ("medium", 5), ("hard", 8)];

#[tokio::test(start_paused = true)]
async fn every_egg_boils_at_once() {
    let start = Instant::now();
    let boiled = timeout(Duration::from_secs(60), boil_all(&EGGS))
        .await
        .expect("boil_all never finished");
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(8),
        "all eggs at once take as long as the slowest (8 s), not the sum (16 s)"
    );
    assert_eq!(boiled, ["soft egg", "medium egg", "hard egg"]);
}

#[tokio::test(start_paused = true)]
async fn eggs_come_back_in_the_order_given() {
    let eggs = [("hard", 8), ("soft", 3)];
    let boiled = timeout(Duration::from_secs(60), boil_all(&eggs))
        .await
        .expect("boil_all never finished");
    assert_eq!(boiled, ["hard egg", "soft egg"]);
}
