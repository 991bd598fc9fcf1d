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
//! wrong answer, a distractor equal to the real output, no right option, an
//! answer nothing checks, or a missing file, anchor or block must fail it. Like tests/twins.rs, they need
//! `python3` 3.11 or later (for `tomllib`).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{COURSE_CHAPTERS, root};

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

/// The shared list of course chapters (tests/common/mod.rs) is SUMMARY.md's:
/// the chapters that have a `Practice:` page under them, in order.
#[test]
fn the_course_chapters_are_those_with_a_practice_page_in_the_summary() {
    let summary = fs::read_to_string(root().join("book/src/SUMMARY.md")).expect("SUMMARY.md");
    let mut with_practice = Vec::new();
    let mut chapter: Option<&str> = None;
    for line in summary.lines() {
        let Some(target) = line
            .split_once("](")
            .and_then(|(_, rest)| rest.split_once(".md)"))
            .map(|(target, _)| target)
        else {
            continue;
        };
        if line.starts_with("- ") {
            chapter = Some(target);
        } else if line.trim_start().starts_with("- [Practice:")
            && let Some(parent) = chapter
            && target == format!("practice/{parent}")
            && with_practice.last() != Some(&parent)
        {
            with_practice.push(parent);
        }
    }
    assert_eq!(
        with_practice, COURSE_CHAPTERS,
        "tests/common/mod.rs COURSE_CHAPTERS"
    );
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

/// A question that shows code, and whose answer nothing checks: no output
/// file, no compiler, no proof mark.
const UNCHECKED: &str = r#"
[[question]]
prompt = "How long does `one_after_another` take?"
code = "examples/waiting_together.rs:one_after_another"
explanation = "The waits add up."

[[question.option]]
text = "3.0 s"
correct = true

[[question.option]]
text = "1.2 s"
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
        (
            "right-with-a-proof-mark",
            UNCHECKED.replace(
                "The waits add up.",
                "The waits add up [✓](proof:waiting_together::one_after_another_waits_for_the_sum_of_the_latencies).",
            ),
        ),
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
            "two-options-with-one-text",
            prints.replace("text = \"[ 0.8s] got /weather  on thread main\"", "text = \"\"\"\n[ 1.2s] got /news     on thread main\n[ 2.0s] got /weather  on thread main\n[ 3.0s] got /sports   on thread main\"\"\"\ncorrect = false"),
            "two options have the same text",
        ),
        (
            "the-output-marked-wrong",
            prints
                .replace("correct = true", "correct = false")
                .replace(
                    "text = \"[ 0.8s] got /weather  on thread main\"",
                    "text = \"[ 0.8s] got /weather  on thread main\"\ncorrect = true",
                ),
            "but it is what",
        ),
        (
            "distractor-is-the-output-with-a-newline",
            prints.replace("text = \"[ 0.8s] got /weather  on thread main\"", "text = \"\"\"\n[ 1.2s] got /news     on thread main\n[ 2.0s] got /weather  on thread main\n[ 3.0s] got /sports   on thread main\n\"\"\""),
            "differ only in white space",
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
            "distractor-differs-only-in-trailing-spaces",
            prints.replace(
                "text = \"[ 0.8s] got /weather  on thread main\"",
                "text = \"\"\"\n[ 1.2s] got /news     on thread main  \n[ 2.0s] got /weather  on thread main\n[ 3.0s] got /sports   on thread main \"\"\"",
            ),
            "differ only in white space",
        ),
        (
            "answer-from-another-example",
            prints.replace(
                "answer_from =",
                "code = \"examples/lazy_future.rs:main\"\nanswer_from =",
            ),
            "is not what `examples/lazy_future.rs:main` prints",
        ),
        (
            "answer-from-the-python-twin",
            prints.replace(
                "answer_from = \"book/src/output/waiting_together.txt\"",
                "code = \"examples/waiting_together.rs:one_after_another\"\nanswer_from = \"book/src/output/waiting_together.py.txt\"",
            ),
            "is not what",
        ),
        (
            "answer-from-outside-the-output-files",
            prints.replace(
                "book/src/output/waiting_together.txt",
                "book/src/waiting_together.txt",
            ),
            "answers come from book/src/output/",
        ),
        (
            "lines-without-answer-from",
            prints.replace(
                "answer_from = \"book/src/output/waiting_together.txt\"\n",
                "",
            ),
            "`lines` without `answer_from`",
        ),
        (
            "what-it-prints-without-answer-from",
            prints.replace(
                "answer_from = \"book/src/output/waiting_together.txt\"\nlines = \"3-5\"\n",
                "",
            ),
            "asks what code prints",
        ),
        (
            "code-with-an-answer-nothing-checks",
            UNCHECKED.to_string(),
            "needs its answer checked",
        ),
        (
            "compile-fail-without-claims",
            COMPILES
                .replace("error = \"E0382\"\n", "")
                .replace("compiles = true\n", ""),
            "every option says",
        ),
        (
            "code-and-compile-fail",
            COMPILES.replace(
                "explanation =",
                "code = \"examples/lazy_future.rs:main\"\nexplanation =",
            ),
            "not both",
        ),
        (
            "malformed-proof-mark",
            prints.replace(
                "explanation = \"Because.\"",
                "explanation = \"Because [✓](proof:waiting_together).\"",
            ),
            "malformed proof mark",
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

/// A `compile_fail` block on a page names its error in a comment; the quiz
/// shows the block without its comments, or the listing would give the
/// answer away.
#[test]
fn no_quiz_listing_names_the_error() {
    let chapters: Vec<String> = COURSE_CHAPTERS
        .iter()
        .map(|stem| {
            format!(
                r#"{{"Chapter": {{"name": "{stem}", "content": "{{{{#quiz ../../quizzes/{stem}.toml}}}}\n", "number": null, "sub_items": [], "path": "{stem}.md", "source_path": "{stem}.md", "parent_names": []}}}}"#
            )
        })
        .collect();
    let book = format!(
        r#"[{{"root": ".", "config": {{}}, "renderer": "html", "mdbook_version": "0.5.4"}}, {{"items": [{}]}}]"#,
        chapters.join(", ")
    );
    let output = quiz_py(&[], Some(&book));
    assert!(output.status.success(), "{}", text(&output));
    let html = String::from_utf8_lossy(&output.stdout);
    let listings: Vec<&str> = html
        .split(r#"<pre class=\"quiz-code quiz-compile-fail\">"#)
        .skip(1)
        .map(|rest| rest.split("</pre>").next().unwrap_or(""))
        .collect();
    let questions = COURSE_CHAPTERS
        .iter()
        .map(|stem| {
            fs::read_to_string(root().join(format!("quizzes/{stem}.toml")))
                .expect("quiz exists")
                .lines()
                .filter(|l| l.starts_with("compile_fail = "))
                .count()
        })
        .sum::<usize>();
    assert_eq!(
        listings.len(),
        questions,
        "one listing per `compile_fail` question"
    );
    let telling: Vec<&str> = listings
        .iter()
        .flat_map(|listing| listing.split("&#10;"))
        .filter(|line| {
            line.split_once("//").is_some_and(|(_, comment)| {
                let comment = comment.to_lowercase();
                ["error", "compile", "send"]
                    .iter()
                    .any(|word| comment.contains(word))
            })
        })
        .collect();
    assert!(
        telling.is_empty(),
        "quiz listings that give the answer away:\n{}",
        telling.join("\n")
    );
}
