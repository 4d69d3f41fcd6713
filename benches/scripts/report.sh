#!/usr/bin/env bash
# Rewrites BENCHMARKS.md from criterion's output (target/criterion/*/new/)
# and the side files of the benches and scripts (target/seedance-benches/).
# Run `cargo bench -p seedance-benches` (and benches/scripts/regen_scaling.sh)
# first.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo run --quiet --release -p seedance-benches --bin report
