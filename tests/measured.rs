//! A measured file, `book/src/measured/NAME.md`, holds what the example
//! `NAME` printed when `./measure.sh` last ran it at full size on a quiet
//! machine: real timings and memory, which no other run reproduces. It takes
//! the place of the example's output file (`tests/output.rs` accepts it
//! instead), and this test keeps it honest. It runs `NAME --small`, the same
//! program with few jobs, and fails unless what that prints has the shape of
//! the file:
//!
//! - the first line, which names the command that writes the file, is the same;
//! - the same `**Key:**` lines in the same order (their values describe the
//!   machine and the run, and may differ);
//! - the same tables: the same header, the same number of rows, the same row
//!   labels (every cell without a digit), and a number, or `—` for "not
//!   measured", wherever the file has one;
//! - list items (`- ...`) say which trials failed on the measuring machine,
//!   and are not compared;
//! - and what every run must show does show, such as "every job joined".
//!
//! So a renamed column, a missing row, a table whose shape was edited by
//! hand or an example that no longer prints what the book shows all fail
//! here. A number edited by hand fails only if it breaks a claim: `claims`
//! checks each number the prose states against the file, and that the prose
//! still states it. After changing
//! such an example on purpose, run `./measure.sh` to write the files again.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The build `tests/output.rs` and `mdbook test` use, with the same features,
/// so nothing compiles twice.
fn target_dir() -> PathBuf {
    root().join("target/mdbook")
}

fn build_examples() {
    let status = Command::new(env!("CARGO"))
        .current_dir(root())
        .args([
            "build",
            "--quiet",
            "--examples",
            "--features",
            "paused-clock,real-io",
            "--target-dir",
        ])
        .arg(target_dir())
        .status()
        .expect("cannot run cargo");
    assert!(status.success(), "building the examples failed");
}

/// The example a measured file comes from, read from its first line.
fn example_name(first_line: &str) -> Option<&str> {
    let rest = first_line.split("--example ").nth(1)?;
    let name = rest.split([' ', '`']).next()?;
    (!name.is_empty()).then_some(name)
}

/// `12`, `1,234.5`, `-3`, `2.80 (2.61–3.02)` (a median, then the least and
/// the most of the runs) or `—`: what may stand where a file has a number.
fn is_number(cell: &str) -> bool {
    let plain = |text: &str| {
        let digits = text.strip_prefix('-').unwrap_or(text).replace(',', "");
        !digits.is_empty() && digits.parse::<f64>().is_ok()
    };
    let spread = cell.split_once(" (").is_some_and(|(median, rest)| {
        rest.strip_suffix(')')
            .and_then(|range| range.split_once('–'))
            .is_some_and(|(least, most)| plain(median) && plain(least) && plain(most))
    });
    cell == "—" || plain(cell) || spread
}

/// One line of a measured file, as far as its shape goes.
#[derive(Debug, PartialEq)]
enum Shape {
    /// The first line.
    Title(String),
    /// `**Key:** value`: only the key counts.
    Key(String),
    /// A table row: numbers become `#`; separator dashes become `---`.
    Row(Vec<String>),
    Text(String),
}

fn shape(number: usize, line: &str) -> Option<Shape> {
    let line = line.trim();
    if number == 0 {
        return Some(Shape::Title(line.to_string()));
    }
    if line.is_empty() || line.starts_with("- ") {
        return None;
    }
    if let Some(row) = line.strip_prefix('|') {
        let cells = row
            .strip_suffix('|')
            .unwrap_or(row)
            .split('|')
            .map(str::trim)
            .map(|cell| {
                if is_number(cell) {
                    "#".to_string()
                } else if !cell.is_empty() && cell.chars().all(|c| c == '-' || c == ':') {
                    let (left, right) = (cell.starts_with(':'), cell.ends_with(':'));
                    format!(
                        "{}---{}",
                        if left { ":" } else { "" },
                        if right { ":" } else { "" }
                    )
                } else {
                    cell.to_string()
                }
            })
            .collect();
        return Some(Shape::Row(cells));
    }
    if let Some((key, _)) = line
        .strip_prefix("**")
        .and_then(|rest| rest.split_once(":**"))
    {
        return Some(Shape::Key(key.to_string()));
    }

    Some(Shape::Text(line.to_string()))
}

fn shapes(text: &str) -> Vec<(usize, Shape)> {
    text.lines()
        .enumerate()
        .filter_map(|(number, line)| shape(number, line).map(|s| (number + 1, s)))
        .collect()
}

/// One table row: its label (the first cell), and each cell by its column's header.
struct Row {
    label: String,
    cells: BTreeMap<String, String>,
}

/// The rows of every table.
fn table_rows(text: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut header: Option<Vec<String>> = None;
    for line in text.lines().map(str::trim) {
        let Some(row) = line.strip_prefix('|') else {
            header = None;
            continue;
        };
        let cells: Vec<String> = row
            .strip_suffix('|')
            .unwrap_or(row)
            .split('|')
            .map(|c| c.trim().to_string())
            .collect();
        match &header {
            None => header = Some(cells),
            Some(_)
                if cells
                    .iter()
                    .all(|c| c.chars().all(|c| c == '-' || c == ':')) => {}
            Some(names) => rows.push(Row {
                label: cells.first().cloned().unwrap_or_default(),
                cells: names.iter().cloned().zip(cells).collect(),
            }),
        }
    }
    rows
}

/// A cell's number; for `2.80 (2.61–3.02)`, the median.
fn number(row: &Row, column: &str) -> Option<f64> {
    let cell = row.cells.get(column)?;
    let median = cell.split(" (").next()?;
    median.replace(',', "").parse().ok()
}

/// The value of a `**Key:** value` line.
fn key<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let prefix = format!("**{name}:** ");
    text.lines()
        .find_map(|line| line.strip_prefix(prefix.as_str()))
        .map(|value| value.trim_end_matches('\\'))
}

/// Whether a row is one of the Python rows, and the run measured no Python.
fn python_not_measured(text: &str, label: &str) -> bool {
    let python_row = label.contains("Python") || label.contains("asyncio");
    python_row && key(text, "Versions").is_some_and(|v| v.contains("Python not measured"))
}

/// What every run of `name` must show, whatever the machine.
fn invariants(name: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let rows = table_rows(text);
    if rows.is_empty() {
        problems.push("no table rows".to_string());
    }
    for row in &rows {
        let label = &row.label;
        if python_not_measured(text, label) {
            continue;
        }
        let mut expect = |what: &str, holds: bool| {
            if !holds {
                problems.push(format!("row `{label}`: {what}: {:?}", row.cells));
            }
        };
        let has = |column: &str| row.cells.contains_key(column);

        match name {
            "threads_vs_tasks" => {
                let jobs = number(row, "Jobs");
                let waiting = number(row, "Waiting at once");
                if !has("Waiting at once") {
                    // The memory table.
                } else if label.contains("until one fails") {
                    // `—` (the process ended before it said) or a number
                    // no higher than the jobs started.
                    expect(
                        "never more waiting than started",
                        jobs.is_some() && waiting.is_none_or(|w| Some(w) <= jobs),
                    );
                } else {
                    expect(
                        "every job waits at once",
                        waiting.is_some() && waiting == jobs,
                    );
                    expect("every job joined", number(row, "Join all (ms)").is_some());
                }
            }
            "many_connections" => {
                let connections = number(row, "Connections");
                if has("Held at once") {
                    expect(
                        "every connection held at once",
                        connections.is_some() && number(row, "Held at once") == connections,
                    );
                }
                // A trial whose clients failed says so in a list item:
                // `- LABEL (1,000 connections), in 3 of 3 runs: ...`.
                let explained = row.cells.get("Connections").is_some_and(|n| {
                    let item = format!("- {label} ({n} connections), ");
                    text.lines().any(|line| line.starts_with(&item))
                });
                if has("Round trips") && !explained {
                    expect(
                        "every round trip done",
                        number(row, "Round trips")
                            == connections.and_then(|c| round_trips_expected(text, c)),
                    );
                }
                if has("Round trips per second") {
                    expect(
                        "a rate measured",
                        number(row, "Round trips per second").is_some_and(|r| r > 0.0),
                    );
                }
            }
            _ => {}
        }
    }
    problems
}

/// What a `--small` run must show besides: in threads_vs_tasks, every trial
/// "until one fails" did fail (its address space is limited), so the code
/// that reports a failure has run. How it fails is a race: the main thread
/// may see the spawn fail first (`starting thread N failed`), or a thread
/// that had just started may fail to allocate and abort the process first
/// (`the process aborted ...`). Either is a failure reported.
fn small_invariants(name: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if name == "threads_vs_tasks" {
        let labels: BTreeSet<String> = table_rows(text)
            .into_iter()
            .map(|row| row.label)
            .filter(|label| label.contains("until one fails"))
            .filter(|label| !python_not_measured(text, label))
            .collect();
        if labels.is_empty() {
            problems.push("no rows \"until one fails\"".into());
        }
        for label in labels {
            let reported = text.lines().any(|line| {
                line.starts_with(&format!("- {label} ("))
                    && (line.contains(": starting thread ") || line.contains(": the process "))
            });
            if !reported {
                problems.push(format!(
                    "`{label}`: no line `- {label} (...), in its one run: starting thread ... failed` or `...: the process ...`"
                ));
            }
        }
    }
    problems
}

/// The number in `column` of the row `label` whose `size_column` is `size`
/// (`"Jobs"`, `"10,000"`), in whichever table has that column.
fn at(text: &str, label: &str, size_column: &str, size: &str, column: &str) -> Option<f64> {
    table_rows(text)
        .iter()
        .find(|row| {
            row.label == label
                && row.cells.get(size_column).map(String::as_str) == Some(size)
                && row.cells.contains_key(column)
        })
        .and_then(|row| number(row, column))
}

/// The thread number in a list item `- LABEL (...): starting thread N failed`.
fn failed_at(text: &str, label: &str) -> Option<f64> {
    let line = text
        .lines()
        .find(|line| line.starts_with(&format!("- {label} (")))?;
    let rest = line.split("starting thread ").nth(1)?;
    rest.split(' ').next()?.replace(',', "").parse().ok()
}

/// The count in a list item `- LABEL (...): ..., with N memory mappings`.
fn mappings_at_failure(text: &str, label: &str) -> Option<f64> {
    let line = text
        .lines()
        .find(|line| line.starts_with(&format!("- {label} (")))?;
    let rest = line.split(", with ").nth(1)?;
    let count = rest
        .strip_suffix("memory mappings in the process")
        .or_else(|| rest.split_once(" memory mappings").map(|(count, _)| count))?;
    count.trim().replace(',', "").parse().ok()
}

/// A number after `name ` in a `**Key:**` line, such as `vm.max_map_count 65,530`.
fn key_number(text: &str, key_name: &str, name: &str) -> Option<f64> {
    let value = key(text, key_name)?;
    let rest = value.split(&format!("{name} ")).nth(1)?;
    let digits: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .collect();
    digits.replace(',', "").parse().ok()
}

/// The timed round trips a run of many_connections makes with `connections`
/// clients: `trips_per_client` in examples/many_connections.rs, with the
/// total its Load line names (`at least N round trips in all`).
fn round_trips_expected(text: &str, connections: f64) -> Option<f64> {
    let all = key_number(text, "Load", "at least")?;
    Some(connections * (all / connections).floor().max(10.0))
}

/// "About N": within a fifth of N either way.
fn about(figure: f64) -> std::ops::Range<f64> {
    figure * 0.8..figure * 1.2
}

/// The pages whose prose the claims back, with their whitespace collapsed,
/// so that a fragment matches across line breaks.
fn pages() -> BTreeMap<&'static str, String> {
    [
        "threads-vs-async.md",
        "many-connections.md",
        "what-and-why.md",
    ]
    .into_iter()
    .map(|name| {
        let text = fs::read_to_string(root().join("book/src").join(name)).unwrap_or_default();
        (name, text.split_whitespace().collect::<Vec<_>>().join(" "))
    })
    .collect()
}

const TVA: &str = "threads-vs-async.md";
const MC: &str = "many-connections.md";
const WW: &str = "what-and-why.md";

/// What the pages say about the book's measured files, number by number.
/// Each claim names the page and the exact words it backs: the words must
/// be on the page, and the measured file must show what they say. So new
/// numbers that no longer show what the prose says fail here, and so does
/// prose edited to say something the claims do not check (rewrite the
/// prose and its claim together).
fn claims(name: &str, text: &str, pages: &BTreeMap<&str, String>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut claim = |page: &str, says: &str, detail: &str, holds: Option<bool>| {
        if !pages.get(page).is_some_and(|prose| prose.contains(says)) {
            problems.push(format!(
                "{page} no longer says \"{says}\": change this claim with the prose"
            ));
        } else if holds != Some(true) {
            problems.push(format!(
                "{page} says \"{says}\" ({detail}); the file does not show it"
            ));
        }
    };
    let ratio = |slow: Option<f64>, fast: Option<f64>| Some(slow? / fast?.max(1e-9));
    match name {
        "threads_vs_tasks" => {
            let jobs =
                |label: &str, size: &str, column: &str| at(text, label, "Jobs", size, column);
            for column in ["Start all (ms)", "Join all (ms)"] {
                claim(
                    TVA,
                    "tokio tasks start and finish more than five times faster than Rust threads",
                    &format!("{column}, 10,000 jobs"),
                    ratio(
                        jobs("Rust threads", "10,000", column),
                        jobs("tokio tasks", "10,000", column),
                    )
                    .map(|r| r > 5.0),
                );
                claim(
                    TVA,
                    "and asyncio tasks more than five times faster than Python threads",
                    &format!("{column}, 10,000 jobs"),
                    ratio(
                        jobs("Python threads", "10,000", column),
                        jobs("asyncio tasks", "10,000", column),
                    )
                    .map(|r| r > 5.0),
                );
                for size in ["10,000", "100,000", "1,000,000"] {
                    claim(
                        TVA,
                        "on one thread, tokio still starts and joins tasks several times faster than asyncio",
                        &format!("3 times or more, {column}, {size} jobs"),
                        ratio(
                            jobs("asyncio tasks", size, column),
                            jobs("tokio tasks, current_thread", size, column),
                        )
                        .map(|r| r >= 3.0),
                    );
                }
            }
            for label in [
                "tokio tasks",
                "tokio tasks, current_thread",
                "asyncio tasks",
            ] {
                let million = jobs(label, "1,000,000", "Waiting at once").map(|n| n == 1e6);
                claim(TVA, "Every task row reaches a million jobs", label, million);
                if label != "tokio tasks, current_thread" {
                    claim(
                        WW,
                        "A million tasks waited at once in either language",
                        label,
                        million,
                    );
                }
                for size in ["1,000", "10,000", "100,000", "1,000,000"] {
                    claim(
                        TVA,
                        "kernel column stays about zero",
                        &format!("50 bytes at most, {label}, {size} jobs"),
                        jobs(label, size, "Kernel per job (bytes)").map(|n| n.abs() <= 50.0),
                    );
                    claim(
                        TVA,
                        "unless it lands next to a mapping it can share a line with; none per task",
                        &format!("{label}, {size} jobs"),
                        jobs(label, size, "Mappings per job").map(|n| n <= 0.01),
                    );
                    let resident = jobs(label, size, "RSS per job (bytes)");
                    if label == "asyncio tasks" {
                        claim(
                            TVA,
                            "An asyncio task takes about 1.2 KB",
                            &format!("{size} jobs"),
                            resident.map(|n| about(1_200.0).contains(&n)),
                        );
                        claim(
                            WW,
                            "an asyncio task about 1.2 KB",
                            &format!("{size} jobs"),
                            resident.map(|n| about(1_200.0).contains(&n)),
                        );
                    } else {
                        // "Roughly": 10% below 600 to 10% above 800.
                        let roughly = resident.map(|n| (540.0..880.0).contains(&n));
                        claim(
                            TVA,
                            "roughly 600 to 800 in these tables, on either runtime",
                            &format!("{label}, {size} jobs"),
                            roughly,
                        );
                        claim(
                            WW,
                            "a waiting tokio task took roughly 600 to 800 bytes",
                            &format!("{label}, {size} jobs"),
                            roughly,
                        );
                    }
                }
            }
            let thread_rows = [
                ("Rust threads", "1,000"),
                ("Rust threads", "10,000"),
                ("Rust threads, 64 KiB stacks", "10,000"),
                ("Python threads", "1,000"),
                ("Python threads", "10,000"),
                ("Python threads, 64 KiB stacks", "1,000"),
            ];
            for (label, size) in thread_rows {
                let detail = format!("{label}, {size} jobs");
                let kernel = jobs(label, size, "Kernel per job (bytes)");
                claim(
                    WW,
                    "each plus more than 20 KB of kernel memory",
                    &detail,
                    kernel.map(|n| n > 20_000.0),
                );
                let resident = jobs(label, size, "RSS per job (bytes)");
                let (says, figure) = if label.starts_with("Rust") {
                    ("a waiting Rust thread took about 10 KB of RSS", 10_000.0)
                } else {
                    ("a Python thread about 16 KB", 16_000.0)
                };
                claim(
                    WW,
                    says,
                    &detail,
                    resident.map(|n| about(figure).contains(&n)),
                );
                if !label.contains("64 KiB") {
                    let mappings = jobs(label, size, "Mappings per job");
                    let (says, range) = if label.starts_with("Rust") {
                        ("about four per Rust thread", 3.8..4.2)
                    } else {
                        ("two to three per Python thread", 1.9..3.1)
                    };
                    claim(TVA, says, &detail, mappings.map(|n| range.contains(&n)));
                }
            }
            for (small, large, size) in [
                ("Rust threads, 64 KiB stacks", "Rust threads", "10,000"),
                ("Python threads, 64 KiB stacks", "Python threads", "1,000"),
            ] {
                let detail = format!("{small} against {large}, {size} jobs");
                claim(
                    TVA,
                    "the RSS per job stays the same, and only the kernel's share drops",
                    &format!("RSS within 5%, kernel lower: {detail}"),
                    Some(
                        ratio(
                            jobs(small, size, "RSS per job (bytes)"),
                            jobs(large, size, "RSS per job (bytes)"),
                        )
                        .is_some_and(|r| (0.95..1.05).contains(&r))
                            && ratio(
                                jobs(small, size, "Kernel per job (bytes)"),
                                jobs(large, size, "Kernel per job (bytes)"),
                            )
                            .is_some_and(|r| r < 1.0),
                    ),
                );
                claim(
                    TVA,
                    "A smaller stack does not lower the count",
                    &detail,
                    jobs(small, size, "Mappings per job")
                        .zip(jobs(large, size, "Mappings per job"))
                        .map(|(small, large)| small >= large - 0.05),
                );
            }
            // "Why threads hit a wall", with this machine's limit.
            let limit = key_number(text, "Limits", "vm.max_map_count");
            let default_limit = limit == Some(65_530.0);
            claim(
                TVA,
                "With the kernel's default of 65,530",
                "the Limits line",
                Some(default_limit),
            );
            if default_limit {
                for label in [
                    "Rust threads, until one fails",
                    "Rust threads, 64 KiB stacks, until one fails",
                ] {
                    let stopped = failed_at(text, label).map(|n| (16_000.0..16_500.0).contains(&n));
                    claim(TVA, "Rust's a little above 16,000 threads", label, stopped);
                    claim(
                        WW,
                        "threads stopped a little above 16,000 in Rust",
                        label,
                        stopped,
                    );
                }
                let python = "Python threads, until one fails";
                let stopped = failed_at(text, python).map(|n| (20_000.0..24_000.0).contains(&n));
                claim(TVA, "Python's at about 22,000", python, stopped);
                claim(WW, "and at about 22,000 in Python", python, stopped);
                // A thread needs two new mappings; the kernel refuses the one
                // past the limit, and /proc/self/maps adds `[vsyscall]`.
                claim(
                    TVA,
                    "with the process at the limit of 65,530 mappings",
                    "the note's count is the limit or one more",
                    mappings_at_failure(text, python)
                        .zip(limit)
                        .map(|(count, limit)| (0.0..=1.0).contains(&(count - limit))),
                );
            }
        }
        "many_connections" => {
            let full = key(text, "Connections")
                .and_then(|value| value.split(':').next())
                .unwrap_or_default()
                .to_string();
            let full_count: Option<f64> = full.replace(',', "").parse().ok();
            for size in ["1,000", full.as_str()] {
                let of = |label: &str, column: &str| at(text, label, "Connections", size, column);
                let rss = "RSS per connection (bytes)";
                let at_size = format!("{size} connections");
                claim(
                    MC,
                    "the tokio server's process grew by about 1.2 KB",
                    &at_size,
                    of("tokio tasks", rss).map(|n| about(1_200.0).contains(&n)),
                );
                claim(
                    MC,
                    "the Rust thread server's by at least four times that",
                    &at_size,
                    ratio(of("Rust threads", rss), of("tokio tasks", rss)).map(|r| r >= 4.0),
                );
                claim(
                    MC,
                    "asyncio's server grew by about 6 KB per connection",
                    &at_size,
                    of("asyncio tasks", rss).map(|n| about(6_000.0).contains(&n)),
                );
                claim(
                    MC,
                    "the thread server's by about 21 KB",
                    &at_size,
                    of("Python threads", rss).map(|n| about(21_000.0).contains(&n)),
                );
                claim(
                    MC,
                    "at least four times as much in Rust, over twice in Python",
                    &at_size,
                    ratio(of("Python threads", rss), of("asyncio tasks", rss)).map(|r| r > 2.0),
                );
                let switches = "Server switches per round trip";
                for label in ["tokio tasks", "asyncio tasks"] {
                    claim(
                        MC,
                        "The task servers switched rarely, less than once in three round trips",
                        &format!("{label}, {at_size}"),
                        of(label, switches).map(|n| n < 1.0 / 3.0),
                    );
                }
                claim(
                    MC,
                    "The thread server switched about once per round trip",
                    &at_size,
                    of("Rust threads", switches).map(|n| (0.8..1.5).contains(&n)),
                );
                claim(
                    MC,
                    "answered the median round trip (p50) many times sooner than the tokio server at both sizes",
                    &format!("5 times or more, {at_size}"),
                    ratio(
                        of("tokio tasks", "p50 (ms)"),
                        of("Rust threads", "p50 (ms)"),
                    )
                    .map(|r| r >= 5.0),
                );
                claim(
                    MC,
                    "its mean round trip was hundreds of times its median",
                    &format!("100 times or more, {at_size}"),
                    ratio(
                        of("Rust threads", "Mean (ms)"),
                        of("Rust threads", "p50 (ms)"),
                    )
                    .map(|r| r >= 100.0),
                );
                claim(
                    MC,
                    "Tokio's mean was a few times its median",
                    &format!("1 to 10 times, {at_size}"),
                    ratio(
                        of("tokio tasks", "Mean (ms)"),
                        of("tokio tasks", "p50 (ms)"),
                    )
                    .map(|r| (1.0..10.0).contains(&r)),
                );
                let per_second = "Round trips per second";
                claim(
                    MC,
                    "The tokio server did more round trips per second than the Rust thread server",
                    &at_size,
                    ratio(
                        of("tokio tasks", per_second),
                        of("Rust threads", per_second),
                    )
                    .map(|r| r > 1.0),
                );
                claim(
                    MC,
                    "and at least three times as many as asyncio, at both sizes",
                    &at_size,
                    ratio(
                        of("tokio tasks", per_second),
                        of("asyncio tasks", per_second),
                    )
                    .map(|r| r >= 3.0),
                );
                let cpu = "Server CPU per round trip (µs)";
                claim(
                    MC,
                    "It also spent less CPU time per round trip than the thread server",
                    &format!("by a tenth or more, {at_size}"),
                    ratio(of("Rust threads", cpu), of("tokio tasks", cpu)).map(|r| r >= 1.1),
                );
            }
            let of = |label: &str, column: &str| at(text, label, "Connections", "1,000", column);
            claim(
                MC,
                "switched two to three times per round trip at 1,000 connections",
                "Python threads",
                of("Python threads", "Server switches per round trip")
                    .map(|n| (2.0..=3.0).contains(&n)),
            );
            claim(
                MC,
                "the thread server did more than twice asyncio's round trips per second",
                "1,000 connections",
                ratio(
                    of("Python threads", "Round trips per second"),
                    of("asyncio tasks", "Round trips per second"),
                )
                .map(|r| r > 2.0),
            );
            claim(
                MC,
                "with about half its CPU per round trip",
                "Python threads against asyncio, 1,000 connections",
                ratio(
                    of("Python threads", "Server CPU per round trip (µs)"),
                    of("asyncio tasks", "Server CPU per round trip (µs)"),
                )
                .map(|r| about(0.5).contains(&r)),
            );
            let of = |label: &str, column: &str| at(text, label, "Connections", &full, column);
            claim(
                MC,
                "at the full count, even the task servers' kernel column is kilobytes",
                &format!("{full} connections"),
                Some(
                    of("tokio tasks", "Kernel per connection (bytes)")
                        .is_some_and(|n| n >= 1_000.0)
                        && of("asyncio tasks", "Kernel per connection (bytes)")
                            .is_some_and(|n| n >= 1_000.0),
                ),
            );
            claim(
                MC,
                "took longer than the tokio server's at the full count",
                "p99, by a tenth or more",
                ratio(
                    of("Rust threads", "p99 (ms)"),
                    of("tokio tasks", "p99 (ms)"),
                )
                .map(|r| r >= 1.1),
            );
            let expected = full_count.and_then(|c| round_trips_expected(text, c));
            claim(
                MC,
                "while asyncio's single thread served them all",
                &format!("every round trip, {full} connections"),
                of("asyncio tasks", "Round trips")
                    .zip(expected)
                    .map(|(trips, expected)| trips == expected),
            );
            claim(
                MC,
                "At the full count most of its clients timed out",
                "Python threads: fewer than half the round trips, and a note",
                Some(
                    of("Python threads", "Round trips")
                        .zip(expected)
                        .is_some_and(|(trips, expected)| trips < expected / 2.0)
                        && text.lines().any(|l| {
                            l.starts_with(&format!("- Python threads ({full} connections)"))
                                && l.contains("clients failed")
                        }),
                ),
            );
            claim(
                MC,
                "Where a client failed, the time and cost columns say `—`",
                "Python threads at the full count",
                Some(
                    [
                        "Mean (ms)",
                        "p50 (ms)",
                        "p99 (ms)",
                        "Server CPU per round trip (µs)",
                    ]
                    .iter()
                    .all(|column| {
                        table_rows(text).iter().any(|row| {
                            row.label == "Python threads"
                                && row.cells.get("Connections") == Some(&full)
                                && row.cells.get(*column).map(String::as_str) == Some("—")
                        })
                    }),
                ),
            );
        }
        _ => {}
    }
    problems
}

/// Runs `name --small` and returns what it printed on stdout.
fn run_small(name: &str) -> Result<String, String> {
    let output = Command::new(target_dir().join("debug/examples").join(name))
        .arg("--small")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run `{name}`: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(format!(
            "`{name} --small` failed ({}):\n{stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(stdout)
}

/// The first difference in shape between the book's file and a new run
/// (one missing row shifts every line after it), and how many lines differ.
fn differences(file: &str, book: &str, now: &str) -> Option<String> {
    let (book, now) = (shapes(book), shapes(now));
    let lines = book.len().max(now.len());
    let differ = (0..lines)
        .filter(|&i| book.get(i).map(|(_, s)| s) != now.get(i).map(|(_, s)| s))
        .collect::<Vec<_>>();
    let first = *differ.first()?;
    let line = book
        .get(first)
        .map_or(String::from("end"), |(line, _)| line.to_string());
    Some(format!(
        "{file}:{line}: the book has {:?}, the example now prints {:?} ({} of {lines} lines differ)",
        book.get(first).map(|(_, s)| s),
        now.get(first).map(|(_, s)| s),
        differ.len()
    ))
}

#[test]
fn every_measured_file_has_the_shape_its_example_prints() {
    build_examples();
    let dir = root().join("book/src/measured");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("list book/src/measured")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no measured files in book/src/measured");

    let prose = pages();
    let mut problems = Vec::new();
    for path in &files {
        let shown = path
            .strip_prefix(root())
            .unwrap_or(path)
            .display()
            .to_string();
        let book = fs::read_to_string(path).expect("read measured file");
        let first = book.lines().next().unwrap_or_default();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if example_name(first) != Some(stem) {
            problems.push(format!(
                "{shown}:1: must name `--example {stem}`, the example that writes it; found `{first}`"
            ));
            continue;
        }
        if !book
            .lines()
            .any(|line| line.starts_with("**Measured:**") && line.contains("release build"))
        {
            problems.push(format!(
                "{shown}: has no `**Measured:** ... release build` line; write it with ./measure.sh"
            ));
        }
        problems.extend(
            invariants(stem, &book)
                .into_iter()
                .chain(claims(stem, &book, &prose))
                .map(|p| format!("{shown}: {p}")),
        );
        match run_small(stem) {
            Ok(now) => {
                problems.extend(differences(&shown, &book, &now));
                problems.extend(
                    invariants(stem, &now)
                        .into_iter()
                        .chain(small_invariants(stem, &now))
                        .map(|p| format!("`{stem} --small`: {p}")),
                );
            }
            Err(problem) => problems.push(problem),
        }
    }
    assert!(
        problems.is_empty(),
        "measured files:\n  {}\n  (after changing the example on purpose, run ./measure.sh)\n",
        problems.join("\n  ")
    );
}

/// Prose that no longer says what a claim backs fails, even where the
/// numbers are unchanged: here, a page edited to say 30,000 threads.
#[test]
fn a_claim_whose_words_left_the_page_fails() {
    let text = fs::read_to_string(root().join("book/src/measured/threads_vs_tasks.md"))
        .expect("read the measured file");
    let mut prose = pages();
    let page = prose.get_mut(TVA).expect("the page");
    assert!(page.contains("a little above 16,000"), "the page says it");
    *page = page.replace("a little above 16,000", "a little above 30,000");
    let problems = claims("threads_vs_tasks", &text, &prose);
    assert!(
        problems.iter().any(|p| p.contains(
            "threads-vs-async.md no longer says \"Rust's a little above 16,000 threads\""
        )),
        "{problems:?}"
    );
}

#[test]
fn shapes_keep_labels_and_keys_and_forget_numbers() {
    let text = "*Measured by `cargo run --example demo`*\n\n**Machine:** 2 cores\\\n| Run as | Jobs |\n| ------ | ---: |\n| tasks | 1,000 |\n| threads | — |\n\n- threads: the process aborted.\n";
    assert_eq!(
        shapes(text),
        [
            (
                1,
                Shape::Title("*Measured by `cargo run --example demo`*".into())
            ),
            (3, Shape::Key("Machine".into())),
            (4, Shape::Row(vec!["Run as".into(), "Jobs".into()])),
            (5, Shape::Row(vec!["---".into(), "---:".into()])),
            (6, Shape::Row(vec!["tasks".into(), "#".into()])),
            (7, Shape::Row(vec!["threads".into(), "#".into()])),
        ]
    );
    assert_eq!(
        example_name("*Measured by `cargo run --release --example demo -- --write x`*"),
        Some("demo")
    );
    assert!(is_number("-1,234.5"));
    assert!(is_number("2.80 (2.61–3.02)"));
    assert!(!is_number("64 KiB"));
    assert!(!is_number("2.80 (fast)"));
}

#[test]
fn a_renamed_column_or_a_lost_row_is_a_difference() {
    let book = "title\n| Run as | Jobs |\n| --- | ---: |\n| tasks | 1 |\n| threads | 2 |\n";
    assert_eq!(differences("f", book, book), None);
    let renamed = book.replace("| Jobs |", "| Count |");
    let found = differences("f", book, &renamed).expect("a renamed column");
    assert!(found.starts_with("f:2: "), "{found}");
    let lost = "title\n| Run as | Jobs |\n| --- | ---: |\n| tasks | 1 |\n";
    let found = differences("f", book, lost).expect("a lost row");
    assert!(found.starts_with("f:5: "), "{found}");
    let relabelled = book.replace("| threads |", "| processes |");
    let found = differences("f", book, &relabelled).expect("a new label");
    assert!(found.starts_with("f:5: "), "{found}");
    let longer = format!("{book}| threads | 3 |\n");
    let found = differences("f", book, &longer).expect("a new row");
    assert!(found.starts_with("f:end: "), "{found}");
    let numbered = book.replace("| 2 |", "| two |");
    assert!(
        differences("f", book, &numbered).is_some(),
        "a number became text"
    );
}

/// Every Python 3.11 or later this machine has: `python3`, and each pyenv
/// version (its shims hide them), once per version.
fn pythons() -> Vec<(String, PathBuf)> {
    let mut candidates = vec![PathBuf::from("python3")];
    let pyenv = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".pyenv")));
    if let Some(Ok(versions)) = pyenv.map(|root| fs::read_dir(root.join("versions"))) {
        let mut found: Vec<PathBuf> = versions
            .flatten()
            .map(|entry| entry.path().join("bin/python3"))
            .filter(|file| file.is_file())
            .collect();
        found.sort();
        candidates.extend(found);
    }
    let mut pythons: Vec<(String, PathBuf)> = Vec::new();
    for candidate in candidates {
        let Ok(out) = Command::new(&candidate)
            .args([
                "-I",
                "-c",
                "import sys; print(sys.version_info >= (3, 11), sys.version.split()[0])",
            ])
            .output()
        else {
            continue;
        };
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if let Some(version) = text.trim().strip_prefix("True ")
            && !pythons.iter().any(|(seen, _)| seen == version)
        {
            pythons.push((version.to_string(), candidate));
        }
    }
    pythons
}

/// The Python sides of the examples that measure run on every Python 3.11+
/// here, with every `DeprecationWarning` an error: a few jobs of each kind,
/// one echo through each server, and each server cuts off a silent client.
#[test]
fn the_python_sides_run_on_every_python() {
    use std::io::{BufRead, BufReader, Read, Write};

    let pythons = pythons();
    assert!(!pythons.is_empty(), "no python3 3.11 or later found");
    let mut problems = Vec::new();
    for (version, python) in &pythons {
        let python_command = |script: &str| {
            let mut command = Command::new(python);
            command
                .current_dir(root())
                .args(["-I", "-W", "error::DeprecationWarning"])
                .arg(format!("examples/{script}.py"));
            command
        };
        for args in [
            &["--trial", "asyncio", "200"][..],
            &["--trial", "threads", "20"],
            &["--trial", "threads", "20", "65536"],
            &["--trial", "threads", "2000", "--fail-early"],
        ] {
            let out = python_command("threads_vs_tasks")
                .args(args)
                .output()
                .expect("python runs");
            let text = String::from_utf8_lossy(&out.stdout);
            let jobs = args[2];
            let fine = out.status.success()
                && text.contains("finished_early 0\n")
                && if args.last() == Some(&"--fail-early") {
                    text.contains("spawn_failed ")
                } else {
                    text.contains(&format!("waiting {jobs}\n"))
                        && text.contains(&format!("joined {jobs}\n"))
                };
            if !fine {
                problems.push(format!(
                    "Python {version}: threads_vs_tasks.py {}: {text}{}",
                    args.join(" "),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        for kind in ["asyncio", "threads"] {
            // An idle limit of 1 s instead of 60 s, for the silent client below.
            let mut server = python_command("many_connections")
                .args(["--serve", kind, "1"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("python runs");
            let mut line = String::new();
            let stdout = server.stdout.take().expect("piped");
            let _ = BufReader::new(stdout).read_line(&mut line);
            let address = line.strip_prefix("listening ").map(str::trim);
            let connect = || address.and_then(|a| std::net::TcpStream::connect(a).ok());
            let echoed = connect().and_then(|mut stream| {
                stream.write_all(b"ping").ok()?;
                let mut echo = [0; 4];
                stream.read_exact(&mut echo).ok()?;
                Some(echo == *b"ping")
            });
            // A client that says nothing is cut off: the server closes the
            // connection (end of file) long before this client gives up.
            let cut_off = connect().and_then(|mut stream| {
                stream
                    .set_read_timeout(Some(std::time::Duration::from_secs(30)))
                    .ok()?;
                let mut byte = [0; 1];
                Some(matches!(stream.read(&mut byte), Ok(0)))
            });
            // Closing its input ends the server.
            drop(server.stdin.take());
            let status = server.wait().expect("the server ends");
            let mut stderr = String::new();
            if let Some(mut pipe) = server.stderr.take() {
                let _ = pipe.read_to_string(&mut stderr);
            }
            if echoed != Some(true) || cut_off != Some(true) || !status.success() {
                problems.push(format!(
                    "Python {version}: many_connections.py --serve {kind}: said `{}`, echoed {echoed:?}, cut off a silent client {cut_off:?}, ended {status}: {stderr}",
                    line.trim()
                ));
            }
        }
    }
    let versions: Vec<&str> = pythons.iter().map(|(v, _)| v.as_str()).collect();
    let _ = writeln!(
        std::io::stderr(),
        "measured: Python sides ran on {}",
        versions.join(", ")
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
