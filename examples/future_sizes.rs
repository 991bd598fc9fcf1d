// Course section: Coroutines & Awaitables.
//
// Python keeps every coroutine on the heap, and nobody asks how big one is.
// A Rust future is a plain value whose size the compiler fixes: the body of
// an `async fn` becomes a state machine that stores the locals alive at each
// `.await` (used after it, or borrowed and still in scope). A buffer held
// across an `.await` makes the future (and every future that awaits it) that
// much bigger; `Box::pin` moves a big future to the heap, and lets an
// `async fn` call itself.
//
// Run it with `cargo run --example future_sizes`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

use std::mem::size_of_val;

use tokio::task::yield_now;

// ANCHOR: futures
/// Holds only a counter across its awaits.
async fn count_to(n: u32) -> u32 {
    let mut count = 0;
    while count < n {
        yield_now().await;
        count += 1;
    }
    count
}

/// Holds a 1 KiB buffer across an await, so the buffer lives in the future.
async fn keep_buffer(byte: u8) -> u32 {
    let buffer = [byte; 1024];
    yield_now().await;
    checksum(&buffer)
}

/// Done with the buffer before the await, but it was borrowed and is still
/// in scope: the compiler keeps it, as if it were used afterwards.
async fn idle_buffer(byte: u8) -> u32 {
    let buffer = [byte; 1024];
    let sum = checksum(&buffer);
    yield_now().await;
    sum
}

/// The same work, but the buffer's scope ends before the await.
async fn drop_buffer(byte: u8) -> u32 {
    let sum = {
        let buffer = [byte; 1024];
        checksum(&buffer)
    }; // `buffer` ends here
    yield_now().await;
    sum
}

fn checksum(bytes: &[u8]) -> u32 {
    bytes.iter().map(|&b| u32::from(b)).sum()
}
// ANCHOR_END: futures

// ANCHOR: nested
/// Awaiting a future stores it inside this one, buffer and all.
async fn await_inline() -> u32 {
    keep_buffer(1).await
}

/// `Box::pin` puts the big future on the heap; this one holds a pointer.
async fn await_boxed() -> u32 {
    Box::pin(keep_buffer(1)).await
}

/// Calls itself: without `Box::pin`, its future would have to contain itself.
async fn countdown(n: u32) -> u32 {
    if n == 0 {
        return 0;
    }
    1 + Box::pin(countdown(n - 1)).await
}
// ANCHOR_END: nested

// ANCHOR: main
fn main() {
    // None of these futures runs: `size_of_val` only measures them.
    show("count_to(3)", &count_to(3));
    show("keep_buffer(1)", &keep_buffer(1));
    show("idle_buffer(1)", &idle_buffer(1));
    show("drop_buffer(1)", &drop_buffer(1));
    show("await_inline()", &await_inline());
    show("await_boxed()", &await_boxed());
    show("Box::pin(keep_buffer(1))", &Box::pin(keep_buffer(1)));
    show("countdown(3)", &countdown(3));
}

fn show<T>(what: &str, value: &T) {
    println!("{what:<26}{:5} bytes", size_of_val(value));
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_held_across_an_await_is_inside_the_future() {
        assert!(size_of_val(&keep_buffer(1)) >= 1024);
    }

    #[test]
    fn a_buffer_still_in_scope_at_the_await_is_inside_too() {
        assert!(size_of_val(&idle_buffer(1)) >= 1024);
    }

    /// `idle_buffer` again, with the buffer still in scope at the await,
    /// but handed to `sum_of` by value (a copy) instead of borrowed.
    async fn copied_buffer(byte: u8) -> u32 {
        let buffer = [byte; 1024];
        let sum = sum_of(buffer);
        yield_now().await;
        sum
    }

    fn sum_of(bytes: [u8; 1024]) -> u32 {
        checksum(&bytes)
    }

    /// The two differ only in the borrow, and only the borrowed buffer is
    /// kept.
    #[test]
    fn the_borrow_is_what_keeps_a_buffer_in_scope() {
        assert!(size_of_val(&idle_buffer(1)) >= 1024);
        assert!(size_of_val(&copied_buffer(1)) < 64);
    }

    #[test]
    fn a_buffer_whose_scope_ends_before_the_await_is_not() {
        assert!(size_of_val(&drop_buffer(1)) < 64);
        assert!(size_of_val(&count_to(3)) < 64);
    }

    #[test]
    fn an_awaited_future_is_stored_inside_the_caller() {
        assert!(size_of_val(&await_inline()) > size_of_val(&keep_buffer(1)));
    }

    #[test]
    fn boxing_leaves_only_a_pointer() {
        assert_eq!(size_of_val(&Box::pin(keep_buffer(1))), size_of::<usize>());
        assert!(size_of_val(&await_boxed()) < 64);
    }

    #[tokio::test]
    async fn a_boxed_recursive_call_compiles_and_runs() {
        assert_eq!(countdown(3).await, 3);
        assert!(size_of_val(&countdown(3)) < 64);
    }

    #[tokio::test]
    async fn the_size_changes_nothing_about_the_results() {
        assert_eq!(count_to(3).await, 3);
        assert_eq!(keep_buffer(2).await, 2048);
        assert_eq!(idle_buffer(2).await, 2048);
        assert_eq!(drop_buffer(2).await, 2048);
        assert_eq!(copied_buffer(2).await, 2048);
        assert_eq!(await_inline().await, 1024);
        assert_eq!(await_boxed().await, 1024);
    }
}
