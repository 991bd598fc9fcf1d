#!/usr/bin/env bash
# Runs every check the book has, the same way on a laptop and in CI:
#   ./check.sh
# Installs the pinned mdBook into .tools/ when the one on PATH is missing or
# another version, and the lint and browser-test tools when missing: typos
# (PyPI) into .tools/typos, playwright-core (npm) into .tools/browser, and
# Debian's chromium with apt-get (as root, or with sudo). Needs cargo with
# rustfmt and clippy, python3 3.11 or later with pip (it also runs the Python
# twins), Node 20 or later with npm, and the package registries the first
# time. See CONTRIBUTING.md for what each step proves.
set -uo pipefail
cd "$(dirname "$0")"

MDBOOK_VERSION=0.5.4
TYPOS_VERSION=1.52.0
CHROMIUM=${CHROMIUM:-/usr/bin/chromium} # GitHub's runners set google-chrome
BROWSER_TOOLS=.tools/browser            # playwright-core, from tests/browser/package-lock.json
BOOK_TARGET=target/mdbook # the examples as `mdbook test` links them
BOOK_FEATURES=paused-clock,real-io # as tests/output.rs builds them, into the same folder
failed=()
passed=0
timings=()

step() {
    local name=$1 started=$SECONDS
    shift
    printf '\n==> %s\n' "$name"
    if "$@"; then
        passed=$((passed + 1))
    else
        printf 'FAILED: %s\n' "$name"
        failed+=("$name")
    fi
    timings+=("$(printf '%4ds  %s' $((SECONDS - started)) "$name")")
}

find_mdbook() {
    local candidate
    for candidate in "$(command -v mdbook || true)" "$PWD/.tools/bin/mdbook"; do
        if [ -x "$candidate" ] && [ "$("$candidate" --version)" = "mdbook v$MDBOOK_VERSION" ]; then
            MDBOOK=$candidate
            return 0
        fi
    done
    echo "mdBook $MDBOOK_VERSION not found: installing it into .tools/ (about 2 minutes)"
    cargo install mdbook --locked --version "$MDBOOK_VERSION" --root .tools --quiet || return 1
    MDBOOK=$PWD/.tools/bin/mdbook
}

# Builds the examples with the paused clock into a target directory of their
# own, then links the crates this build produced (and only those) into one
# folder for rustdoc's -L. Stale copies left by a version bump, `cargo check`
# or an editor never reach rustdoc, so E0464 ("multiple candidates") cannot
# happen. A rustdoc wrapper passes the same features to the book's code.
# `real-io` is on here and in every step below: one build per step covers the
# examples of the "Real I/O" part too (tests/output.rs builds the same way).
prepare_book_crates() {
    local lib=$BOOK_TARGET/lib bin=$BOOK_TARGET/bin rustdoc json
    json=$(cargo build --examples --features "$BOOK_FEATURES" --target-dir "$BOOK_TARGET" \
        --message-format=json-render-diagnostics) || return 1
    rm -rf "$lib" && mkdir -p "$lib" "$bin" || return 1
    grep -o '"filenames":\[[^]]*\]' <<<"$json" | grep -o '"[^"]*\.\(rlib\|so\|dylib\)"' | tr -d '"' |
        while read -r file; do ln -f "$file" "$lib/" || cp "$file" "$lib/"; done
    local crate
    for crate in tokio axum reqwest rusqlite; do
        ls "$lib"/lib"$crate"-*.rlib >/dev/null || { echo "no $crate rlib in $lib"; return 1; }
    done
    rustdoc=$(rustup which rustdoc 2>/dev/null || command -v rustdoc)
    # The toolchain ships a `libc` of its own (std uses it), so `extern crate
    # libc;` in a page would find two (E0464): name ours explicitly.
    local externs="" rlib
    for rlib in "$lib"/liblibc-*.rlib; do
        if [ -e "$rlib" ]; then externs="--extern 'libc=$PWD/$rlib'"; fi
    done
    printf '#!/bin/sh\nexec "%s" --cfg '"'"'feature="paused-clock"'"'"' --cfg '"'"'feature="real-io"'"'"' %s "$@"\n' "$rustdoc" "$externs" >"$bin/rustdoc"
    chmod +x "$bin/rustdoc"
}

# tests/twins.rs runs the Python twins with python3; say early, and plainly,
# when it cannot.
check_python() {
    if ! command -v python3 >/dev/null; then
        echo "python3 not found: the Python twins (examples/*.py) need Python 3.11 or later"
        return 1
    fi
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' && return 0
    echo "$(python3 --version 2>&1) found: the Python twins need Python 3.11 or later"
    return 1
}

snapshot_sources() {
    find book/src -type f -print0 | sort -z | xargs -0 sha256sum
}

# `mdbook build` exits 0 when an include is missing; its log says ERROR.
build_book() {
    local before log
    before=$(snapshot_sources)
    log=$("$MDBOOK" build 2>&1)
    local status=$?
    printf '%s\n' "$log"
    [ "$status" -eq 0 ] || return 1
    if [ "$(snapshot_sources)" != "$before" ]; then
        echo "building the book changed book/src: check [build] build-dir in book.toml"
        return 1
    fi
    if grep -E 'ERROR|WARN' <<<"$log" >/dev/null; then
        echo "mdbook build logged errors or warnings (above)"
        return 1
    fi
    if grep -rl --include='*.html' '{{#' target/book; then
        echo "pages above still show a raw {{#...}} directive"
        return 1
    fi
}

# `compile_fail` blocks: rustc's first error must be the code or message the
# page names (stable rustdoc checks neither; see tests/compile_fail.py).
compile_fail_messages() {
    python3 tests/compile_fail.py "$BOOK_TARGET/lib"
}

# One `mdbook test` per chapter, two at a time, skipping a chapter whose
# inputs are those of its last passing run (see tests/book_test.py; CI and
# FRESH=1 test every chapter).
test_book() {
    python3 tests/book_test.py "$MDBOOK" "$BOOK_TARGET/lib" "$PWD/$BOOK_TARGET/bin"
}

# Installs Debian packages without a prompt, as root or through sudo.
apt_install() {
    local run=()
    if ! command -v apt-get >/dev/null; then
        echo "cannot install $*: no apt-get here; install them by hand"
        return 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "cannot install $*: not root, and no sudo"; return 1; }
        run=(sudo -n)
    fi
    echo "installing $* with apt-get (about a minute)"
    "${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        "${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "$@" >/dev/null
}

# Spelling, in prose and code alike (_typos.toml lists accepted words).
run_typos() {
    local typos=.tools/typos/bin/typos
    if [ ! -x "$typos" ] || [ "$("$typos" --version)" != "typos-cli $TYPOS_VERSION" ]; then
        echo "installing typos $TYPOS_VERSION into .tools/typos"
        rm -rf .tools/typos
        python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
            --root-user-action=ignore --target .tools/typos "typos==$TYPOS_VERSION" || return 1
    fi
    "$typos"
}

# Chromium, Node and the pinned playwright-core, each only when missing or
# outdated; playwright never downloads a browser of its own.
install_browser_tools() {
    local want stamp=$BROWSER_TOOLS/installed
    if [ ! -x "$CHROMIUM" ]; then
        if [ "$CHROMIUM" != /usr/bin/chromium ]; then
            echo "CHROMIUM=$CHROMIUM is not an executable"
            return 1
        fi
        apt_install chromium fonts-liberation fonts-dejavu-core || return 1
        [ -x "$CHROMIUM" ] || { echo "installed chromium, but there is no $CHROMIUM"; return 1; }
    fi
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        apt_install nodejs npm || return 1
    fi
    if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
        echo "the browser tests need Node 20 or later; this is $(node --version)"
        return 1
    fi
    want=$(cat tests/browser/package.json tests/browser/package-lock.json | sha256sum)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -d "$BROWSER_TOOLS/node_modules/playwright-core" ]; then
        echo "installing playwright-core into $BROWSER_TOOLS (npm ci)"
        rm -rf "$BROWSER_TOOLS" && mkdir -p "$BROWSER_TOOLS" &&
            cp tests/browser/package.json tests/browser/package-lock.json "$BROWSER_TOOLS/" &&
            (cd "$BROWSER_TOOLS" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) &&
            echo "$want" >"$stamp" || return 1
    fi
}

BROWSER_LOG=target/browser-tests.log

# Waits for a job started in the background, and shows its log.
wait_for() {
    local status=0
    wait "$1" || status=$?
    cat "$2"
    return "$status"
}

# The built book in headless Chromium: see tests/browser/book.test.mjs.
# Skipped when the built book, everything the tests read (the sources, the
# examples a proof mark links to, the tests) and the browser are those of the
# last passing run (CI and FRESH=1 always run them).
browser_tests() {
    install_browser_tools || return 1
    local key stamp=target/browser-tests.passed
    key=$({ python3 tests/book_test.py --key target/book book book.toml examples exercises quizzes tests; "$CHROMIUM" --version; node --version; } |
        sha256sum | cut -d' ' -f1)
    if [ -z "${CI:-}${FRESH:-}" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
        echo "the built book, its sources, examples, tests and the browser are unchanged since the tests last passed: skipped (FRESH=1 runs them)"
        return 0
    fi
    rm -f "$stamp"
    CHROMIUM=$CHROMIUM BROWSER_TOOLS=$BROWSER_TOOLS node --test-reporter=spec tests/browser/book.test.mjs &&
        echo "$key" >"$stamp"
}

step "install mdBook $MDBOOK_VERSION" find_mdbook
step "python3 3.11 or later" check_python
step "rustfmt" cargo fmt --all --check
step "clippy" cargo clippy --workspace --all-targets --locked --features real-io -- -D warnings
step "clippy with the paused clock" cargo clippy --workspace --all-targets --locked --features "$BOOK_FEATURES" -- -D warnings
step "build the examples for the book" prepare_book_crates

# `cargo test` runs in the background (into a log shown when it ends) beside
# `mdbook test`: much of its time is waiting for the examples' processes.
# The browser tests start once `mdbook test` is done: beside it, Chromium
# got so little CPU that mdBook's own 6-second timeout on the playground's
# crate list fired on print.html. They touch no file another job writes.
CARGO_TEST_LOG=target/cargo-test.log
cargo test --locked --no-fail-fast --features real-io >"$CARGO_TEST_LOG" 2>&1 &
cargo_test_pid=$!
browser_pid=""
if [ -n "${MDBOOK:-}" ]; then
    step "mdbook build" build_book
    step "mdbook test" test_book
    if ! printf '%s\n' "${failed[@]}" | grep -qx 'mdbook build'; then
        browser_tests >"$BROWSER_LOG" 2>&1 &
        browser_pid=$!
    fi
    step "compile_fail errors" compile_fail_messages
else
    failed+=("mdbook build and test (no mdBook)")
fi
step "typos" run_typos
# Waits until nothing else runs: it times the examples' real runs.
real_runs() {
    wait "$cargo_test_pid" 2>/dev/null
    [ -z "$browser_pid" ] || wait "$browser_pid" 2>/dev/null
    cargo test --locked --features real-io --test copy -- --ignored
}
step "cargo test (beside mdbook test)" wait_for "$cargo_test_pid" "$CARGO_TEST_LOG"
if [ -n "$browser_pid" ]; then
    step "browser tests of the built book (after mdbook test)" wait_for "$browser_pid" "$BROWSER_LOG"
else
    failed+=("browser tests (the book did not build)")
fi
step "a reader's real runs print what the pages show (alone)" real_runs

echo
echo "time per step:"
printf '%s\n' "${timings[@]}"
# A full disk shows up as a linker killed by SIGBUS: say how much is used.
echo "disk: $(du -sh target 2>/dev/null | cut -f1) in target/, $(df -h . | awk 'NR == 2 {print $4}') free"
if [ ${#failed[@]} -eq 0 ]; then
    echo "check: $passed passed, 0 failed"
else
    printf 'failed step: %s\n' "${failed[@]}"
    echo "check: $passed passed, ${#failed[@]} failed"
    exit 1
fi
