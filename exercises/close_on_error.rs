// Exercise for "Context manager classes": close a connection whether or not the query failed.
//
// Run its tests with `cargo test --example close_on_error`; they fail
// until `count_rows` is fixed. The solution is in
// `solutions/close_on_error.rs`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
extern crate futures;
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use tokio::time::sleep;

/// A pretend database connection. `close` must be awaited, and can fail.
struct Connection {
    closed: Rc<Cell<bool>>,
    close_fails: bool,
}

impl Connection {
    /// Opens a connection; `closed` turns true when `close` has run.
    fn open(closed: Rc<Cell<bool>>, close_fails: bool) -> Connection {
        Connection {
            closed,
            close_fails,
        }
    }

    /// Counts the rows of `table`; only the `eggs` table exists.
    async fn count(&mut self, table: &str) -> Result<u32, String> {
        sleep(Duration::from_millis(10)).await;
        match table {
            "eggs" => Ok(12),
            _ => Err(format!("no such table: {table}")),
        }
    }

    /// Says goodbye to the server, which can fail.
    async fn close(self) -> Result<(), String> {
        sleep(Duration::from_millis(10)).await;
        self.closed.set(true);
        if self.close_fails {
            Err("connection lost while closing".to_string())
        } else {
            Ok(())
        }
    }
}

// ANCHOR: starter
/// Counts the rows of `table`, then closes the connection, whether or not
/// counting failed. The error of counting comes first; if counting worked,
/// the error of closing is returned.
async fn count_rows(mut connection: Connection, table: &str) -> Result<u32, String> {
    // async with connection:
    //     return await connection.count(table)
    let rows = connection.count(table).await?;
    connection.close().await?;
    Ok(rows)
}
// ANCHOR_END: starter

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
#[tokio::main]
async fn main() {
    for table in ["eggs", "spam"] {
        let closed = Rc::new(Cell::new(false));
        let connection = Connection::open(Rc::clone(&closed), false);
        let rows = count_rows(connection, table).await;
        println!("{table}: {rows:?}, closed: {}", closed.get());
    }
}

#[cfg(test)]
#[path = "tests/close_on_error.rs"]
mod tests;
