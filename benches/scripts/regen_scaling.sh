#!/usr/bin/env bash
# Regen scaling figures that need separate processes (issue 5, bench 4):
#  1. wall time and peak memory (max RSS) of `xtask regen --schemas --out`
#     on synthetic corpora of 10, 100 and 1,000 models (/usr/bin/time -v);
#  2. debug build time of the generated crate with 1,000 models, with one
#     vendor feature and with all, in a scratch workspace under
#     target/regen-scale/ whose dependencies are built first (untimed).
# Writes target/seedance-benches/regen_scaling.json; report.sh reads it.
# Takes a few minutes (the scratch workspace builds reqwest and tokio once).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
work=$target/regen-scale
out=$target/seedance-benches
mkdir -p "$work" "$out"
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

cargo build --quiet --release -p xtask
xtask=$target/release/xtask

regen_json=""
for n in 10 100 1000; do
  rm -rf "$work/schemas-$n" "$work/crate-$n"
  "$xtask" synth "$n" "$work/schemas-$n" >/dev/null
  /usr/bin/time -v -o "$work/time-$n.txt" "$xtask" regen --schemas "$work/schemas-$n" --out "$work/crate-$n" >/dev/null
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time-$n.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time-$n.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  echo "regen $n models: ${wall}s, max RSS ${rss} KiB"
  regen_json="$regen_json${regen_json:+,}{\"models\": $n, \"wall_secs\": $wall, \"max_rss_kib\": $rss}"
done

# Scratch workspace: the 1,000-model crate as member `seedance`, the real
# runtime as a path dependency, the lock file of the real workspace.
ws=$work/ws
rm -rf "$ws/seedance"
mkdir -p "$ws"
cp -r "$work/crate-1000" "$ws/seedance"
cp "$root/Cargo.lock" "$ws/Cargo.lock"
cat > "$ws/Cargo.toml" <<TOML
[workspace]
resolver = "3"
members = ["seedance"]

[workspace.package]
edition = "2024"
rust-version = "1.85"
license = "MIT OR Apache-2.0"
publish = false

[workspace.dependencies]
seedance-runtime = { path = "$root/runtime" }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
schemars = { version = "1.2", default-features = false, features = ["std"] }

[profile.dev]
debug = "line-tables-only"

[profile.dev.package."*"]
debug = false
TOML

export CARGO_TARGET_DIR=$ws/target
( cd "$ws" && cargo build --quiet --offline -p seedance-runtime )

timed_build() {
  ( cd "$ws" && cargo clean --quiet --offline -p seedance )
  local start end
  start=$(date +%s.%N)
  ( cd "$ws" && cargo build --quiet --offline -p seedance "$@" )
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f\n", b - a }'
}
one=$(timed_build --no-default-features --features runcomfy)
echo "build 1,000-model crate, runcomfy only: ${one}s"
all=$(timed_build)
echo "build 1,000-model crate, all vendors: ${all}s"

# The alternative to the runtime's `input_fields!` reader (issue 13 item 2):
# serde's derive with `deny_unknown_fields` on every `Input` (the struct's
# serde attributes already name the wire fields and optional defaults).
rm -rf "$work/seedance-reader"
cp -r "$ws/seedance" "$work/seedance-reader"
python3 - "$ws/seedance/src" <<'PY'
import pathlib, re, sys
for path in pathlib.Path(sys.argv[1]).rglob("*.rs"):
    text = path.read_text()
    if "seedance_runtime::input_fields! {" not in text:
        continue
    text = re.sub(r"\nseedance_runtime::input_fields! \{\n.*?\n\}\n", "\n", text, flags=re.S)
    text = text.replace(
        "#[derive(Debug, Clone, PartialEq, serde::Serialize)]\n#[non_exhaustive]\npub struct Input",
        "#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]\n"
        "#[serde(deny_unknown_fields)]\n#[non_exhaustive]\npub struct Input",
    )
    path.write_text(text)
PY
derive=$(timed_build)
echo "build 1,000-model crate, all vendors, serde derive instead of input_fields!: ${derive}s"
rm -rf "$ws/seedance"; mv "$work/seedance-reader" "$ws/seedance"

cat > "$out/regen_scaling.json" <<JSON
{
  "regen": [$regen_json],
  "build": {"models": 1000, "one_vendor": $one, "all_vendors": $all, "all_vendors_serde_derive": $derive}
}
JSON
echo "wrote $out/regen_scaling.json"
