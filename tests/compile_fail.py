"""Compiles each `compile_fail` block that has no error code and checks its error.

rustdoc's `compile_fail` passes on any compile error, and some errors have no
code (a lint made an error, "future cannot be sent between threads safely").
Such a block carries `<!-- compile-fail-message: MESSAGE -->` on the line
before its inline marker (tests/book.rs insists). This script compiles the
block with rustc against the crates check.sh built for the book, and fails
unless the compile fails and its first error is MESSAGE.

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
    """(line, pinned message, code) for each pinned block on `page`."""
    lines = page.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        pinned = PIN.match(line.strip())
        if not pinned:
            continue
        fence = index + 2  # the pin, the inline marker, then the fence
        if fence >= len(lines) or "compile_fail" not in lines[fence]:
            yield index + 1, pinned.group(1), None
            continue
        body = []
        for code_line in lines[fence + 1 :]:
            if code_line.startswith("```"):
                break
            # rustdoc's hidden lines: `# code` and a lone `#` are compiled too.
            if code_line == "#":
                code_line = ""
            elif code_line.startswith("# "):
                code_line = code_line[2:]
            body.append(code_line)
        yield index + 1, pinned.group(1), "\n".join(body) + "\n"


def first_error(code: str, lib: Path, out: Path) -> str | None:
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
            return diagnostic.get("message", "")
    return "(no error in rustc's output)"


def main() -> int:
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        print("usage: python3 tests/compile_fail.py LIB_DIR (check.sh passes target/mdbook/lib)")
        return 2
    lib = Path(sys.argv[1]).resolve()
    problems, checked = [], 0
    with tempfile.TemporaryDirectory() as out:
        for page in sorted((ROOT / "book/src").rglob("*.md")):
            for line, message, code in blocks(page):
                where = f"{page.relative_to(ROOT)}:{line}"
                if code is None:
                    problems.append(f"{where}: the pin must be followed by the inline marker and a compile_fail block")
                    continue
                checked += 1
                error = first_error(code, lib, Path(out))
                if error is None:
                    problems.append(f"{where}: the block compiles; it must fail with: {message}")
                elif error != message:
                    problems.append(f"{where}: rustc's first error is `{error}`, not `{message}`")
    for problem in problems:
        print(problem)
    if checked == 0:
        print("no pinned compile_fail blocks found: the pattern this script looks for is wrong")
        return 1
    print(f"{checked} compile_fail blocks fail with their pinned message" if not problems else "")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
