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
//! So a renamed column, a missing row, a table edited by hand or an example
//! that no longer prints what the book shows all fail here. After changing
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
                // ROUND_TRIPS in examples/many_connections.rs.
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
                        number(row, "Round trips") == connections.map(|c| c * 10.0),
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

/// What the pages say about the book's measured files, number by number:
/// each claim names the page that makes it. A measured file that no longer
/// shows what the prose says fails here, so rewrite the prose (and this
/// list) with the numbers.
fn claims(name: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut claim = |what: &str, holds: Option<bool>| {
        if holds != Some(true) {
            problems.push(format!("the prose says {what}; the file does not show it"));
        }
    };
    let ratio = |slow: Option<f64>, fast: Option<f64>| Some(slow? / fast?.max(1e-9));
    match name {
        "threads_vs_tasks" => {
            let jobs =
                |label: &str, size: &str, column: &str| at(text, label, "Jobs", size, column);
            for column in ["Start all (ms)", "Join all (ms)"] {
                // threads-vs-async.md, "Read the time table".
                claim(
                    &format!(
                        "tokio tasks beat Rust threads at least 5 times over ({column}, 10,000 jobs)"
                    ),
                    ratio(
                        jobs("Rust threads", "10,000", column),
                        jobs("tokio tasks", "10,000", column),
                    )
                    .map(|r| r >= 5.0),
                );
                claim(
                    &format!(
                        "asyncio tasks beat Python threads at least 5 times over ({column}, 10,000 jobs)"
                    ),
                    ratio(
                        jobs("Python threads", "10,000", column),
                        jobs("asyncio tasks", "10,000", column),
                    )
                    .map(|r| r >= 5.0),
                );
                for size in ["10,000", "100,000", "1,000,000"] {
                    claim(
                        &format!(
                            "tokio tasks beat asyncio tasks several (3+) times over ({column}, {size} jobs)"
                        ),
                        ratio(
                            jobs("asyncio tasks", size, column),
                            jobs("tokio tasks", size, column),
                        )
                        .map(|r| r >= 3.0),
                    );
                }
            }
            for label in ["tokio tasks", "asyncio tasks"] {
                // threads-vs-async.md and what-and-why.md: a million tasks waited.
                claim(
                    &format!("a million {label} waited at once"),
                    jobs(label, "1,000,000", "Waiting at once").map(|n| n == 1_000_000.0),
                );
                for size in ["10,000", "100,000", "1,000,000"] {
                    // "Where the memory goes": the kernel column stays about zero,
                    // and tasks add no memory mappings.
                    claim(
                        &format!("{label}' kernel column is about zero ({size} jobs)"),
                        jobs(label, size, "Kernel per job (bytes)").map(|n| n.abs() <= 50.0),
                    );
                    claim(
                        &format!("{label} add no memory mappings ({size} jobs)"),
                        jobs(label, size, "Mappings per job").map(|n| n <= 0.01),
                    );
                    let resident = jobs(label, size, "RSS per job (bytes)");
                    if label == "tokio tasks" {
                        // "a few hundred bytes" (also what-and-why.md).
                        claim(
                            &format!(
                                "a waiting tokio task takes a few hundred bytes ({size} jobs)"
                            ),
                            resident.map(|n| (200.0..1_000.0).contains(&n)),
                        );
                    } else {
                        // "a little over a kilobyte" (also what-and-why.md).
                        claim(
                            &format!(
                                "a waiting asyncio task takes a little over a kilobyte ({size} jobs)"
                            ),
                            resident.map(|n| (1_024.0..1_600.0).contains(&n)),
                        );
                    }
                }
            }
            for label in ["Rust threads", "Python threads"] {
                for size in ["1,000", "10,000"] {
                    let resident = jobs(label, size, "RSS per job (bytes)");
                    let kernel = jobs(label, size, "Kernel per job (bytes)");
                    // "tens of kilobytes", "more than 20 KB of kernel memory".
                    claim(
                        &format!(
                            "a waiting {label} costs more than 20 KB in the kernel ({size} jobs)"
                        ),
                        kernel.map(|n| n > 20_000.0),
                    );
                    // what-and-why.md: about 10 KB (Rust) and about 16 KB (Python) of RSS.
                    let about = if label == "Rust threads" {
                        8_000.0..12_000.0
                    } else {
                        14_000.0..19_000.0
                    };
                    claim(
                        &format!(
                            "a waiting {label} takes about {} KB of RSS ({size} jobs)",
                            (about.start + about.end) / 2_000.0
                        ),
                        resident.map(|n| about.contains(&n)),
                    );
                    // "Why threads hit a wall": four mappings per Rust thread,
                    // two to three per Python thread.
                    let mappings = jobs(label, size, "Mappings per job");
                    let range = if label == "Rust threads" {
                        3.8..4.2
                    } else {
                        1.9..3.1
                    };
                    claim(
                        &format!("{label} take {range:?} memory mappings each ({size} jobs)"),
                        mappings.map(|n| range.contains(&n)),
                    );
                }
            }
            // "Compare the rows with and without 64 KiB stacks": the same RSS,
            // less kernel memory.
            let small = |column| jobs("Rust threads, 64 KiB stacks", "10,000", column);
            let large = |column| jobs("Rust threads", "10,000", column);
            claim(
                "64 KiB stacks leave the RSS per job the same (within 5%)",
                ratio(small("RSS per job (bytes)"), large("RSS per job (bytes)"))
                    .map(|r| (0.95..1.05).contains(&r)),
            );
            claim(
                "64 KiB stacks lower the kernel's share",
                ratio(
                    small("Kernel per job (bytes)"),
                    large("Kernel per job (bytes)"),
                )
                .map(|r| r < 1.0),
            );
            // "Why threads hit a wall", with this machine's limit: Rust threads
            // stop a little above 16,000, Python threads at about 22,000, each
            // at the mappings limit.
            let default_limit =
                key(text, "Limits").is_some_and(|l| l.contains("vm.max_map_count 65,530"));
            claim(
                "the measuring machine has the kernel's default vm.max_map_count, 65,530",
                Some(default_limit),
            );
            if default_limit {
                for label in [
                    "Rust threads, until one fails",
                    "Rust threads, 64 KiB stacks, until one fails",
                ] {
                    claim(
                        &format!("{label} stopped a little above 16,000"),
                        failed_at(text, label).map(|n| (16_000.0..16_500.0).contains(&n)),
                    );
                }
                claim(
                    "Python threads stopped at about 22,000, with the process at the limit of 65,530 mappings",
                    failed_at(text, "Python threads, until one fails")
                        .map(|n| (20_000.0..25_000.0).contains(&n) && text.contains("with 65,5")),
                );
            }
        }
        "many_connections" => {
            let full = key(text, "Connections")
                .and_then(|value| value.split(':').next())
                .unwrap_or_default()
                .to_string();
            for size in ["1,000", full.as_str()] {
                let of = |label: &str, column: &str| at(text, label, "Connections", size, column);
                let rss = "RSS per connection (bytes)";
                // many-connections.md, "What a connection costs".
                claim(
                    &format!("the tokio server holds about a kilobyte per connection ({size})"),
                    of("tokio tasks", rss).map(|n| (600.0..1_600.0).contains(&n)),
                );
                claim(
                    &format!(
                        "the Rust thread server holds at least 4 times the tokio server's RSS per connection ({size})"
                    ),
                    ratio(of("Rust threads", rss), of("tokio tasks", rss)).map(|r| r >= 4.0),
                );
                claim(
                    &format!("asyncio holds about 7 KB per connection ({size})"),
                    of("asyncio tasks", rss).map(|n| (5_000.0..9_000.0).contains(&n)),
                );
                claim(
                    &format!("Python's thread server holds about 17 KB per connection ({size})"),
                    of("Python threads", rss).map(|n| (14_000.0..20_000.0).contains(&n)),
                );
                claim(
                    &format!(
                        "Python's thread server holds over twice asyncio's RSS per connection ({size})"
                    ),
                    ratio(of("Python threads", rss), of("asyncio tasks", rss)).map(|r| r >= 2.0),
                );
                // "What a connection costs": every socket has kernel memory.
                let kernel = "Kernel per connection (bytes)";
                claim(
                    &format!("even the task servers' kernel column is kilobytes ({size})"),
                    Some(
                        of("tokio tasks", kernel).is_some_and(|n| n >= 1_000.0)
                            && of("asyncio tasks", kernel).is_some_and(|n| n >= 1_000.0),
                    ),
                );
                let switches = "Server switches per round trip";
                // "Reading the latency columns".
                claim(
                    &format!("the task servers switch almost never per round trip ({size})"),
                    Some(
                        of("tokio tasks", switches).is_some_and(|n| n <= 0.1)
                            && of("asyncio tasks", switches).is_some_and(|n| n <= 0.1),
                    ),
                );
                claim(
                    &format!("the Rust thread server switches about once per round trip ({size})"),
                    of("Rust threads", switches).map(|n| (0.8..1.5).contains(&n)),
                );
                claim(
                    &format!(
                        "the Rust thread server answers the median round trip at least 5 times sooner than tokio's ({size})"
                    ),
                    ratio(
                        of("tokio tasks", "p50 (ms)"),
                        of("Rust threads", "p50 (ms)"),
                    )
                    .map(|r| r >= 5.0),
                );
                // At the full count, tokio's slowest round trips (p99) beat
                // the thread server's; at 1,000 the two were close.
                let p99 = ratio(
                    of("Rust threads", "p99 (ms)"),
                    of("tokio tasks", "p99 (ms)"),
                );
                if size == full {
                    claim(
                        &format!("tokio's p99 beats the Rust thread server's ({size})"),
                        p99.map(|r| r >= 1.1),
                    );
                } else {
                    claim(
                        &format!("the two Rust servers' p99 are close, within 2 times ({size})"),
                        p99.map(|r| (0.5..=2.0).contains(&r)),
                    );
                }
                let per_second = "Round trips per second";
                claim(
                    &format!(
                        "the tokio server does more round trips per second than the Rust thread server ({size})"
                    ),
                    ratio(
                        of("tokio tasks", per_second),
                        of("Rust threads", per_second),
                    )
                    .map(|r| r > 1.0),
                );
                claim(
                    &format!(
                        "the tokio server does at least 3 times asyncio's round trips per second ({size})"
                    ),
                    ratio(
                        of("tokio tasks", per_second),
                        of("asyncio tasks", per_second),
                    )
                    .map(|r| r >= 3.0),
                );
                let cpu = "Server CPU per round trip (µs)";
                claim(
                    &format!(
                        "the tokio server spends less CPU per round trip than the Rust thread server ({size})"
                    ),
                    ratio(of("Rust threads", cpu), of("tokio tasks", cpu)).map(|r| r >= 1.1),
                );
            }
            let of = |label: &str, column: &str| at(text, label, "Connections", "1,000", column);
            claim(
                "Python's thread server switches several times per round trip (1,000)",
                of("Python threads", "Server switches per round trip").map(|n| n >= 3.0),
            );
            claim(
                "asyncio spends less CPU per round trip than Python's thread server (1,000)",
                ratio(
                    of("Python threads", "Server CPU per round trip (µs)"),
                    of("asyncio tasks", "Server CPU per round trip (µs)"),
                )
                .map(|r| r >= 1.5),
            );
            // "asyncio's single thread served them all".
            claim(
                "asyncio's server did every round trip at the full count",
                at(text, "asyncio tasks", "Connections", &full, "Round trips")
                    .zip(full.replace(',', "").parse::<f64>().ok())
                    .map(|(trips, connections)| trips == connections * 10.0),
            );
            // "most of its clients timed out" at the full count.
            let trips = at(text, "Python threads", "Connections", &full, "Round trips");
            let connections: Option<f64> = full.replace(',', "").parse().ok();
            claim(
                "Python's thread server failed most clients at the full count",
                Some(
                    trips.zip(connections).is_some_and(|(t, c)| t < c)
                        && text.lines().any(|l| {
                            l.starts_with(&format!("- Python threads ({full} connections)"))
                                && l.contains("clients failed")
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
                .chain(claims(stem, &book))
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
/// and one echo through each server.
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
                && if args.len() == 4 {
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
            let mut server = python_command("many_connections")
                .args(["--serve", kind])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("python runs");
            let mut line = String::new();
            let stdout = server.stdout.take().expect("piped");
            let _ = BufReader::new(stdout).read_line(&mut line);
            let echoed = line
                .strip_prefix("listening ")
                .and_then(|address| std::net::TcpStream::connect(address.trim()).ok())
                .and_then(|mut stream| {
                    stream.write_all(b"ping").ok()?;
                    let mut echo = [0; 4];
                    stream.read_exact(&mut echo).ok()?;
                    Some(echo == *b"ping")
                });
            // Closing its input ends the server.
            drop(server.stdin.take());
            let status = server.wait().expect("the server ends");
            let mut stderr = String::new();
            if let Some(mut pipe) = server.stderr.take() {
                let _ = pipe.read_to_string(&mut stderr);
            }
            if echoed != Some(true) || !status.success() {
                problems.push(format!(
                    "Python {version}: many_connections.py --serve {kind}: said `{}`, echoed {echoed:?}, ended {status}: {stderr}",
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
