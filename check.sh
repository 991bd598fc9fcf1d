#!/usr/bin/env bash
# Runs every check the book has, the same way on a laptop and in CI:
#   ./check.sh
# Installs the pinned mdBook into .tools/ when the one on PATH is missing or
# another version. Needs cargo with rustfmt and clippy, and a network route to
# crates.io the first time. See CONTRIBUTING.md for what each step proves.
set -uo pipefail
cd "$(dirname "$0")"

MDBOOK_VERSION=0.5.4
BOOK_TARGET=target/mdbook # the examples as `mdbook test` links them
BOOK_FEATURES=paused-clock,real-io # as tests/output.rs builds them, into the same folder
failed=()
passed=0

step() {
    local name=$1
    shift
    printf '\n==> %s\n' "$name"
    if "$@"; then
        passed=$((passed + 1))
    else
        printf 'FAILED: %s\n' "$name"
        failed+=("$name")
    fi
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
    printf '#!/bin/sh\nexec "%s" --cfg '"'"'feature="paused-clock"'"'"' --cfg '"'"'feature="real-io"'"'"' "$@"\n' \
        "$rustdoc" >"$bin/rustdoc"
    chmod +x "$bin/rustdoc"
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

test_book() {
    PATH="$PWD/$BOOK_TARGET/bin:$PATH" "$MDBOOK" test -L "$BOOK_TARGET/lib"
}

step "install mdBook $MDBOOK_VERSION" find_mdbook
step "rustfmt" cargo fmt --all --check
step "clippy" cargo clippy --all-targets --locked --features real-io -- -D warnings
step "clippy with the paused clock" cargo clippy --all-targets --locked --features "$BOOK_FEATURES" -- -D warnings
step "cargo test" cargo test --locked --no-fail-fast --features real-io
step "build the examples for the book" prepare_book_crates
if [ -n "${MDBOOK:-}" ]; then
    step "mdbook build" build_book
    step "mdbook test" test_book
else
    failed+=("mdbook build and test (no mdBook)")
fi

echo
if [ ${#failed[@]} -eq 0 ]; then
    echo "check: $passed passed, 0 failed"
else
    printf 'failed step: %s\n' "${failed[@]}"
    echo "check: $passed passed, ${#failed[@]} failed"
    exit 1
fi
