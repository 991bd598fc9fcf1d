// Course section: Interact with the Event Loop.
//
// In Python, `asyncio.run()` inside a coroutine raises "cannot be called
// from a running event loop". In tokio, blocking on a future from inside
// async code (`Handle::block_on` or `Runtime::block_on`) panics with
// "Cannot start a runtime from within a runtime". This program shows the
// mistake, when run with `-- wrong`, and three ways to avoid it.
//
// Run it with `cargo run --example nested_runtime` (the fixes), or
// `cargo run --example nested_runtime -- wrong` (the panic).

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

use std::process::ExitCode;

use tokio::runtime::Handle;
use tokio::task;

const PRICES: [(&str, u32); 3] = [("eggs", 320), ("flour", 150), ("milk", 110)];

// ANCHOR: price
/// Async code, say a call to a price service.
async fn fetch_price(item: &str) -> Option<u32> {
    task::yield_now().await; // stands in for the network
    PRICES
        .iter()
        .find(|(name, _)| *name == item)
        .map(|(_, cents)| *cents)
}

fn label(item: &str, price: Option<u32>) -> String {
    match price {
        Some(cents) => format!("{item}: {cents} cents"),
        None => format!("{item}: not for sale"),
    }
}
// ANCHOR_END: price

// ANCHOR: sync_label
/// Synchronous code that needs the async result, say a callback that a
/// synchronous library calls. It blocks its thread until the price is in.
fn price_label(handle: &Handle, item: &str) -> String {
    label(item, handle.block_on(fetch_price(item)))
}
// ANCHOR_END: sync_label

// ANCHOR: async_label
/// Fix 1: make the caller async too, and `.await`.
async fn price_label_async(item: &str) -> String {
    label(item, fetch_price(item).await)
}
// ANCHOR_END: async_label

// ANCHOR: wrong
async fn wrong() {
    // Blocks the thread that is running this very task.
    println!("{}", price_label(&Handle::current(), "eggs"));
}
// ANCHOR_END: wrong

// ANCHOR: fixes
async fn fixes() -> Result<(), task::JoinError> {
    // Fix 1: no blocking at all.
    println!("awaited:        {}", price_label_async("eggs").await);

    // Fix 2: run the synchronous code on tokio's blocking-thread pool.
    // Those threads drive no tasks, so blocking there is allowed.
    let handle = Handle::current();
    let flour = task::spawn_blocking(move || price_label(&handle, "flour")).await?;
    println!("spawn_blocking: {flour}");

    // Fix 3 (multi-thread runtime only): in a task, which runs on a worker
    // thread, tell tokio that this thread is about to block, so that it first
    // hands the worker's other tasks to a new thread.
    let label_milk = || price_label(&Handle::current(), "milk");
    let milk = tokio::spawn(async move { task::block_in_place(label_milk) }).await?;
    println!("block_in_place: {milk}");
    Ok(())
}
// ANCHOR_END: fixes

// ANCHOR: main
#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => match fixes().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        },
        (Some("wrong"), None) => {
            wrong().await;
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: nested_runtime [wrong]");
            ExitCode::FAILURE
        }
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;
    use tokio::runtime::Builder;

    #[tokio::test]
    #[should_panic(expected = "Cannot start a runtime from within a runtime")]
    async fn handle_block_on_inside_async_code_panics() {
        wrong().await;
    }

    #[tokio::test(flavor = "multi_thread")]
    #[should_panic(expected = "Cannot start a runtime from within a runtime")]
    async fn it_panics_on_a_multi_thread_runtime_too() {
        wrong().await;
    }

    #[tokio::test]
    #[should_panic(expected = "Cannot start a runtime from within a runtime")]
    async fn a_new_runtime_cannot_block_on_inside_async_code_either() {
        let inner = Builder::new_current_thread()
            .build()
            .expect("the OS gives us a runtime");
        inner.block_on(fetch_price("eggs"));
    }

    #[tokio::test]
    #[should_panic(expected = "Cannot drop a runtime in a context where blocking is not allowed")]
    async fn even_dropping_a_runtime_inside_async_code_panics() {
        let inner = Builder::new_current_thread()
            .build()
            .expect("the OS gives us a runtime");
        drop(inner);
    }

    #[tokio::test]
    async fn awaiting_needs_no_blocking() {
        assert_eq!(price_label_async("eggs").await, "eggs: 320 cents");
        assert_eq!(price_label_async("jam").await, "jam: not for sale");
    }

    #[tokio::test]
    async fn handle_block_on_is_allowed_inside_spawn_blocking() {
        let handle = Handle::current();
        let label = task::spawn_blocking(move || price_label(&handle, "flour"))
            .await
            .expect("the closure does not panic");
        assert_eq!(label, "flour: 150 cents");
    }

    #[tokio::test]
    async fn abort_does_not_stop_a_spawn_blocking_closure_that_has_started() {
        let (started, has_started) = tokio::sync::oneshot::channel();
        let (go, wait_for_go) = mpsc::channel::<()>();
        let closure = task::spawn_blocking(move || {
            let _ = started.send(());
            // The bound turns a failure into an error instead of a hang.
            wait_for_go.recv_timeout(Duration::from_secs(10)).is_ok()
        });
        has_started.await.expect("the closure starts");
        closure.abort();
        go.send(()).expect("the closure still runs after abort()");
        let got_go = closure.await.expect("not cancelled: it ran to its end");
        assert!(got_go);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn block_in_place_works_on_a_multi_thread_runtime() {
        let label = tokio::spawn(async {
            task::block_in_place(|| price_label(&Handle::current(), "milk"))
        })
        .await
        .expect("the task does not panic");
        assert_eq!(label, "milk: 110 cents");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn block_in_place_hands_the_workers_other_tasks_to_another_thread() {
        let blocker = tokio::spawn(async {
            let (sender, receiver) = mpsc::channel();
            // Queued on the runtime's only worker, the thread running this
            // task, which is about to block until this other task has run.
            tokio::spawn(async move {
                let _ = sender.send(thread::current().id());
            });
            // The bound turns a failure into an error instead of a hang.
            let ran_on = task::block_in_place(|| receiver.recv_timeout(Duration::from_secs(10)));
            (thread::current().id(), ran_on)
        });
        let (blocked, ran_on) = blocker.await.expect("the task does not panic");
        let ran_on = ran_on.expect("the other task ran while this one blocked");
        assert_ne!(ran_on, blocked, "on another thread");
    }

    #[tokio::test]
    #[should_panic(expected = "can call blocking only when running on the multi-threaded runtime")]
    async fn block_in_place_panics_on_a_current_thread_runtime() {
        task::block_in_place(|| price_label(&Handle::current(), "milk"));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_fixes_run_on_a_multi_thread_runtime() {
        fixes().await.expect("nothing panics");
    }
}
