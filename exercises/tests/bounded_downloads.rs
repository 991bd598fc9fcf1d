// The tests of the exercise `bounded_downloads`, shared by the starter and
// the solution. They run on tokio's paused clock: sleeps take no real time.

use super::*;
use tokio::time::timeout;

/// Runs `download_all` with a bound on the paused clock; returns the names
/// and the seconds it took.
async fn run(server: &Server, limit: usize) -> (Vec<String>, u64) {
    let start = Instant::now();
    let names = timeout(Duration::from_secs(60), download_all(server, &PAGES, limit))
        .await
        .expect("download_all never finished");
    (names, start.elapsed().as_secs())
}

#[tokio::test(start_paused = true)]
async fn two_at_a_time_never_more() {
    let server = Server::default();
    let (_, secs) = run(&server, 2).await;
    assert_eq!(
        server.most_at_once(),
        2,
        "with a limit of 2, two requests should be served at once, never more"
    );
    // /a and /b start; /b ends at 1 s, so /c starts and ends at 4 s; /d
    // starts then and ends at 6 s, after /a at 5 s.
    assert_eq!(secs, 6, "two at a time take 6 s (one at a time: 11 s)");
}

#[tokio::test(start_paused = true)]
async fn names_come_in_the_order_the_pages_finish() {
    let (names, _) = run(&Server::default(), 2).await;
    assert_eq!(names, ["/b", "/c", "/a", "/d"]);
}

#[tokio::test(start_paused = true)]
async fn a_limit_of_one_is_one_at_a_time() {
    let server = Server::default();
    let (names, secs) = run(&server, 1).await;
    assert_eq!(names, ["/a", "/b", "/c", "/d"]);
    assert_eq!((server.most_at_once(), secs), (1, 11));
}

#[tokio::test(start_paused = true)]
async fn a_limit_above_the_count_is_all_at_once() {
    let server = Server::default();
    let (names, secs) = run(&server, 10).await;
    assert_eq!(
        names,
        ["/b", "/d", "/c", "/a"],
        "all at once: shortest first"
    );
    assert_eq!((server.most_at_once(), secs), (4, 5));
}
