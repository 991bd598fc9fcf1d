// The tests of the exercise `first_ok_urls`, shared by the starter and the
// solution. They run on tokio's paused clock: sleeps take no real time.

use super::*;
use tokio::time::timeout;

/// Runs `first_ok_urls` on the pretend crawler; returns the URLs, how many
/// responses it read and the seconds it took.
async fn run(n: usize) -> (Vec<String>, u32, u64) {
    let read = Cell::new(0);
    let start = Instant::now();
    let urls = timeout(Duration::from_secs(60), first_ok_urls(responses(&read), n))
        .await
        .expect("first_ok_urls never finished");
    (urls, read.get(), start.elapsed().as_secs())
}

#[tokio::test(start_paused = true)]
async fn the_first_three_good_urls() {
    let (urls, _, _) = run(3).await;
    assert_eq!(urls, ["/a", "/c", "/e"]);
}

#[tokio::test(start_paused = true)]
async fn it_stops_reading_at_the_third_good_url() {
    let (_, read, secs) = run(3).await;
    assert_eq!(
        (read, secs),
        (5, 5),
        "(responses read, seconds): the third good URL is the fifth response; read no further"
    );
}

#[tokio::test(start_paused = true)]
async fn asking_for_more_than_there_are_reads_everything() {
    let (urls, read, secs) = run(10).await;
    assert_eq!(urls, ["/a", "/c", "/e", "/f", "/g"]);
    assert_eq!((read, secs), (8, 8));
}
