#![allow(dead_code)] // each test file uses a part of this module

//! Helpers that more than one test file needs.

use std::path::Path;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The course chapters, by page stem, in the book's order: each has a
/// practice page (tests/exercises.rs) and ends with its quiz
/// (tests/quizzes.rs, which also checks this list against SUMMARY.md).
pub const COURSE_CHAPTERS: &[&str] = &[
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

/// The lines (1-based numbers and text) that a page shows of an example for
/// `anchor`: every range the anchor opens and closes, as
/// `{{#rustdoc_include file:anchor}}` shows them.
pub fn anchored_lines<'a>(text: &'a str, anchor: &str) -> Vec<(usize, &'a str)> {
    let mut shown = Vec::new();
    let mut open = false;
    for (index, line) in text.lines().enumerate() {
        let is = |tag: &str| {
            line.find(tag).is_some_and(|at| {
                line[at + tag.len()..]
                    .trim_start()
                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                    .next()
                    == Some(anchor)
            })
        };
        if is("ANCHOR_END:") {
            open = false;
        } else if is("ANCHOR:") {
            open = true;
        } else if open {
            shown.push((index + 1, line));
        }
    }
    shown
}

/// Hides the one part of the output that changes from run to run: the
/// thread id in `thread 'main' (9310) panicked at ...`.
pub fn comparable(output: &str) -> String {
    output
        .lines()
        .map(|line| {
            match line
                .strip_prefix("thread '")
                .and_then(|rest| rest.split_once("' ("))
            {
                Some((name, rest)) if rest.contains(") panicked at ") => {
                    let after = &rest[rest.find(')').expect("checked above")..];
                    format!("thread '{name}' (ID{after}\n")
                }
                _ => format!("{line}\n"),
            }
        })
        .collect()
}
