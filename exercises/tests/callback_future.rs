// The tests of the exercise `callback_future`, shared by the starter and the
// solution. They run on tokio's paused clock: sleeps take no real time.

use super::*;
use tokio::time::timeout;

/// Every wait in these tests is bounded, so a wrong answer fails, not hangs.
const BOUND: Duration = Duration::from_secs(60);

#[tokio::test(start_paused = true)]
async fn the_answer_comes_when_the_eggs_are_boiled() {
    let start = Instant::now();
    let answer = timeout(BOUND, boil(3))
        .await
        .expect("boil(3) never answered");
    assert_eq!(answer, Ok("3 eggs boiled".to_string()));
    assert_eq!(start.elapsed(), Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn a_callback_that_never_comes_is_an_error_at_once() {
    let start = Instant::now();
    let answer = timeout(BOUND, boil(0))
        .await
        .expect("boil(0) never answered: it waits for a callback that will never come");
    assert_eq!(answer, Err(NoAnswer));
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn a_pot_that_boils_over_is_an_error_when_it_does() {
    let start = Instant::now();
    let answer = timeout(BOUND, boil(13))
        .await
        .expect("boil(13) never answered: it waits for a callback that was dropped at 2 s");
    assert_eq!(answer, Err(NoAnswer));
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(2),
        "the pot boils over at 2 s, which drops the callback: the error comes then"
    );
}
