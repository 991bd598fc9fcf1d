"""Compiles each `compile_fail` block of the book and checks its error.

rustdoc's `compile_fail` passes on any compile error: stable rustdoc ignores
the error code in `compile_fail,E0308` (checking it is a nightly feature), and
some errors have no code at all (a lint made an error, "future cannot be sent
between threads safely"). So each block names its error, as a code in its
info string or as `<!-- compile-fail-message: MESSAGE -->` on the line before
its inline marker (tests/book.rs insists), and this script compiles each
block with rustc against the crates check.sh built for the book, as rustdoc
would wrap it, and fails unless rustc's first error has that code or exactly
that message.

    python3 tests/compile_fail.py target/mdbook/lib
"""

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^<!-- compile-fail-message:\s*(.+?)\s*-->$")


def blocks(page: Path):
    """(line, expected error, code) for each `compile_fail` block on `page`.

    The expected error is the code in the block's info string (`E0308`), or
    the message pinned two lines above its fence; None when it has neither
    (tests/book.rs reports those)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if not (line.startswith("```") and "compile_fail" in line):
            continue
        codes = [t for t in line[3:].split(",") if re.fullmatch(r"E\d{4}", t.strip())]
        pinned = PIN.match(lines[index - 2].strip()) if index >= 2 else None
        expected = codes[0].strip() if codes else (pinned.group(1) if pinned else None)
        body = []
        for code_line in lines[index + 1 :]:
            if code_line.startswith("```"):
                break
            # rustdoc's hidden lines: `# code` and a lone `#` are compiled too.
            if code_line == "#":
                code_line = ""
            elif code_line.startswith("# "):
                code_line = code_line[2:]
            body.append(code_line)
        yield index + 1, expected, as_rustdoc_compiles(body)


def as_rustdoc_compiles(body: list[str]) -> str:
    """The crate rustdoc makes of a block: `#![allow(unused)]` first, crate
    attributes and `extern crate` lines at the top, and the rest inside
    `fn main` unless the block has one."""
    top = [l for l in body if l.startswith("#![") or l.startswith("extern crate ")]
    rest = [l for l in body if l not in top]
    if not any(re.match(r"\s*(async\s+)?fn main\s*\(", l) for l in body):
        rest = ["fn main() {"] + rest + ["}"]
    return "\n".join(["#![allow(unused)]"] + top + rest) + "\n"


def first_error(code: str, lib: Path, out: Path) -> tuple[str, str] | None:
    """rustc's first error on `code` as (its code or "", its message), or
    None when `code` compiles."""
    source = out / "block.rs"
    source.write_text(code, encoding="utf-8")
    args = ["rustc", "--edition", "2024", "--crate-type", "bin", "--emit", "metadata"]
    args += ["--error-format", "json", "-L", str(lib), "--out-dir", str(out), str(source)]
    for rlib in lib.glob("liblibc-*.rlib"):
        args += ["--extern", f"libc={rlib}"]
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode == 0:
        return None
    for line in result.stderr.splitlines():
        try:
            diagnostic = json.loads(line)
        except json.JSONDecodeError:
            continue
        if diagnostic.get("level") == "error":
            return ((diagnostic.get("code") or {}).get("code") or ""), diagnostic.get("message", "")
    return "", "(no error in rustc's output)"


def main() -> int:
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        print("usage: python3 tests/compile_fail.py LIB_DIR (check.sh passes target/mdbook/lib)")
        return 2
    lib = Path(sys.argv[1]).resolve()
    problems, checked = [], 0
    with tempfile.TemporaryDirectory() as out:
        for page in sorted((ROOT / "book/src").rglob("*.md")):
            for line, expected, code in blocks(page):
                where = f"{page.relative_to(ROOT)}:{line}"
                if expected is None:
                    problems.append(f"{where}: name the error: a code (compile_fail,E0308) or a pinned message")
                    continue
                checked += 1
                error = first_error(code, lib, Path(out))
                if error is None:
                    problems.append(f"{where}: the block compiles; it must fail with {expected}")
                elif expected not in error:
                    problems.append(f"{where}: rustc's first error is {error[0] or '(no code)'} `{error[1]}`, not {expected}")
    for problem in problems:
        print(problem)
    if checked == 0:
        print("no compile_fail blocks found: the pattern this script looks for is wrong")
        return 1
    if not problems:
        print(f"{checked} compile_fail blocks fail with the error their page names")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
