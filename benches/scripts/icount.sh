#!/usr/bin/env bash
# Instruction counts per iteration of the validation cases (callgrind), one
# line per case: `case instructions`. Usage: icount.sh [filter] [iterations].
# Load-independent, unlike criterion's medians; see benches/examples/icount.rs.
# Without a filter the lines are also written to
# target/seedance-benches/icount.txt, which report.sh puts in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
filter=${1:-}
iterations=${2:-2000}
cargo build --quiet --release -p seedance-benches --example icount
bin=target/release/examples/icount
out=$(mktemp -d)
results=${CARGO_TARGET_DIR:-target}/seedance-benches
mkdir -p "$results"
: > "$out/all"
for case in $("$bin" list | grep -e "$filter"); do
  valgrind --tool=callgrind --collect-atstart=no --toggle-collect='icount::measure' \
    --callgrind-out-file="$out/cg" "$bin" "$case" "$iterations" >/dev/null 2>"$out/log"
  total=$(grep -E '^summary:|^totals:' "$out/cg" | head -1 | awk '{print $2}')
  echo "$case $((total / iterations))" | tee -a "$out/all"
done
if [ -z "$filter" ]; then
  cp "$out/all" "$results/icount.txt"
fi
rm -rf "$out"
