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
/// Hands the lines that async code sends into the channel to `write_lines`,
/// until every sender is gone, and returns what it wrote.
async fn log_all(lines: mpsc::Receiver<String>) -> Result<Vec<String>, JoinError> {
    // The writer blocks its thread, so it gets one of tokio's threads for
    // blocking work, as `asyncio.to_thread` would give it a thread. Awaiting
    // its handle leaves the runtime's threads free for the tasks that send.
    tokio::task::spawn_blocking(move || write_lines(lines)).await
}
// ANCHOR_END: solution

#[tokio::main]
async fn main() {
    // The channel that async code sends its lines into; a cook sends two.
    let (sender, receiver) = mpsc::channel(1);
    tokio::spawn(async move {
        for line in ["eggs in", "toast down"] {
            if sender.send(line.to_string()).await.is_err() {
                break; // the writer has stopped
            }
        }
    }); // the sender is dropped here, which closes the channel
    match log_all(receiver).await {
        Ok(written) => written.iter().for_each(|line| println!("{line}")),
        Err(error) => eprintln!("the writer failed: {error}"),
    }
}

#[cfg(test)]
#[path = "../tests/sync_writer.rs"]
mod tests;
