// Course section: Asynchronous functions.
//
// In Python, calling `main()` without `await` builds a coroutine object and
// runs none of its body ("coroutine 'main' was never awaited"). A Rust
// `async fn` is the same: calling it returns a future, which does nothing
// until it is awaited (polled). Dropping it unawaited throws the work away,
// and nothing is printed: dropping a future is an ordinary thing to do.
//
// Run it with `cargo run --example lazy_future`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

// ANCHOR: greet
async fn greet(name: &str) -> String {
    println!("  greet({name:?}) is running");
    format!("hello, {name}")
}
// ANCHOR_END: greet

// ANCHOR: main
#[tokio::main]
async fn main() {
    println!("1. calling greet(\"Ada\")");
    let future = greet("Ada");
    println!("2. got a future back; greet has not run");

    let greeting = future.await;
    println!("3. awaited it: {greeting}");

    let never_awaited = greet("Grace");
    drop(never_awaited);
    println!("4. dropped a second future unawaited; greet never ran for Grace");
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// An async fn whose body counts how often it has run.
    async fn counted(runs: &Cell<u32>) {
        runs.set(runs.get() + 1);
    }

    #[tokio::test]
    async fn calling_an_async_fn_runs_none_of_its_body_until_it_is_awaited() {
        let runs = Cell::new(0);
        let future = counted(&runs);
        assert_eq!(runs.get(), 0, "calling it ran the body");
        future.await;
        assert_eq!(runs.get(), 1);
    }

    #[tokio::test]
    async fn a_future_dropped_unawaited_never_runs_its_body() {
        let runs = Cell::new(0);
        let never_awaited = counted(&runs);
        drop(never_awaited);
        // Give the runtime a turn: nothing runs the dropped future in the
        // background, as a task made by `asyncio.create_task` would run.
        tokio::task::yield_now().await;
        assert_eq!(runs.get(), 0);
    }

    #[tokio::test]
    async fn greet_returns_its_greeting_once_awaited() {
        assert_eq!(greet("Ada").await, "hello, Ada");
    }
}
