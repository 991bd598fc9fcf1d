//! The asyncio-to-Rust map (`book/src/asyncio-map.md`): every row names an
//! asyncio API, links to a chapter (and a heading in it) that exists, and
//! names an example that exists. mdBook does not check links, so a renamed
//! heading or a removed example would otherwise leave a dead row.

use std::fs;
use std::path::Path;

const MAP: &str = "book/src/asyncio-map.md";

/// The asyncio APIs the map must cover (issue 7's list); each must start a row.
const REQUIRED: &[&str] = &[
    "asyncio.run",
    "create_task",
    "gather",
    "asyncio.wait(",
    "wait_for",
    "timeout",
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
