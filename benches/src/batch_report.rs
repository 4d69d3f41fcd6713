//! The "durable batch" section of BENCHMARKS.md, from the side file
//! `benches/scripts/batch_journal.sh` writes (`batch_journal.json`).

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

/// Median of a non-empty list (the lower middle for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values
        .get((values.len().saturating_sub(1)) / 2)
        .copied()
        .unwrap_or(f64::NAN)
}

/// The section's Markdown ("not run" when the side file is missing).
pub fn section(extras: &Path) -> String {
    let mut out = String::new();
    out.push_str("## 8. Durable batch (`bash benches/scripts/batch_journal.sh`)\n\n");
    out.push_str(
        "10,000 jobs through `seedance batch` (release build, `--concurrency 64`, \
         `--poll-interval 5ms`) against `seedance sim` in its own process (each job: one \
         submit, three polls, one result fetch, one 4 KiB download), with the SQLite journal \
         (WAL, `synchronous=NORMAL`: survives a killed process), the PostgreSQL journal (a \
         local server with default durability, fsync on) and no journal (`--journal :memory:`: \
         the same code, nothing written). Every journaled job writes 8 state changes (each \
         with its event row) plus its lease. Wall, CPU (user + system) and peak RSS are of the \
         batch process; medians of the runs; journal cost per job = (median - no-journal \
         median) / 10,000.\n\n",
    );
    let Some(data) = std::fs::read_to_string(extras.join("batch_journal.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
    else {
        out.push_str("not run\n\n");
        return out;
    };
    let jobs = data["jobs"].as_f64().unwrap_or(10_000.0);
    let runs = data["runs"].as_array().cloned().unwrap_or_default();
    let stat = |backend: &str, f: &dyn Fn(&Value) -> f64| {
        median(
            runs.iter()
                .filter(|r| r["backend"] == backend)
                .map(f)
                .collect(),
        )
    };
    let wall = |b: &str| stat(b, &|r| r["wall_s"].as_f64().unwrap_or(f64::NAN));
    let cpu = |b: &str| {
        stat(b, &|r| {
            r["user_s"].as_f64().unwrap_or(f64::NAN) + r["sys_s"].as_f64().unwrap_or(f64::NAN)
        })
    };
    let rss = |b: &str| {
        stat(b, &|r| {
            r["peak_rss_kib"].as_f64().unwrap_or(f64::NAN) / 1024.0
        })
    };
    let count = runs.iter().filter(|r| r["backend"] == "memory").count();
    let _ = writeln!(
        out,
        "| journal | wall | vs no journal | CPU | peak RSS | cost per job (wall) | cost per job (CPU) |\n|---|---|---|---|---|---|---|"
    );
    let (base_wall, base_cpu) = (wall("memory"), cpu("memory"));
    for (backend, name) in [
        ("memory", "none (`:memory:`)"),
        ("sqlite", "SQLite"),
        ("postgres", "PostgreSQL"),
    ] {
        let (w, c) = (wall(backend), cpu(backend));
        let _ = writeln!(
            out,
            "| {name} | {w:.2} s | {:+.1}% | {c:.2} s | {:.0} MB | {:.0} µs | {:.0} µs |",
            (w / base_wall - 1.0) * 100.0,
            rss(backend),
            (w - base_wall) / jobs * 1e6,
            (c - base_cpu) / jobs * 1e6,
        );
    }
    let _ = writeln!(out, "\nMedians of {count} run(s) per journal.\n");
    let worst_wall = ["sqlite", "postgres"]
        .iter()
        .map(|b| (wall(b) / base_wall - 1.0) * 100.0)
        .fold(f64::MIN, f64::max);
    let worst_rss = ["memory", "sqlite", "postgres"]
        .iter()
        .map(|b| rss(b))
        .fold(f64::MIN, f64::max);
    let verdict = |ok: bool| if ok { "**met**" } else { "**missed**" };
    let _ = writeln!(
        out,
        "| target | figure | verdict |\n|---|---|---|\n\
         | the journal adds under 5% wall time | worst {worst_wall:+.1}% | {} |\n\
         | peak RSS under 100 MB at 10,000 jobs | worst {worst_rss:.0} MB | {} |\n",
        verdict(worst_wall < 5.0),
        verdict(worst_rss < 100.0)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_a_missing_file() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.0);
        assert!(section(Path::new("/nonexistent")).contains("not run"));
    }
}
