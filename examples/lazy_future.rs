//! Course section: Asynchronous functions.
//!
//! In Python, calling `main()` without `await` builds a coroutine object and
//! runs none of its body ("coroutine 'main' was never awaited"). A Rust
//! `async fn` is the same, only stricter: calling it returns a future, and a
//! future does nothing at all until it is awaited (polled). Dropping it
//! unawaited simply throws the work away.
//!
//! Run it with `cargo run --example lazy_future`.

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
