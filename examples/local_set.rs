// Course section: Interact with the Event Loop.
//
// asyncio runs every task on one thread, so tasks can share any object.
// Tokio's `spawn` may move a task to another thread, so it accepts only
// futures that are `Send`, and a future that holds an `Rc` across an
// `.await` is not. A `LocalSet` runs such futures on the one thread that
// drives it: `task::spawn_local` instead of `tokio::spawn`.
//
// Run it with `cargo run --example local_set`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use tokio::task::{self, LocalSet};
use tokio::time::sleep;

// ANCHOR: stopwatch
/// The course's stopwatch, counting its ticks in a counter that it shares
/// with the code that started it. `Rc` and `Cell` are not thread-safe, so
/// this future is not `Send`.
async fn stopwatch(ticks: Rc<Cell<u64>>) {
    loop {
        sleep(Duration::from_secs(1)).await;
        ticks.set(ticks.get() + 1);
        println!("{}", ticks.get());
    }
}
// ANCHOR_END: stopwatch

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    let ticks = Rc::new(Cell::new(0));

    // Every task spawned with `spawn_local` inside `run_until` runs on this
    // thread, whatever kind of runtime drives it.
    let local = LocalSet::new();
    local
        .run_until(async {
            let stopwatch = task::spawn_local(stopwatch(Rc::clone(&ticks)));
            sleep(Duration::from_millis(3500)).await;
            stopwatch.abort();
        })
        .await;

    println!("main reads the shared counter: {}", ticks.get());
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn the_stopwatch_shares_its_ticks_through_an_rc() {
        let ticks = Rc::new(Cell::new(0));
        let start = Instant::now();
        LocalSet::new()
            .run_until(async {
                let stopwatch = task::spawn_local(stopwatch(Rc::clone(&ticks)));
                sleep(Duration::from_millis(3500)).await;
                assert_eq!(ticks.get(), 3);
                stopwatch.abort();
                let error = stopwatch.await.expect_err("it was aborted");
                assert!(error.is_cancelled());
            })
            .await;
        assert_eq!(start.elapsed(), Duration::from_millis(3500));
        // The task, and its clone of the `Rc`, are gone.
        assert_eq!(Rc::strong_count(&ticks), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn local_tasks_run_on_the_thread_that_drives_the_local_set() {
        let here = std::thread::current().id();
        let ran_on = LocalSet::new()
            .run_until(async {
                task::spawn_local(async { std::thread::current().id() })
                    .await
                    .expect("the task does not panic")
            })
            .await;
        assert_eq!(ran_on, here);
    }

    #[tokio::test]
    #[should_panic(expected = "`spawn_local` called from outside of a `task::LocalSet`")]
    async fn spawn_local_outside_a_local_set_panics() {
        drop(task::spawn_local(async {}));
    }
}
