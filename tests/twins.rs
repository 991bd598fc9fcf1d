//! The Python twins. Every example that mirrors a program of the Python
//! course has a twin, `examples/NAME.py`, in plain Python 3.11 (standard
//! library only), which the page shows next to the Rust code. This test runs
//! each twin with the arguments of each of its example's output files and
//! fails unless it prints the same lines in the same order, elapsed times
//! included, and exits the same way (`*.fails.txt`: with an error).
//!
//! The twins run on a virtual clock, `tests/twins/virtual_clock.py`: an
//! asyncio event loop that jumps to the next timer instead of sleeping, as
//! tokio's paused clock does for the Rust examples. So the times are exact,
//! and no twin waits in real time. The test needs `python3`, version 3.11 or
//! later, on `PATH`, and nothing else: without it, it fails.
//!
//! Readers have Python 3.11, 3.12, 3.13 and 3.14, so the parity test runs
//! every twin on every interpreter it finds: `python3`, and each
//! `python3.X` (X >= 11) on `PATH` that runs, and each interpreter pyenv
//! installed (`$PYENV_ROOT/versions/*/bin/python3`, which its shims hide
//! unless a version is selected), once per version. It prints on stderr
//! which versions ran and which it skipped, and why. A twin must print the same on each, with every
//! `DeprecationWarning` turned into an error. Versions other than the one
//! `python3` runs are used when present, never required.
//!
//! Where the two languages truly differ, a twin prints something else on
//! purpose. Each such line is declared in `ON_PURPOSE` below, with the
//! reason; no other line may differ. The twin's whole output is then in
//! `book/src/output/NAME.py.txt` (next to the Rust example's `NAME.txt`), and
//! the page shows both. `BLESS=NAME cargo test --test twins` writes, or
//! removes, the `.py.txt` files of the twin `NAME.py` (`BLESS=1`: of all
//! twins); then declare the lines that differ, and say why on the page.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;

/// The interpreter, found on `PATH`.
const PYTHON: &str = "python3";

/// Runs a twin on the virtual clock: `python3 CLOCK examples/NAME.py ARGS`.
const CLOCK: &str = "tests/twins/virtual_clock.py";

/// Examples with no Python twin, and why not. Every other example needs one.
const NO_TWIN: &[(&str, &str)] = &[
    (
        "poll_by_hand",
        "it polls futures by hand with a waker that does nothing; the Python \
         equivalent, `coroutine.send(None)`, shows its results as `StopIteration` \
         where Rust prints `Ready`, so no line would match (the page describes it)",
    ),
    (
        "no_runtime",
        "its output is a crash: a Rust panic message, which no line of a \
         Python traceback matches (the page describes Python's `RuntimeError`)",
    ),
    (
        "drop_guard",
        "it shows a Rust idiom, cleanup in `Drop`, that no course program has",
    ),
    (
        "coroutine_object",
        "every line it prints is a Rust type name from `type_name_of_val`; Python's `type(coro)` prints `<class 'coroutine'>` for all of them, which the page shows in a short inline block",
    ),
    (
        "future_sizes",
        "it prints the sizes the compiler gives futures; a Python coroutine is a heap object whose size is no property of the code, so nothing would match",
    ),
    (
        "run_three_ways",
        "it contrasts `block_on`, `.await` and `spawn` on a runtime that `main` builds by hand; Python has one way in, `asyncio.run`, which the page shows inline",
    ),
    (
        "select_loop_safety",
        "it shows a `select!` loop losing the state of a future it drops and recreates; asyncio has no `select!`, and `asyncio.Queue.get` keeps nothing to lose",
    ),
    (
        "awaitable_tour",
        "a tour of Rust's awaitable types (`JoinHandle`, oneshot, mpsc, `Sleep`, `ready`), printed with their Rust `Debug` forms; the page's table names each Python counterpart",
    ),
    (
        "doorbell_future",
        "it implements `Future::poll` by hand with a waker; asyncio's awaitables have no waker to store or forget, so the story has no Python form",
    ),
    (
        "stopwatch_into_future",
        "it shows `IntoFuture` on a builder (`.every(..)`, `tokio::spawn(x.into_future())`); the page shows Python's `__await__` inline, and the headings it prints are Rust expressions",
    ),
    (
        "task_handle",
        "it prints task ids and `main has a task id: false`, which are tokio facts (asyncio's `main` is a task, and has no id); the stopwatch-as-a-task part is `stopwatch_abort`'s twin",
    ),
    (
        "task_panics",
        "its output is a Rust panic message and `JoinError`s; Python has no panics, and a failing task's exception is `handle_errors`'s and `stopwatch_abort`'s story",
    ),
    (
        "oneshot_future",
        "it needs a dropped `Sender` to say \"no value will ever come\"; an `asyncio.Future` that nobody sets waits forever, so the last lines have no twin (the page shows `create_future` inline)",
    ),
    (
        "running_loop",
        "it prints tokio's own words (the \"no reactor running\" error and the runtime's flavor); `get_running_loop` is shown inline, and its error and loop class name nothing the same",
    ),
    (
        "runtime_flavors",
        "it builds tokio's two kinds of runtime and prints their flavor and worker threads; asyncio has one kind of event loop",
    ),
    (
        "runtime_per_thread",
        "it prints what tokio's `Handle::try_current` sees on each thread; the page shows the asyncio version (one loop per thread) inline",
    ),
    (
        "handle_from_thread",
        "it prints the name of a tokio worker thread that ran the task; asyncio runs every task on the loop's own thread, so the lines cannot match (the page shows `run_coroutine_threadsafe` inline)",
    ),
    (
        "nested_runtime",
        "its point is tokio's panic, `block_in_place` and `spawn_blocking`; asyncio's `RuntimeError` is shown inline, and no Python line matches a panic message",
    ),
    (
        "local_set",
        "it is about futures that are not `Send`; every asyncio task stays on its loop's thread, so Python has nothing to mark",
    ),
    (
        "local_runtime",
        "it is about futures that are not `Send`, like `local_set`; Python has nothing to mark",
    ),
    (
        "blocking_calls",
        "it runs on the real clock (spawn_blocking stops the paused clock), and \
         its Python counterpart is an illustration on the page",
    ),
    (
        "http_download",
        "real I/O: a real HTTP server and client; the page shows the Python version, which needs aiohttp, a third-party package",
    ),
    (
        "sqlite_store",
        "real I/O on a real database file; the page shows the Python sqlite3 version as an illustration",
    ),
    (
        "async_logger",
        "real I/O: many tasks write real files; the page shows Python's logging as an illustration",
    ),
    (
        "sync_primitives",
        "a tour of tokio's primitives, one short part each, whose asyncio counterparts are \
         one-liners the page shows inline; and where the two differ (a task-local value is not \
         inherited by a spawned task, `yield_now` under `join!`) no line would match",
    ),
    (
        "crawl_and_store",
        "real I/O end to end with Ctrl-C; the page sketches the Python side of Ctrl-C as an illustration",
    ),
    (
        "testing_time",
        "its lesson is its tests, on tokio's paused clock, which asyncio lacks; the page shows \
         the unittest counterpart inline, which really waits",
    ),
    (
        "testing_io",
        "its lesson is its tests against a scripted mock peer; the page shows the unittest \
         counterpart, a fed `StreamReader` and a `Mock` writer, inline",
    ),
    (
        "testing_by_hand",
        "its lesson is its tests, which poll futures and streams by hand with tokio-test; \
         Python's `coro.send(None)` is shown on another page",
    ),
    (
        "http_service",
        "real I/O: an HTTP service and its client; its Python counterparts (aiohttp.web, \
         Starlette) are third-party packages, named on the page",
    ),
    (
        "tracing_logs",
        "its lesson is tracing's spans and subscriber; the page compares them with logging \
         and contextvars in prose",
    ),
];

/// Examples that share another example's twin: `(example, twin)`. The course
/// writes `download(urls)` once, as an async generator; Rust shows three ways
/// to write it. Such an example prints the first section of its twin's
/// output (the lines before the first empty one), under its own heading.
const SHARED_TWINS: &[(&str, &str)] = &[
    ("download_unfold", "download_stream"),
    ("download_by_hand", "download_stream"),
];

/// Lines that a twin prints differently on purpose: in `output`, the Rust
/// example prints the lines `rust` where the twin prints the lines `python`.
struct Change {
    output: &'static str,
    rust: &'static [&'static str],
    python: &'static [&'static str],
    why: &'static str,
}

/// Why a heading differs.
const TOOLS: &str = "the heading names the Python tool that does the Rust one's job";
/// Why a list of strings differs.
const QUOTES: &str =
    "Python's `repr` puts a string in single quotes, Rust's `{:?}` in double quotes";
/// Why a cancelled run differs; the pages explain it at length.
const CANCEL: &str = "cancelling raises `CancelledError` in the Python body, and the tear-down \
    still runs, awaits the flush and says so; in Rust it drops the future, so no code after the \
    `.await` runs, only `Drop`. Also, Python's `TimeoutError` has no message, tokio's says \
    `deadline has elapsed`";

/// Why a timeout's error differs.
const TIMEOUT: &str =
    "Python's `TimeoutError` has no message, tokio's `Elapsed` says `deadline has elapsed`";

const ON_PURPOSE: &[Change] = &[
    // orphans.py
    Change {
        output: "orphans.txt",
        rust: &["An AbortOnDropHandle dies with its parent:"],
        python: &["A TaskGroup child dies with its parent:"],
        why: TOOLS,
    },
    Change {
        output: "orphans.txt",
        rust: &["A TaskTracker waits for its tasks:"],
        python: &["gather waits for its tasks:"],
        why: TOOLS,
    },
    // waiting_for_some.py
    Change {
        output: "waiting_for_some.txt",
        rust: &["join_all:"],
        python: &["asyncio.gather(return_exceptions=True):"],
        why: TOOLS,
    },
    Change {
        output: "waiting_for_some.txt",
        rust: &["try_join_all:"],
        python: &["TaskGroup:"],
        why: TOOLS,
    },
    Change {
        output: "waiting_for_some.txt",
        rust: &["select:"],
        python: &["asyncio.wait(FIRST_COMPLETED):"],
        why: TOOLS,
    },
    Change {
        output: "waiting_for_some.txt",
        rust: &["FuturesUnordered:"],
        python: &["asyncio.as_completed:"],
        why: TOOLS,
    },
    // async_comprehension.py
    Change {
        output: "async_comprehension.txt",
        rust: &["filter, then collect:"],
        python: &["[r async for r in ... if ...]:"],
        why: TOOLS,
    },
    Change {
        output: "async_comprehension.txt",
        rust: &[
            "filter_map, then collect:",
            r#"[ 8.0s] ["bing.com/old-page", "example.com/crash", "example.org/busy", "example.net/gone"]"#,
        ],
        python: &[
            "[r.url async for r in ... if ...]:",
            "[ 8.0s] ['bing.com/old-page', 'example.com/crash', 'example.org/busy', 'example.net/gone']",
        ],
        why: "the heading names the Python tool, and Python quotes strings with '",
    },
    // boiling_strategies.py
    Change {
        output: "boiling_strategies.txt",
        rust: &["join_all:"],
        python: &["asyncio.gather:"],
        why: TOOLS,
    },
    Change {
        output: "boiling_strategies.txt",
        rust: &["buffer_unordered(2):"],
        python: &["Semaphore(2):"],
        why: TOOLS,
    },
    Change {
        output: "boiling_strategies.txt",
        rust: &["JoinSet:"],
        python: &["TaskGroup:"],
        why: TOOLS,
    },
    // download_stream.py, and the two examples that share it
    Change {
        output: "download_stream.txt",
        rust: &[
            "stream!, every result is an item:",
            "(stream created, 0 requests sent)",
        ],
        python: &[
            "async generator, every result is an item:",
            "(generator created, 0 requests sent)",
        ],
        why: "the heading names the Python tool, and Python's async iterator is a generator, Rust's a stream",
    },
    Change {
        output: "download_stream.txt",
        rust: &["try_stream!, the first error ends the stream:"],
        python: &["async generator that raises, the first error ends it:"],
        why: TOOLS,
    },
    Change {
        output: "download_stream.txt",
        rust: &["stream!, and `?` in the loop that reads it:"],
        python: &["async generator, and `raise` in the loop that reads it:"],
        why: TOOLS,
    },
    Change {
        output: "download_stream.txt",
        rust: &["stream!, but take only the first 2:"],
        python: &["async generator, but take only the first 2:"],
        why: TOOLS,
    },
    Change {
        output: "download_unfold.txt",
        rust: &["stream::unfold:", "(stream created, 0 requests sent)"],
        python: &[
            "async generator, every result is an item:",
            "(generator created, 0 requests sent)",
        ],
        why: "the heading names the Python tool, and Python's async iterator is a generator, Rust's a stream",
    },
    Change {
        output: "download_by_hand.txt",
        rust: &["impl Stream by hand:", "(stream created, 0 requests sent)"],
        python: &[
            "async generator, every result is an item:",
            "(generator created, 0 requests sent)",
        ],
        why: "the heading names the Python tool, and Python's async iterator is a generator, Rust's a stream",
    },
    // handle_errors.py
    Change {
        output: "handle_errors.txt",
        rust: &["One at a time, a for loop:"],
        python: &["One at a time, a comprehension with await:"],
        why: TOOLS,
    },
    Change {
        output: "handle_errors.txt",
        rust: &[
            r#"[10.0s] done: ["bing.com/old-page", "example.com/crash", "example.org/busy", "example.net/gone"]"#,
        ],
        python: &[
            "[10.0s] done: ['bing.com/old-page', 'example.com/crash', 'example.org/busy', 'example.net/gone']",
        ],
        why: QUOTES,
    },
    Change {
        output: "handle_errors.txt",
        rust: &["All at once, join_all:"],
        python: &["All at once, asyncio.gather:"],
        why: TOOLS,
    },
    Change {
        output: "handle_errors.txt",
        rust: &[
            r#"[ 4.0s] done: ["bing.com/old-page", "example.com/crash", "example.org/busy", "example.net/gone"]"#,
        ],
        python: &[
            "[ 4.0s] done: ['bing.com/old-page', 'example.com/crash', 'example.org/busy', 'example.net/gone']",
        ],
        why: QUOTES,
    },
    Change {
        output: "handle_errors.txt",
        rust: &["Two at a time, buffer_unordered(2):"],
        python: &["Two at a time, a Semaphore(2) and as_completed:"],
        why: TOOLS,
    },
    Change {
        output: "handle_errors.txt",
        rust: &[
            r#"[ 6.0s] done: ["example.com/crash", "example.org/busy", "bing.com/old-page", "example.net/gone"]"#,
        ],
        python: &[
            "[ 6.0s] done: ['example.com/crash', 'example.org/busy', 'bing.com/old-page', 'example.net/gone']",
        ],
        why: QUOTES,
    },
    Change {
        output: "handle_errors.txt",
        rust: &["Two at a time, for_each_concurrent(2, ..):"],
        python: &["Two at a time, a Semaphore(2), no results:"],
        why: TOOLS,
    },
    // lazy_future.py
    Change {
        output: "lazy_future.txt",
        rust: &["2. got a future back; greet has not run"],
        python: &["2. got a coroutine back; greet has not run"],
        why: "calling an `async def` returns what Python calls a coroutine, Rust a future",
    },
    Change {
        output: "lazy_future.txt",
        rust: &["4. dropped a second future unawaited; greet never ran for Grace"],
        python: &[
            "examples/lazy_future.py:30: RuntimeWarning: coroutine 'greet' was never awaited",
            "  del never_awaited",
            "RuntimeWarning: Enable tracemalloc to get the object allocation traceback",
            "4. dropped a second coroutine unawaited; greet never ran for Grace",
        ],
        why: "Python warns at run time about a coroutine thrown away unawaited; Rust prints \
              nothing, since dropping a future uses it (its compiler warns only about a future \
              that is neither awaited nor used)",
    },
    // log_file_class.py
    Change {
        output: "log_file_class.txt",
        rust: &[
            "  result:  Ok(())",
            r#"  on disk: ["water on", "2 eggs in", "eggs done"]"#,
        ],
        python: &[
            "  result:  Ok(None)",
            "  on disk: ['water on', '2 eggs in', 'eggs done']",
        ],
        why: "Rust's `()` is Python's `None`, and Python quotes strings with '",
    },
    Change {
        output: "log_file_class.txt",
        rust: &[r#"  on disk: ["water on"]"#],
        python: &["  on disk: ['water on']"],
        why: QUOTES,
    },
    Change {
        output: "log_file_class.txt",
        rust: &["warning: LogFile dropped without close(): saving 1 buffered line(s)"],
        python: &[],
        why: "without `close`, Rust's `Drop` fallback runs as the `LogFile` goes, and warns",
    },
    Change {
        output: "log_file_class.txt",
        rust: &[r#"  on disk: ["water on", "-- not closed: lines above saved by Drop --"]"#],
        python: &["  on disk: []"],
        why: "without `close`, Rust's `Drop` fallback has saved the buffer and its last line; \
              in Python nothing has run, and the line waits in the open file's buffer until \
              the garbage collector closes the file",
    },
    Change {
        output: "log_file_class.txt",
        rust: &[
            "warning: LogFile dropped without close(): saving 2 buffered line(s)",
            "  result:  Err(deadline has elapsed)",
            r#"  on disk: ["water on", "2 eggs in", "-- not closed: lines above saved by Drop --"]"#,
        ],
        python: &[
            "  close: flushed and synced",
            "  result:  Err(TimeoutError)",
            "  on disk: ['water on', '2 eggs in']",
        ],
        why: CANCEL,
    },
    // waiting_together.py
    Change {
        output: "waiting_together.txt",
        rust: &[
            "[ 1.2s] got /news     on thread main",
            "[ 2.0s] got /weather  on thread main",
            "[ 3.0s] got /sports   on thread main",
        ],
        python: &[
            "[ 1.2s] got /news     on thread MainThread",
            "[ 2.0s] got /weather  on thread MainThread",
            "[ 3.0s] got /sports   on thread MainThread",
        ],
        why: "Python names the main thread `MainThread`, Rust `main`",
    },
    Change {
        output: "waiting_together.txt",
        rust: &[
            "[ 0.8s] got /weather  on thread main",
            "[ 1.0s] got /sports   on thread main",
            "[ 1.2s] got /news     on thread main",
        ],
        python: &[
            "[ 0.8s] got /weather  on thread MainThread",
            "[ 1.0s] got /sports   on thread MainThread",
            "[ 1.2s] got /news     on thread MainThread",
        ],
        why: "Python names the main thread `MainThread`, Rust `main`",
    },
    // cancel_by_drop.py
    Change {
        output: "cancel_by_drop.txt",
        rust: &["timeout(1 s) around boil_egg():"],
        python: &["wait_for(1 s) around boil_egg():"],
        why: TOOLS,
    },
    Change {
        output: "cancel_by_drop.txt",
        rust: &[
            "[ 1.0s] timeout gave Err(deadline has elapsed)",
            "select! between the stopwatch and a 2.5 s sleep:",
        ],
        python: &[
            "[ 1.0s] timeout gave Err(TimeoutError)",
            "asyncio.wait between the stopwatch and a 2.5 s sleep:",
        ],
        why: "Python's `TimeoutError` has no message, tokio's says `deadline has elapsed`; \
              and the heading names the Python tool",
    },
    Change {
        output: "cancel_by_drop.txt",
        rust: &["a spawned boil_egg(), timeout(1 s) around its handle:"],
        python: &["a boil_egg() task, wait_for(1 s) around shield(task):"],
        why: "`wait_for` cancels the task it times out, so Python needs `shield` where Rust's \
              timeout only drops the handle and the task runs on",
    },
    Change {
        output: "cancel_by_drop.txt",
        rust: &["[ 1.0s] timeout gave Err(deadline has elapsed)"],
        python: &["[ 1.0s] timeout gave Err(TimeoutError)"],
        why: TIMEOUT,
    },
    // coroutine_methods.py
    Change {
        output: "coroutine_methods.txt",
        rust: &["-> Err(deadline has elapsed)"],
        python: &["-> Err(TimeoutError)"],
        why: TIMEOUT,
    },
    // done_callbacks.py
    Change {
        output: "done_callbacks.txt",
        rust: &["Compose:"],
        python: &["add_done_callback:"],
        why: "Rust has no done callbacks: the Rust program composes (code after the `.await`) \
              where Python calls `add_done_callback`",
    },
    Change {
        output: "done_callbacks.txt",
        rust: &["FutureExt::inspect:"],
        python: &["Code after the await:"],
        why: "the standard library has no `inspect`; the twin writes the composed form, which \
              the Rust program shows first",
    },
    Change {
        output: "done_callbacks.txt",
        rust: &["JoinSet, in the order they finish:"],
        python: &["as_completed, in the order they finish:"],
        why: TOOLS,
    },
    Change {
        output: "done_callbacks.txt",
        rust: &[r#"ready: ["toast", "tea", "egg"]"#],
        python: &["ready: ['toast', 'tea', 'egg']"],
        why: QUOTES,
    },
    // retry.py
    Change {
        output: "retry.txt",
        rust: &[r#"2 attempts: Err("no flame after 2 clicks")"#],
        python: &["2 attempts: Err('no flame after 2 clicks')"],
        why: QUOTES,
    },
    // stopwatch_abort.py
    Change {
        output: "stopwatch_abort.txt",
        rust: &[
            "[ 2.5s] main: abort()",
            "[ 2.5s] main: is_cancelled() = true",
        ],
        python: &["[ 2.5s] main: cancel()", "[ 2.5s] main: cancelled() = True"],
        why: "the methods have other names (`abort` is `cancel`; `JoinError::is_cancelled` is \
              `Task.cancelled`), and Python spells `true` as `True`",
    },
    // with_log_file.py
    Change {
        output: "with_log_file.txt",
        rust: &[r#"  on disk: ["water on", "2 eggs in"]"#],
        python: &["  on disk: ['water on', '2 eggs in']"],
        why: QUOTES,
    },
    Change {
        output: "with_log_file.txt",
        rust: &[r#"  on disk: ["water on"]"#],
        python: &["  on disk: ['water on']"],
        why: QUOTES,
    },
    Change {
        output: "with_log_file.txt",
        rust: &[
            "  result:  Err(deadline has elapsed)",
            r#"  on disk: ["water on"]"#,
        ],
        python: &[
            "  close_log: flushed and synced",
            "  result:  Err(TimeoutError)",
            "  on disk: ['water on', '2 eggs in']",
        ],
        why: CANCEL,
    },
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn output_dir() -> PathBuf {
    root().join("book/src/output")
}

fn names_in(dir: &str, extension: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == extension))
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_string()))
        .collect();
    names.sort();
    names
}

/// The twin script of an example, `None` if it has none, and whether the
/// example shares it with another.
fn twin_of(example: &str) -> Option<(String, bool)> {
    if let Some((_, twin)) = SHARED_TWINS.iter().find(|(name, _)| *name == example) {
        return Some((twin.to_string(), true));
    }
    let own = root().join(format!("examples/{example}.py"));
    own.is_file().then(|| (example.to_string(), false))
}

/// One Rust output file: what a reader types, and what the example prints.
struct RustOutput {
    file: String,
    example: String,
    args: Vec<String>,
    should_fail: bool,
    body: String,
}

/// Every `book/src/output/*.txt` of a Rust example (tests/output.rs checks
/// that they are right; here they are the reference).
fn rust_outputs() -> Vec<RustOutput> {
    let mut outputs = Vec::new();
    for stem in names_in("book/src/output", "txt") {
        let file = format!("{stem}.txt");
        if file.ends_with(".py.txt") {
            continue;
        }
        let text = fs::read_to_string(output_dir().join(&file)).expect("read output file");
        let (first, body) = text.split_once('\n').unwrap_or((&text, ""));
        let mut words: Vec<&str> = first.split_whitespace().collect();
        // The "Real I/O" examples run with `cargo run --features real-io --example NAME`.
        if words.get(3..5) == Some(&["--features", "real-io"][..]) {
            words.drain(3..5);
        }
        let ["$", "cargo", "run", "--example", example, rest @ ..] = words.as_slice() else {
            panic!(
                "book/src/output/{file}:1: not `$ cargo run --example NAME` (see tests/output.rs)"
            );
        };
        outputs.push(RustOutput {
            should_fail: file.ends_with(".fails.txt"),
            example: example.to_string(),
            args: rest.iter().skip(1).map(|a| a.to_string()).collect(),
            body: body.to_string(),
            file,
        });
    }
    outputs
}

/// One interpreter the twins run on.
struct Python {
    /// The names on `PATH` that run it (`python3`, `python3.11`).
    names: Vec<String>,
    /// Its version, `3.12.1`.
    version: String,
    /// The interpreter itself. Running it directly skips wrappers such as
    /// pyenv's shims, which cost more time than a twin takes.
    executable: PathBuf,
}

/// Asks `name` for its version and executable: `Ok((at_least_3_11,
/// version, executable))`, or why it did not answer.
fn ask(name: &Path) -> Result<(bool, String, PathBuf), String> {
    let found = Command::new(name)
        .args([
            "-I",
            "-c",
            "import sys; print(sys.version_info >= (3, 11), \
             '.'.join(map(str, sys.version_info[:3])), sys.executable)",
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    let answer = String::from_utf8_lossy(&found.stdout);
    let stderr = String::from_utf8_lossy(&found.stderr);
    let mut words = answer.trim().splitn(3, ' ');
    match (words.next(), words.next(), words.next()) {
        (Some(ok), Some(version), Some(executable)) if found.status.success() => {
            Ok((ok == "True", version.to_string(), PathBuf::from(executable)))
        }
        _ => Err(format!(
            "{}{}",
            answer.trim(),
            stderr.lines().next().unwrap_or_default().trim()
        )),
    }
}

/// The first file named `name` in a directory of `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|file| file.is_file())
}

/// The names `python3.X` (X >= 11) of the files in the directories of `PATH`.
fn versioned_names() -> Vec<String> {
    let mut names: Vec<(u32, String)> = Vec::new();
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(minor) = name
                .strip_prefix("python3.")
                .and_then(|minor| minor.parse::<u32>().ok())
                && minor >= 11
                && !names.iter().any(|(_, seen)| *seen == name)
            {
                names.push((minor, name));
            }
        }
    }
    names.sort();
    names.into_iter().map(|(_, name)| name).collect()
}

/// The interpreters pyenv installed (`$PYENV_ROOT`, or `~/.pyenv`), which
/// its shims on `PATH` hide unless a version is selected: `("pyenv 3.12.1",
/// .../versions/3.12.1/bin/python3)`.
fn pyenv_pythons() -> Vec<(String, PathBuf)> {
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".pyenv")));
    let Some(Ok(versions)) = root.map(|root| fs::read_dir(root.join("versions"))) else {
        return Vec::new();
    };
    let mut found: Vec<(String, PathBuf)> = versions
        .flatten()
        .map(|entry| {
            let name = format!("pyenv {}", entry.file_name().to_string_lossy());
            (name, entry.path().join("bin/python3"))
        })
        .filter(|(_, file)| file.is_file())
        .collect();
    found.sort();
    found
}

/// Every Python 3.11+ to run the twins on, `python3`'s first, once per
/// version, and the names skipped with the reason. Fails unless `python3` is
/// Python 3.11 or later.
fn pythons() -> (Vec<Python>, Vec<String>) {
    let (ok, version, executable) = ask(Path::new(PYTHON)).unwrap_or_else(|e| {
        panic!(
            "cannot run `{PYTHON}`: {e}\n\
             The Python twins need Python 3.11 or later on PATH as `{PYTHON}`."
        )
    });
    assert!(
        ok,
        "`{PYTHON}` is Python {version}, not 3.11 or later; the Python twins need it"
    );
    let mut found = vec![Python {
        names: vec![PYTHON.to_string()],
        version,
        executable,
    }];
    let mut skipped = Vec::new();
    let candidates = versioned_names()
        .into_iter()
        .filter_map(|name| on_path(&name).map(|file| (name, file)))
        .chain(pyenv_pythons());
    for (name, file) in candidates {
        match ask(&file) {
            Ok((true, version, executable)) => {
                match found.iter_mut().find(|p| p.version == version) {
                    Some(same) => same.names.push(name),
                    None => found.push(Python {
                        names: vec![name],
                        version,
                        executable,
                    }),
                }
            }
            Ok((false, version, _)) => {
                skipped.push(format!("{name} (it is Python {version})"));
            }
            Err(why) => skipped.push(format!("{name} (it does not run: {why})")),
        }
    }
    (found, skipped)
}

/// Runs one twin on the virtual clock, stdout and stderr into one file, so
/// that their lines keep the order a reader sees in a terminal.
fn run_twin(python: &Path, script: &str, args: &[String]) -> (bool, String) {
    let capture = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("twin-{script}-{}.txt", args.join("_")));
    let out = File::create(&capture).expect("create capture file");
    let status = Command::new(python)
        .current_dir(root())
        // Isolated mode: no PYTHON* variables, no user site-packages; and
        // anything deprecated on this version is an error.
        .args(["-I", "-W", "error::DeprecationWarning"])
        .arg(CLOCK)
        .arg(format!("examples/{script}.py"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("clone capture file"))
        .stderr(out)
        .status()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    (
        status.success(),
        fs::read_to_string(&capture).expect("read capture file"),
    )
}

/// The command line at the top of a twin's `.py.txt` file.
fn python_command(script: &str, args: &[String]) -> String {
    let mut command = format!("$ python3 examples/{script}.py");
    for arg in args {
        command.push(' ');
        command.push_str(arg);
    }
    command
}

/// The lines before the first empty one.
fn first_section(text: &str) -> String {
    text.lines()
        .take_while(|line| !line.is_empty())
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Where two outputs differ, as runs of lines `(rust, python)`: the lines
/// that are not in a longest common subsequence of the two.
fn differences<'a>(rust: &'a str, python: &'a str) -> Vec<(Vec<&'a str>, Vec<&'a str>)> {
    let (r, p): (Vec<&str>, Vec<&str>) = (rust.lines().collect(), python.lines().collect());
    // common[i][j]: the length of a longest common subsequence of r[i..] and p[j..].
    let mut common = vec![vec![0usize; p.len() + 1]; r.len() + 1];
    for i in (0..r.len()).rev() {
        for j in (0..p.len()).rev() {
            common[i][j] = if r[i] == p[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut runs = Vec::new();
    let mut run: (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    while i < r.len() || j < p.len() {
        if i < r.len() && j < p.len() && r[i] == p[j] {
            if !run.0.is_empty() || !run.1.is_empty() {
                runs.push(std::mem::take(&mut run));
            }
            i += 1;
            j += 1;
        } else if j == p.len() || (i < r.len() && common[i + 1][j] >= common[i][j + 1]) {
            run.0.push(r[i]);
            i += 1;
        } else {
            run.1.push(p[j]);
            j += 1;
        }
    }
    if !run.0.is_empty() || !run.1.is_empty() {
        runs.push(run);
    }
    runs
}

/// `NAME.py.txt` for `NAME.txt`: what the twin prints where it differs.
fn python_file_of(rust_file: &str) -> String {
    let stem = rust_file
        .strip_suffix(".txt")
        .expect("an output file ends in .txt");
    format!("{stem}.py.txt")
}

/// The first line that differs, for a message a person can act on.
fn first_difference(expected: &str, actual: &str) -> String {
    let (mut e, mut a) = (expected.lines(), actual.lines());
    for number in 1.. {
        match (e.next(), a.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (None, None) => return "only the line endings differ".into(),
            (x, y) => {
                return format!(
                    "line {number}:\n    expected: {}\n    printed:  {}",
                    x.unwrap_or("(nothing)"),
                    y.unwrap_or("(nothing)")
                );
            }
        }
    }
    unreachable!()
}

#[test]
fn every_example_has_a_twin_or_says_why_not() {
    let examples = names_in("examples", "rs");
    let twins = names_in("examples", "py");
    let mut problems = Vec::new();
    for example in &examples {
        let own = twins.contains(example);
        let shared = SHARED_TWINS.iter().find(|(name, _)| name == example);
        let excused = NO_TWIN.iter().any(|(name, _)| name == example);
        match (own, shared.is_some(), excused) {
            (false, false, false) => problems.push(format!(
                "examples/{example}.rs has no Python twin: write examples/{example}.py, \
                 or add it to NO_TWIN in tests/twins.rs and say why"
            )),
            (true, false, false) | (false, true, false) | (false, false, true) => {}
            _ => problems.push(format!(
                "examples/{example}.rs: has a twin of its own, a shared one (SHARED_TWINS) \
                 or none (NO_TWIN); pick one"
            )),
        }
        if let Some((_, twin)) = shared
            && !twins.iter().any(|name| name == twin)
        {
            problems.push(format!(
                "SHARED_TWINS: `{example}` shares examples/{twin}.py, which does not exist"
            ));
        }
    }
    for (name, _) in NO_TWIN.iter().chain(SHARED_TWINS) {
        if !examples.iter().any(|example| example == name) {
            problems.push(format!(
                "tests/twins.rs names `{name}`, but examples/{name}.rs does not exist"
            ));
        }
    }
    for twin in &twins {
        if !examples.contains(twin) {
            problems.push(format!(
                "examples/{twin}.py is the twin of examples/{twin}.rs, which does not exist"
            ));
        }
        let text =
            fs::read_to_string(root().join(format!("examples/{twin}.py"))).expect("read a twin");
        if !text.starts_with("\"\"\"Course section: ") {
            problems.push(format!(
                "examples/{twin}.py:1: start with a docstring `\"\"\"Course section: ...` \
                 that names the Rust example it mirrors"
            ));
        }
    }
    let outputs = rust_outputs();
    for change in ON_PURPOSE {
        let known = outputs
            .iter()
            .any(|o| o.file == change.output && twin_of(&o.example).is_some());
        if change.why.trim().is_empty() || change.why.contains("...") {
            problems.push(format!(
                "ON_PURPOSE: a change in `{}` does not say why it is on purpose",
                change.output
            ));
        }
        if !known {
            problems.push(format!(
                "ON_PURPOSE names `{}`, which is not the output file of an example with a twin",
                change.output
            ));
        }
    }
    assert!(problems.is_empty(), "twins:\n  {}\n", problems.join("\n  "));
}

#[test]
fn every_twin_prints_what_its_rust_example_prints() {
    let outputs = rust_outputs();
    let (pythons, skipped) = pythons();
    let mut ran = Vec::new();
    let mut problems = Vec::new();
    let mut python_files = Vec::new();
    for (i, python) in pythons.iter().enumerate() {
        // Only `python3`'s run writes `.py.txt` files.
        let bless = if i == 0 {
            std::env::var("BLESS").ok()
        } else {
            None
        };
        let (found, files) = twins_on(&outputs, &python.executable, bless.as_deref());
        ran.push(format!("{} ({})", python.version, python.names.join(", ")));
        for problem in found {
            problems.push(if pythons.len() > 1 {
                format!("Python {}: {problem}", python.version)
            } else {
                problem
            });
        }
        python_files.extend(files);
    }
    for stem in names_in("book/src/output", "txt") {
        let file = format!("{stem}.txt");
        if file.ends_with(".py.txt") && !python_files.contains(&file) {
            problems.push(format!(
                "book/src/output/{file}: no Rust output file `{}.txt` with a twin goes with it",
                file.strip_suffix(".py.txt").unwrap_or(&file)
            ));
        }
    }
    // Written to stderr directly, so that `cargo test` shows it even when the
    // test passes (it captures `println!` and `eprintln!`).
    let mut report = format!("twins: ran on Python {}", ran.join("; "));
    if !skipped.is_empty() {
        report.push_str(&format!("; skipped {}", skipped.join("; ")));
    }
    let _ = writeln!(std::io::stderr(), "{report}");
    assert!(
        problems.is_empty(),
        "Python twins ({report}):\n  {}\n",
        problems.join("\n  ")
    );
}

/// Runs every twin on one interpreter and compares; returns the problems and
/// the `.py.txt` files that belong to a twin. `bless`: the `BLESS` variable.
fn twins_on(
    outputs: &[RustOutput],
    python: &Path,
    bless: Option<&str>,
) -> (Vec<String>, Vec<String>) {
    // Each twin runs once per set of arguments, all at the same time.
    let mut runs: BTreeMap<(String, Vec<String>), (bool, String)> = BTreeMap::new();
    thread::scope(|scope| {
        let mut handles = Vec::new();
        for output in outputs {
            if let Some((script, _)) = twin_of(&output.example) {
                let key = (script, output.args.clone());
                if !handles.iter().any(|(k, _)| *k == key) {
                    let (script, args) = key.clone();
                    let run = move || run_twin(python, &script, &args);
                    handles.push((key, scope.spawn(run)));
                }
            }
        }
        for (key, handle) in handles {
            runs.insert(key, handle.join().expect("a twin's thread"));
        }
    });

    let blesses = |name: &str| bless.is_some_and(|b| b == "1" || b == name);
    let mut problems = Vec::new();
    let mut python_files = Vec::new();
    for output in outputs {
        let Some((script, shared)) = twin_of(&output.example) else {
            continue;
        };
        let rust_file = format!("book/src/output/{}", output.file);
        let (succeeded, printed) = &runs[&(script.clone(), output.args.clone())];
        if *succeeded == output.should_fail {
            let wanted = if output.should_fail {
                "fail"
            } else {
                "succeed"
            };
            problems.push(format!(
                "examples/{script}.py should {wanted}, as {rust_file} does; it printed:\n{printed}"
            ));
            continue;
        }

        let python_file = python_file_of(&output.file);
        let python_path = output_dir().join(&python_file);
        python_files.push(python_file.clone());
        let python = if shared {
            if python_path.exists() {
                problems.push(format!(
                    "book/src/output/{python_file}: {} shares the twin of another example, \
                     whose .py.txt shows the output; remove this file",
                    output.example
                ));
            }
            first_section(printed)
        } else {
            let command = python_command(&script, &output.args);
            let mut shown = match fs::read_to_string(&python_path) {
                Ok(text) => {
                    let (first, body) = text.split_once('\n').unwrap_or((&text, ""));
                    if first != command {
                        problems.push(format!(
                            "book/src/output/{python_file}:1: should be `{command}`"
                        ));
                    }
                    body.to_string()
                }
                Err(_) => output.body.clone(),
            };
            if *printed != shown {
                if blesses(&script) {
                    if *printed == output.body {
                        fs::remove_file(&python_path).expect("remove a .py.txt file");
                    } else {
                        fs::write(&python_path, format!("{command}\n{printed}"))
                            .expect("write a .py.txt file");
                    }
                    shown = printed.clone();
                } else {
                    let expected = if python_path.exists() {
                        format!("book/src/output/{python_file}")
                    } else {
                        rust_file.clone()
                    };
                    problems.push(format!(
                        "examples/{script}.py prints something else than {expected}, at {}\n  \
                         (if that is on purpose: BLESS={script} cargo test --test twins, \
                         then declare the lines in ON_PURPOSE)",
                        first_difference(&shown, printed)
                    ));
                    continue;
                }
            }
            if python_path.exists() && shown == output.body {
                problems.push(format!(
                    "book/src/output/{python_file}: the twin prints exactly what {rust_file} \
                     shows; remove it (BLESS={script} cargo test --test twins)"
                ));
            }
            shown
        };

        // Every line that differs must be declared, and every declared line must differ.
        let mut declared: Vec<&Change> = ON_PURPOSE
            .iter()
            .filter(|change| change.output == output.file)
            .collect();
        for (rust, python) in differences(&output.body, &python) {
            match declared
                .iter()
                .position(|c| c.rust == rust.as_slice() && c.python == python.as_slice())
            {
                Some(found) => {
                    declared.remove(found);
                }
                None => problems.push(format!(
                    "{rust_file}: examples/{script}.py prints other lines here; if that is on \
                     purpose, add to ON_PURPOSE in tests/twins.rs:\n        \
                     Change {{ output: {:?}, rust: &{rust:?}, python: &{python:?}, why: \"...\" }},",
                    output.file
                )),
            }
        }
        for change in declared {
            problems.push(format!(
                "ON_PURPOSE: {} no longer differs as declared (rust: {:?}, python: {:?}, \
                 because {}); remove the entry, or fix the twin",
                change.output, change.rust, change.python, change.why
            ));
        }
    }

    (problems, python_files)
}
