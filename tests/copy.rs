//! What you copy is what you write. A reader copies a listing into a project
//! of their own, made with the `cargo add` lines of the page "Your own
//! project" (`<!-- copy-test: dependencies -->`), or, for the "Real I/O"
//! part, those of its first page (`<!-- copy-test: real-io dependencies -->`).
//! This test makes those projects under `target/copy`, with exactly those
//! dependencies and the versions of this repository's Cargo.lock, copies
//! every example into them as a program of the reader's own (`src/bin`,
//! which gets no dev-dependency), as a reader would have it (the lines the
//! book hides because only the book needs them left out), and builds each,
//! and its tests, with warnings as errors. A listing that shows the paused
//! clock, or an example that uses a crate or a feature the page does not
//! name, fails here (tests/book.rs fails on any other book-only line shown).
//!
//! It then runs every example of the first project as a reader does (an
//! ignored test that check.sh runs alone, last: it times real runs), with
//! the real clock and the default runtime, all at once, and compares what
//! they print with the page's output block: the same lines, and every time
//! within a tenth of a second, panic locations aside (a copy without the
//! hidden lines has other line numbers). A run whose program (the built
//! file) and page are those of its last passing run is not repeated, unless
//! CI or FRESH is set: `target/copy/passed/` holds those runs.
//!
//! Last, it builds the two mistakes the page shows (`#[tokio::main]` without
//! `rt-multi-thread`, `start_paused` without `test-util`) and compares the
//! compiler's errors with `book/src/output/errors/*.txt`;
//! `BLESS=errors cargo test --test copy` rewrites those files.
//!
//! The projects share one target directory, so after the first run each
//! build takes a second or two.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use common::{anchored_lines, comparable, root};

fn copies() -> PathBuf {
    root().join("target/copy")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Writes `text` to `path` only if it differs, so that cargo rebuilds only
/// what changed.
fn write(path: &Path, text: &str) {
    if fs::read_to_string(path).ok().as_deref() != Some(text) {
        fs::create_dir_all(path.parent().expect("a file has a folder")).expect("create folder");
        fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
}

/// One `cargo add [--dev] CRATE [--features a,b]` line of a page.
#[derive(Debug, PartialEq)]
struct Add {
    dev: bool,
    name: String,
    default_features: bool,
    features: Vec<String>,
}

fn parse_add(line: &str) -> Result<Add, String> {
    let mut words = line.split_whitespace().skip(2);
    let (mut dev, mut name, mut default_features, mut features) = (false, None, true, Vec::new());
    while let Some(word) = words.next() {
        match word {
            "--dev" => dev = true,
            "--no-default-features" => default_features = false,
            "--features" => {
                let list = words.next().ok_or("`--features` without a list")?;
                features.extend(list.split(',').map(str::to_string));
            }
            flag if flag.starts_with('-') => return Err(format!("unknown flag `{flag}`")),
            crate_name if name.is_none() => name = Some(crate_name.to_string()),
            extra => return Err(format!("unexpected `{extra}`")),
        }
    }
    let name = name.ok_or("no crate named")?;
    Ok(Add {
        dev,
        name,
        default_features,
        features,
    })
}

/// The `cargo add` lines of the block after `marker` on `page`.
fn dependencies(page: &str, marker: &str) -> Vec<Add> {
    let text = read(&root().join("book/src").join(page));
    let after = text
        .split_once(marker)
        .unwrap_or_else(|| panic!("{page} has no `{marker}` before its `cargo add` block"))
        .1;
    let block = after
        .split("```")
        .nth(1)
        .unwrap_or_else(|| panic!("{page}: no code block after `{marker}`"));
    let adds: Vec<Add> = block
        .lines()
        .filter(|line| line.trim_start().starts_with("cargo add "))
        .map(|line| parse_add(line.trim()).unwrap_or_else(|e| panic!("{page}: `{line}`: {e}")))
        .collect();
    assert!(
        !adds.is_empty(),
        "{page}: no `cargo add` lines after `{marker}`"
    );
    adds
}

/// The version requirement this repository's Cargo.toml gives `name`, so the
/// copies resolve to the versions in Cargo.lock.
fn version_of(name: &str) -> String {
    let manifest = read(&root().join("Cargo.toml"));
    let line = manifest
        .lines()
        .find(|line| line.starts_with(&format!("{name} = ")))
        .unwrap_or_else(|| {
            panic!("Cargo.toml does not use `{name}`, which a page tells readers to add")
        });
    let value = &line[name.len() + 3..];
    let quoted = value
        .find("version = \"")
        .map(|at| &value[at + 10..])
        .or_else(|| {
            value
                .strip_prefix('"')
                .map(|v| &value[value.len() - v.len() - 1..])
        })
        .unwrap_or_else(|| panic!("Cargo.toml: no version for `{name}`"));
    quoted
        .split('"')
        .nth(1)
        .expect("a quoted version")
        .to_string()
}

fn manifest(package: &str, adds: &[Add]) -> String {
    let mut toml = format!(
        "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n"
    );
    for (section, dev) in [("dependencies", false), ("dev-dependencies", true)] {
        toml.push_str(&format!("\n[{section}]\n"));
        for add in adds.iter().filter(|add| add.dev == dev) {
            let features = add
                .features
                .iter()
                .map(|f| format!("\"{f}\""))
                .collect::<Vec<_>>();
            let defaults = if add.default_features {
                ""
            } else {
                "default-features = false, "
            };
            toml.push_str(&format!(
                "{} = {{ version = \"{}\", {defaults}features = [{}] }}\n",
                add.name,
                version_of(&add.name),
                features.join(", ")
            ));
        }
    }
    toml
}

/// Lines of each example that some page shows.
fn shown_lines() -> std::collections::BTreeMap<String, BTreeSet<usize>> {
    let mut shown: std::collections::BTreeMap<String, BTreeSet<usize>> = Default::default();
    for page in fs::read_dir(root().join("book/src")).expect("list book/src") {
        let page = page.expect("directory entry").path();
        if page.extension().is_none_or(|e| e != "md") {
            continue;
        }
        for part in read(&page)
            .split("{{#rustdoc_include ../../examples/")
            .skip(1)
        {
            let Some((file, rest)) = part.split_once(".rs:") else {
                continue;
            };
            let anchor = rest.split("}}").next().unwrap_or_default();
            let text = read(&root().join(format!("examples/{file}.rs")));
            shown
                .entry(file.to_string())
                .or_default()
                .extend(anchored_lines(&text, anchor).into_iter().map(|(n, _)| n));
        }
    }
    shown
}

/// An example as a reader has it: without the lines that only the book
/// needs and never shows (`extern crate` lines for `mdbook test`, the
/// paused clock). A book-only line in a listing stays, and fails the build.
fn reader_copy(text: &str, shown: &BTreeSet<usize>) -> String {
    let mut copy = String::new();
    let mut skip_next = false;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let book_only =
            trimmed.starts_with("extern crate ") || line.contains("feature = \"paused-clock\"");
        if std::mem::take(&mut skip_next) && !shown.contains(&(index + 1)) {
            continue;
        }
        if book_only && !shown.contains(&(index + 1)) {
            // `#[cfg(feature = "paused-clock")]` goes with the item below it.
            skip_next = trimmed == "#[cfg(feature = \"paused-clock\")]";
            continue;
        }
        copy.push_str(line);
        copy.push('\n');
    }
    copy
}

fn cargo(project: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO"))
        .current_dir(project)
        .args(args)
        .env("CARGO_TARGET_DIR", copies().join("target"))
        .env("RUSTFLAGS", "-D warnings")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        // No debug info: it changes no warning, and halves the disk it takes.
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .stdin(Stdio::null())
        .output()
        .expect("cannot run cargo");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn real_io_examples() -> BTreeSet<String> {
    let manifest = read(&root().join("Cargo.toml"));
    manifest
        .split("[[example]]")
        .filter(|entry| entry.contains("required-features = [\"real-io\"]"))
        .filter_map(|entry| entry.split('"').nth(1).map(str::to_string))
        .collect()
}

/// The versions this repository locks, for the copies: refreshed whenever
/// Cargo.lock changes (cargo then prunes what the copy does not use).
fn copy_lock(project: &Path) {
    let lock = read(&root().join("Cargo.lock"));
    let source = project.join("Cargo.lock.source");
    if fs::read_to_string(&source).ok().as_deref() != Some(lock.as_str()) {
        write(&project.join("Cargo.lock"), &lock);
        write(&source, &lock);
    }
}

/// The plain project, built once however many tests need it.
fn plain_project() -> &'static [String] {
    static BUILT: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        build_project(
            "plain",
            &dependencies("your-own-project.md", "<!-- copy-test: dependencies -->"),
            &plain_examples(),
        )
    })
}

/// Makes one project, copies `examples` into it, and builds them and their tests.
fn build_project(dir: &str, adds: &[Add], examples: &[String]) -> Vec<String> {
    let project = copies().join(dir);
    let shown = shown_lines();
    write(
        &project.join("Cargo.toml"),
        &manifest(&format!("my-{dir}"), adds),
    );
    copy_lock(&project);
    // Each example is a program of the reader's own, `src/bin/NAME.rs`: a
    // binary gets no dev-dependency (and so none of their tokio features).
    let folder = project.join("src/bin");
    for old in fs::read_dir(&folder).into_iter().flatten() {
        let old = old.expect("directory entry").path();
        let stem = old
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if !examples.contains(&stem) {
            fs::remove_file(&old).expect("remove an old copy");
        }
    }
    for name in examples {
        let text = read(&root().join(format!("examples/{name}.rs")));
        let copy = reader_copy(&text, shown.get(name).unwrap_or(&BTreeSet::new()));
        write(&folder.join(format!("{name}.rs")), &copy);
    }
    let mut problems = Vec::new();
    for args in [
        &["build", "--quiet", "--bins"][..],
        &["test", "--quiet", "--bins", "--no-run"],
    ] {
        let (ok, errors) = cargo(&project, args);
        if !ok {
            problems.push(format!(
                "target/copy/{dir}: `cargo {}` with warnings as errors failed:\n{errors}",
                args.join(" ")
            ));
        }
    }
    problems
}

/// The examples a reader runs with `cargo run --example NAME` and no feature.
fn plain_examples() -> Vec<String> {
    let real_io = real_io_examples();
    let mut names: Vec<String> = fs::read_dir(root().join("examples"))
        .expect("list examples")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .filter_map(|path| {
            path.file_stem()
                .and_then(|s| s.to_str())
                .map(str::to_string)
        })
        // The measuring examples are for the repository, not for copying.
        .filter(|name| !root().join(format!("book/src/measured/{name}.md")).exists())
        .filter(|name| !real_io.contains(name))
        .collect();
    names.sort();
    names
}

#[test]
fn every_example_builds_in_a_readers_own_project() {
    let mut problems = plain_project().to_vec();
    let real_io: Vec<String> = real_io_examples().into_iter().collect();
    problems.extend(build_project(
        "real-io",
        &dependencies("real-io.md", "<!-- copy-test: real-io dependencies -->"),
        &real_io,
    ));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Runs a copied example as a reader does; stdout and stderr go to one
/// file, so their lines keep the order a terminal shows.
fn run(exe: &Path, args: &[String], label: &str) -> (bool, String) {
    let capture = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("copy-{label}.txt"));
    let out = fs::File::create(&capture).expect("create capture file");
    let status = Command::new(exe)
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("clone capture file"))
        .stderr(out)
        .status()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
    (status.success(), read(&capture))
}

/// A reader's copy has no hidden lines and lives in `src/bin`, so a panic's
/// place differs from the page's: `panicked at examples/x.rs:44:24:` is
/// compared as `panicked at x.rs:L:C:`.
fn without_panic_location(output: &str) -> String {
    output
        .lines()
        .map(|line| match line.split_once(") panicked at ") {
            Some((thread, at)) => {
                let path = at.split(':').next().unwrap_or(at);
                // The copy is `src/bin/NAME.rs` where the book has `examples/NAME.rs`.
                let file = path.rsplit('/').next().unwrap_or(path);
                format!("{thread}) panicked at {file}:L:C:\n")
            }
            None => format!("{line}\n"),
        })
        .collect()
}

/// Lines the same once numbers are hidden, and every number within 0.1.
fn same_within_a_tenth(expected: &str, actual: &str) -> bool {
    let numbers = |line: &str| -> (String, Vec<f64>) {
        let mut shape = String::new();
        let mut found = Vec::new();
        let mut number = String::new();
        for c in line.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_digit() || (c == '.' && !number.is_empty()) {
                number.push(c);
            } else {
                if !number.is_empty() {
                    found.push(number.trim_end_matches('.').parse().unwrap_or(f64::NAN));
                    shape.push('#');
                    number.clear();
                }
                shape.push(c);
            }
        }
        (shape, found)
    };
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    e.len() == a.len()
        && e.iter().zip(&a).all(|(e, a)| {
            let ((es, en), (as_, an)) = (numbers(e), numbers(a));
            es == as_ && en.iter().zip(&an).all(|(x, y)| (x - y).abs() <= 0.1 + 1e-9)
        })
}

/// A reader's run of every example prints what the page shows.
///
/// Ignored by a plain `cargo test`: it times real runs, and a machine busy
/// compiling (as `check.sh` is while this would run beside `mdbook test`)
/// makes them late. `check.sh` runs it on its own, last, with
/// `cargo test --test copy -- --ignored`.
#[test]
#[ignore = "times real runs: check.sh runs it alone, on a quiet machine"]
fn a_readers_real_run_prints_what_the_page_shows() {
    let problems = plain_project();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let plain = plain_examples();
    let mut runs = Vec::new();
    for entry in fs::read_dir(root().join("book/src/output")).expect("list output files") {
        let file = entry.expect("directory entry").path();
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if !file.is_file() || name.ends_with(".py.txt") {
            continue;
        }
        let text = read(&file);
        let (command, expected) = text.split_once('\n').unwrap_or((&text, ""));
        let words: Vec<&str> = command.split_whitespace().collect();
        let ["$", "cargo", "run", "--example", example, rest @ ..] = words.as_slice() else {
            continue;
        };
        // Short runs only: a reader's run waits in real time.
        if !plain.iter().any(|p| p == example) {
            continue;
        }
        let args: Vec<String> = rest.iter().skip(1).map(|a| a.to_string()).collect();
        runs.push((name, example.to_string(), args, expected.to_string()));
    }
    assert!(runs.len() >= 10, "only {} short examples found", runs.len());
    let exe_dir = copies().join("target/debug");
    // A run whose program and page are those of its last passing run is not
    // repeated (CI and FRESH=1 repeat every run).
    let fresh = std::env::var_os("CI").is_some() || std::env::var_os("FRESH").is_some();
    let stamp = |file: &str| copies().join("passed").join(format!("{file}.key"));
    let key = |file: &str, example: &str, args: &[String], expected: &str| {
        let exe = fs::metadata(exe_dir.join(example)).expect("a built example");
        let mut hasher = std::hash::DefaultHasher::new();
        (file, args, expected, exe.len(), exe.modified().ok()).hash(&mut hasher);
        format!("{:016x}\n", hasher.finish())
    };
    let before = runs.len();
    runs.retain(|(file, example, args, expected)| {
        fresh || fs::read_to_string(stamp(file)).ok() != Some(key(file, example, args, expected))
    });
    let unchanged = before - runs.len();
    println!(
        "{} runs, {unchanged} unchanged since they last passed",
        runs.len()
    );
    let results: Vec<(String, Result<(), String>)> = thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .map(|(file, example, args, expected)| {
                let exe = exe_dir.join(example);
                scope.spawn(move || {
                    // A run is timed by the machine: when only a time is off,
                    // the machine was busy; try again, at most twice more.
                    let mut last = String::new();
                    for attempt in 0..3 {
                        let (succeeded, printed) = run(&exe, args, &format!("{file}-{attempt}"));
                        last = printed;
                        if succeeded != file.ends_with(".fails.txt")
                            && same_within_a_tenth(
                                &without_panic_location(&comparable(expected)),
                                &without_panic_location(&comparable(&last)),
                            )
                        {
                            return (file.clone(), Ok(()));
                        }
                        let shapes =
                            |s: &str| comparable(s).replace(|c: char| c.is_ascii_digit(), "#");
                        if shapes(expected) != shapes(&last) {
                            break;
                        }
                        thread::sleep(Duration::from_millis(100));
                    }
                    (file.clone(), Err(last))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a run"))
            .collect()
    });
    fs::create_dir_all(copies().join("passed")).expect("create target/copy/passed");
    for (file, example, args, expected) in &runs {
        let passed = results.iter().any(|(f, r)| f == file && r.is_ok());
        if passed {
            write(&stamp(file), &key(file, example, args, expected));
        } else {
            let _ = fs::remove_file(stamp(file));
        }
    }
    let problems: Vec<String> = results
        .into_iter()
        .filter_map(|(file, result)| {
            result
                .err()
                .map(|printed| format!("book/src/output/{file}: a real run printed:\n{printed}"))
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// One mistake the page shows: a program, the tokio features it is built
/// with, the cargo command, and the file that holds what the compiler says.
struct Mistake {
    file: &'static str,
    command: &'static str,
    features: &'static [&'static str],
    program: &'static str,
}

const MISTAKES: &[Mistake] = &[
    Mistake {
        file: "no-rt-multi-thread.txt",
        command: "build",
        features: &["macros", "rt"],
        program: "#[tokio::main]\nasync fn main() {\n    println!(\"hello\");\n}\n",
    },
    Mistake {
        file: "no-test-util.txt",
        command: "test",
        features: &["macros", "rt", "time"],
        program: "fn main() {\n    println!(\"hello\");\n}\n\n#[cfg(test)]\nmod tests {\n    use std::time::Duration;\n\n    #[tokio::test(start_paused = true)]\n    async fn sleeps_in_no_time() {\n        tokio::time::sleep(Duration::from_secs(60)).await;\n    }\n}\n",
    },
];

/// What cargo prints of the first error: from its first `error` line to
/// the line before `error: could not compile`.
fn first_error(stderr: &str) -> String {
    let mut lines = Vec::new();
    for line in stderr.lines().skip_while(|l| !l.starts_with("error")) {
        if line.starts_with("error: could not compile") || line.starts_with("For more information")
        {
            break;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines.join("\n") + "\n"
}

#[test]
fn the_first_mistakes_fail_as_the_page_shows() {
    let bless = std::env::var("BLESS").is_ok_and(|b| b == "errors");
    let mut problems = Vec::new();
    for mistake in MISTAKES {
        let project = copies().join(format!("mistake-{}", mistake.file.trim_end_matches(".txt")));
        let features: Vec<String> = mistake
            .features
            .iter()
            .map(|f| format!("\"{f}\""))
            .collect();
        write(
            &project.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"my-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\ntokio = {{ version = \"{}\", features = [{}] }}\n",
                version_of("tokio"),
                features.join(", ")
            ),
        );
        if !project.join("Cargo.lock").exists() {
            fs::copy(root().join("Cargo.lock"), project.join("Cargo.lock"))
                .expect("copy Cargo.lock");
        }
        write(&project.join("src/main.rs"), mistake.program);
        let args: &[&str] = if mistake.command == "test" {
            &["test", "--no-run"]
        } else {
            &["build"]
        };
        let (ok, stderr) = cargo(&project, args);
        let file = root().join("book/src/output/errors").join(mistake.file);
        if ok {
            problems.push(format!(
                "{}: `cargo {}` succeeded; the page says it fails",
                file.display(),
                mistake.command
            ));
            continue;
        }
        let shown = format!("$ cargo {}\n{}", mistake.command, first_error(&stderr));
        if read(&file) != shown {
            if bless {
                write(&file, &shown);
            } else {
                problems.push(format!(
                    "{}: the compiler now says:\n{shown}\n(if that is right: BLESS=errors cargo test --test copy)",
                    file.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
