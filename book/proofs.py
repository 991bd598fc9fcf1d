"""mdBook preprocessor: turns proof marks into links to the tests that prove them.

A page writes a claim and, right after it, a mark naming the test that checks it:

    takes 5 seconds, not 14 [✓](proof:egg_boiler::all_at_once_takes_as_long_as_the_slowest_egg).

`egg_boiler` means `examples/egg_boiler.rs`; a name with a slash is a path from the
repository root (`proof:tests/twins.rs::every_twin_prints_what_its_example_prints`).
The mark becomes a small check mark that links to the test's lines on GitHub, with the
test's name as its tooltip. A mark that names no test stops the build; tests/book.rs
checks the same, so `cargo test` catches it before mdBook runs.

mdBook runs this with `python3 book/proofs.py` from the book's root: once as
`proofs.py supports RENDERER` (answer: yes), then with `[context, book]` as JSON on
stdin, expecting the book back on stdout. Standard library only.
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "https://github.com/async-rust-for-asyncio/book/blob/main/"
MARK = re.compile(r"\[✓\]\(proof:([A-Za-z0-9_./-]+)::([A-Za-z0-9_]+)\)")
# Anything that looks like a mark but is not one: a typo must not slip through.
LOOSE = re.compile(r"\]\(proof:")
TEST_ATTRIBUTE = re.compile(r"^\s*#\[(test|tokio::test|should_panic)\b")


def source_file(name: str) -> str:
    return name if "/" in name else f"examples/{name}.rs"


def is_attribute_or_comment(line: str) -> bool:
    """An attribute, a comment, or a line inside a multi-line attribute."""
    text = line.strip()
    return bool(text) and (text.startswith(("#[", "//")) or not text.endswith((";", "{", "}")))


def test_lines(path: str, test: str) -> tuple[int, int]:
    """The first and last line of test function `test` in `path`, attributes included."""
    file = ROOT / path
    if not file.is_file():
        raise LookupError(f"{path} does not exist")
    lines = file.read_text(encoding="utf-8").splitlines()
    header = re.compile(rf"^(\s*)(pub\s+)?(async\s+)?fn\s+{re.escape(test)}\s*[(<]")
    for index, line in enumerate(lines):
        found = header.match(line)
        if not found:
            continue
        start, is_test = index, False
        # Attributes and comments above the `fn`, multi-line attributes included.
        while start > 0 and is_attribute_or_comment(lines[start - 1]):
            start -= 1
            is_test = is_test or bool(TEST_ATTRIBUTE.match(lines[start]))
        if not is_test:
            raise LookupError(f"`fn {test}` in {path} is not a test")
        closing = found.group(1) + "}"
        end = next((i for i in range(index, len(lines)) if lines[i] == closing), index)
        return start + 1, end + 1
    raise LookupError(f"{path} has no test `{test}`")


def render(match: re.Match) -> str:
    path, test = source_file(match.group(1)), match.group(2)
    start, end = test_lines(path, test)
    title = f"Checked by the test {test} in {path}"
    return (
        f'<a class="proof" href="{SOURCE}{path}#L{start}-L{end}" '
        f'title="{title}" aria-label="{title}">✓</a>'
    )


def rewrite(content: str, chapter: str) -> str:
    def one(match: re.Match) -> str:
        try:
            return render(match)
        except LookupError as error:
            raise SystemExit(f"proofs: {chapter}: {match.group(0)}: {error}")

    result = MARK.sub(one, content)
    if LOOSE.search(result):
        line = next(l for l in result.splitlines() if LOOSE.search(l))
        raise SystemExit(f"proofs: {chapter}: malformed proof mark in: {line.strip()}")
    return result


def walk(item, rewrite=rewrite) -> None:
    """Rewrites every chapter's content, wherever mdBook's JSON nests it,
    with `rewrite(content, path)` (book/quiz.py passes its own)."""
    if isinstance(item, dict):
        chapter = item.get("Chapter")
        if isinstance(chapter, dict) and isinstance(chapter.get("content"), str) and chapter.get("path"):
            chapter["content"] = rewrite(chapter["content"], str(chapter["path"]))
        for value in item.values():
            walk(value, rewrite)
    elif isinstance(item, list):
        for value in item:
            walk(value, rewrite)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "supports":
        sys.exit(0)
    _context, book = json.load(sys.stdin)
    walk(book)
    json.dump(book, sys.stdout)


if __name__ == "__main__":
    main()
