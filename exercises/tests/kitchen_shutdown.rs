// The tests of the exercise `kitchen_shutdown`, shared by the starter and the
// solution. They run on tokio's paused clock: sleeps take no real time.

use super::*;
use tokio::time::timeout;

/// Every wait in these tests is bounded, so a wrong answer fails, not hangs.
const BOUND: Duration = Duration::from_secs(60);

const DINNER: [Dish; 3] = [("roast", 3, false), ("salad", 1, false), ("soup", 2, false)];
const BURNT_TOAST: [Dish; 3] = [("roast", 5, false), ("toast", 1, true), ("soup", 3, false)];

#[tokio::test(start_paused = true)]
async fn dishes_cook_at_once_and_come_out_as_they_are_done() {
    let stove = Stove::default();
    let start = Instant::now();
    let done = timeout(BOUND, cook_all(&stove, &DINNER))
        .await
        .expect("cook_all never returned");
    assert_eq!(done, Ok(vec!["salad", "soup", "roast"]));
    assert_eq!(start.elapsed(), Duration::from_secs(3));
    assert_eq!(stove.burners_on(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_first_burnt_dish_stops_the_kitchen_at_once() {
    let stove = Stove::default();
    let start = Instant::now();
    let done = timeout(BOUND, cook_all(&stove, &BURNT_TOAST))
        .await
        .expect("cook_all never returned");
    assert_eq!(done, Err("the toast burnt".to_string()));
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(1),
        "the toast burns at 1 s; the roast and the soup must not cook on"
    );
}

#[tokio::test(start_paused = true)]
async fn every_burner_is_off_when_cook_all_returns() {
    let stove = Stove::default();
    timeout(BOUND, cook_all(&stove, &BURNT_TOAST))
        .await
        .expect("cook_all never returned")
        .expect_err("the toast burns");
    assert_eq!(
        stove.burners_on(),
        0,
        "cook_all returned before the other dishes were gone"
    );
}

/// On a runtime with four worker threads, the other dishes run on other
/// threads while `cook_all` handles the toast, so nothing but waiting for
/// each aborted dish makes sure its burner is off. (This runs on the real
/// clock: the toast burns at once, and the soups, which would take two
/// seconds, are stopped long before; a kitchen that lets them cook makes
/// this test wait those two seconds.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_burner_is_off_on_a_runtime_with_many_threads() {
    let stove = Stove::default();
    let mut dishes = vec![("toast", 0, true)];
    dishes.extend([("soup", 2, false); 200]);
    let done = timeout(BOUND, cook_all(&stove, &dishes))
        .await
        .expect("cook_all never returned");
    assert_eq!(done, Err("the toast burnt".to_string()));
    assert_eq!(
        stove.burners_on(),
        0,
        "cook_all returned before the other dishes were gone"
    );
}
