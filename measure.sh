#!/usr/bin/env bash
# Writes the book's measured tables again, from full-size runs of the
# examples that measure, in release mode:
#   ./measure.sh
# Each file in book/src/measured names, on its first line, the example that
# writes it; this script runs every one of them with
# `cargo run --release --example NAME -- --write book/src/measured/NAME.md`.
# Run it on a quiet machine: other programs running meanwhile change the
# numbers (each file's Quiet line records the load average before and after).
# The first run compiles tokio in release mode (about a minute on
# two cores); the measurements take about ten minutes more on two cores
# (each trial runs three times, and the Python rows need python3 >= 3.11).
set -euo pipefail
cd "$(dirname "$0")"

began=$(date +%s)
names=()
for file in book/src/measured/*.md; do
    name=$(head -n 1 "$file" | sed -n 's/.*--example \([A-Za-z0-9_]*\).*/\1/p')
    if [ -z "$name" ]; then
        echo "measure: $file: the first line names no \`--example NAME\`" >&2
        exit 1
    fi
    names+=("$name")
done
if [ ${#names[@]} -eq 0 ]; then
    echo "measure: no files in book/src/measured" >&2
    exit 1
fi

example_args=()
for name in "${names[@]}"; do
    example_args+=(--example "$name")
done
cargo build --release --locked "${example_args[@]}"

for name in "${names[@]}"; do
    echo
    echo "==> $name"
    cargo run --release --locked --quiet --example "$name" -- --write "book/src/measured/$name.md"
done

echo
echo "measure: wrote ${#names[@]} files in $(($(date +%s) - began)) s; read \`git diff book/src/measured\` before committing"
