// Exercise for "Async iterators": download a stream of pages, at most a few at a time.
//
// Run its tests with `cargo test --example bounded_downloads`; they fail
// until `download_all` is fixed. The solution is in
// `solutions/bounded_downloads.rs`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::cell::Cell;
use std::time::Duration;

use futures::stream::{self, StreamExt};
use tokio::time::{Instant, sleep};

/// A pretend server that counts how many requests it is serving at once.
#[derive(Default)]
struct Server {
    serving: Cell<usize>,
    most: Cell<usize>,
}

impl Server {
    /// Answers after as many seconds as the page asks for.
    async fn get(&self, page: &(&str, u64)) -> String {
        let &(name, secs) = page;
        self.serving.set(self.serving.get() + 1);
        self.most.set(self.most.get().max(self.serving.get()));
        sleep(Duration::from_secs(secs)).await;
        self.serving.set(self.serving.get() - 1);
        name.to_string()
    }

    /// The most requests it served at once.
    fn most_at_once(&self) -> usize {
        self.most.get()
    }
}

// ANCHOR: starter
/// Downloads every page, at most `limit` at a time, and returns their
/// names in the order they finish.
async fn download_all(server: &Server, pages: &[(&str, u64)], limit: usize) -> Vec<String> {
    // `async for page in pages: names.append(await server.get(page))`
    let _ = limit;
    stream::iter(pages)
        .then(|page| server.get(page))
        .collect()
        .await
}
// ANCHOR_END: starter

const PAGES: [(&str, u64); 4] = [("/a", 5), ("/b", 1), ("/c", 3), ("/d", 2)];

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    let server = Server::default();
    let start = Instant::now();
    let pages = download_all(&server, &PAGES, 2).await;
    println!(
        "{pages:?} after {}s, at most {} at once",
        start.elapsed().as_secs(),
        server.most_at_once()
    );
}

#[cfg(test)]
#[path = "tests/bounded_downloads.rs"]
mod tests;
