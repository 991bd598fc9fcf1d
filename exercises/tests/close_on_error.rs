// The tests of the exercise `close_on_error`, shared by the starter and the
// solution. They run on tokio's paused clock: sleeps take no real time.

use super::*;
use tokio::time::timeout;

/// Counts the rows of `table` on a new connection; returns the result and
/// whether the connection was closed.
async fn count_on_new_connection(table: &str, close_fails: bool) -> (Result<u32, String>, bool) {
    let closed = Rc::new(Cell::new(false));
    let connection = Connection::open(Rc::clone(&closed), close_fails);
    let rows = timeout(Duration::from_secs(10), count_rows(connection, table))
        .await
        .expect("count_rows never finished");
    (rows, closed.get())
}

#[tokio::test(start_paused = true)]
async fn counting_works_and_the_connection_is_closed() {
    assert_eq!(count_on_new_connection("eggs", false).await, (Ok(12), true));
}

#[tokio::test(start_paused = true)]
async fn a_failed_count_still_closes_the_connection() {
    let (rows, closed) = count_on_new_connection("spam", false).await;
    assert_eq!(rows, Err("no such table: spam".to_string()));
    assert!(
        closed,
        "the connection should be closed after a failed count: `?` returned before `close`"
    );
}

#[tokio::test(start_paused = true)]
async fn the_error_of_counting_comes_before_the_error_of_closing() {
    let (rows, closed) = count_on_new_connection("spam", true).await;
    assert_eq!(rows, Err("no such table: spam".to_string()));
    assert!(
        closed,
        "the connection should be closed after a failed count"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_close_is_reported() {
    let (rows, closed) = count_on_new_connection("eggs", true).await;
    assert_eq!(rows, Err("connection lost while closing".to_string()));
    assert!(closed);
}
