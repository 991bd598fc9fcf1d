// The tests of the exercise `release_on_cancel`, shared by the starter and
// the solution. They run on tokio's paused clock: sleeps take no real time.

use super::*;

/// A bound on every wait, so that a wrong `with_connection` fails instead of hanging.
const LIMIT: Duration = Duration::from_secs(60);

#[tokio::test(start_paused = true)]
async fn the_connection_is_in_use_while_the_body_runs() {
    let pool = Pool::default();
    let seen = timeout(LIMIT, with_connection(&pool, async { pool.in_use() }))
        .await
        .expect("with_connection never finished");
    assert_eq!(
        seen, 1,
        "the body should run with one connection checked out"
    );
}

#[tokio::test(start_paused = true)]
async fn a_finished_body_gives_the_connection_back() {
    let pool = Pool::default();
    let body = async {
        sleep(Duration::from_secs(1)).await;
        42
    };
    let answer = timeout(LIMIT, with_connection(&pool, body))
        .await
        .expect("with_connection never finished");
    assert_eq!(answer, 42);
    assert_eq!(
        pool.in_use(),
        0,
        "the connection should be back in the pool"
    );
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_body_gives_the_connection_back() {
    let pool = Pool::default();
    let slow = with_connection(&pool, sleep(Duration::from_secs(10)));
    let result = timeout(Duration::from_secs(1), slow).await;
    assert!(
        result.is_err(),
        "the timeout should have cancelled the body"
    );
    assert_eq!(
        pool.in_use(),
        0,
        "cancelling drops the future at its `.await`: only what runs in `Drop` gives the connection back"
    );
}
