//! Every "Output" block in the book is a file in `book/src/output/` whose
//! first line is the command a reader types, such as
//! `$ cargo run --example egg_boiler -- 6`, or
//! `$ cargo run --features real-io --example NAME` for the examples of the
//! "Real I/O" part. This test builds the examples with the `paused-clock`
//! feature (tokio's paused clock: sleeps take no real time and every
//! timestamp is exact) and `real-io`, runs each command, and fails on any
//! difference from the file.
//!
//! Regenerate the files after changing an example:
//! `BLESS=1 cargo test --test output` (all of them), or
//! `BLESS=egg_boiler cargo test --test output` (one example's).
//!
//! A file named `*.fails.txt` shows a run that must exit with an error.
//! Files named `*.py.txt` show what a Python twin prints; `tests/twins.rs`
//! checks those.
//! An example that measures (timings, memory) has a measured file,
//! `book/src/measured/NAME.md`, instead: `tests/measured.rs` checks it.
//! Rust prints the thread's id in a panic message (`thread 'main' (9310)
//! panicked`), which changes on every run: that one number is not compared.

mod common;

use common::comparable;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Shared with `mdbook test` (see check.sh), so the examples compile once.
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
    assert!(
        status.success(),
        "building the examples with --features paused-clock,real-io failed"
    );
}

/// What a reader types, parsed from `$ cargo run --example NAME [-- ARGS...]`
/// or `$ cargo run --features real-io --example NAME [-- ARGS...]`
/// (`tests/book.rs` checks that the feature is named exactly where needed).
fn command_line(file: &Path, text: &str) -> Result<(String, Vec<String>), String> {
    let first = text.lines().next().unwrap_or_default();
    let words: Vec<&str> = first.split_whitespace().collect();
    match words.as_slice() {
        ["$", "cargo", "run", "--example", name, rest @ ..]
        | [
            "$",
            "cargo",
            "run",
            "--features",
            "real-io",
            "--example",
            name,
            rest @ ..,
        ] => {
            let args = match rest {
                [] => vec![],
                ["--", args @ ..] => args.iter().map(|a| a.to_string()).collect(),
                _ => {
                    return Err(format!(
                        "{}:1: put program arguments after `--`",
                        file.display()
                    ));
                }
            };
            Ok((name.to_string(), args))
        }
        _ => Err(format!(
            "{}:1: must start with `$ cargo run --example NAME`, found `{first}`",
            file.display()
        )),
    }
}

/// Runs one example binary; stdout and stderr go to one file, so their lines
/// keep the order a reader sees in a terminal.
fn run(name: &str, args: &[String]) -> (bool, String) {
    let capture = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("output-{name}-{}.txt", args.join("_")));
    let out = File::create(&capture).expect("create capture file");
    let status = Command::new(target_dir().join("debug/examples").join(name))
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("clone capture file"))
        .stderr(out)
        .status()
        .unwrap_or_else(|e| panic!("cannot run example `{name}`: {e}"));
    (
        status.success(),
        fs::read_to_string(&capture).expect("read capture file"),
    )
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
                    "line {number}:\n    book: {}\n    now:  {}",
                    x.unwrap_or("(nothing)"),
                    y.unwrap_or("(nothing)")
                );
            }
        }
    }
    unreachable!()
}

#[test]
fn every_output_block_is_what_its_example_prints() {
    build_examples();
    // BLESS=1 rewrites every file that differs; BLESS=NAME only those of one example.
    let bless = std::env::var("BLESS").ok();
    let blesses = |name: &str| bless.as_deref().is_some_and(|b| b == "1" || b == name);
    let mut files: Vec<PathBuf> = fs::read_dir(root().join("book/src/output"))
        .expect("list book/src/output")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file() && !path.to_string_lossy().ends_with(".py.txt"))
        .collect();
    files.sort();

    let mut problems = Vec::new();
    let mut examples_run = Vec::new();
    for file in &files {
        let shown = file.strip_prefix(root()).unwrap_or(file).to_path_buf();
        let text = fs::read_to_string(file).expect("read output file");
        let (name, args) = match command_line(&shown, &text) {
            Ok(parsed) => parsed,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let should_fail = shown.to_string_lossy().ends_with(".fails.txt");
        let (succeeded, printed) = run(&name, &args);
        let expected_body = text.split_once('\n').map_or("", |(_, body)| body);
        if succeeded == should_fail {
            let wanted = if should_fail { "fail" } else { "succeed" };
            problems.push(format!(
                "{}: `{name}` should {wanted}; it printed:\n{printed}",
                shown.display()
            ));
        } else if comparable(&printed) != comparable(expected_body) {
            if blesses(&name) {
                let first = text.lines().next().unwrap_or_default();
                fs::write(file, format!("{first}\n{printed}")).expect("write output file");
            } else {
                problems.push(format!(
                    "{}: differs from what `{}` prints now, at {}\n  (if the change is intended: BLESS=1 cargo test --test output)",
                    shown.display(),
                    text.lines().next().unwrap_or_default(),
                    first_difference(expected_body, &printed)
                ));
            }
        }
        examples_run.push(name);
    }

    for example in fs::read_dir(root().join("examples")).expect("list examples") {
        let path = example.expect("directory entry").path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let measured = root().join(format!("book/src/measured/{name}.md"));
        if path.extension().is_some_and(|e| e == "rs")
            && !examples_run.iter().any(|run| run == name)
            && !measured.is_file()
        {
            problems.push(format!(
                "examples/{name}.rs: no file in book/src/output runs it; add one whose first line is `$ cargo run --example {name}` (or, for measurements, see tests/measured.rs)"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "output blocks:\n  {}\n",
        problems.join("\n  ")
    );
}
