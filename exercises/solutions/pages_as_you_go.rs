// Exercise for "Async generators": yield each page as soon as it arrives.
//
// The solution: `cargo test --example pages_as_you_go_solution` passes.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
extern crate async_stream;
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::cell::Cell;
use std::pin::pin;
use std::time::Duration;

use async_stream::stream;
use futures::{Stream, StreamExt};
use tokio::time::{Instant, sleep};

/// One page of results; `next` is the number of the page after it, if any.
struct Page {
    number: u32,
    next: Option<u32>,
}

/// A pretend paged API with `last` pages, each a second away.
struct Api {
    last: u32,
    fetched: Cell<u32>,
}

impl Api {
    fn new(last: u32) -> Api {
        Api {
            last,
            fetched: Cell::new(0),
        }
    }

    async fn fetch(&self, number: u32) -> Page {
        sleep(Duration::from_secs(1)).await;
        self.fetched.set(self.fetched.get() + 1);
        let next = (number < self.last).then_some(number + 1);
        Page { number, next }
    }

    /// How many pages it has sent.
    fn fetched(&self) -> u32 {
        self.fetched.get()
    }
}

// ANCHOR: solution
/// Every page, from page 1 to the last, each fetched when the reader asks
/// for it.
fn pages(api: &Api) -> impl Stream<Item = Page> + '_ {
    stream! {
        let mut next = Some(1);
        while let Some(number) = next {
            let page = api.fetch(number).await;
            next = page.next;
            // The stream stops here until the reader asks for the next page.
            yield page;
        }
    }
}
// ANCHOR_END: solution

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    let api = Api::new(5);
    let start = Instant::now();
    let mut pages = pin!(pages(&api));
    if let Some(page) = pages.next().await {
        println!(
            "page {} after {}s, {} fetched",
            page.number,
            start.elapsed().as_secs(),
            api.fetched()
        );
    }
}

#[cfg(test)]
#[path = "../tests/pages_as_you_go.rs"]
mod tests;
