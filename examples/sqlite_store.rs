// Course section: The `@asynccontextmanager` Decorator (a real database).
//
// The course's `connection()` context manager, made real with SQLite. The
// `rusqlite` driver blocks, so the connection lives on a thread of its own,
// which runs the calls that async code sends it over a channel, one at a
// time (as Python's `aiosqlite` does). The database is in WAL mode, and
// `close` closes it on that thread and reports SQLite's error. A
// transaction is a function that takes the body as a closure, like
// `with_log_file`: it commits when the body returns `Ok`, and rolls back
// when the body returns `Err` or panics.
//
// Run it with `cargo run --features real-io --example sqlite_store`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
extern crate rusqlite;
extern crate tokio;

use std::any::Any;
use std::error::Error;
use std::fmt;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

// ANCHOR: db
type BoxError = Box<dyn Error + Send + Sync>;

/// One call: the caller's work, boxed, with the way back to the caller
/// inside it.
type Call = Box<dyn FnOnce(&mut Connection) + Send>;

enum Message {
    Call(Call),
    Close(oneshot::Sender<rusqlite::Result<()>>),
}

/// How many calls may wait for the connection; a caller beyond that waits
/// to send its call (as a task, not on a thread).
const QUEUE: usize = 64;

/// An open SQLite database that async code can share. The connection lives
/// on a thread of its own, which runs the calls one at a time, in the
/// order they arrive. Clones are handles to the same connection.
#[derive(Clone)]
struct Db {
    messages: mpsc::Sender<Message>,
}

/// Why a call gave back no value.
#[derive(Debug)]
enum CallError {
    /// The work panicked, with this message. The connection thread caught
    /// the panic and goes on with the next call.
    Panicked(String),
    /// The connection was closed before the call ran.
    Closed,
}

impl Db {
    /// Starts the connection thread, which opens the file, creating it and
    /// the table if needed.
    async fn open(path: &Path) -> Result<Db, BoxError> {
        let path = path.to_path_buf();
        let (messages, inbox) = mpsc::channel(QUEUE);
        let (opened, is_open) = oneshot::channel();
        std::thread::Builder::new()
            .name("sqlite".to_string())
            .spawn(move || match open_file(&path) {
                Ok(conn) => {
                    let _ = opened.send(Ok(()));
                    run_calls(conn, inbox);
                }
                Err(error) => {
                    let _ = opened.send(Err(error));
                }
            })?;
        is_open.await??;
        Ok(Db { messages })
    }

    /// Runs `work` with the connection, on the connection's thread, and
    /// waits for its value. If the caller stops waiting, work that has
    /// started runs to its end; work still queued is skipped.
    async fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> T + Send + 'static,
    ) -> Result<T, CallError> {
        let (reply, answer) = oneshot::channel();
        let call: Call = Box::new(move |conn| {
            if reply.is_closed() {
                return; // the caller stopped waiting before its turn came
            }
            // A panic stops here, not the thread. As it unwinds, `rusqlite`'s
            // guards (a `Transaction`, a `Statement`) clean up.
            let value = catch_unwind(AssertUnwindSafe(|| work(conn)));
            if value.is_err() && !conn.is_autocommit() {
                // A `BEGIN` with no guard: roll back what it left open.
                let _ = conn.execute_batch("ROLLBACK");
            }
            // This fails only if the caller has stopped waiting.
            let _ = reply.send(value.map_err(panic_message));
        });
        let sent = self.messages.send(Message::Call(call)).await;
        sent.map_err(|_| CallError::Closed)?;
        answer.await.map_err(|_| CallError::Closed)?
    }

    /// Closes the connection, on its thread, once the calls sent before
    /// this one have run. Calls from other handles fail with
    /// `CallError::Closed` afterwards. If closing fails, it returns SQLite's
    /// error, and the connection stays open for the other handles.
    async fn close(self) -> Result<(), BoxError> {
        let (reply, closed) = oneshot::channel();
        let sent = self.messages.send(Message::Close(reply)).await;
        sent.map_err(|_| CallError::Closed)?;
        Ok(closed.await.map_err(|_| CallError::Closed)??)
    }
}

/// The connection thread: runs calls until `close` succeeds, or until
/// every handle is dropped; then the `Connection`'s `Drop` closes it, and
/// drops any error.
fn run_calls(mut conn: Connection, mut inbox: mpsc::Receiver<Message>) {
    while let Some(message) = inbox.blocking_recv() {
        match message {
            Message::Call(call) => call(&mut conn),
            Message::Close(reply) => match conn.close() {
                Ok(()) => {
                    let _ = reply.send(Ok(())); // the caller may have gone
                    return; // calls still queued are dropped: `Closed`
                }
                Err((still_open, error)) => {
                    conn = still_open; // SQLite did not close it: keep it
                    let _ = reply.send(Err(error));
                }
            },
        }
    }
}

fn open_file(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    // WAL: readers do not wait for the writer, and a commit appends to one
    // log file. NORMAL: the log is synced at checkpoints, not at each
    // commit, so a power cut (not a crash of the program) may undo the last
    // commits; it never corrupts the file.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS eggs (
            number INTEGER PRIMARY KEY,
            minutes INTEGER NOT NULL
        )",
    )?;
    Ok(conn)
}

fn panic_message(payload: Box<dyn Any + Send>) -> CallError {
    let message = match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => match payload.downcast::<&str>() {
            Ok(message) => message.to_string(),
            Err(_) => "a panic with no message".to_string(),
        },
    };
    CallError::Panicked(message)
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Panicked(message) => write!(f, "the database call panicked: {message}"),
            CallError::Closed => f.write_str("the database is closed"),
        }
    }
}

impl Error for CallError {}
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
        E: From<rusqlite::Error> + From<CallError> + Send + 'static,
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
        .await?
    }
}
// ANCHOR_END: transaction

// ANCHOR: store
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

async fn egg_numbers(db: &Db) -> Result<Vec<u32>, BoxError> {
    let numbers = db.call(|conn| {
        let mut query = conn.prepare("SELECT number FROM eggs ORDER BY number")?;
        let numbers = query.query_map((), |row| row.get(0))?;
        numbers.collect::<rusqlite::Result<Vec<u32>>>()
    });
    Ok(numbers.await??)
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
    use rusqlite::ErrorCode;
    use std::sync::mpsc as std_mpsc;
    use std::sync::{Arc, Mutex};
    use std::thread::{self, ThreadId};
    use std::time::Duration;

    /// A bound for waits that end at once unless the code is wrong.
    const BOUND: Duration = Duration::from_secs(30);

    async fn fresh_db(dir: &ScratchDir) -> Db {
        let db = Db::open(&dir.join("test.db")).await.expect("opens");
        store(&db, vec![(1, 5), (2, 2)]).await.expect("stores");
        db
    }

    fn sqlite_code(error: &BoxError) -> Option<ErrorCode> {
        let error = error.downcast_ref::<rusqlite::Error>()?;
        error.sqlite_error_code()
    }

    #[tokio::test]
    async fn a_failed_statement_rolls_the_whole_transaction_back() {
        let dir = ScratchDir::new("test-sql-error").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        let error = store(&db, vec![(3, 4), (4, 3), (2, 9)])
            .await
            .expect_err("egg 2 is there already");
        assert_eq!(sqlite_code(&error), Some(ErrorCode::ConstraintViolation));
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
        let before = db.call(|_| thread::current().id()).await.expect("runs");
        let error = db
            .transaction(|tx| -> Result<(), BoxError> {
                tx.execute("INSERT INTO eggs VALUES (3, 4)", ())?;
                panic!("a deliberate panic in the middle of a transaction");
            })
            .await
            .expect_err("it panicked");
        let error = error.downcast_ref::<CallError>().expect("a CallError");
        let message = "a deliberate panic in the middle of a transaction";
        assert!(
            matches!(error, CallError::Panicked(m) if m == message),
            "{error}"
        );
        assert_eq!(egg_numbers(&db).await.expect("reads"), [1, 2]);
        store(&db, vec![(3, 4)]).await.expect("stores again");
        assert_eq!(egg_numbers(&db).await.expect("reads"), [1, 2, 3]);
        let after = db.call(|_| thread::current().id()).await.expect("runs");
        assert_eq!(before, after, "the same thread lives on");
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
        let mode = db
            .call(|conn| conn.pragma_query_value(None, "journal_mode", |row| row.get(0)))
            .await
            .expect("runs");
        assert_eq!(mode, Ok("wal".to_string()));
        let log = dir.join("test.db-wal");
        assert!(log.exists(), "the commits are in the log");
        db.close().await.expect("closes");
        assert!(!log.exists(), "closing checkpointed the log");
    }

    /// Without `close`, dropping the last handle ends the connection
    /// thread's loop, and `Drop` closes the connection there: the log is
    /// checkpointed and removed, with nobody waiting for it.
    #[tokio::test]
    async fn dropping_every_handle_closes_the_connection_on_its_thread() {
        let dir = ScratchDir::new("test-drop").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        let other = db.clone();
        let log = dir.join("test.db-wal");
        assert!(log.exists(), "the commits are in the log");
        drop(db);
        assert_eq!(egg_numbers(&other).await.expect("still open"), [1, 2]);
        drop(other);
        let closed = tokio::time::timeout(BOUND, async {
            while log.exists() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
        closed.await.expect("the last drop closed the connection");
    }

    /// After a successful `close`, the handles that are left see a closed
    /// database.
    #[tokio::test]
    async fn after_close_other_handles_see_a_closed_database() {
        let dir = ScratchDir::new("test-closed").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        let other = db.clone();
        db.close().await.expect("closes");
        let after = other.call(|_| ()).await;
        assert!(matches!(after, Err(CallError::Closed)), "{after:?}");
    }

    /// A statement that is never finalized (here: forgotten, which safe
    /// code rarely does) keeps SQLite from closing: `close` returns
    /// SQLite's error, and the connection stays open for the handles that
    /// are left, as SQLite left it.
    #[tokio::test]
    async fn close_reports_sqlites_error_and_keeps_the_connection() {
        let dir = ScratchDir::new("test-close-error").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        let other = db.clone();
        db.call(|conn| conn.prepare("SELECT 1").map(std::mem::forget))
            .await
            .expect("runs")
            .expect("prepares");
        let error = db.close().await.expect_err("a statement is left");
        assert_eq!(
            sqlite_code(&error),
            Some(ErrorCode::DatabaseBusy),
            "{error}"
        );
        assert_eq!(egg_numbers(&other).await.expect("still open"), [1, 2]);
    }

    /// A call that does `BEGIN` by hand, with no `Transaction` guard, and
    /// panics: the connection thread rolls it back, so the next calls do
    /// not run inside it, and other connections can write.
    #[tokio::test]
    async fn a_panic_inside_a_hand_made_begin_is_rolled_back() {
        let dir = ScratchDir::new("test-panic-begin").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        let panicked = db
            .call(|conn| {
                let begun = conn.execute_batch("BEGIN; INSERT INTO eggs VALUES (3, 4)");
                begun.expect("begins and inserts");
                panic!("a deliberate panic inside BEGIN");
            })
            .await;
        assert!(matches!(panicked, Err(CallError::Panicked(_))));
        let autocommit = db.call(|conn| conn.is_autocommit()).await;
        assert!(autocommit.expect("runs"), "no transaction is left open");
        assert_eq!(egg_numbers(&db).await.expect("reads"), [1, 2]);
        let other = Connection::open(dir.join("test.db")).expect("opens");
        other
            .busy_timeout(Duration::ZERO)
            .expect("sets the timeout");
        let write = other.execute("INSERT INTO eggs VALUES (4, 3)", ());
        assert_eq!(write, Ok(1), "the write lock is free");
    }

    /// A caller that stops waiting before its call's turn: the call is
    /// skipped, and its transaction never runs.
    #[tokio::test]
    async fn a_call_cancelled_while_queued_never_runs() {
        let dir = ScratchDir::new("test-cancel-queued").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        let (release, held) = std_mpsc::channel::<()>();
        let (holding, is_holding) = oneshot::channel();
        let holder = db.clone();
        let holder = tokio::spawn(async move {
            holder
                .call(move |_| {
                    let _ = holding.send(());
                    let _ = held.recv_timeout(BOUND);
                })
                .await
        });
        is_holding.await.expect("the connection thread is held");
        let caller = db.clone();
        let queued = tokio::spawn(async move { store(&caller, vec![(3, 4)]).await });
        let waits = tokio::time::timeout(BOUND, async {
            while db.messages.capacity() == QUEUE {
                tokio::task::yield_now().await;
            }
        });
        waits.await.expect("the store waits in the queue");
        queued.abort();
        assert!(queued.await.expect_err("aborted").is_cancelled());
        release.send(()).expect("the holder waits for it");
        holder.await.expect("the holder ends").expect("runs");
        assert_eq!(egg_numbers(&db).await.expect("reads"), [1, 2]);
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
                Ok::<_, BoxError>(other.execute_batch("BEGIN IMMEDIATE"))
            })
            .await
            .expect("the transaction runs");
        let error = other_writer.expect_err("the write lock is taken");
        assert_eq!(error.sqlite_error_code(), Some(ErrorCode::DatabaseBusy));
    }

    /// Fifty calls sent at once run one after the other, in the order they
    /// were sent, all on one thread, which is not the runtime's.
    #[tokio::test]
    async fn calls_run_in_order_on_one_thread_of_their_own() {
        let dir = ScratchDir::new("test-order").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let calls = (0..50).map(|n| {
            let order = Arc::clone(&order);
            db.call(move |_| {
                order.lock().expect("not poisoned").push(n);
                thread::current().id()
            })
        });
        let threads: Vec<ThreadId> = futures::future::join_all(calls)
            .await
            .into_iter()
            .map(|id| id.expect("runs"))
            .collect();
        assert_eq!(
            *order.lock().expect("not poisoned"),
            (0..50).collect::<Vec<_>>()
        );
        assert!(threads.iter().all(|id| *id == threads[0]), "one thread");
        assert_ne!(threads[0], thread::current().id(), "not the runtime's");
    }

    /// The runtime has one blocking-pool thread, and something else holds
    /// it; fifty callers still get their answers, because a waiting call
    /// is a message in a queue, not a thread. (Had `call` used
    /// `spawn_blocking`, they would all wait for that one thread.)
    #[test]
    fn many_callers_take_no_threads_from_the_blocking_pool() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .max_blocking_threads(1)
            .enable_time()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let dir = ScratchDir::new("test-pool").expect("a fresh directory");
            let db = fresh_db(&dir).await;
            let (release, held) = std_mpsc::channel::<()>();
            let hog = tokio::task::spawn_blocking(move || held.recv_timeout(BOUND));
            let calls = (0..50).map(|n| db.call(move |_| n));
            let answers = tokio::time::timeout(BOUND, futures::future::join_all(calls))
                .await
                .expect("every caller got an answer");
            assert_eq!(answers.len(), 50);
            assert!(answers.into_iter().all(|answer| answer.is_ok()));
            release.send(()).expect("the hog waits for it");
            hog.await.expect("the hog ends").expect("released");
        });
    }

    /// The test runs on one thread. Had `call` run `work` on it, `work`
    /// would wait for a message that this same thread can never send.
    #[tokio::test]
    async fn blocking_work_leaves_the_runtime_free() {
        let dir = ScratchDir::new("test-free").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        let (send, receive) = std_mpsc::channel();
        let waiting = db.call(move |_| receive.recv_timeout(BOUND));
        let sending = async move { send.send(7).expect("the call waits for it") };
        let (received, ()) = tokio::join!(waiting, sending);
        assert_eq!(received.expect("runs"), Ok(7));
    }

    /// Cancelling the caller stops the waiting, not the work: a transaction
    /// that has started on the connection thread still commits.
    #[tokio::test]
    async fn a_cancelled_transaction_still_runs_to_its_end() {
        let dir = ScratchDir::new("test-cancel").expect("a fresh directory");
        let db = fresh_db(&dir).await;
        let (inside, is_inside) = oneshot::channel();
        let (go, wait_for_go) = std_mpsc::channel::<()>();
        let caller = db.clone();
        let task = tokio::spawn(async move {
            caller
                .transaction(move |tx| {
                    inside.send(()).expect("the test waits for it");
                    wait_for_go.recv_timeout(BOUND)?;
                    tx.execute("INSERT INTO eggs VALUES (3, 4)", ())?;
                    Ok::<_, BoxError>(())
                })
                .await
        });
        is_inside.await.expect("the body started");
        task.abort();
        assert!(task.await.expect_err("aborted").is_cancelled());
        go.send(()).expect("the body waits for it");
        // This call runs after the cancelled one, which committed.
        assert_eq!(egg_numbers(&db).await.expect("reads"), [1, 2, 3]);
    }
}
