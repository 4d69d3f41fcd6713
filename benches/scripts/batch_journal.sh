#!/usr/bin/env bash
# 10,000 jobs through `seedance batch` against the simulator (its own
# process), with the SQLite journal, the PostgreSQL journal and no journal
# (`--journal :memory:`: the same code with nothing written), RUNS times
# each: wall time, CPU time and peak RSS of the batch process. Writes
# target/seedance-benches/batch_journal.json for benches/scripts/report.sh.
#
#   bash benches/scripts/batch_journal.sh [JOBS] [RUNS]
#
# PostgreSQL: $SEEDANCE_BENCH_POSTGRES_URL, else a throwaway cluster with
# PostgreSQL's default durability (fsync on) started by .ci/postgres.
# SEEDANCE_BENCH_NO_BUILD=1 uses target/release/seedance as it is.
set -euo pipefail
cd "$(dirname "$0")/../.."
jobs=${1:-10000}
runs=${2:-3}
concurrency=64

[ -n "${SEEDANCE_BENCH_NO_BUILD:-}" ] || cargo build --quiet --release -p seedance-cli
bin=$PWD/target/release/seedance
work=$(mktemp -d "${TMPDIR:-/tmp}/seedance-batch-bench.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

pg=${SEEDANCE_BENCH_POSTGRES_URL:-$(SEEDANCE_PG_OPTS=" " .ci/postgres $$)}

start_sim() {
    SEEDANCE_SIM_STATE=$work/sim.url "$bin" sim --port 0 >"$work/sim.out" 2>/dev/null &
    sim_pid=$!
    for _ in $(seq 100); do
        sim_url=$(head -1 "$work/sim.out" 2>/dev/null || true)
        [ -n "$sim_url" ] && break
        sleep 0.05
    done
}

results=()
for run in $(seq "$runs"); do
    for backend in memory sqlite postgres; do
        start_sim
        awk -v n="$jobs" -v img="$sim_url/sim/images/img.png?w=640&h=480" 'BEGIN {
            for (i = 1; i <= n; i++)
                printf "{\"model\":\"runcomfy/bytedance/seedance-1-0/pro/image-to-video\",\"input\":{\"prompt\":\"bench %d\",\"first_frame_image_url\":\"%s\"}}\n", i, img
        }' >"$work/jobs.jsonl"
        case $backend in
            memory) journal=":memory:" ;;
            sqlite) journal=$work/jobs-$run.db ;;
            postgres)
                db=bench_${run}_$$
                psql "$pg" -q -c "CREATE DATABASE $db" >/dev/null
                journal=${pg%/*}/$db ;;
        esac
        rm -rf "$work/out"
        RUNCOMFY_API_TOKEN=sim-token /usr/bin/time -f "%e %U %S %M" -o "$work/time" \
            "$bin" batch "$work/jobs.jsonl" --journal "$journal" --out "$work/out" \
            --base-url "$sim_url" --allow-private-image-urls --poll-interval 5ms --requests-per-second inf --concurrency $concurrency \
            >/dev/null 2>"$work/batch.err" || { cat "$work/batch.err" >&2; exit 1; }
        read -r wall user sys rss <"$work/time"
        saved=$(find "$work/out" -name '*.mp4' | wc -l)
        echo "run $run $backend: ${wall}s wall, ${user}s user, ${sys}s sys, ${rss} KiB peak RSS, $saved videos" >&2
        results+=("{\"run\":$run,\"backend\":\"$backend\",\"wall_s\":$wall,\"user_s\":$user,\"sys_s\":$sys,\"peak_rss_kib\":$rss,\"saved\":$saved}")
        kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true
    done
done

mkdir -p target/seedance-benches
joined=$(IFS=,; echo "${results[*]}")
cat >target/seedance-benches/batch_journal.json <<JSON
{"jobs": $jobs, "concurrency": $concurrency, "poll_interval_ms": 5, "runs": [$joined]}
JSON
echo "wrote target/seedance-benches/batch_journal.json" >&2
