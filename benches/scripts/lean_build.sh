#!/usr/bin/env bash
# Issue 13 item 8: what depending on `seedance` costs a user. Two scratch
# projects under target/lean-build/, built clean in debug, one after the
# other, ROUNDS times (interleaved, so both share the machine's load):
#   bare      reqwest (the runtime's features) + tokio + serde_json
#   seedance  the generated crate (default features) + tokio + serde_json
# Both have the same `main` dependencies a user would add for a tokio app
# (tokio rt-multi-thread + macros). Same lock file as the workspace.
# Writes target/seedance-benches/lean_build.json; report.sh reads it.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
work=$target/lean-build
out=$target/seedance-benches
rounds=${ROUNDS:-2}
mkdir -p "$work" "$out"

# The runtime's reqwest features, read from the workspace manifest.
reqwest_line=$(grep -E '^reqwest = ' "$root/Cargo.toml")

project() { # name, extra dependency lines
  local dir=$work/$1
  rm -rf "$dir"; mkdir -p "$dir/src"
  cp "$root/Cargo.lock" "$dir/Cargo.lock"
  cat > "$dir/Cargo.toml" <<TOML
[package]
name = "lean-$1"
version = "0.1.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
tokio = { version = "1", features = ["rt-multi-thread", "macros"] }
serde_json = "1"
$2
TOML
  echo 'fn main() {}' > "$dir/src/main.rs"
}
project bare "$reqwest_line"
project seedance "seedance = { path = \"$root/generated\" }"

build() { # name -> "seconds units"
  local dir=$work/$1
  rm -rf "$dir/target"
  local start end units
  start=$(date +%s.%N)
  units=$( (cd "$dir" && cargo build --offline 2>&1) | grep -cE '^ *Compiling ')
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" -v u="$units" 'BEGIN { printf "%.2f %d\n", b - a, u }'
}

rows=""
for round in $(seq "$rounds"); do
  for name in bare seedance; do
    read -r secs units < <(build "$name")
    crates=$(cd "$work/$name" && cargo tree --offline -e normal,build --prefix none 2>/dev/null | sed 's/ (\*)//' | sort -u | wc -l)
    echo "round $round $name: ${secs}s, $units units compiled, $crates crates in the tree"
    rows="$rows${rows:+,}{\"round\": $round, \"project\": \"$name\", \"secs\": $secs, \"units\": $units, \"crates\": $crates}"
    # Written after every build, so an interrupted run keeps its rounds.
    echo "{\"rounds\": [$rows]}" > "$out/lean_build.json"
  done
done
echo "wrote $out/lean_build.json"
