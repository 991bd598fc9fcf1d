// Course section: The `@asynccontextmanager` Decorator (a real database).
//
// The course's `connection()` context manager, made real with SQLite. The
// `rusqlite` driver blocks, so every call runs on tokio's blocking pool
// (`asyncio.to_thread`). The database is in WAL mode, and `close` closes
// it off the runtime's threads and reports SQLite's error. A transaction is a function that takes the
// body as a closure, like `with_log_file`: it commits when the body returns
// `Ok`, and rolls back when the body returns `Err` or panics.
//
// Run it with `cargo run --features real-io --example sqlite_store`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate rusqlite;
extern crate tokio;

use std::error::Error;
use std::io;
use std::panic::resume_unwind;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::task::spawn_blocking;

// ANCHOR: unblock
/// Runs blocking `work` on tokio's blocking pool, so that the threads that
/// run tasks stay free: Python's `asyncio.to_thread`.
async fn unblock<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match spawn_blocking(work).await {
        Ok(value) => value,
        Err(error) => match error.try_into_panic() {
            // `work` panicked: panic here too, as if it had run in this task.
            Ok(panic) => resume_unwind(panic),
            // The other failure: the runtime shut down before `work` started.
            Err(cancelled) => panic!("`work` never ran: {cancelled}"),
        },
    }
}
// ANCHOR_END: unblock

// ANCHOR: db
/// An open SQLite database that async code can share. Clones are handles to
/// the same connection.
#[derive(Clone)]
struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens the file, creating it and the table if needed.
    async fn open(path: &Path) -> rusqlite::Result<Db> {
        let path = path.to_path_buf();
        let conn = unblock(move || {
            let conn = Connection::open(path)?;
            // WAL: readers do not wait for the writer, and a commit appends
            // to one log file. NORMAL: the log is synced at checkpoints, not
            // at each commit, so a power cut (not a crash of the program)
            // may undo the last commits; it never corrupts the file.
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS eggs (
                    number INTEGER PRIMARY KEY,
                    minutes INTEGER NOT NULL
                )",
            )?;
            Ok::<_, rusqlite::Error>(conn)
        })
        .await?;
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `work` with the connection, on the blocking pool, one call at a
    /// time.
    async fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> T + Send + 'static,
    ) -> T {
        let conn = Arc::clone(&self.conn);
        unblock(move || {
            // A panic in an earlier call poisoned the lock, but the
            // connection is fine: the panic rolled its transaction back.
            let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut conn)
        })
        .await
    }

    /// Closes the connection if this is the last handle (otherwise the
    /// last one closes it when dropped). Closing writes the log back into
    /// the database file, so it runs on the blocking pool. (SQLite does not
    /// report a failed checkpoint; the next open recovers the log.)
    async fn close(self) -> rusqlite::Result<()> {
        let Ok(conn) = Arc::try_unwrap(self.conn) else {
            return Ok(());
        };
        let conn = conn.into_inner().unwrap_or_else(PoisonError::into_inner);
        unblock(move || conn.close().map_err(|(_conn, error)| error)).await
    }
}
// ANCHOR_END: db

// ANCHOR: transaction
impl Db {
    /// `with connection:` in Python's sqlite3: runs `body` in a transaction
    /// that commits if `body` returns `Ok`, and rolls back if it returns
    /// `Err` or panics.
    async fn transaction<T, E>(
        &self,
        body: impl FnOnce(&Transaction) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + Send + 'static,
    {
        self.call(move |conn| {
            // IMMEDIATE takes the write lock at once: a transaction that
            // starts as a reader and then writes could fail with "database
            // is locked" without waiting, in WAL mode.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = body(&tx)?; // `?` drops `tx`, and its `Drop` rolls back
            tx.commit()?;
            Ok(value)
        })
        .await
    }
}
// ANCHOR_END: transaction

// ANCHOR: store
type BoxError = Box<dyn Error + Send + Sync>;

/// Stores a carton of eggs as (number, minutes): all of them, or none.
async fn store(db: &Db, eggs: Vec<(u32, u32)>) -> Result<usize, BoxError> {
    db.transaction(move |tx| {
        for &(number, minutes) in &eggs {
            if minutes == 0 {
                return Err(format!("egg {number} is cracked").into());
            }
            tx.execute(
                "INSERT INTO eggs (number, minutes) VALUES (?1, ?2)",
                (number, minutes),
            )?;
        }
        Ok(eggs.len())
    })
    .await
}

async fn egg_numbers(db: &Db) -> rusqlite::Result<Vec<u32>> {
    db.call(|conn| {
        let mut query = conn.prepare("SELECT number FROM eggs ORDER BY number")?;
        let numbers = query.query_map((), |row| row.get(0))?;
        numbers.collect()
    })
    .await
}
// ANCHOR_END: store

/// A fresh directory for the database, removed again when dropped (see the
/// `drop_guard` example).
struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    fn new(name: &str) -> io::Result<Self> {
        let process = std::process::id();
        let path = std::env::temp_dir().join(format!("async-rust-book-{process}-{name}"));
        std::fs::create_dir(&path)?;
        Ok(ScratchDir { path })
    }

    fn join(&self, file: &str) -> PathBuf {
        self.path.join(file)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_dir_all(&self.path) {
            eprintln!("warning: could not remove a scratch directory: {error}");
        }
    }
}

/// `Ok(value)` or `Err(message)`, for the output.
fn outcome<T: std::fmt::Debug, E: std::fmt::Display>(result: &Result<T, E>) -> String {
    match result {
        Ok(value) => format!("Ok({value:?})"),
        Err(error) => format!("Err({error})"),
    }
}

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let dir = ScratchDir::new("sqlite_store")?;
    let path = dir.join("kitchen.db");
    {
        let db = Db::open(&path).await?;
        let result = store(&db, vec![(1, 5), (2, 2), (3, 4), (4, 3)]).await;
        println!("store eggs 1 to 4:         {}", outcome(&result));
        println!("  in the table: {:?}", egg_numbers(&db).await?);

        let result = store(&db, vec![(5, 5), (6, 2), (4, 3)]).await;
        println!("store 5, 6, then 4 again:  {}", outcome(&result));
        println!("  in the table: {:?}", egg_numbers(&db).await?);

        let result = store(&db, vec![(5, 5), (6, 0)]).await;
        println!("store 5, then cracked 6:   {}", outcome(&result));
        println!("  in the table: {:?}", egg_numbers(&db).await?);
        db.close().await?;
    }
    let db = Db::open(&path).await?;
    println!("closed and opened again:");
    println!("  in the table: {:?}", egg_numbers(&db).await?);
    db.close().await?;
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt;
    use rusqlite::ErrorCode;
    use std::sync::mpsc;
    use std::time::Duration;
    use tokio::sync::oneshot;

    async fn fresh_db(dir: &ScratchDir) -> Db {
        let db = Db::open(&dir.join("test.db")).await.expect("opens");
        store(&db, vec![(1, 5), (2, 2)]).await.expect("stores");
        db
    }

    #[tokio::test]
    async fn a_failed_statement_rolls_the_whole_transaction_back() {
        let dir = ScratchDir::new("test-sql-error").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        let error = store(&db, vec![(3, 4), (4, 3), (2, 9)])
            .await
            .expect_err("egg 2 is there already");
        let error = error
            .downcast_ref::<rusqlite::Error>()
            .expect("from SQLite");
        assert_eq!(
            error.sqlite_error_code(),
            Some(ErrorCode::ConstraintViolation)
        );
        // Eggs 3 and 4 were inserted before the failure: both are gone.
        assert_eq!(egg_numbers(&db).await.expect("reads"), [1, 2]);
    }

    #[tokio::test]
    async fn an_error_from_the_body_rolls_back_too() {
        let dir = ScratchDir::new("test-body-error").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        let error = store(&db, vec![(3, 4), (4, 0)]).await.expect_err("cracked");
        assert_eq!(error.to_string(), "egg 4 is cracked");
        assert_eq!(egg_numbers(&db).await.expect("reads"), [1, 2]);
    }

    #[tokio::test]
    async fn a_panic_in_the_body_rolls_back_and_the_database_still_works() {
        let dir = ScratchDir::new("test-panic").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        let panicking = db.clone();
        let task = tokio::spawn(async move {
            panicking
                .transaction(|tx| -> rusqlite::Result<()> {
                    tx.execute("INSERT INTO eggs VALUES (3, 4)", ())?;
                    panic!("a deliberate panic in the middle of a transaction");
                })
                .await
        });
        let payload = task.await.expect_err("it panicked").into_panic();
        assert_eq!(
            payload.downcast_ref::<&str>(),
            Some(&"a deliberate panic in the middle of a transaction"),
            "the body's own panic reaches the caller"
        );
        assert_eq!(egg_numbers(&db).await.expect("reads"), [1, 2]);
        store(&db, vec![(3, 4)]).await.expect("stores again");
        assert_eq!(egg_numbers(&db).await.expect("reads"), [1, 2, 3]);
    }

    #[tokio::test]
    async fn the_rows_survive_closing_and_opening_again() {
        let dir = ScratchDir::new("test-reopen").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        store(&db, vec![(3, 4)]).await.expect("stores");
        db.close().await.expect("closes");
        let db = Db::open(&dir.join("test.db")).await.expect("opens again");
        assert_eq!(egg_numbers(&db).await.expect("reads"), [1, 2, 3]);
    }

    /// Until the last close, the commits are in the log file beside the
    /// database; closing copies them back and removes the log.
    #[tokio::test]
    async fn the_database_is_in_wal_mode_and_closing_checkpoints_it() {
        let dir = ScratchDir::new("test-wal").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        let mode: String = db
            .call(|conn| conn.pragma_query_value(None, "journal_mode", |row| row.get(0)))
            .await
            .expect("a mode");
        assert_eq!(mode, "wal");
        let log = dir.join("test.db-wal");
        assert!(log.exists(), "the commits are in the log");
        db.close().await.expect("closes");
        assert!(!log.exists(), "closing checkpointed the log");
    }

    /// `BEGIN IMMEDIATE` takes the write lock before the body runs: another
    /// connection cannot start writing, even before the body's first
    /// statement. (A plain `BEGIN` would let it.)
    #[tokio::test]
    async fn a_transaction_holds_the_write_lock_from_its_start() {
        let dir = ScratchDir::new("test-immediate").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        let path = dir.join("test.db");
        let other_writer = db
            .transaction(move |_tx| {
                let other = Connection::open(path)?;
                other.busy_timeout(Duration::ZERO)?;
                Ok::<_, rusqlite::Error>(other.execute_batch("BEGIN IMMEDIATE"))
            })
            .await
            .expect("the transaction runs");
        let error = other_writer.expect_err("the write lock is taken");
        assert_eq!(error.sqlite_error_code(), Some(ErrorCode::DatabaseBusy));
    }

    /// The test runs on one thread. Had `call` run `work` on it, `work`
    /// would wait for a message that this same thread can never send.
    #[tokio::test]
    async fn blocking_work_leaves_the_runtime_free() {
        let dir = ScratchDir::new("test-free").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        let (send, receive) = mpsc::channel();
        let waiting = db.call(move |_| receive.recv_timeout(Duration::from_secs(10)));
        let sending = async move { send.send(7).expect("the call waits for it") };
        let (received, ()) = tokio::join!(waiting, sending);
        assert_eq!(received, Ok(7));
    }

    /// Dropping the future stops the waiting, not the work: a transaction
    /// that has started on the blocking pool still commits.
    #[tokio::test]
    async fn a_cancelled_transaction_still_runs_to_its_end() {
        let dir = ScratchDir::new("test-cancel").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        let (inside, is_inside) = oneshot::channel();
        let (go, wait_for_go) = mpsc::channel::<()>();
        let transaction = store_after_signal(&db, inside, wait_for_go);
        // Poll it once, which sends it to the blocking pool, then drop it.
        assert!(transaction.now_or_never().is_none());
        is_inside.await.expect("the body started");
        go.send(()).expect("the body waits for it");
        // This call waits for the lock, which the cancelled one holds.
        assert_eq!(egg_numbers(&db).await.expect("reads"), [1, 2, 3]);
    }

    async fn store_after_signal(
        db: &Db,
        inside: oneshot::Sender<()>,
        go: mpsc::Receiver<()>,
    ) -> Result<(), BoxError> {
        db.transaction(move |tx| {
            inside.send(()).expect("the test waits for it");
            go.recv_timeout(Duration::from_secs(10))?;
            tx.execute("INSERT INTO eggs VALUES (3, 4)", ())?;
            Ok(())
        })
        .await
    }
}
