"""Runs `mdbook test` one chapter at a time, two at a time, and skips a chapter
whose inputs are byte for byte those of its last passing run.

    python3 tests/book_test.py MDBOOK LIB_DIR BIN_DIR

A chapter's inputs are its Markdown file, every file it includes with a
`{{#...}}` directive, book.toml and the preprocessors in book/, the crates in
LIB_DIR that rustdoc links against, the rustdoc wrapper in BIN_DIR, and the
versions of mdBook and rustdoc. A passing run stores the hash of all of them
in target/mdbook/passed/; a failing run stores nothing, so it runs again.
With CI or FRESH set in the environment, every chapter runs. Exits 1 when a
chapter fails, and prints which.

Also: `python3 tests/book_test.py --key FILE_OR_DIR...` prints one hash of the
given files (folders are walked), for check.sh's other caches.
"""

import hashlib
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "book" / "src"
PASSED = ROOT / "target" / "mdbook" / "passed"
INCLUDE = re.compile(r"\{\{#\w+\s+([^}\s]+)")
CHAPTER = re.compile(r"^\s*(?:- )?\[([^\]]+)\]\(([^)]+\.md)\)")


def files_under(paths):
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
            )
        else:
            yield path


def digest(paths, extra=()):
    """One hash over the names and contents of files, plus extra strings."""
    h = hashlib.sha256()
    for text in extra:
        h.update(text.encode() + b"\0")
    for path in files_under(paths):
        h.update(str(path).encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"<missing>")
        h.update(b"\0")
    return h.hexdigest()


def version(command):
    run = subprocess.run([command, "--version"], capture_output=True, text=True)
    return run.stdout.strip() or f"{command}: no version"


def chapters():
    summary = (SRC / "SUMMARY.md").read_text()
    for line in summary.splitlines():
        found = CHAPTER.match(line)
        if found:
            yield found.group(1), SRC / found.group(2)


def inputs(page):
    """The page and what it includes (an anchor after `:` names no file)."""
    found = [page]
    for target in INCLUDE.findall(page.read_text()):
        found.append((page.parent / target.split(":")[0]).resolve())
    return found


def main(mdbook, lib, bin_dir):
    fresh = bool(os.environ.get("CI") or os.environ.get("FRESH"))
    shared = digest(
        [ROOT / "book.toml", *sorted((ROOT / "book").glob("*.py")), Path(lib), Path(bin_dir)],
        extra=[version(mdbook), version(str(Path(bin_dir) / "rustdoc"))],
    )
    PASSED.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    def test(chapter):
        name, page = chapter
        key = digest(inputs(page), extra=[shared, name])
        stamp = PASSED / (page.relative_to(SRC).as_posix().replace("/", "_") + ".key")
        if not fresh and stamp.is_file() and stamp.read_text() == key:
            return name, True, True, ""
        run = subprocess.run(
            [mdbook, "test", "-L", lib, "-c", name],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )
        if run.returncode == 0:
            stamp.write_text(key)
        else:
            stamp.unlink(missing_ok=True)
        return name, run.returncode == 0, False, run.stdout + run.stderr

    # Two at a time: a chapter's blocks often wait (the real-clock examples
    # take real seconds), and the other core compiles meanwhile.
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(test, list(chapters())))
    failed = [name for name, passed, _, _ in results if not passed]
    for name, passed, cached, log in results:
        if not passed:
            print(f"--- mdbook test -c {name!r} failed:\n{log}")
    skipped = sum(cached for _, _, cached, _ in results)
    print(
        f"{len(results)} chapters: {len(results) - skipped} tested, "
        f"{skipped} unchanged since they last passed (FRESH=1 tests them all)"
    )
    if failed:
        print("failed:", ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--key"]:
        print(digest(sys.argv[2:]))
        sys.exit(0)
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
