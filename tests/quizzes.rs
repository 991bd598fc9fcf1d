//! The chapter quizzes (`quizzes/STEM.toml`, shown by `{{#quiz}}` at the end
//! of each course chapter) cannot drift from the book: every answer about
//! what a program prints is a checked output file's lines, and every answer
//! about whether code compiles is what the compiler says (examples/ builds;
//! tests/compile_fail.py checks each `compile_fail` block's error).
//!
//! The checks live in `book/quiz.py`, the preprocessor that renders the
//! quizzes, so the book shows exactly what was checked: one parser, not two.
//! These tests run it (`python3 book/quiz.py check`), check that each course
//! chapter ends with its quiz, and check the checker itself: a quiz with a
//! wrong answer, a distractor equal to the real output, no right option or a
//! missing file, anchor or block must fail it. Like tests/twins.rs, they need
//! `python3` 3.11 or later (for `tomllib`).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::root;

/// The course chapters, each with a quiz of the same stem.
const COURSE_CHAPTERS: &[&str] = &[
    "what-and-why",
    "async-functions",
    "async-iterators",
    "async-context-managers",
    "context-manager-classes",
    "async-generators",
    "async-comprehensions",
    "coroutines-and-awaitables",
    "running-and-cancelling",
    "types-of-awaitables",
    "tasks",
    "event-loop",
    "futures",
];

const HEADING: &str = "## Check yourself";

fn quiz_py(args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut command = Command::new("python3");
    command
        .arg(root().join("book/quiz.py"))
        .args(args)
        .current_dir(root());
    command.stdin(std::process::Stdio::piped());
    command.stdout(std::process::Stdio::piped());
    command.stderr(std::process::Stdio::piped());
    let mut child = command
        .spawn()
        .expect("python3 runs book/quiz.py (the quizzes need Python 3.11 or later)");
    let mut input = child.stdin.take().expect("stdin is piped");
    input
        .write_all(stdin.unwrap_or("").as_bytes())
        .expect("python3 reads its input");
    drop(input);
    child.wait_with_output().expect("python3 finishes")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn every_quiz_answer_agrees_with_the_book() {
    let output = quiz_py(&["check"], None);
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn every_course_chapter_ends_with_its_quiz() {
    let mut problems = Vec::new();
    for stem in COURSE_CHAPTERS {
        let page = format!("book/src/{stem}.md");
        let source = fs::read_to_string(root().join(&page)).expect("chapter exists");
        let directive = format!("{{{{#quiz ../../quizzes/{stem}.toml}}}}");
        let Some((_, tail)) = source.rsplit_once(&format!("\n{HEADING}\n")) else {
            problems.push(format!("{page}: no `{HEADING}` heading"));
            continue;
        };
        let lines: Vec<&str> = tail.lines().filter(|l| !l.trim().is_empty()).collect();
        let intro = lines.len().saturating_sub(1);
        if lines.last() != Some(&directive.as_str()) || intro > 1 {
            problems.push(format!(
                "{page}: `{HEADING}` must end the page, with at most one line of intro, then `{directive}`"
            ));
        }
        if !root().join(format!("quizzes/{stem}.toml")).is_file() {
            problems.push(format!("quizzes/{stem}.toml does not exist"));
        }
    }
    for entry in fs::read_dir(root().join("quizzes")).expect("quizzes/ exists") {
        let path = entry.expect("readable").path();
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if !COURSE_CHAPTERS.contains(&stem) || path.extension().is_none_or(|e| e != "toml") {
            problems.push(format!(
                "{}: not the quiz of a course chapter",
                path.display()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A quiz file written for one test, under target/.
fn quiz_file(name: &str, toml: &str) -> PathBuf {
    let dir = root().join("target/quiz-checks");
    fs::create_dir_all(&dir).expect("target/ is writable");
    let path = dir.join(format!("{name}.toml"));
    fs::write(&path, toml).expect("target/ is writable");
    path
}

fn check(path: &Path) -> Output {
    quiz_py(&["check", path.to_str().expect("UTF-8 path")], None)
}

/// A question about what `waiting_together` prints, its lines 3-5 (the
/// first three downloads, one after another) as the right option, and `rest`
/// appended: a base that passes, which each case below breaks once.
const PRINTS: &str = r#"
[[question]]
prompt = "What does it print?"
answer_from = "book/src/output/waiting_together.txt"
lines = "3-5"
explanation = "Because."

[[question.option]]
text = """
[ 1.2s] got /news     on thread main
[ 2.0s] got /weather  on thread main
[ 3.0s] got /sports   on thread main"""
correct = true
"#;

const COMPILES: &str = r#"
[[question]]
prompt = "Does it compile?"
compile_fail = { page = "book/src/futures.md", error = "E0382" }
explanation = "Because."

[[question.option]]
text = "No"
error = "E0382"
correct = true

[[question.option]]
text = "Yes"
compiles = true
"#;

const DISTRACTOR: &str = r#"
[[question.option]]
text = "[ 0.8s] got /weather  on thread main"
"#;

#[test]
fn the_checker_passes_a_right_quiz() {
    for (name, toml) in [
        ("right-prints", format!("{PRINTS}{DISTRACTOR}")),
        ("right-compiles", COMPILES.to_string()),
    ] {
        let output = check(&quiz_file(name, &toml));
        assert!(output.status.success(), "{name}: {}", text(&output));
    }
}

#[test]
fn the_checker_fails_a_wrong_quiz() {
    let prints = format!("{PRINTS}{DISTRACTOR}");
    let cases = [
        (
            "wrong-answer",
            prints.replace("[ 3.0s] got /sports", "[ 2.9s] got /sports"),
            "it is not what",
        ),
        (
            "distractor-equals-output",
            prints.replace("text = \"[ 0.8s] got /weather  on thread main\"", "text = \"\"\"\n[ 1.2s] got /news     on thread main\n[ 2.0s] got /weather  on thread main\n[ 3.0s] got /sports   on thread main\"\"\"\ncorrect = false"),
            "two options have the same text",
        ),
        (
            "distractor-is-the-output-with-a-newline",
            prints.replace("text = \"[ 0.8s] got /weather  on thread main\"", "text = \"\"\"\n[ 1.2s] got /news     on thread main\n[ 2.0s] got /weather  on thread main\n[ 3.0s] got /sports   on thread main\n\"\"\""),
            "but it is what",
        ),
        (
            "no-right-option",
            prints.replace("correct = true", "correct = false"),
            "no option is marked",
        ),
        (
            "missing-output-file",
            prints.replace("waiting_together.txt", "waiting_together_gone.txt"),
            "does not exist",
        ),
        (
            "lines-out-of-range",
            prints.replace("lines = \"3-5\"", "lines = \"9-12\""),
            "has output on lines",
        ),
        (
            "missing-anchor",
            COMPILES.replace(
                "compile_fail = { page = \"book/src/futures.md\", error = \"E0382\" }",
                "code = \"examples/lazy_future.rs:no_such_anchor\"",
            ),
            "no non-empty anchor",
        ),
        (
            "missing-compile-fail-block",
            COMPILES.replace("error = \"E0382\" }", "error = \"E0499\" }"),
            "compile_fail blocks whose error",
        ),
        (
            "says-it-compiles",
            COMPILES
                .replace("correct = true", "")
                .replace("compiles = true", "compiles = true\ncorrect = true"),
            "but it fails with `E0382`",
        ),
        (
            "example-said-not-to-compile",
            COMPILES.replace(
                "compile_fail = { page = \"book/src/futures.md\", error = \"E0382\" }",
                "code = \"examples/lazy_future.rs:main\"",
            ),
            "but it compiles",
        ),
        (
            "proof-mark-naming-no-test",
            prints.replace(
                "explanation = \"Because.\"",
                "explanation = \"Because [✓](proof:waiting_together::no_such_test).\"",
            ),
            "has no test `no_such_test`",
        ),
        (
            "unknown-key",
            prints.replace("explanation =", "hint = \"not a key\"\nexplanation ="),
            "unknown keys",
        ),
    ];
    for (name, toml, expected) in cases {
        let output = check(&quiz_file(name, &toml));
        let said = text(&output);
        assert!(
            !output.status.success(),
            "{name}: the checker passed it:\n{toml}"
        );
        assert!(
            said.contains(expected),
            "{name}: expected `{expected}` in:\n{said}"
        );
    }
}

#[test]
fn a_quiz_directive_naming_a_missing_file_stops_the_build() {
    let book = r##"[{"root": ".", "config": {}, "renderer": "html", "mdbook_version": "0.5.4"},
        {"items": [{"Chapter": {"name": "Tasks", "content": "# Tasks\n\n{{#quiz ../../quizzes/no-such-quiz.toml}}\n",
        "number": null, "sub_items": [], "path": "tasks.md", "source_path": "tasks.md", "parent_names": []}}]}]"##;
    let output = quiz_py(&[], Some(book));
    assert!(!output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("no such file"), "{}", text(&output));

    // The same chapter with a quiz that exists comes back as HTML, one
    // fieldset per question, and no directive left.
    let good = book.replace("no-such-quiz", "what-and-why");
    let output = quiz_py(&[], Some(&good));
    let html = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", text(&output));
    assert!(!html.contains("{{#quiz"), "{html}");
    let questions = fs::read_to_string(root().join("quizzes/what-and-why.toml"))
        .expect("quiz exists")
        .lines()
        .filter(|l| l.trim() == "[[question]]")
        .count();
    assert_eq!(
        html.matches("<fieldset class=\\\"quiz-question\\\"")
            .count(),
        questions
    );
}
