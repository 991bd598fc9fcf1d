// The tests of the exercise `pages_as_you_go`, shared by the starter and the
// solution. They run on tokio's paused clock: sleeps take no real time.

use super::*;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(60);

#[tokio::test(start_paused = true)]
async fn nothing_is_fetched_until_the_stream_is_read() {
    let api = Api::new(5);
    let _stream = pages(&api);
    sleep(Duration::from_secs(10)).await;
    assert_eq!(api.fetched(), 0, "making the stream should fetch nothing");
}

#[tokio::test(start_paused = true)]
async fn the_first_page_comes_after_one_fetch() {
    let api = Api::new(5);
    let start = Instant::now();
    let mut stream = pin!(pages(&api));
    let first = timeout(LIMIT, stream.next())
        .await
        .expect("the stream never answered")
        .expect("the stream ended without a page");
    assert_eq!(first.number, 1);
    assert_eq!(
        (api.fetched(), start.elapsed()),
        (1, Duration::from_secs(1)),
        "(pages fetched, time taken) for the first page: yield each page as it comes"
    );
}

#[tokio::test(start_paused = true)]
async fn stopping_after_two_pages_fetches_two() {
    let api = Api::new(5);
    let two: Vec<u32> = timeout(LIMIT, pages(&api).take(2).map(|p| p.number).collect())
        .await
        .expect("the stream never ended");
    assert_eq!(two, [1, 2]);
    assert_eq!(api.fetched(), 2, "reading two pages should fetch only two");
}

#[tokio::test(start_paused = true)]
async fn every_page_comes_once_in_order() {
    let api = Api::new(5);
    let all: Vec<u32> = timeout(LIMIT, pages(&api).map(|p| p.number).collect())
        .await
        .expect("the stream never ended");
    assert_eq!(all, [1, 2, 3, 4, 5]);
    assert_eq!(api.fetched(), 5);
}
