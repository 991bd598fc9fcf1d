//! The asyncio-to-Rust map (`book/src/asyncio-map.md`): every row names an
//! asyncio API, links to a chapter (and a heading in it) that exists, and
//! names an example that exists. mdBook does not check links, so a renamed
//! heading or a removed example would otherwise leave a dead row.
//!
//! The Rust side of every row must be something an example really uses, so
//! that the checks compile and run it: for every code span in the Rust column
//! that holds a path (`tokio::sync::Barrier`, `JoinSet::join_next`,
//! `tokio::time::sleep(Duration)`), every segment of the path (up to any
//! `(`, `<`, `!` or space) must occur as a whole word in `examples/*.rs`, and
//! the last one is what the rule is for: `Barrier`, `join_next`, `sleep`.
//! Segments, and not the full path, because examples import a type once
//! (`use tokio::sync::Barrier;`) and then name it alone, and call methods on
//! values (`set.join_next()`); every segment, so that
//! `tokio::sync::broadcast::Sender` fails although `Sender` is used (of
//! `mpsc`). A row whose Rust side is in no example says `none` in its
//! Example column and names no path.

use std::fs;
use std::path::Path;

const MAP: &str = "book/src/asyncio-map.md";

/// The least number of rows the map has.
const MIN_ROWS: usize = 60;

/// The asyncio APIs the map must cover (issues 7 and 14); each must start a row.
const REQUIRED: &[&str] = &[
    "asyncio.run",
    "create_task",
    "gather",
    "asyncio.wait(",
    "wait_for",
    "timeout",
    "timeout_at",
    "as_completed",
    "TaskGroup",
    "shield",
    "sleep",
    "Queue",
    "Lock",
    "Semaphore",
    "Event",
    "Condition",
    "to_thread",
    "run_in_executor",
    "get_running_loop",
    "current_task",
    "all_tasks",
    "set_result",
    "add_done_callback",
    "CancelledError",
    "iscoroutinefunction",
    "isfuture",
    "async generators",
    "async comprehensions",
    "async with",
    // Issue 14's additions.
    "sleep(0)",
    "contextvars",
    "Barrier",
    "start_server",
    "open_connection",
    "readline",
    "create_subprocess_exec",
    "add_signal_handler",
    "call_soon_threadsafe",
    "run_coroutine_threadsafe",
    "Runner",
    "loop.time()",
    "return_exceptions",
    "FIRST_EXCEPTION",
    "eager",
    "set_event_loop_policy",
    "get_stack",
    "Queue.shutdown",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// mdBook's id for a heading: the text without Markdown, lowercased, with
/// whitespace turned into `-` and every character that is not alphanumeric,
/// `_` or `-` dropped.
fn heading_id(text: &str) -> String {
    text.chars()
        .filter(|c| *c != '`')
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            c if c.is_whitespace() => Some('-'),
            c if c.is_alphanumeric() || c == '_' || c == '-' => Some(c),
            _ => None,
        })
        .collect()
}

/// The ids of the headings on a page (code blocks skipped; mdBook numbers a
/// repeated id `-1`, `-2`, ...).
fn heading_ids(page: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut in_code = false;
    for line in page.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        let Some(text) = line.strip_prefix('#') else {
            continue;
        };
        if in_code {
            continue;
        }
        let text = text.trim_start_matches('#');
        if !text.starts_with(' ') {
            continue;
        }
        let id = heading_id(text.trim());
        let repeats = ids.iter().filter(|seen| seen.as_str() == id).count();
        ids.push(if repeats == 0 {
            id.clone()
        } else {
            format!("{id}-{repeats}")
        });
    }
    ids
}

#[test]
fn heading_ids_follow_mdbooks_rule() {
    // Ids mdBook 0.5.4 gave these headings of the book (seen in target/book).
    for (heading, id) in [
        (
            "`IntoFuture`: Rust's `__await__`",
            "intofuture-rusts-__await__",
        ),
        (
            "Is a runtime running? `Handle::try_current`",
            "is-a-runtime-running-handletry_current",
        ),
        (
            "`async for ... if ...`: `filter` and `collect`",
            "async-for--if--filter-and-collect",
        ),
        (
            "\"Cannot start a runtime from within a runtime\"",
            "cannot-start-a-runtime-from-within-a-runtime",
        ),
    ] {
        assert_eq!(heading_id(heading), id, "{heading}");
    }
    assert_eq!(
        heading_ids("# A\n```\n# not a heading\n```\n## A\n#tag\n"),
        ["a", "a-1"]
    );
}

#[test]
fn every_row_links_to_a_page_heading_and_example_that_exist() {
    let map = read(MAP);
    // The table's rows, after its header and its `| --- |` line.
    let rows: Vec<&str> = map
        .lines()
        .filter(|line| line.starts_with('|'))
        .skip(2)
        .collect();
    assert!(
        rows.len() >= REQUIRED.len(),
        "{MAP}: expected a table of asyncio APIs"
    );
    let mut problems = Vec::new();
    for api in REQUIRED {
        let covered = rows.iter().any(|row| {
            let first = row.split(" | ").next().unwrap_or_default();
            first.contains(api)
        });
        if !covered {
            problems.push(format!("{MAP}: no row for `{api}`"));
        }
    }
    for row in &rows {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        let [_, _, place, example] = cells.as_slice() else {
            problems.push(format!("{MAP}: a row needs 4 cells: {row}"));
            continue;
        };
        match place.split_once("](") {
            Some((_, target)) => {
                let target = target.trim_end_matches(')');
                let (page, anchor) = target.split_once('#').unwrap_or((target, ""));
                match fs::read_to_string(root().join("book/src").join(page)) {
                    Err(_) => problems.push(format!("{MAP}: `{page}` does not exist: {row}")),
                    Ok(text) => {
                        if !anchor.is_empty() && !heading_ids(&text).iter().any(|id| id == anchor) {
                            problems
                                .push(format!("{MAP}: {page} has no heading `#{anchor}`: {row}"));
                        }
                    }
                }
            }
            None if *place == "not shown in this book" && *example == "none" => {}
            None => problems.push(format!("{MAP}: no link to a chapter: {row}")),
        }
        if *example != "none" {
            let file = example.trim_matches('`');
            let exists = file.starts_with("examples/")
                && file.ends_with(".rs")
                && root().join(file).is_file();
            if !exists {
                problems.push(format!("{MAP}: example `{file}` does not exist: {row}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "asyncio map:\n  {}\n",
        problems.join("\n  ")
    );
}

/// The code spans of a Markdown cell: the text between pairs of backticks.
fn code_spans(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

/// The path a code span names, if it names one: `tokio::sync::Barrier` ->
/// `tokio::sync::Barrier`, `JoinSet::join_next()` -> `JoinSet::join_next`,
/// `#[tokio::main]` -> `tokio::main`, `a + b` -> none.
fn path_of(span: &str) -> Option<&str> {
    let path = span.trim_start_matches("#[");
    let path = path
        .split(['(', '<', ' ', '!', ']', ','])
        .next()
        .unwrap_or_default();
    (path.contains("::") && !path.ends_with("::")).then_some(path)
}

/// The last segment of the path a code span names: `Barrier`, `join_next`.
fn last_segment(span: &str) -> Option<&str> {
    path_of(span).and_then(|path| path.rsplit("::").next())
}

/// Whether `word` occurs in `text` as a whole identifier.
fn has_word(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

#[test]
fn last_segment_and_has_word_follow_the_rule() {
    assert_eq!(last_segment("tokio::sync::Barrier"), Some("Barrier"));
    assert_eq!(last_segment("JoinSet::join_next()"), Some("join_next"));
    assert_eq!(last_segment("#[tokio::main]"), Some("main"));
    assert_eq!(last_segment("async_stream::stream!"), Some("stream"));
    assert_eq!(last_segment("Vec<tokio::task::JoinHandle>"), None);
    assert_eq!(last_segment("send_replace(true)"), None);
    assert!(has_word("use tokio::sync::Barrier;", "Barrier"));
    assert!(!has_word("BarrierWait", "Barrier"));
    assert!(!has_word("select_all", "select"));
}

#[test]
fn every_rust_item_the_map_names_is_used_by_an_example() {
    let map = read(MAP);
    let mut examples = String::new();
    for entry in fs::read_dir(root().join("examples")).expect("read examples/") {
        let path = entry.expect("an entry of examples/").path();
        if path.extension().is_some_and(|e| e == "rs") {
            examples.push_str(&fs::read_to_string(&path).expect("read an example"));
            examples.push('\n');
        }
    }
    let rows: Vec<&str> = map
        .lines()
        .filter(|line| line.starts_with('|'))
        .skip(2)
        .collect();
    assert!(
        rows.len() >= MIN_ROWS,
        "{MAP}: {} rows; the map should have at least {MIN_ROWS}",
        rows.len()
    );
    let mut problems = Vec::new();
    for row in &rows {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        let Some(rust) = cells.get(1) else { continue };
        let no_example = cells.get(3).is_some_and(|example| *example == "none");
        for span in code_spans(rust) {
            if no_example && last_segment(span).is_some() {
                problems.push(format!(
                    "{MAP}: `{span}`: a row whose example is `none` names no Rust path: {row}"
                ));
                continue;
            }
            let Some(path) = path_of(span) else {
                continue;
            };
            for segment in path.split("::") {
                if !has_word(&examples, segment) {
                    problems.push(format!(
                        "{MAP}: `{span}` is used by no example (no `{segment}` in examples/*.rs): {row}"
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "asyncio map:\n  {}\n",
        problems.join("\n  ")
    );
}
