//! Checks that mdBook itself lets pass: every `{{#include}}` and
//! `{{#rustdoc_include}}` names a file and an anchor that exist, every Rust
//! block on a page comes from an example and every Python block from a Python
//! twin, every example, twin and output file is shown somewhere, and the
//! book's layout is what the build relies on.
//!
//! Each failure names the file and line to fix. See CONTRIBUTING.md.

mod common;

use common::anchored_lines;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The line that must precede a Rust block written in the page itself.
const INLINE_MARKER: &str = "<!-- inline-rust:";

/// The line that must precede a Python block written in the page itself.
const INLINE_PYTHON_MARKER: &str = "<!-- inline-python:";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn src() -> PathBuf {
    root().join("book/src")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `path` relative to the repository root, for messages.
fn shown(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn files_in(dir: &str, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == extension))
        .collect();
    files.sort();
    files
}

/// The chapter files that `SUMMARY.md` links to, in order.
fn chapters() -> Vec<PathBuf> {
    let summary = read(&src().join("SUMMARY.md"));
    summary
        .lines()
        .filter_map(|line| {
            let start = line.find("](")? + 2;
            let end = start + line[start..].find(')')?;
            Some(src().join(&line[start..end]))
        })
        .collect()
}

/// One `{{#kind args}}` directive on a page.
struct Directive {
    line: usize,
    kind: String,
    args: String,
    in_rust_block: bool,
    in_python_block: bool,
}

/// One fenced code block on a page.
struct Block {
    line: usize,
    info: String,
    body: Vec<String>,
    /// The line before the block: where an inline marker would be.
    previous: String,
    /// The non-blank line before `previous`: where a compile-fail message is pinned.
    before_previous: String,
}

impl Block {
    /// rustdoc compiles a block whose info string is empty, starts with
    /// `rust`, or holds only rustdoc attributes such as `ignore`.
    fn is_rust(&self) -> bool {
        let tokens: Vec<&str> = self
            .info
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
            .collect();
        tokens.first().is_none_or(|first| *first == "rust")
            || tokens.iter().all(|t| is_rustdoc_attribute(t))
    }

    fn is_python(&self) -> bool {
        let first = self.info.split([',', ' ']).next().unwrap_or_default();
        matches!(first, "python" | "py" | "python3")
    }

    fn marked_with(&self, marker: &str) -> bool {
        self.previous.trim_start().starts_with(marker)
    }

    /// The body's one line, if that is all it holds.
    fn only_line(&self) -> Option<&str> {
        let lines: Vec<&str> = self
            .body
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        match lines.as_slice() {
            [only] => Some(only),
            _ => None,
        }
    }
}

fn is_rustdoc_attribute(token: &str) -> bool {
    matches!(
        token,
        "ignore" | "should_panic" | "no_run" | "compile_fail" | "test_harness" | "standalone_crate"
    ) || token.starts_with("edition")
        || (token.len() == 5
            && token.starts_with('E')
            && token[1..].bytes().all(|b| b.is_ascii_digit()))
}

struct Page {
    path: PathBuf,
    blocks: Vec<Block>,
    directives: Vec<Directive>,
}

impl Page {
    fn parse(path: &Path) -> Page {
        let text = read(path);
        let mut blocks: Vec<Block> = Vec::new();
        let mut directives = Vec::new();
        let mut open: Option<(String, Block)> = None;
        let mut previous = "";
        let mut before_previous = "";
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let trimmed = raw.trim_start();
            let fence: String = trimmed
                .chars()
                .take_while(|c| *c == '`' || *c == '~')
                .collect();
            let is_fence =
                fence.len() >= 3 && fence.chars().all(|c| c == fence.as_bytes()[0] as char);
            match open.take() {
                Some((opening, block))
                    if is_fence
                        && fence.starts_with(&opening)
                        && trimmed[fence.len()..].trim().is_empty() =>
                {
                    blocks.push(block);
                }
                Some((opening, mut block)) => {
                    block.body.push(raw.to_string());
                    open = Some((opening, block));
                }
                None if is_fence => {
                    let block = Block {
                        line,
                        info: trimmed[fence.len()..].trim().to_string(),
                        body: Vec::new(),
                        previous: previous.to_string(),
                        before_previous: before_previous.to_string(),
                    };
                    open = Some((fence, block));
                }
                None => {}
            }
            let in_rust_block = open.as_ref().is_some_and(|(_, block)| block.is_rust());
            let in_python_block = open.as_ref().is_some_and(|(_, block)| block.is_python());
            directives.extend(directives_in(raw).map(|(kind, args)| Directive {
                line,
                kind,
                args,
                in_rust_block,
                in_python_block,
            }));
            if !raw.trim().is_empty() {
                before_previous = previous;
                previous = raw;
            }
        }
        if let Some((_, block)) = open {
            panic!("{}:{}: code block is never closed", shown(path), block.line);
        }
        Page {
            path: path.to_path_buf(),
            blocks,
            directives,
        }
    }

    fn at(&self, line: usize) -> String {
        format!("{}:{line}", shown(&self.path))
    }

    fn dir(&self) -> &Path {
        self.path.parent().expect("a page lives in a folder")
    }
}

/// The `{{#kind args}}` directives in one line, as mdBook finds them
/// (`\{{#...}}` is an escaped, literal one).
fn directives_in(line: &str) -> impl Iterator<Item = (String, String)> + '_ {
    line.match_indices("{{").filter_map(move |(at, _)| {
        if line[..at].ends_with('\\') {
            return None;
        }
        let rest = line[at + 2..].trim_start().strip_prefix('#')?;
        let end = rest.find("}}")?;
        let inner = rest[..end].trim();
        let (kind, args) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
        Some((kind.to_string(), args.trim().to_string()))
    })
}

fn pages() -> Vec<Page> {
    chapters()
        .iter()
        .filter(|path| path.exists())
        .map(|path| Page::parse(path))
        .collect()
}

/// The lines of `file` that open and close each named anchor, in order.
fn anchors(text: &str) -> Vec<(usize, bool, String)> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        for (tag, is_end) in [("ANCHOR_END:", true), ("ANCHOR:", false)] {
            if let Some(at) = line.find(tag) {
                let name: String = line[at + tag.len()..]
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                found.push((index + 1, is_end, name));
                break;
            }
        }
    }
    found
}

/// Problems with the anchors of one file: each `ANCHOR: x` needs an
/// `ANCHOR_END: x` after it and before the next `ANCHOR: x`.
fn anchor_problems(path: &Path) -> Vec<String> {
    let text = read(path);
    let mut problems = Vec::new();
    let mut open: Vec<(usize, String)> = Vec::new();
    for (line, is_end, name) in anchors(&text) {
        let at = format!("{}:{line}", shown(path));
        if name.is_empty() {
            problems.push(format!("{at}: anchor without a name"));
        } else if !is_end {
            if open.iter().any(|(_, n)| *n == name) {
                problems.push(format!(
                    "{at}: `ANCHOR: {name}` opens again before its ANCHOR_END"
                ));
            }
            open.push((line, name));
        } else if let Some(pos) = open.iter().position(|(_, n)| *n == name) {
            let (start, _) = open.remove(pos);
            let body = text.lines().skip(start).take(line - start - 1);
            if body
                .clone()
                .all(|l| l.trim().is_empty() || l.contains("ANCHOR"))
            {
                problems.push(format!("{at}: anchor `{name}` is empty"));
            }
        } else {
            problems.push(format!(
                "{at}: `ANCHOR_END: {name}` has no `ANCHOR: {name}` before it"
            ));
        }
    }
    for (line, name) in open {
        problems.push(format!(
            "{}:{line}: `ANCHOR: {name}` has no ANCHOR_END",
            shown(path)
        ));
    }
    problems
}

fn fail_on(problems: Vec<String>, what: &str) {
    assert!(
        problems.is_empty(),
        "{what}:\n  {}\n",
        problems.join("\n  ")
    );
}

#[test]
fn every_include_names_an_existing_file_and_anchor() {
    let mut problems = Vec::new();
    for page in pages() {
        for d in &page.directives {
            let at = page.at(d.line);
            match d.kind.as_str() {
                "include" | "rustdoc_include" => {}
                "title" => continue,
                // tests/quizzes.rs checks the quiz file and its answers.
                "quiz" => {
                    if !page.dir().join(&d.args).is_file() {
                        problems.push(format!("{at}: quiz `{}` does not exist", d.args));
                    }
                    continue;
                }
                other => {
                    problems.push(format!("{at}: unknown directive `{{{{#{other}}}}}`: mdBook would leave it on the page"));
                    continue;
                }
            }
            let (file, anchor) = match d.args.split_once(':') {
                Some((file, anchor)) => (file, Some(anchor)),
                None => (d.args.as_str(), None),
            };
            let target = page.dir().join(file);
            if !target.is_file() {
                problems.push(format!(
                    "{at}: `{}` includes `{file}`, which does not exist",
                    d.kind
                ));
                continue;
            }
            if d.kind == "rustdoc_include" && !d.in_rust_block {
                problems.push(format!("{at}: `rustdoc_include` outside a Rust block"));
            }
            if d.kind == "include" && d.in_rust_block {
                problems.push(format!(
                    "{at}: plain `include` in a Rust block does not compile; use `rustdoc_include`"
                ));
            }
            if file.ends_with(".py") && !d.in_python_block {
                problems.push(format!(
                    "{at}: `{file}` is Python; include it in a ```python block"
                ));
            }
            let Some(anchor) = anchor else { continue };
            if anchor
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == ':')
            {
                problems.push(format!(
                    "{at}: `{anchor}` is a line range; ranges go stale silently, use a named anchor"
                ));
            } else if !anchors(&read(&target))
                .iter()
                .any(|(_, is_end, name)| !is_end && name == anchor)
            {
                problems.push(format!("{at}: `{file}` has no `ANCHOR: {anchor}`"));
            } else {
                problems.extend(anchor_problems(&target));
            }
        }
    }
    fail_on(problems, "broken includes");
}

/// The Rust files of the exercises (see tests/exercises.rs): starters,
/// solutions and their shared tests; none before the first exercise.
fn exercise_files() -> Vec<PathBuf> {
    ["exercises", "exercises/solutions", "exercises/tests"]
        .iter()
        .filter(|dir| root().join(dir).is_dir())
        .flat_map(|dir| files_in(dir, "rs"))
        .collect()
}

#[test]
fn every_anchor_in_the_examples_is_closed() {
    let problems = files_in("examples", "rs")
        .iter()
        .chain(&files_in("examples", "py"))
        .chain(&exercise_files())
        .flat_map(|file| anchor_problems(file))
        .collect();
    fail_on(problems, "unbalanced anchors");
}

#[test]
fn every_rust_block_is_included_from_an_example() {
    let mut problems = Vec::new();
    for page in pages() {
        for block in page.blocks.iter().filter(|b| b.is_rust()) {
            // A practice page (book/src/practice/) shows exercises instead.
            let included = block.only_line().is_some_and(|only| {
                only.starts_with("{{#rustdoc_include ../../examples/")
                    || only.starts_with("{{#rustdoc_include ../../../exercises/")
            });
            if block.marked_with(INLINE_MARKER) {
                if included {
                    problems.push(format!(
                        "{}: an included block needs no `{INLINE_MARKER}` marker",
                        page.at(block.line)
                    ));
                }
            } else if !included {
                problems.push(format!(
                    "{}: Rust block written in the page; include it from examples/ (exercises/ on a practice page) with `{{{{#rustdoc_include}}}}`, \
                     or mark a deliberate exception with `{INLINE_MARKER} why -->` on the line before",
                    page.at(block.line)
                ));
            }
        }
    }
    fail_on(problems, "Rust blocks that no example backs");
}

#[test]
fn every_python_block_is_included_from_a_twin() {
    let mut problems = Vec::new();
    for page in pages() {
        for block in page.blocks.iter().filter(|b| b.is_python()) {
            let included = block.only_line().is_some_and(|only| {
                directives_in(only).any(|(kind, args)| {
                    let file = args.split(':').next().unwrap_or_default();
                    kind == "include"
                        && file.starts_with("../../examples/")
                        && file.ends_with(".py")
                })
            });
            if block.marked_with(INLINE_PYTHON_MARKER) {
                if included {
                    problems.push(format!(
                        "{}: an included block needs no `{INLINE_PYTHON_MARKER}` marker",
                        page.at(block.line)
                    ));
                }
            } else if !included {
                problems.push(format!(
                    "{}: Python block written in the page; include it from a twin in examples/ \
                     with `{{{{#include ../../examples/NAME.py:anchor}}}}` (tests/twins.rs runs \
                     those), or mark a deliberate exception with `{INLINE_PYTHON_MARKER} why -->` \
                     on the line before",
                    page.at(block.line)
                ));
            }
        }
    }
    fail_on(problems, "Python blocks that no twin backs");
}

/// Every file that some page includes, as a canonical path.
fn included_files() -> BTreeSet<PathBuf> {
    pages()
        .iter()
        .flat_map(|page| {
            page.directives.iter().filter_map(|d| {
                let file = d.args.split(':').next()?;
                fs::canonicalize(page.dir().join(file)).ok()
            })
        })
        .collect()
}

#[test]
fn every_example_twin_and_output_file_is_shown_in_a_chapter() {
    let included = included_files();
    let mut problems = Vec::new();
    let mut files = files_in("examples", "rs");
    files.extend(files_in("examples", "py"));
    files.extend(files_in("book/src/output", "txt"));
    files.extend(files_in("book/src/measured", "md"));
    for file in files {
        if !included.contains(&fs::canonicalize(&file).expect("listed file exists")) {
            problems.push(format!("{}: shown in no chapter", shown(&file)));
        }
    }
    fail_on(problems, "files that no chapter shows");
}

#[test]
fn summary_lists_every_page_and_each_page_exists() {
    let listed = chapters();
    let mut problems = Vec::new();
    for chapter in &listed {
        if !chapter.is_file() {
            problems.push(format!(
                "book/src/SUMMARY.md: `{}` does not exist",
                shown(chapter)
            ));
        }
    }
    let mut pages = files_in("book/src", "md");
    if src().join("practice").is_dir() {
        pages.extend(files_in("book/src/practice", "md"));
    }
    for page in pages {
        if !page.ends_with("SUMMARY.md") && !listed.contains(&page) {
            problems.push(format!(
                "{}: not listed in SUMMARY.md, so readers never see it",
                shown(&page)
            ));
        }
    }
    fail_on(problems, "table of contents");
}

#[test]
fn every_example_is_tested_and_names_its_course_section() {
    let manifest = read(&root().join("Cargo.toml"));
    let mut problems = Vec::new();
    for file in files_in("examples", "rs") {
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("UTF-8 file name");
        let entry = format!("[[example]]\nname = \"{name}\"\ntest = true\n");
        match manifest.find(&entry) {
            None => problems.push(format!(
                "Cargo.toml: add `{}` so `cargo test` runs its tests",
                entry.replace('\n', " ")
            )),
            // The one line an entry may add: see `real_io_examples_require_the_feature`.
            Some(at) => match manifest[at + entry.len()..].lines().next() {
                None | Some("") => {}
                Some(REAL_IO_LINE) => {}
                Some(other) => problems.push(format!(
                    "Cargo.toml: example `{name}` has `{other}`; an entry may add only `{REAL_IO_LINE}`"
                )),
            },
        }
        // A plain comment, not `//!`: rustdoc compiles a block that carries
        // crate-level docs on its own instead of merging it with the others,
        // which makes `mdbook test` about a third slower.
        if !read(&file).starts_with("// Course section: ") {
            problems.push(format!(
                "{}:1: start with `// Course section: ...` and the Python idea it mirrors",
                shown(&file)
            ));
        }
    }
    fail_on(problems, "examples");
}

/// Each block that includes an example compiles and runs the whole file, so
/// a page may mark all but one of an example's blocks `no_run` (the "Real
/// I/O" pages do, because their programs take real seconds). At least one
/// block in the book must still run each example that a Rust block shows,
/// except the examples that measure, which tests/measured.rs runs.
#[test]
fn every_example_shown_in_rust_runs_in_some_block() {
    let mut shown_in: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut runs = BTreeSet::new();
    for page in pages() {
        for block in page.blocks.iter().filter(|b| b.is_rust()) {
            let last = block.line + block.body.len();
            let silent = block
                .info
                .split(|c: char| c == ',' || c.is_whitespace())
                .any(|t| matches!(t, "no_run" | "ignore" | "compile_fail"));
            for d in page
                .directives
                .iter()
                .filter(|d| d.kind == "rustdoc_include" && d.line > block.line && d.line <= last)
            {
                let file = d.args.split(':').next().unwrap_or_default().to_string();
                shown_in
                    .entry(file.clone())
                    .or_default()
                    .push(page.at(block.line));
                if !silent {
                    runs.insert(file);
                }
            }
        }
    }
    let problems = shown_in
        .iter()
        .filter(|(file, _)| !runs.contains(*file))
        // An exercise's starter may fail on purpose (`todo!()`), so its block
        // may be `no_run`; tests/exercises.rs runs its tests instead.
        .filter(|(file, _)| !is_exercise_starter(file))
        // An example that measures (it has `book/src/measured/NAME.md`) is a
        // benchmark: its blocks are `no_run`, and tests/measured.rs runs it.
        .filter(|(file, _)| {
            let name = Path::new(file.as_str()).file_stem().unwrap_or_default();
            !Path::new("book/src/measured")
                .join(name)
                .with_extension("md")
                .exists()
        })
        .map(|(file, at)| {
            format!(
                "{}: every block that shows `{file}` is `no_run` or `ignore`; let one of them run",
                at[0]
            )
        })
        .collect();
    fail_on(problems, "examples that mdbook test never runs");
}

/// Whether `file`, as a practice page names it, is the starter of an exercise
/// (`../../../exercises/NAME.rs`, not a solution).
fn is_exercise_starter(file: &str) -> bool {
    file.strip_prefix("../../../exercises/")
        .is_some_and(|rest| !rest.contains('/'))
}

/// The line that gates an example behind `--features real-io`.
const REAL_IO_LINE: &str = "required-features = [\"real-io\"]";

/// What the `real-io` feature adds, as text that an example using it must
/// contain: `dep:axum` becomes `extern crate axum;`, `tokio/net` becomes
/// `tokio::net`.
fn real_io_markers(manifest: &str) -> Vec<String> {
    let feature = manifest
        .lines()
        .find(|line| line.starts_with("real-io = ["))
        .expect("Cargo.toml defines the `real-io` feature on one line");
    feature
        .split('"')
        .skip(1)
        .step_by(2)
        .map(|item| {
            if let Some(crate_name) = item.strip_prefix("dep:") {
                format!("extern crate {};", crate_name.replace('-', "_"))
            } else if let Some(module) = item.strip_prefix("tokio/") {
                format!("tokio::{module}")
            } else {
                panic!("Cargo.toml: teach tests/book.rs what `{item}` in `real-io` adds")
            }
        })
        .collect()
}

/// An example that uses what `real-io` adds must require the feature, or a
/// plain `cargo test` fails to build it; one that does not must not, or
/// readers build the heavy crates for nothing. Its output files must show
/// the command that works: `$ cargo run --features real-io --example NAME`.
#[test]
fn real_io_examples_require_the_feature() {
    let manifest = read(&root().join("Cargo.toml"));
    let markers = real_io_markers(&manifest);
    let mut problems = Vec::new();
    let mut gated = BTreeSet::new();
    for file in files_in("examples", "rs") {
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("UTF-8 file name")
            .to_string();
        let entry = format!("[[example]]\nname = \"{name}\"\ntest = true\n{REAL_IO_LINE}\n");
        let requires = manifest.contains(&entry);
        let source = read(&file);
        let uses: Vec<&String> = markers
            .iter()
            .filter(|m| source.contains(m.as_str()))
            .collect();
        if uses.is_empty() && requires {
            problems.push(format!(
                "Cargo.toml: example `{name}` uses nothing that `real-io` adds; remove `{REAL_IO_LINE}`"
            ));
        } else if !uses.is_empty() && !requires {
            problems.push(format!(
                "Cargo.toml: example `{name}` uses `{}`: add `{REAL_IO_LINE}` after `test = true`",
                uses[0]
            ));
        }
        if requires {
            gated.insert(name);
        }
    }
    for file in files_in("book/src/output", "txt") {
        let text = read(&file);
        let first = text.lines().next().unwrap_or_default();
        let words: Vec<&str> = first.split_whitespace().collect();
        let (name, with_feature) = match words.as_slice() {
            ["$", "cargo", "run", "--example", name, ..] => (*name, false),
            [
                "$",
                "cargo",
                "run",
                "--features",
                "real-io",
                "--example",
                name,
                ..,
            ] => (*name, true),
            _ => continue, // tests/output.rs reports a malformed first line
        };
        if with_feature != gated.contains(name) {
            let command = if gated.contains(name) {
                format!("$ cargo run --features real-io --example {name}")
            } else {
                format!("$ cargo run --example {name}")
            };
            problems.push(format!(
                "{}:1: the command that works is `{command}`",
                shown(&file)
            ));
        }
    }
    fail_on(problems, "the real-io feature");
}

#[test]
fn the_book_builds_outside_its_sources() {
    let config = read(&root().join("book.toml"));
    let build_dir = config
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_prefix("build-dir")?
                .trim()
                .strip_prefix('=')
                .map(|v| v.trim().trim_matches('"'))
        })
        .expect("book.toml sets [build] build-dir: mdBook's default, book/, would delete book/src");
    assert!(
        build_dir.starts_with("target/"),
        "build-dir `{build_dir}` must be under target/, away from book/src"
    );
    assert!(
        config.contains("create-missing = false"),
        "book.toml must set [build] create-missing = false"
    );
    assert!(
        config.contains("edition = \"2024\""),
        "book.toml must set [rust] edition = \"2024\""
    );
}

/// Crates that the online playground (play.rust-lang.org) has, by the name an
/// `extern crate` line uses. Only these are listed because only these were
/// checked; the page script also hides Run by itself when the playground's
/// own list lacks a crate. See "Run buttons" in CONTRIBUTING.md.
const PLAYGROUND_CRATES: &[&str] = &["tokio", "futures"];

/// Why the online playground cannot run `code` (a whole example, or an inline
/// block) the way the page shows it; empty when it can.
fn playground_blockers(code: &str, required_features: bool, compiles_only: bool) -> Vec<String> {
    // The test module at the end is compiled out on the playground.
    let program = code.split("\n#[cfg(test)]\nmod ").next().unwrap_or(code);
    let mut blockers = Vec::new();
    if !compiles_only && program.contains("feature = \"paused-clock\"") {
        blockers.push(
            "it sleeps or prints times: the playground waits in real time and prints other times"
                .to_string(),
        );
    }
    if !compiles_only && program.contains("env::args") {
        blockers
            .push("it reads command-line arguments, which the playground cannot pass".to_string());
    }
    for line in program.lines() {
        let Some(name) = line
            .trim_start_matches(['#', ' '])
            .strip_prefix("extern crate ")
            .and_then(|rest| rest.split([';', ' ']).next())
        else {
            continue;
        };
        if !PLAYGROUND_CRATES.contains(&name) {
            blockers.push(format!(
                "it uses `{name}`, which is not on the playground list in tests/book.rs"
            ));
        }
    }
    if required_features {
        blockers.push("it needs a cargo feature of this repository".to_string());
    }
    blockers
}

/// Does the `[[example]]` entry for `name` in Cargo.toml require features?
fn requires_features(manifest: &str, name: &str) -> bool {
    manifest.split("[[example]]").any(|entry| {
        entry.contains(&format!("name = \"{name}\"")) && entry.contains("required-features")
    })
}

#[test]
fn run_buttons_only_where_the_playground_can_run_the_code() {
    let manifest = read(&root().join("Cargo.toml"));
    let mut problems = Vec::new();
    for page in pages() {
        for block in page.blocks.iter().filter(|b| b.is_rust()) {
            let tokens: Vec<&str> = block
                .info
                .split(|c: char| c == ',' || c.is_whitespace())
                .collect();
            // mdBook gives `ignore` blocks no playground, and its page script
            // hides Run on `no_run` blocks.
            if tokens.contains(&"ignore") || tokens.contains(&"no_run") {
                continue;
            }
            let compiles_only = tokens.contains(&"compile_fail");
            let included = block.body.iter().find_map(|line| {
                let args = line
                    .trim()
                    .strip_prefix("{{#rustdoc_include ")?
                    .strip_suffix("}}")?;
                let (file, anchor) = args.split_once(':').unwrap_or((args, ""));
                Some((page.dir().join(file.trim()), anchor.trim().to_string()))
            });
            let blockers = match &included {
                Some((file, anchor)) => {
                    let name = file
                        .file_stem()
                        .and_then(|s| s.to_str())
                        .unwrap_or_default();
                    let code = fs::read_to_string(file).unwrap_or_default();
                    let mut blockers = playground_blockers(
                        &code,
                        requires_features(&manifest, name),
                        compiles_only,
                    );
                    // Run sends the whole program, whose `main` runs; the
                    // test module is compiled out, so a listing of tests
                    // would run something other than what it shows.
                    let tests_at = code.find("\n#[cfg(test)]\nmod ");
                    let anchor_at = code.find(&format!("// ANCHOR: {anchor}\n"));
                    if let (Some(tests_at), Some(anchor_at)) = (tests_at, anchor_at) {
                        if !anchor.is_empty() && anchor_at > tests_at {
                            blockers.push(
                                "it shows tests, and Run would run `main` instead".to_string(),
                            );
                        }
                    }
                    blockers
                }
                None => playground_blockers(&block.body.join("\n"), false, compiles_only),
            };
            let marked = tokens.contains(&"noplayground");
            let at = page.at(block.line);
            if !marked && !blockers.is_empty() {
                problems.push(format!(
                    "{at}: write ```rust,noplayground: the playground cannot run this block, because {}",
                    blockers.join("; and ")
                ));
            } else if marked && blockers.is_empty() {
                problems.push(format!(
                    "{at}: remove `noplayground`: the playground can run this block, so readers get a Run button"
                ));
            }
        }
    }
    fail_on(
        problems,
        "Run buttons (see \"Run buttons\" in CONTRIBUTING.md)",
    );
}

/// The pages' raw text, for checks that read prose rather than blocks.
fn page_texts() -> Vec<(PathBuf, String)> {
    chapters()
        .into_iter()
        .filter(|path| path.exists())
        .map(|path| {
            let text = read(&path);
            (path, text)
        })
        .collect()
}

/// Where test function `test` starts in `file`, if `file` has such a test:
/// a `fn` with `#[test]`, `#[tokio::test]` or `#[should_panic]` right above it.
fn find_test(file: &str, test: &str) -> Result<usize, String> {
    let text =
        fs::read_to_string(root().join(file)).map_err(|_| format!("`{file}` does not exist"))?;
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        let rest = line.trim_start();
        let rest = rest.strip_prefix("pub ").unwrap_or(rest);
        let rest = rest.strip_prefix("async ").unwrap_or(rest);
        let Some(rest) = rest.strip_prefix("fn ") else {
            continue;
        };
        let Some(after) = rest.strip_prefix(test) else {
            continue;
        };
        if !after.trim_start().starts_with(['(', '<']) {
            continue;
        }
        let attributes = lines[..index].iter().rev().take_while(|l| {
            // An attribute, a comment, or a line inside a multi-line attribute.
            let l = l.trim();
            !l.is_empty()
                && (l.starts_with("#[") || l.starts_with("//") || !l.ends_with([';', '{', '}']))
        });
        let is_test = attributes.into_iter().any(|l| {
            let l = l.trim_start();
            l.starts_with("#[test]")
                || l.starts_with("#[tokio::test")
                || l.starts_with("#[should_panic")
        });
        return if is_test {
            Ok(index + 1)
        } else {
            Err(format!("`fn {test}` in `{file}` is not a test"))
        };
    }
    Err(format!("`{file}` has no test `{test}`"))
}

/// A proof mark, `[✓](proof:FILE::TEST)` right after a claim, links the claim
/// to the test that proves it (book/proofs.py renders it). `FILE` is an
/// example's name, or a path from the repository root when it has a slash.
#[test]
fn every_proof_mark_names_an_existing_test() {
    const OPEN: &str = "[✓](proof:";
    let mut problems = Vec::new();
    let mut marks = 0;
    for (path, text) in page_texts() {
        for (index, line) in text.lines().enumerate() {
            let at = format!("{}:{}", shown(&path), index + 1);
            for (start, _) in line.match_indices("](proof:") {
                let Some(rest) = line[..start].strip_suffix("[✓").map(|_| &line[start + 2..])
                else {
                    problems.push(format!("{at}: a proof mark is written `{OPEN}FILE::TEST)`"));
                    continue;
                };
                let rest = &rest["proof:".len()..];
                let Some(target) = rest.split(')').next().filter(|_| rest.contains(')')) else {
                    problems.push(format!("{at}: proof mark without its closing `)`"));
                    continue;
                };
                let Some((file, test)) = target.split_once("::") else {
                    problems.push(format!(
                        "{at}: `proof:{target}` should be `proof:FILE::TEST`"
                    ));
                    continue;
                };
                let valid = |s: &str| {
                    !s.is_empty()
                        && s.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
                };
                if !valid(file) || !valid(test) || test.contains(['.', '/', '-']) {
                    problems.push(format!(
                        "{at}: `proof:{target}` is not a file and a test name"
                    ));
                    continue;
                }
                let file = if file.contains('/') {
                    file.to_string()
                } else {
                    format!("examples/{file}.rs")
                };
                match find_test(&file, test) {
                    Ok(_) => marks += 1,
                    Err(problem) => problems.push(format!("{at}: {problem}")),
                }
            }
        }
    }
    fail_on(problems, "proof marks that prove nothing");
    assert!(
        marks > 0,
        "no proof marks found: the pattern this test looks for is wrong"
    );
}

/// Every example proves its lesson in a test module of its own.
#[test]
fn every_example_has_a_tests_module_with_a_test() {
    let mut problems = Vec::new();
    for file in files_in("examples", "rs") {
        let text = read(&file);
        let module = text.find("#[cfg(test)]\nmod tests {").map(|at| &text[at..]);
        let has_test = module.is_some_and(|m| {
            m.lines().any(|l| {
                let l = l.trim_start();
                l.starts_with("#[test]") || l.starts_with("#[tokio::test")
            })
        });
        if !has_test {
            problems.push(format!(
                "{}: add `#[cfg(test)] mod tests` with a test that fails if the example's lesson breaks",
                shown(&file)
            ));
        }
    }
    fail_on(problems, "examples without tests");
}

/// The line that pins what a `compile_fail` block without an error code must
/// fail with, on the line before its inline marker. check.sh compiles each
/// such block (tests/compile_fail.py) and fails unless rustc's first error is
/// this message.
const COMPILE_FAIL_MESSAGE: &str = "<!-- compile-fail-message:";

#[test]
fn every_compile_fail_block_names_its_error() {
    let mut problems = Vec::new();
    for page in pages() {
        for block in page
            .blocks
            .iter()
            .filter(|b| b.info.contains("compile_fail"))
        {
            let has_code = block.info.split(',').any(|token| {
                let token = token.trim();
                token.len() == 5
                    && token.starts_with('E')
                    && token[1..].bytes().all(|b| b.is_ascii_digit())
            });
            let message = block
                .before_previous
                .trim_start()
                .strip_prefix(COMPILE_FAIL_MESSAGE);
            match (has_code, message) {
                (true, None) => {}
                (false, Some(m)) if m.trim_end().ends_with("-->") && m.len() > 10 => {}
                (true, Some(_)) => problems.push(format!(
                    "{}: give either an error code or a pinned message, not both",
                    page.at(block.line)
                )),
                _ => problems.push(format!(
                    "{}: a `compile_fail` block passes on any error; add its code (`compile_fail,E0308`) or, where rustc gives none, `{COMPILE_FAIL_MESSAGE} MESSAGE -->` before its inline marker",
                    page.at(block.line)
                )),
            }
        }
    }
    fail_on(problems, "compile_fail blocks that would pass on any error");
}

/// Words of prose on a page: fenced blocks, HTML tags and comments, include
/// directives and link targets do not count.
fn prose_words(text: &str) -> usize {
    let mut words = 0;
    let mut fence: Option<String> = None;
    let mut in_comment = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let ticks: String = trimmed
            .chars()
            .take_while(|c| *c == '`' || *c == '~')
            .collect();
        if ticks.len() >= 3 {
            match &fence {
                Some(open) if ticks.starts_with(open.as_str()) => fence = None,
                Some(_) => {}
                None => fence = Some(ticks),
            }
            continue;
        }
        if fence.is_some() {
            continue;
        }
        let mut prose = String::new();
        let mut rest = line;
        while !rest.is_empty() {
            if in_comment {
                match rest.find("-->") {
                    Some(end) => {
                        rest = &rest[end + 3..];
                        in_comment = false;
                    }
                    None => rest = "",
                }
            } else if let Some(start) = rest.find(['<', '{', ']']) {
                prose.push_str(&rest[..start]);
                let tail = &rest[start..];
                if let Some(after) = tail.strip_prefix("<!--") {
                    in_comment = true;
                    rest = after;
                } else if tail.starts_with('<') {
                    rest = tail.find('>').map_or("", |end| &tail[end + 1..]);
                } else if tail.starts_with("{{") {
                    rest = tail.find("}}").map_or("", |end| &tail[end + 2..]);
                } else if tail.starts_with("](") {
                    rest = tail.find(')').map_or("", |end| &tail[end + 1..]);
                } else {
                    prose.push_str(&tail[..1]);
                    rest = &tail[1..];
                }
            } else {
                prose.push_str(rest);
                rest = "";
            }
        }
        words += prose
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count();
    }
    words
}

#[test]
fn no_page_has_more_than_2000_words_of_prose() {
    const LIMIT: usize = 2000;
    let problems: Vec<String> = page_texts()
        .iter()
        .map(|(path, text)| (shown(path), prose_words(text)))
        .filter(|(_, words)| *words > LIMIT)
        .map(|(page, words)| {
            format!("{page}: {words} words of prose (at most {LIMIT}); move or cut")
        })
        .collect();
    fail_on(problems, "pages too long to read");
}

#[test]
fn prose_words_skip_code_comments_and_links() {
    let text = "One two [three](https://x.y/z) <b>four</b>\n<!-- not\ncounted -->\n```rust\nlet x = 1;\n```\n{{#include a.txt}} five\n";
    assert_eq!(prose_words(text), 5);
}

/// What a reader sees is what a reader writes: the book's paused clock and
/// the `extern crate` lines `mdbook test` needs live on hidden lines, never
/// in a listing.
#[test]
fn no_listing_shows_a_book_only_line() {
    let mut problems = Vec::new();
    for page in pages() {
        for d in page
            .directives
            .iter()
            .filter(|d| d.kind == "rustdoc_include")
        {
            let Some((file, anchor)) = d.args.split_once(':') else {
                continue;
            };
            let target = page.dir().join(file);
            let Ok(text) = fs::read_to_string(&target) else {
                continue;
            };
            for (line, code) in anchored_lines(&text, anchor) {
                if code.contains("paused-clock")
                    || code.contains("paused_clock")
                    || code.trim_start().starts_with("extern crate ")
                {
                    problems.push(format!(
                        "{}:{line}: shown by {} (anchor `{anchor}`): move the book's paused clock out of the anchor",
                        shown(&target),
                        page.at(d.line)
                    ));
                }
            }
        }
    }
    fail_on(problems, "listings that show a book-only device");
}
