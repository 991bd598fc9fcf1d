// Course section: Testing async code.
//
// A Python test of a protocol function feeds an `asyncio.StreamReader` and
// checks what a mocked `StreamWriter` was given. In Rust the function takes
// anything that implements `AsyncRead + AsyncWrite`, so a test hands it
// `tokio_test::io::Builder`'s mock: a peer that follows a script of reads,
// writes, errors and waits, and panics at anything else. `main` runs the
// same function over an in-memory pipe, `tokio::io::duplex`.
//
// Run it with `cargo run --example testing_io`, its tests with
// `cargo test --example testing_io`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

// ANCHOR: greet
use tokio::io::{self, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

/// Reads one line, a name, and answers `Hello, NAME!` on a line of its own.
async fn greet(peer: impl AsyncRead + AsyncWrite + Unpin) -> io::Result<()> {
    let mut peer = BufReader::new(peer);
    let mut name = String::new();
    if peer.read_line(&mut name).await? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the peer hung up before saying its name",
        ));
    }
    let reply = format!("Hello, {}!\n", name.trim_end());
    peer.write_all(reply.as_bytes()).await?;
    peer.flush().await
}
// ANCHOR_END: greet

// ANCHOR: main
#[tokio::main]
async fn main() -> io::Result<()> {
    // Two connected ends of a pipe in memory: the server greets on one,
    // the client talks on the other.
    let (client, server) = io::duplex(64);
    let server = tokio::spawn(greet(server));

    let mut client = BufReader::new(client);
    client.write_all(b"Ada\n").await?;
    println!("client sent: Ada");
    let mut reply = String::new();
    client.read_line(&mut reply).await?;
    print!("server replied: {reply}");

    server.await? // a panic in the task becomes an `io::Error` here
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    // ANCHOR: tests
    use super::*;
    use std::time::Duration;
    use tokio::time::{Instant, timeout};
    use tokio_test::io::Builder;

    #[tokio::test]
    async fn greets_the_name_it_reads() -> io::Result<()> {
        let peer = Builder::new()
            .read(b"Ada\n")
            .write(b"Hello, Ada!\n")
            .build();
        greet(peer).await
    }

    #[tokio::test]
    async fn a_name_split_across_two_reads_is_still_one_line() -> io::Result<()> {
        let peer = Builder::new()
            .read(b"Gr")
            .read(b"ace\n")
            .write(b"Hello, Grace!\n")
            .build();
        greet(peer).await
    }

    #[tokio::test]
    async fn a_read_error_reaches_the_caller() {
        let reset = io::Error::new(io::ErrorKind::ConnectionReset, "reset by peer");
        let peer = Builder::new().read_error(reset).build();
        let error = greet(peer).await.expect_err("the read failed");
        assert_eq!(error.kind(), io::ErrorKind::ConnectionReset);
        assert_eq!(error.to_string(), "reset by peer");
    }

    #[tokio::test]
    async fn a_peer_that_hangs_up_at_once_is_an_error() {
        let peer = Builder::new().build(); // an empty script: end of file
        let error = greet(peer).await.expect_err("nothing to read");
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[tokio::test]
    #[should_panic(expected = "assertion `left == right` failed: name=peer")]
    async fn a_write_other_than_the_script_panics() {
        let peer = Builder::new()
            .name("peer")
            .read(b"Ada\n")
            .write(b"Hi, Ada!\n") // greet writes "Hello, Ada!\n"
            .build();
        let _ = greet(peer).await;
    }
    // ANCHOR_END: tests

    // ANCHOR: unawaited
    #[tokio::test]
    #[should_panic(expected = "There is still data left to read")]
    async fn a_future_never_awaited_leaves_the_script_unread() {
        let peer = Builder::new()
            .read(b"Ada\n")
            .write(b"Hello, Ada!\n")
            .build();
        // Forgot `.await`: `greet` never runs. Dropping its future drops the
        // mock, which checks that its script was used up.
        drop(greet(peer));
    }
    // ANCHOR_END: unawaited

    // ANCHOR: wait
    #[tokio::test(start_paused = true)]
    async fn a_slow_peer_takes_virtual_time() -> io::Result<()> {
        let start = Instant::now();
        let peer = Builder::new()
            .wait(Duration::from_secs(3)) // the peer thinks for 3 s
            .read(b"Ada\n")
            .write(b"Hello, Ada!\n")
            .build();
        greet(peer).await?;
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_peer_is_cut_off_by_the_timeout() {
        let start = Instant::now();
        let peer = Builder::new().wait(Duration::from_secs(60)).build();
        let result = timeout(Duration::from_secs(10), greet(peer)).await;
        assert!(result.is_err(), "the timeout fired");
        assert_eq!(start.elapsed(), Duration::from_secs(10));
    }
    // ANCHOR_END: wait

    #[tokio::test]
    async fn a_write_may_jump_ahead_of_a_read_still_in_the_script() -> io::Result<()> {
        use tokio::io::AsyncReadExt;
        let mut peer = Builder::new().read(b"Ada\n").write(b"Hello!\n").build();
        // The script reads first, but the mock passes over a read still
        // waiting to be taken when it checks a write.
        peer.write_all(b"Hello!\n").await?;
        let mut name = String::new();
        peer.read_to_string(&mut name).await?;
        assert_eq!(name, "Ada\n");
        Ok(())
    }

    #[tokio::test]
    async fn greet_works_over_an_in_memory_pipe() -> io::Result<()> {
        let (client, server) = io::duplex(64);
        let server = tokio::spawn(greet(server));
        let mut client = BufReader::new(client);
        client.write_all(b"Grace\n").await?;
        let mut reply = String::new();
        client.read_line(&mut reply).await?;
        assert_eq!(reply, "Hello, Grace!\n");
        server.await?
    }
}
