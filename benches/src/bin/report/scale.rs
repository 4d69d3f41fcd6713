//! The issue 13 sections of the report: connections and scale (the `scale`
//! bench), and what depending on `seedance` costs a user's build
//! (`benches/scripts/lean_build.sh`).

use serde_json::Value;

use super::{Report, verdict};

fn num(value: &Value, key: &str) -> f64 {
    value[key].as_f64().unwrap_or(f64::NAN)
}

pub(super) fn scale(r: &mut Report) {
    r.line("## 6. Many jobs from one process (`cargo bench -p seedance-benches --bench scale`)");
    r.line("");
    r.line("RunComfy pro image-to-video jobs (data-URI image, so no probe requests), each followed to its end with `job.wait()` on the default poll schedule. Each job is 5 requests: submit, 3 status polls (the simulator's default timing: queued, running, completed), result. All over HTTPS with the simulator's test CA trusted explicitly (`seedance_sim::TLS_CA_PEM`).");
    r.line("");
    let extra = r.extra("scale");
    let Some(extra) = extra else {
        r.line("Not run.");
        r.line("");
        return;
    };
    r.line("**Connections opened** for 1,000 jobs submitted at once (in-process `Sim::start_tls()`, `Sim::connections()` counts accepted TCP+TLS connections); the HTTP/1.1-only client is the runtime as it was before `http2` was enabled:");
    r.line("");
    r.line("| client | jobs | connections opened | target |");
    r.line("|---|---|---|---|");
    let connections = extra["connections"].as_array().cloned().unwrap_or_default();
    for row in &connections {
        let client = row["client"].as_str().unwrap_or("?");
        let opened = row["connections"].as_u64().unwrap_or(0);
        let (label, target) = if client == "http1_only" {
            ("HTTP/1.1 only (before)", "- (baseline)".to_owned())
        } else {
            (
                "default: `http2`, ALPN, one-request warm-up (after)",
                format!("one connection: {}", verdict(opened == 1)),
            )
        };
        let line = format!("| {label} | {} | {opened} | {target} |", row["jobs"]);
        r.line(&line);
    }
    r.line("");
    r.line("**Scale** against `seedance-sim --tls` in its own process (release build), request budget off (`RateLimit::unlimited()`), 2 tokio worker threads. CPU is this process's user + system time (`/proc/self/stat`) over the run divided by the jobs; peak RSS is `VmHWM`, reset before each row (`/proc/self/clear_refs`); peak heap is the most bytes live at once, counted by the bench's `#[global_allocator]` wrapper around the system allocator (glibc malloc, default settings), reset before each row; requests/s = 5 x jobs / wall time; in flight = most jobs between submit and finish at one time.");
    r.line("");
    r.line("| jobs | concurrency | wall | CPU per job | peak RSS | peak heap | heap per in-flight job | requests/s | most in flight |");
    r.line("|---|---|---|---|---|---|---|---|---|");
    let rows = extra["rows"].as_array().cloned().unwrap_or_default();
    for row in &rows {
        let bound = row["bound"]
            .as_u64()
            .map_or("unbounded".to_owned(), |b| format!("at most {b}"));
        let line = format!(
            "| {} | {bound} | {:.1} s | {:.2} ms | {:.1} MiB | {:.1} MiB | {:.1} KiB | {:.0} | {} |",
            row["jobs"],
            num(row, "wall_secs"),
            num(row, "cpu_ms_per_job"),
            num(row, "peak_rss_mib"),
            num(row, "peak_heap_mib"),
            num(row, "heap_bytes_per_job") / 1024.0,
            num(row, "requests_per_sec"),
            row["peak_in_flight"],
        );
        r.line(&line);
    }
    r.line("");
    let sizes = &extra["future_sizes"];
    if sizes.is_object() {
        let line = format!(
            "Futures a job keeps (`size_of_val`): `client.submit(&input)` {} B, `job.wait()` {} B, the bench's whole job task {} B.",
            sizes["submit"], sizes["wait"], sizes["job_task"]
        );
        r.line(&line);
        r.line("");
    }
    let unbounded: Vec<&Value> = rows.iter().filter(|row| row["bound"].is_null()).collect();
    let growth = match (unbounded.first(), unbounded.last()) {
        (Some(first), Some(last)) => {
            Some(num(last, "cpu_ms_per_job") / num(first, "cpu_ms_per_job"))
        }
        _ => None,
    };
    let biggest = unbounded.last();
    r.line("| target | figure | verdict |");
    r.line("|---|---|---|");
    if let Some(growth) = growth {
        let line = format!(
            "| linear growth (unbounded) | CPU per job at {} jobs / at {} jobs = {growth:.2}x (1.00x is linear) | {} |",
            biggest.map_or(Value::Null, |b| b["jobs"].clone()),
            unbounded.first().map_or(Value::Null, |f| f["jobs"].clone()),
            verdict(growth < 1.5)
        );
        r.line(&line);
    }
    if let Some(biggest) = biggest {
        let rss = num(biggest, "peak_rss_mib");
        let line = format!(
            "| peak RSS < 60 MB with {} jobs in flight | {rss:.1} MiB ({:.1} MB) | {} |",
            biggest["peak_in_flight"],
            rss * 1.048_576,
            verdict(rss * 1.048_576 < 60.0)
        );
        r.line(&line);
        let heap = num(biggest, "peak_heap_mib");
        let line = format!(
            "| peak heap (live bytes) with {} jobs in flight, for comparison | {heap:.1} MiB ({:.1} MB) | - |",
            biggest["peak_in_flight"],
            heap * 1.048_576,
        );
        r.line(&line);
    }
    let budget = &extra["budget"];
    if budget.is_object() {
        let limit = num(budget, "rate_limit");
        let sent = num(budget, "requests_per_sec");
        let line = format!(
            "| {} jobs at once under `RateLimit::per_second({limit:.0})` (burst 50) stay within it | {sent:.1} requests/s over {:.1} s | {} |",
            budget["jobs"],
            num(budget, "wall_secs"),
            verdict(sent <= limit * 1.02 + 50.0 / num(budget, "wall_secs"))
        );
        r.line(&line);
    }
    r.line("");
}

pub(super) fn lean(r: &mut Report) {
    r.line("## 7. What depending on `seedance` costs (`bash benches/scripts/lean_build.sh`)");
    r.line("");
    r.line("Two scratch projects under `target/lean-build/`, each built clean in debug (`cargo build`, empty `main`), alternating, on the workspace's lock file: *bare* depends on reqwest (the runtime's features) + tokio (`rt-multi-thread`, `macros`) + serde_json; *seedance* on `seedance` (default features) + the same tokio + serde_json. Units are crates compiled (`Compiling` lines, build scripts' crates included); both builds shared the machine with the same other work.");
    r.line("");
    let Some(extra) = r.extra("lean_build") else {
        r.line("Not run.");
        r.line("");
        return;
    };
    let rounds = extra["rounds"].as_array().cloned().unwrap_or_default();
    r.line("| round | bare: build | bare: crates | seedance: build | seedance: crates | time ratio | extra crates |");
    r.line("|---|---|---|---|---|---|---|");
    let mut ratios = Vec::new();
    let mut extra_crates = Vec::new();
    let round_numbers: Vec<u64> = {
        let mut n: Vec<u64> = rounds.iter().filter_map(|x| x["round"].as_u64()).collect();
        n.dedup();
        n
    };
    for round in round_numbers {
        let find = |project: &str| {
            rounds
                .iter()
                .find(|x| x["round"].as_u64() == Some(round) && x["project"] == project)
                .cloned()
        };
        let (Some(bare), Some(ours)) = (find("bare"), find("seedance")) else {
            continue;
        };
        let ratio = num(&ours, "secs") / num(&bare, "secs");
        let more = num(&ours, "units") - num(&bare, "units");
        ratios.push(ratio);
        extra_crates.push(more);
        let line = format!(
            "| {round} | {:.1} s | {} | {:.1} s | {} | {ratio:.2}x | {more:+.0} |",
            num(&bare, "secs"),
            bare["units"],
            num(&ours, "secs"),
            ours["units"],
        );
        r.line(&line);
    }
    r.line("");
    // The mean of the rounds' ratios: with two rounds a "median" would be
    // whichever round was lower.
    let mean = (!ratios.is_empty()).then(|| ratios.iter().sum::<f64>() / ratios.len() as f64);
    if let (Some(ratio), Some(more)) =
        (mean.as_ref(), extra_crates.iter().copied().reduce(f64::max))
    {
        r.line("| target | figure | verdict |");
        r.line("|---|---|---|");
        let line = format!(
            "| clean debug build at most 1.05x the bare one | mean of the rounds' ratios {ratio:.2}x | {} |",
            verdict(*ratio <= 1.05)
        );
        r.line(&line);
        let line = format!(
            "| crates compiled within 10 of the bare build | {more:+.0} | {} |",
            verdict(more <= 10.0)
        );
        r.line(&line);
        r.line("");
    }
}
