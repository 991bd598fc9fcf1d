//! The exercises: `exercises/NAME.rs` is a starter that a reader edits,
//! `exercises/solutions/NAME.rs` its solution, and `exercises/tests/NAME.rs`
//! the tests both include with `#[path]`. This test checks that
//!
//! - each exercise has its three files, both `[[example]]` entries in
//!   Cargo.toml (the starter `test = false`, the solution `test = true`), and
//!   both programs include the shared tests file;
//! - the starter and the solution are the same file outside their anchors
//!   (but for the first comment and the `#[path]` line), so that the shown
//!   solution, pasted over the shown starter, builds;
//! - every solution passes its tests: `cargo test --example NAME_solution`;
//! - every starter compiles and FAILS its tests, by at least one failed test
//!   (a compile error does not count): `cargo test --example NAME`. One
//!   `cargo test --no-run` builds them all; their test programs then run
//!   side by side, each bounded in time; no test may be `#[ignore]`d;
//! - every course chapter has a practice page, `book/src/practice/STEM.md`,
//!   and every exercise is on exactly one of them, with its starter, its
//!   solution behind a disclosure, the command that runs its tests, and a
//!   link to its tests.
//!
//! See "Exercises" in CONTRIBUTING.md.

mod common;

use common::root;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The course chapters, by page stem: each has a practice page.
const CHAPTERS: &[&str] = common::COURSE_CHAPTERS;

/// Where a practice page links an exercise's tests (the repository that
/// book.toml names).
const TESTS_URL: &str = "https://github.com/async-rust-for-asyncio/book/blob/main/exercises/tests/";

/// How long one exercise's tests may run before they count as hung (a
/// starter's test that waits without a bound).
const TEST_LIMIT: Duration = Duration::from_secs(60);

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The names of the `.rs` files directly in `dir` (relative to the root).
fn rust_files(dir: &str) -> Vec<String> {
    let Ok(entries) = fs::read_dir(root().join(dir)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|e| e == "rs"))
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_string()))
        .collect();
    names.sort();
    names
}

/// Every exercise, by name: the starters in `exercises/`.
fn exercises() -> Vec<String> {
    rust_files("exercises")
}

fn fail_on(problems: Vec<String>, what: &str) {
    assert!(
        problems.is_empty(),
        "{what}:\n  {}\n",
        problems.join("\n  ")
    );
}

/// One `[[example]]` entry of Cargo.toml: its keys and values, comments
/// dropped.
fn example_entries(manifest: &str) -> Vec<Vec<(String, String)>> {
    manifest
        .split("[[example]]")
        .skip(1)
        .map(|entry| {
            entry
                .lines()
                .take_while(|line| !line.trim_start().starts_with('['))
                .filter_map(|line| {
                    let line = line.split(" #").next().unwrap_or_default();
                    let (key, value) = line.split_once('=')?;
                    Some((key.trim().to_string(), value.trim().to_string()))
                })
                .collect()
        })
        .collect()
}

/// The problems with the Cargo.toml entry of example `name`, which must be
/// exactly `name`, `path` and `test` with these values.
fn entry_problems(manifest: &str, name: &str, path: &str, test: bool) -> Vec<String> {
    let wanted = format!("[[example]]\nname = \"{name}\"\npath = \"{path}\"\ntest = {test}",);
    let entries: Vec<_> = example_entries(manifest)
        .into_iter()
        .filter(|entry| {
            entry
                .iter()
                .any(|(k, v)| k == "name" && *v == format!("\"{name}\""))
        })
        .collect();
    let expected = [
        ("name".to_string(), format!("\"{name}\"")),
        ("path".to_string(), format!("\"{path}\"")),
        ("test".to_string(), test.to_string()),
    ];
    match entries.as_slice() {
        [] => vec![format!(
            "Cargo.toml: add `{}` at the end (see CONTRIBUTING.md, \"Exercises\")",
            wanted.replace('\n', " ")
        )],
        [entry] if *entry == expected => vec![],
        [_] => vec![format!(
            "Cargo.toml: the entry of `{name}` must be exactly `{}`",
            wanted.replace('\n', " ")
        )],
        _ => vec![format!("Cargo.toml: `{name}` has more than one entry")],
    }
}

#[test]
fn every_exercise_has_a_starter_a_solution_tests_and_cargo_entries() {
    let manifest = read(&root().join("Cargo.toml"));
    let names = exercises();
    let mut problems = Vec::new();
    for name in &names {
        let starter = format!("exercises/{name}.rs");
        let solution = format!("exercises/solutions/{name}.rs");
        let tests = format!("exercises/tests/{name}.rs");
        problems.extend(entry_problems(&manifest, name, &starter, false));
        problems.extend(entry_problems(
            &manifest,
            &format!("{name}_solution"),
            &solution,
            true,
        ));
        for (file, include, anchor) in [
            (&starter, format!("tests/{name}.rs"), "starter"),
            (&solution, format!("../tests/{name}.rs"), "solution"),
        ] {
            let Ok(text) = fs::read_to_string(root().join(file)) else {
                problems.push(format!("{file}: missing; every exercise has one"));
                continue;
            };
            let module = format!("#[cfg(test)]\n#[path = \"{include}\"]\nmod tests;");
            if !text.contains(&module) {
                problems.push(format!(
                    "{file}: end it with `{}`, outside every anchor, so that it runs the shared tests",
                    module.replace('\n', " ")
                ));
            }
            if !text.contains(&format!("// ANCHOR: {anchor}")) {
                problems.push(format!(
                    "{file}: mark what the practice page shows with `// ANCHOR: {anchor}`"
                ));
            }
            if !text.starts_with("// ") {
                problems.push(format!(
                    "{file}:1: start with a comment line that says what the exercise is"
                ));
            }
        }
        match fs::read_to_string(root().join(&tests)) {
            Err(_) => problems.push(format!(
                "{tests}: missing; the starter and the solution share their tests there"
            )),
            Ok(text) => {
                if !text.lines().any(|l| {
                    let l = l.trim_start();
                    l.starts_with("#[test]") || l.starts_with("#[tokio::test")
                }) {
                    problems.push(format!("{tests}: has no `#[test]` or `#[tokio::test]`"));
                }
            }
        }
    }
    // Files and entries that belong to no starter.
    for dir in ["exercises/solutions", "exercises/tests"] {
        for orphan in rust_files(dir).into_iter().filter(|n| !names.contains(n)) {
            problems.push(format!(
                "{dir}/{orphan}.rs: there is no exercises/{orphan}.rs for it"
            ));
        }
    }
    for entry in example_entries(&manifest) {
        let value = |key: &str| {
            entry
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim_matches('"').to_string())
        };
        if let (Some(name), Some(path)) = (value("name"), value("path")) {
            if path.starts_with("exercises/") && !root().join(&path).is_file() {
                problems.push(format!(
                    "Cargo.toml: example `{name}` names `{path}`, which does not exist"
                ));
            }
        }
    }
    fail_on(problems, "exercise files");
}

/// `text` without its first comment (the lines up to the first that is
/// not a `//` comment) and without the lines from `// ANCHOR: {anchor}` to
/// its `ANCHOR_END`, which become one line `(the anchored part)`; the `#[path]`
/// line becomes `#[path]`. Each remaining line comes with its line number.
fn outside_the_anchor(text: &str, anchor: &str) -> Vec<(usize, String)> {
    let mut lines = Vec::new();
    let mut header = true;
    let mut inside = false;
    for (index, line) in text.lines().enumerate() {
        if header && line.starts_with("//") {
            continue;
        }
        header = false;
        let trimmed = line.trim();
        if trimmed == format!("// ANCHOR: {anchor}") {
            inside = true;
            lines.push((index + 1, "(the anchored part)".to_string()));
        } else if trimmed == format!("// ANCHOR_END: {anchor}") {
            inside = false;
        } else if !inside {
            let line = if trimmed.starts_with("#[path = ") {
                "#[path]"
            } else {
                line
            };
            lines.push((index + 1, line.to_string()));
        }
    }
    lines
}

#[test]
fn every_starter_and_its_solution_differ_only_inside_their_anchors() {
    let mut problems = Vec::new();
    for name in exercises() {
        let (Ok(starter), Ok(solution)) = (
            fs::read_to_string(root().join(format!("exercises/{name}.rs"))),
            fs::read_to_string(root().join(format!("exercises/solutions/{name}.rs"))),
        ) else {
            continue; // reported by the test of the files
        };
        let starter = outside_the_anchor(&starter, "starter");
        let solution = outside_the_anchor(&solution, "solution");
        let first_difference = starter
            .iter()
            .map(Some)
            .chain(std::iter::repeat(None))
            .zip(solution.iter().map(Some).chain(std::iter::repeat(None)))
            .take(starter.len().max(solution.len()))
            .find(|(a, b)| a.map(|(_, l)| l) != b.map(|(_, l)| l));
        if let Some((a, b)) = first_difference {
            let show = |file: &str, line: Option<&(usize, String)>| match line {
                Some((number, text)) => format!("{file}:{number}: `{text}`"),
                None => format!("{file}: (ends)"),
            };
            problems.push(format!(
                "{} differs from {}: the shown solution, pasted over the shown starter, must build; keep everything outside the anchors the same",
                show(&format!("exercises/{name}.rs"), a),
                show(&format!("exercises/solutions/{name}.rs"), b),
            ));
        }
    }
    fail_on(
        problems,
        "starters and solutions that differ outside their anchors",
    );
}

/// What one run of an example's tests printed, whether it succeeded, and
/// whether it was killed for running too long.
struct Run {
    success: bool,
    killed: bool,
    output: String,
}

/// Builds the tests of the given examples with one `cargo test --no-run`
/// (what `cargo test --features real-io --example NAME` builds, into
/// target/debug), and returns each example's test program, or what cargo
/// printed when the build failed.
fn build_tests(examples: &[String]) -> Result<Vec<(String, PathBuf)>, String> {
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(root()).args([
        "test",
        "--locked",
        "--features",
        "real-io",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]);
    for example in examples {
        command.args(["--example", example]);
    }
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    // Each built test program is a line such as
    // {"reason":"compiler-artifact",...,"target":{..."name":"NAME",...},...,"executable":"/path"}
    let field = |line: &str, key: &str| -> Option<String> {
        let rest = &line[line.find(&format!("\"{key}\":\""))? + key.len() + 4..];
        Some(rest[..rest.find('"')?].to_string())
    };
    Ok(stdout
        .lines()
        .filter(|line| line.contains("\"reason\":\"compiler-artifact\""))
        .filter_map(|line| {
            Some((
                field(line, "name")?,
                PathBuf::from(field(line, "executable")?),
            ))
        })
        .filter(|(name, _)| examples.contains(name))
        .collect())
}

/// Runs one example's test program, with stdin closed, as `cargo test`
/// would; a run that takes longer than `TEST_LIMIT` is killed.
fn run_tests(example: &str, program: &Path) -> Run {
    let capture = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("exercise-{example}.txt"));
    let out = File::create(&capture).expect("create capture file");
    let mut child = Command::new(program)
        .current_dir(root())
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("clone capture file"))
        .stderr(out)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the tests") {
            break Some(status);
        }
        if started.elapsed() > TEST_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut output = read(&capture);
    if status.is_none() {
        output.push_str(&format!(
            "\n(killed after {} s: bound every wait in the tests with tokio::time::timeout on the paused clock)",
            TEST_LIMIT.as_secs()
        ));
    }
    Run {
        success: status.is_some_and(|s| s.success()),
        killed: status.is_none(),
        output,
    }
}

/// The passed, failed and ignored counts of every libtest summary in
/// `output` (`test result: FAILED. 1 passed; 2 failed; 0 ignored; ...`),
/// added up; `None` when no test ran (the program did not compile).
fn test_counts(output: &str) -> Option<(usize, usize, usize)> {
    let mut total: Option<(usize, usize, usize)> = None;
    for line in output.lines() {
        let Some(rest) = line.strip_prefix("test result: ") else {
            continue;
        };
        let count = |label: &str| -> usize {
            rest.split(';')
                .find_map(|part| {
                    part.trim()
                        .strip_suffix(label)?
                        .trim()
                        .rsplit(' ')
                        .next()?
                        .parse()
                        .ok()
                })
                .unwrap_or(0)
        };
        let (passed, failed, ignored) = total.unwrap_or((0, 0, 0));
        total = Some((
            passed + count(" passed"),
            failed + count(" failed"),
            ignored + count(" ignored"),
        ));
    }
    total
}

/// The end of a long output, where cargo says what went wrong.
fn tail(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let from = lines.len().saturating_sub(40);
    format!("    | {}", lines[from..].join("\n    | "))
}

#[test]
fn every_solution_passes_its_tests_and_every_starter_fails_them() {
    let mut problems = Vec::new();
    let names = exercises();
    let examples: Vec<String> = names
        .iter()
        .flat_map(|name| [name.clone(), format!("{name}_solution")])
        .collect();
    let programs = match build_tests(&examples) {
        Ok(programs) => programs,
        Err(output) => panic!(
            "the exercises' tests do not build (a starter must compile too):\n{}",
            tail(&output)
        ),
    };
    let program = |example: &str| {
        programs
            .iter()
            .find(|(name, _)| name == example)
            .map(|(_, path)| path.clone())
            .unwrap_or_else(|| panic!("cargo built no test program for `{example}`"))
    };
    // All at once: each program runs on the paused clock, so its tests take
    // milliseconds, and a starter that sleeps in real time waits alone.
    let runs: Vec<(String, Run, Run)> = std::thread::scope(|scope| {
        let handles: Vec<_> = names
            .iter()
            .map(|name| {
                let (solution, starter) = (program(&format!("{name}_solution")), program(name));
                scope.spawn(move || {
                    let solved = run_tests(&format!("{name}_solution"), &solution);
                    (name.clone(), solved, run_tests(name, &starter))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a run"))
            .collect()
    });
    for (name, run, starter_run) in runs {
        let solution = format!("{name}_solution");
        for (example, run) in [(&solution, &run), (&name, &starter_run)] {
            if let Some((_, _, ignored @ 1..)) = test_counts(&run.output) {
                problems.push(format!(
                    "exercises/tests/{name}.rs: `cargo test --example {example}` ignored {ignored} test(s); remove `#[ignore]`, every test must run"
                ));
            }
        }
        match test_counts(&run.output) {
            _ if run.killed => problems.push(format!(
                "exercises/solutions/{name}.rs: `cargo test --example {solution}` was killed after {} s; bound every wait with tokio::time::timeout on the paused clock:\n{}",
                TEST_LIMIT.as_secs(),
                tail(&run.output)
            )),
            _ if !run.success => problems.push(format!(
                "exercises/solutions/{name}.rs: `cargo test --example {solution}` fails; fix the solution or the tests:\n{}",
                tail(&run.output)
            )),
            Some((passed, 0, _)) if passed > 0 => {}
            _ => problems.push(format!(
                "exercises/solutions/{name}.rs: `cargo test --example {solution}` ran no test; check its `#[path]` module:\n{}",
                tail(&run.output)
            )),
        }
        let run = starter_run;
        match test_counts(&run.output) {
            _ if run.killed => problems.push(format!(
                "exercises/{name}.rs: `cargo test --example {name}` was killed after {} s; a starter must fail its tests, not hang (bound every wait in the tests with tokio::time::timeout on the paused clock, and keep the starter's real waits short):\n{}",
                TEST_LIMIT.as_secs(),
                tail(&run.output)
            )),
            None => problems.push(format!(
                "exercises/{name}.rs: `cargo test --example {name}` ran no test; a starter must fail a test (by an assertion or a panic):\n{}",
                tail(&run.output)
            )),
            Some((_, 0, _)) => problems.push(format!(
                "exercises/{name}.rs: every test passes on the starter; it must fail at least one (by an assertion or a panic), or the reader has nothing to do"
            )),
            Some(_) if run.success => problems.push(format!(
                "exercises/{name}.rs: its tests reported failures but exited 0:\n{}",
                tail(&run.output)
            )),
            Some(_) => {}
        }
    }
    fail_on(problems, "exercises that do not prove what they should");
}

/// The files that `{{#rustdoc_include FILE:ANCHOR}}` lines of a page name,
/// canonical, with the anchor and the line number.
fn includes(page: &Path, text: &str) -> Vec<(PathBuf, String, usize)> {
    let dir = page.parent().expect("a page lives in a folder");
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let args = line
                .trim()
                .strip_prefix("{{#rustdoc_include ")?
                .strip_suffix("}}")?;
            let (file, anchor) = args.trim().split_once(':').unwrap_or((args.trim(), ""));
            let file = fs::canonicalize(dir.join(file)).ok()?;
            Some((file, anchor.to_string(), index + 1))
        })
        .collect()
}

#[test]
fn every_chapter_has_a_practice_page_and_every_exercise_is_on_one() {
    let practice = root().join("book/src/practice");
    let mut problems = Vec::new();
    let missing: Vec<&str> = CHAPTERS
        .iter()
        .copied()
        .filter(|stem| !practice.join(format!("{stem}.md")).is_file())
        .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "book/src/practice/: no practice page for {} (write book/src/practice/STEM.md with one or two exercises, and list it in SUMMARY.md under its chapter)",
            missing.join(", ")
        ));
    }
    let mut pages: Vec<PathBuf> = fs::read_dir(&practice)
        .map(|entries| {
            entries
                .map(|entry| entry.expect("directory entry").path())
                .filter(|path| path.extension().is_some_and(|e| e == "md"))
                .collect()
        })
        .unwrap_or_default();
    pages.sort();
    let texts: Vec<(PathBuf, String)> = pages.into_iter().map(|p| (p.clone(), read(&p))).collect();
    let canonical = |path: String| fs::canonicalize(root().join(&path)).ok();

    for (page, text) in &texts {
        let shown = page
            .strip_prefix(root())
            .unwrap_or(page)
            .display()
            .to_string();
        let found = includes(page, text);
        let starters = found
            .iter()
            .filter(|(_, anchor, _)| anchor == "starter")
            .count();
        let solutions = found
            .iter()
            .filter(|(_, anchor, _)| anchor == "solution")
            .count();
        if starters == 0 || solutions == 0 {
            problems.push(format!(
                "{shown}: shows no exercise; include a starter (`:starter`) and its solution (`:solution`)"
            ));
        }
    }

    for name in exercises() {
        let Some(starter) = canonical(format!("exercises/{name}.rs")) else {
            continue;
        };
        let solution = canonical(format!("exercises/solutions/{name}.rs"));
        let on: Vec<&(PathBuf, String)> = texts
            .iter()
            .filter(|(page, text)| {
                includes(page, text)
                    .iter()
                    .any(|(file, anchor, _)| *file == starter && anchor == "starter")
            })
            .collect();
        let (page, text) = match on.as_slice() {
            [one] => *one,
            [] => {
                problems.push(format!(
                    "exercises/{name}.rs: on no practice page; show it with `{{{{#rustdoc_include ../../../exercises/{name}.rs:starter}}}}`"
                ));
                continue;
            }
            many => {
                let pages: Vec<String> =
                    many.iter().map(|(p, _)| p.display().to_string()).collect();
                problems.push(format!(
                    "exercises/{name}.rs: on more than one practice page ({}); keep it on one",
                    pages.join(", ")
                ));
                continue;
            }
        };
        let shown = page
            .strip_prefix(root())
            .unwrap_or(page)
            .display()
            .to_string();
        let lines: Vec<&str> = text.lines().collect();
        let solution_at = includes(page, text)
            .into_iter()
            .find_map(|(file, anchor, line)| {
                (Some(&file) == solution.as_ref() && anchor == "solution").then_some(line)
            });
        match solution_at {
            None => problems.push(format!(
                "{shown}: shows the starter of `{name}` but not its solution; add `{{{{#rustdoc_include ../../../exercises/solutions/{name}.rs:solution}}}}` in a `<details class=\"solution\">`"
            )),
            Some(line) => {
                // The closest `<details` or `</details>` above must open the disclosure.
                let opened = lines[..line - 1]
                    .iter()
                    .rev()
                    .find(|l| l.contains("<details") || l.contains("</details>"))
                    .is_some_and(|l| l.contains("<details class=\"solution\">"));
                if !opened {
                    problems.push(format!(
                        "{shown}:{line}: put the solution of `{name}` inside `<details class=\"solution\">` so that readers open it when they want it"
                    ));
                }
            }
        }
        let command = format!("$ cargo test --example {name}");
        if !lines.iter().any(|l| l.trim() == command) {
            problems.push(format!(
                "{shown}: show the command that runs the tests of `{name}`, `{command}`, in a console block"
            ));
        }
        let link = format!("{TESTS_URL}{name}.rs");
        if !text.contains(&link) {
            problems.push(format!("{shown}: link the tests of `{name}`: {link}"));
        }
    }
    fail_on(problems, "practice pages");
}

#[test]
fn test_counts_add_up_libtest_summaries() {
    let output = "running 2 tests\ntest result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.13s\n";
    assert_eq!(test_counts(output), Some((1, 1, 0)));
    let output = "test result: ok. 3 passed; 0 failed; 1 ignored\ntest result: ok. 2 passed; 0 failed; 0 ignored\n";
    assert_eq!(test_counts(output), Some((5, 0, 1)));
    assert_eq!(test_counts("error[E0308]: mismatched types\n"), None);
}

#[test]
fn outside_the_anchor_drops_the_header_the_anchor_and_the_path() {
    let starter = "// Exercise: A.\n// Run it.\n\nuse x;\n// ANCHOR: starter\nfn f() {}\n// ANCHOR_END: starter\n#[path = \"tests/a.rs\"]\nmod tests;\n";
    let solution = "// Exercise: A.\n\nuse x;\n// ANCHOR: solution\nfn f() { g() }\nfn g() {}\n// ANCHOR_END: solution\n#[path = \"../tests/a.rs\"]\nmod tests;\n";
    let text = |lines: Vec<(usize, String)>| lines.into_iter().map(|(_, l)| l).collect::<Vec<_>>();
    assert_eq!(
        text(outside_the_anchor(starter, "starter")),
        ["", "use x;", "(the anchored part)", "#[path]", "mod tests;"]
    );
    assert_eq!(
        text(outside_the_anchor(starter, "starter")),
        text(outside_the_anchor(solution, "solution"))
    );
}
