// Solution of the exercise for "The event loop": call blocking code from
// async code without blocking the runtime.
//
// Run its tests with `cargo test --example sync_writer_solution`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

use tokio::sync::mpsc;
use tokio::task::JoinError;

// ANCHOR: writer
/// A synchronous writer, as a library or an older part of a program might
/// have: it blocks its thread until each line comes, and returns what it
/// wrote once the channel is closed.
fn write_lines(mut lines: mpsc::Receiver<String>) -> Vec<String> {
    let mut written = Vec::new();
    while let Some(line) = lines.blocking_recv() {
        written.push(format!("wrote: {line}"));
    }
    written
}
// ANCHOR_END: writer

// ANCHOR: solution
/// Hands `lines` to `write_lines`, and returns what it wrote.
async fn log_all(lines: Vec<String>) -> Result<Vec<String>, JoinError> {
    let (sender, receiver) = mpsc::channel(1);
    // The writer blocks its thread, so it gets one of tokio's threads for
    // blocking work, as `asyncio.to_thread` would give it a thread.
    let writer = tokio::task::spawn_blocking(move || write_lines(receiver));
    for line in lines {
        // An error means the writer has stopped; its handle says why.
        if sender.send(line).await.is_err() {
            break;
        }
    }
    drop(sender); // closes the channel, so the writer's loop ends
    writer.await
}
// ANCHOR_END: solution

#[tokio::main]
async fn main() {
    let lines = vec!["eggs in".to_string(), "toast down".to_string()];
    match log_all(lines).await {
        Ok(written) => written.iter().for_each(|line| println!("{line}")),
        Err(error) => eprintln!("the writer failed: {error}"),
    }
}

#[cfg(test)]
#[path = "../tests/sync_writer.rs"]
mod tests;
