// Exercise for "The event loop": call blocking code from async code without
// blocking the runtime.
//
// Run its tests with `cargo test --example sync_writer`; they fail until
// `log_all` is fixed. The solution is in `solutions/sync_writer.rs`.

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

// ANCHOR: starter
/// Hands `lines` to `write_lines`, and returns what it wrote.
async fn log_all(lines: Vec<String>) -> Result<Vec<String>, JoinError> {
    let (sender, receiver) = mpsc::channel(lines.len().max(1));
    for line in lines {
        if sender.send(line).await.is_err() {
            break;
        }
    }
    drop(sender);
    // A coroutine calls a plain function where it stands; so does this.
    Ok(write_lines(receiver))
}
// ANCHOR_END: starter

#[tokio::main]
async fn main() {
    let lines = vec!["eggs in".to_string(), "toast down".to_string()];
    match log_all(lines).await {
        Ok(written) => written.iter().for_each(|line| println!("{line}")),
        Err(error) => eprintln!("the writer failed: {error}"),
    }
}

#[cfg(test)]
#[path = "tests/sync_writer.rs"]
mod tests;
