"""mdBook preprocessor and checker for the chapter quizzes.

A page ends with its quiz:

    ## Check yourself

    {{#quiz ../../quizzes/tasks.toml}}

The path is relative to the page, as `{{#include}}` paths are. This script
replaces the line with a `<section class="quiz">`: a fieldset per question,
radio buttons (checkboxes when several options are right), a Check button,
and the explanations that book/theme/quiz.js shows after a check.

A quiz file (`quizzes/STEM.toml`, read with the standard library's tomllib)
holds `[[question]]` tables; CONTRIBUTING.md ("Quizzes") describes the keys.
Answers that the book can prove are tied to their proof, and checked here:

- `answer_from = "book/src/output/NAME.txt"` (with `lines = "3-5"`, the
  file's own line numbers): the right option's text is exactly those lines
  of the checked output file, and no other option is;
- `code = "examples/NAME.rs:ANCHOR"` shows an example's anchor (everything
  in examples/ builds), and `compile_fail = { page = ..., error = ... }`
  shows a page's `compile_fail` block (tests/compile_fail.py checks that
  rustc fails with that error): options that say `compiles = true` or
  `error = "..."` are right exactly when they say what the compiler says.

A question that shows code must have its answer checked one of those ways
or carry a proof mark; `answer_from` must be the shown example's own output;
a `compile_fail` listing is shown without its `//` comments (the page names
the error there). Outputs are compared as shown, trailing white space aside.

Anything wrong (a missing file, anchor or block, no right option, a wrong
answer, a distractor equal to the real output, an answer nothing checks, an
unknown key) stops the build with a message, as book/proofs.py does for
proof marks.

    python3 book/quiz.py check [QUIZ.toml ...]   checks quizzes/*.toml, or the files named

mdBook runs it as `python3 book/quiz.py` from the book's root (see book.toml:
after mdBook's `links`, which leaves `{{#quiz}}` alone, and before `proofs`,
which turns proof marks in explanations into links). Standard library only.
"""

import html
import json
import re
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import compile_fail  # noqa: E402  (tests/compile_fail.py: how the book names a block's error)

sys.path.insert(0, str(ROOT / "book"))
import proofs  # noqa: E402  (book/proofs.py: proof marks, which explanations may carry)

DIRECTIVE = re.compile(r"\{\{#quiz\s+(\S+?)\s*\}\}")
QUESTION_KEYS = {"prompt", "code", "compile_fail", "answer_from", "lines", "explanation", "option"}
OPTION_KEYS = {"text", "correct", "why", "compiles", "error"}
ANCHOR_START = re.compile(r"ANCHOR:\s*([\w_-]+)")
ANCHOR_END = re.compile(r"ANCHOR_END:\s*([\w_-]+)")


class QuizError(Exception):
    pass


# ------------------------------------------------------------------ sources


def repo_file(name: str) -> Path:
    path = ROOT / name
    if not path.is_file():
        raise QuizError(f"`{name}` does not exist")
    return path


def anchored(reference: str) -> str:
    """The lines of `examples/NAME.rs:ANCHOR`, as `{{#include}}` takes them
    (lines naming other anchors left out), common indentation removed."""
    name, _, anchor = reference.partition(":")
    if not anchor:
        raise QuizError(f"`code = \"{reference}\"` names no anchor: write FILE:ANCHOR")
    if not name.startswith("examples/"):
        raise QuizError(f"`code = \"{reference}\"`: code comes from examples/")
    kept, inside, closed = [], False, False
    for line in repo_file(name).read_text(encoding="utf-8").splitlines():
        if inside:
            end = ANCHOR_END.search(line)
            if end and end.group(1) == anchor:
                closed = True
                break
            if not ANCHOR_START.search(line) and not end:
                kept.append(line)
        else:
            start = ANCHOR_START.search(line)
            inside = bool(start and start.group(1) == anchor)
    if not closed or not "".join(kept).strip():
        raise QuizError(f"`{name}` has no non-empty anchor `{anchor}` with its ANCHOR_END")
    return textwrap.dedent("\n".join(kept)).strip("\n")


def compile_fail_block(reference) -> tuple[str, str]:
    """(the error, the visible code) of the one `compile_fail` block on a
    page whose error (code or pinned message) is `reference["error"]`."""
    if not isinstance(reference, dict) or set(reference) != {"page", "error"}:
        raise QuizError("`compile_fail` must be { page = \"book/src/PAGE.md\", error = \"E0000 or pinned message\" }")
    page = repo_file(reference["page"])
    found = [line for line, expected, _ in compile_fail.blocks(page) if expected == reference["error"]]
    if len(found) != 1:
        raise QuizError(
            f"`{reference['page']}` has {len(found)} compile_fail blocks whose error is "
            f"`{reference['error']}`; a quiz names exactly one"
        )
    lines = page.read_text(encoding="utf-8").splitlines()
    shown = []
    for line in lines[found[0] :]:  # found[0] is the fence's 1-based line: the body starts here
        if line.startswith("```"):
            break
        line = visible(line)
        if line is not None:
            shown.append(line)
    return reference["error"], "\n".join(shown).strip("\n")


def visible(line: str) -> str | None:
    """A block's line as the reader sees it, or None if it is hidden. Hidden
    lines follow rustdoc: after any indentation, `# ` starts a hidden line,
    a lone `#` is one, and `##` is an escaped, shown `#`. A quiz listing also
    drops `//` comments (not `///` or `//!` doc comments): a page's
    `compile_fail` block names its error there, which would give the answer
    away."""
    trimmed = line.strip()
    if trimmed.startswith("##"):
        line = line.replace("##", "#", 1)
    elif trimmed == "#" or trimmed.startswith("# "):
        return None
    code = without_comment(line)
    if code == line:
        return line
    return code if code.strip() else None


def without_comment(line: str) -> str:
    """`line` without a `//` comment that is not inside a string literal and
    is not a doc comment, trailing white space removed."""
    in_string = escaped = False
    for at, char in enumerate(line):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"' and line[at - 1 : at] != "'":
            in_string = True
        elif line.startswith("//", at):
            if line[at + 2 : at + 3] in ("/", "!"):
                return line
            return line[:at].rstrip()
    return line


def output_lines(name: str, lines: str | None) -> str:
    """Lines of a checked output file, numbered as the file is (line 1 is the command)."""
    if not name.startswith("book/src/output/"):
        raise QuizError(f"`answer_from = \"{name}\"`: answers come from book/src/output/")
    text = repo_file(name).read_text(encoding="utf-8").splitlines()
    if lines is None:
        first, last = 2, len(text)
    else:
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", lines)
        if not match:
            raise QuizError(f"`lines = \"{lines}\"`: write N or N-M")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if not 2 <= first <= last <= len(text):
        raise QuizError(f"`lines = \"{lines}\"`: `{name}` has output on lines 2-{len(text)}")
    return "\n".join(text[first - 1 : last])


# ------------------------------------------------------------------ checks


def load(path: Path) -> list[dict]:
    """The questions of a quiz file, each checked against the book."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise QuizError(f"cannot read it: {error}") from error
    if set(data) != {"question"} or not isinstance(data["question"], list):
        raise QuizError("a quiz file holds `[[question]]` tables and nothing else")
    questions = data["question"]
    if not questions:
        raise QuizError("no questions")
    for number, question in enumerate(questions, 1):
        try:
            check_question(question)
        except QuizError as error:
            raise QuizError(f"question {number}: {error}") from error
    return questions


def check_question(q: dict) -> None:
    unknown = set(q) - QUESTION_KEYS
    if unknown:
        raise QuizError(f"unknown keys {sorted(unknown)}; known: {sorted(QUESTION_KEYS)}")
    for key in ("prompt", "explanation"):
        if not isinstance(q.get(key), str) or not q[key].strip():
            raise QuizError(f"needs a `{key}`")
    options = q.get("option")
    if not isinstance(options, list) or len(options) < 2:
        raise QuizError("needs two or more `[[question.option]]` tables")
    for option in options:
        unknown = set(option) - OPTION_KEYS
        if unknown:
            raise QuizError(f"an option has unknown keys {sorted(unknown)}; known: {sorted(OPTION_KEYS)}")
        if not isinstance(option.get("text"), str) or not option["text"].strip():
            raise QuizError("an option needs a `text`")
        if not isinstance(option.get("correct", False), bool):
            raise QuizError(f"option `{option['text']}`: `correct` is true or false")
    for text in [q["prompt"], q["explanation"]] + [o.get(k, "") for o in options for k in ("text", "why")]:
        check_proof_marks(str(text))
    # Options are compared as the reader sees them: an output's lines without
    # trailing white space, any other text with its white space collapsed.
    texts = [shown_output(o["text"]) if "answer_from" in q else " ".join(o["text"].split()) for o in options]
    if len(set(texts)) != len(texts):
        raise QuizError("two options have the same text (or differ only in white space)")
    if not any(o.get("correct") for o in options):
        raise QuizError("no option is marked `correct = true`")
    if "code" in q and "compile_fail" in q:
        raise QuizError("shows either `code` or a `compile_fail` block, not both")
    if "code" in q:
        q["_code"] = anchored(q["code"])
    truth = None  # what the compiler says: True (compiles) or the error
    if "compile_fail" in q:
        truth, q["_code"] = compile_fail_block(q["compile_fail"])
        telling = re.search(r"//.*\b(error|E\d{4}|compiles?|compiled)\b.*", q["_code"], re.IGNORECASE)
        if telling:
            raise QuizError(f"the listing gives the answer away in a comment: `{telling.group(0).strip()}`")
    elif "code" in q:
        truth = True
    claims = [o for o in options if "compiles" in o or "error" in o]
    if "compile_fail" in q and not claims:
        raise QuizError("a question with a `compile_fail` block asks whether it compiles: every option says `compiles = true` or `error = \"...\"`")
    if claims:
        if truth is None:
            raise QuizError("options say whether code compiles, but the question shows no `code` or `compile_fail` block")
        for option in options:
            if ("compiles" in option) == ("error" in option) or option.get("compiles", True) is not True:
                raise QuizError(f"option `{option['text']}`: give exactly one of `compiles = true` or `error = \"...\"`")
            says = True if "compiles" in option else option["error"]
            if (says == truth) != bool(option.get("correct")):
                actual = "it compiles" if truth is True else f"it fails with `{truth}`"
                raise QuizError(f"option `{option['text']}` is marked correct = {str(bool(option.get('correct'))).lower()}, but {actual}")
    if "lines" in q and "answer_from" not in q:
        raise QuizError("`lines` without `answer_from`")
    if re.search(r"\bwhat does\b[^?]*\bprint\b", q["prompt"], re.IGNORECASE) and "answer_from" not in q:
        raise QuizError("the prompt asks what code prints: take the answer from an output file with `answer_from`")
    if "code" in q and not claims and "answer_from" not in q:
        texts = [q["explanation"]] + [o.get("why", "") for o in options]
        if not any(proofs.MARK.search(str(text)) for text in texts):
            raise QuizError(
                "a question that shows `code` needs its answer checked: `answer_from`, "
                "`compiles`/`error` on its options, or a proof mark in its explanation"
            )
    if "answer_from" in q:
        if claims:
            raise QuizError("a question is about what code prints or whether it compiles, not both")
        if "code" in q:
            stem = Path(q["code"].partition(":")[0]).stem
            if not re.fullmatch(rf"book/src/output/{re.escape(stem)}(\.[\w-]+)*\.txt", q["answer_from"]) or q[
                "answer_from"
            ].endswith(".py.txt"):
                raise QuizError(
                    f"`answer_from = \"{q['answer_from']}\"` is not what `{q['code']}` prints: "
                    f"take it from book/src/output/{stem}.txt (or {stem}.ARGS.txt)"
                )
        expected = shown_output(output_lines(q["answer_from"], q.get("lines")))
        for option in options:
            same = shown_output(option["text"]) == expected
            if same != bool(option.get("correct")):
                raise QuizError(
                    f"option marked correct = {str(bool(option.get('correct'))).lower()}, but "
                    f"{'it is' if same else 'it is not'} what `{q['answer_from']}` shows"
                    f"{'' if 'lines' not in q else ' on lines ' + q['lines']}:\n{expected}\n--- option ---\n{option['text']}"
                )
        q["_output"] = True


def shown_output(text: str) -> str:
    """Output as the reader sees it in a quiz: without trailing white space on
    any line, and without blank lines before or after."""
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


def check_proof_marks(text: str) -> None:
    """Every proof mark names a test that exists, as book/proofs.py requires."""
    for match in proofs.MARK.finditer(text):
        try:
            proofs.test_lines(proofs.source_file(match.group(1)), match.group(2))
        except LookupError as error:
            raise QuizError(f"{match.group(0)}: {error}") from error
    if proofs.LOOSE.search(proofs.MARK.sub("", text)):
        raise QuizError(f"malformed proof mark in: {text}")


def check_files(paths: list[Path]) -> list[str]:
    problems = []
    for path in paths:
        try:
            load(path)
        except QuizError as error:
            problems.append(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {error}")
    return problems


# ------------------------------------------------------------------ HTML

CODE_SPAN = re.compile(r"`([^`]+)`")
LINK = re.compile(r"\[([^\]]+)\]\(((?!proof:)[^)\s]+)\)")
STRONG = re.compile(r"\*\*(.+?)\*\*")
EMPHASIS = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def inline(text: str) -> str:
    """Inline Markdown: `code`, **strong**, *emphasis*, [links](url). Proof
    marks, `[✓](proof:...)`, are left for book/proofs.py, which runs next."""
    spans: list[str] = []

    def keep(markup: str) -> str:
        spans.append(markup)
        return f"\x00{len(spans) - 1}\x00"

    text = CODE_SPAN.sub(lambda m: keep(f"<code>{html.escape(m.group(1))}</code>"), text.strip())
    text = re.sub(r"\[✓\]\(proof:[^)]*\)", lambda m: keep(m.group(0)), text)
    text = html.escape(text, quote=False)
    # The URL was escaped with the rest of the text; escape it once, quotes included.
    text = LINK.sub(lambda m: f'<a href="{html.escape(html.unescape(m.group(2)))}">{m.group(1)}</a>', text)
    text = STRONG.sub(r"<strong>\1</strong>", text)
    text = EMPHASIS.sub(r"<em>\1</em>", text)
    text = " ".join(text.split())
    return re.sub("\x00(\\d+)\x00", lambda m: spans[int(m.group(1))], text)


def block(text: str) -> str:
    """Text that keeps its lines inside one raw HTML block: a newline as a
    character reference, so no blank line ends the block early."""
    return html.escape(text, quote=False).replace("\n", "&#10;")


def render(questions: list[dict], stem: str) -> str:
    out = [f'<section class="quiz" id="quiz-{stem}" aria-label="Quiz">']
    for number, q in enumerate(questions, 1):
        options = q["option"]
        several = sum(bool(o.get("correct")) for o in options) > 1
        name = f"quiz-{stem}-{number}"
        out.append(f'<fieldset class="quiz-question" id="{name}">')
        hint = " (choose every right answer)" if several else ""
        out.append(
            f'<legend><span class="quiz-number">Question {number} of {len(questions)}{hint}.</span> '
            f"{inline(q['prompt'])}</legend>"
        )
        if "_code" in q:
            kind = "quiz-code quiz-compile-fail" if "compile_fail" in q else "quiz-code"
            out.append(f'<pre class="{kind}"><code class="language-rust noplayground">{block(q["_code"])}</code></pre>')
        out.append('<div class="quiz-options">')
        for index, option in enumerate(options):
            kind = "checkbox" if several else "radio"
            correct = "true" if option.get("correct") else "false"
            text = (
                f'<span class="quiz-output">{block(option["text"].strip(chr(10)))}</span>'
                if "_output" in q
                else f'<span class="quiz-text">{inline(option["text"])}</span>'
            )
            out.append(
                f'<label class="quiz-option"><input type="{kind}" name="{name}" value="{index}" '
                f'data-correct="{correct}"> {text}</label>'
            )
        out.append("</div>")
        out.append('<button type="button" class="quiz-check">Check</button>')
        out.append('<p class="quiz-verdict" role="status" aria-live="polite"></p>')
        out.append('<div class="quiz-answer" hidden>')
        for index, option in enumerate(options):
            if option.get("why"):
                out.append(f'<p class="quiz-why" data-option="{index}" hidden>{inline(option["why"])}</p>')
        out.append(f'<p class="quiz-explanation">{inline(q["explanation"])}</p>')
        out.append("</div>")
        out.append("</fieldset>")
    out.append("</section>")
    # No blank line anywhere: Markdown keeps the whole quiz as one HTML block.
    return "\n".join(out)


# ------------------------------------------------------------------ mdBook


def rewrite(content: str, chapter_path: str) -> str:
    page_dir = (ROOT / "book/src" / chapter_path).parent

    def one(match: re.Match) -> str:
        path = (page_dir / match.group(1)).resolve()
        where = f"quiz: {chapter_path}: {match.group(0)}"
        if not path.is_file():
            raise SystemExit(f"{where}: no such file {path}")
        try:
            return render(load(path), path.stem)
        except QuizError as error:
            raise SystemExit(f"{where}: {error}")

    result = DIRECTIVE.sub(one, content)
    if "{{#quiz" in result:
        line = next(l for l in result.splitlines() if "{{#quiz" in l)
        raise SystemExit(f"quiz: {chapter_path}: malformed quiz directive in: {line.strip()}")
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "supports":
        sys.exit(0)
    if len(sys.argv) > 1 and sys.argv[1] == "check":
        paths = [Path(p).resolve() for p in sys.argv[2:]] or sorted((ROOT / "quizzes").glob("*.toml"))
        if not paths:
            sys.exit("quiz: no quiz files in quizzes/")
        problems = check_files(paths)
        for problem in problems:
            print(problem)
        if problems:
            sys.exit(1)
        print(f"{len(paths)} quiz files: every answer agrees with the book")
        return
    _context, book = json.load(sys.stdin)
    proofs.walk(book, rewrite)
    json.dump(book, sys.stdout)


if __name__ == "__main__":
    main()
