//! Regenerates `BENCHMARKS.md` (workspace root) from criterion's output
//! (`target/criterion/**/new/{benchmark,estimates}.json`) and the side files
//! the benches and scripts write (`target/seedance-benches/*.json`).
//!
//! `cargo run -p seedance-benches --bin report` (or `benches/scripts/report.sh`).
//! Nothing in the tables is typed by hand: a figure that was not measured
//! shows as "not run".

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

mod catalog;
mod scale;

/// Median time in nanoseconds per criterion full id.
type Times = BTreeMap<String, f64>;

fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

fn collect(dir: &Path, times: &mut Times) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()) {
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") {
            let bench = read_json(&path.join("benchmark.json"));
            let estimates = read_json(&path.join("estimates.json"));
            if let (Some(bench), Some(estimates)) = (bench, estimates) {
                let id = bench["full_id"].as_str().unwrap_or_default().to_owned();
                if let Some(median) = estimates["median"]["point_estimate"].as_f64() {
                    times.insert(id, median);
                }
            }
        } else {
            collect(&path, times);
        }
    }
}

fn fmt_time(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn fmt_bytes(bytes: f64) -> String {
    if bytes >= 1e6 {
        format!("{:.1} MB", bytes / 1e6)
    } else if bytes >= 1024.0 {
        format!("{:.1} KiB", bytes / 1024.0)
    } else {
        format!("{bytes:.0} B")
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**missed**" }
}

struct Report {
    times: Times,
    extras: std::path::PathBuf,
    out: String,
}

impl Report {
    fn time(&self, id: &str) -> Option<f64> {
        self.times.get(id).copied()
    }

    fn cell(&self, id: &str) -> String {
        self.time(id).map_or_else(|| "not run".to_owned(), fmt_time)
    }

    /// `base / ours` as "N.NNx", or "n/a".
    fn ratio(&self, base: &str, ours: &str) -> (String, Option<f64>) {
        match (self.time(base), self.time(ours)) {
            (Some(b), Some(o)) if o > 0.0 => {
                let r = b / o;
                (format!("{r:.2}x"), Some(r))
            }
            _ => ("n/a".to_owned(), None),
        }
    }

    fn extra(&self, name: &str) -> Option<Value> {
        read_json(&self.extras.join(format!("{name}.json")))
    }

    /// The array under `key` of side file `name` (empty when not run).
    fn extra_rows(&self, name: &str, key: &str) -> Vec<Value> {
        self.extra(name)
            .and_then(|e| e[key].as_array().cloned())
            .unwrap_or_default()
    }

    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }
}

fn machine() -> (String, String, String) {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned());
    // 1, 5 and 15 minutes: the last covers much of a run on this machine.
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" / "))
        .unwrap_or_else(|| "unknown".to_owned());
    (
        format!("`{host}`: {cpus}"),
        cpu,
        format!(
            "{rustc}; load average (1 / 5 / 15 min) {load} when the report was written, on a machine shared with other people's builds"
        ),
    )
}

/// The commit the run measured: the checkout's `HEAD` when the report is
/// written (run it right after the benches, on the tree they built).
fn measured_commit() -> String {
    Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|commit| !commit.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

const MODELS: [(&str, &str); 5] = [
    ("aimlapi_lite_i2v", "AI/ML API lite i2v"),
    ("runcomfy_lite_i2v", "RunComfy lite i2v"),
    ("runcomfy_lite_r2v", "RunComfy lite r2v"),
    ("runcomfy_pro_i2v", "RunComfy pro i2v"),
    ("wavespeed_lite_r2v", "WaveSpeed lite r2v"),
];

/// Instructions per call of each `icount.sh` case (its side file
/// `icount.txt`), by case name; `None` if it was not run.
fn icounts(r: &Report) -> Option<std::collections::HashMap<String, f64>> {
    let text = std::fs::read_to_string(r.extras.join("icount.txt")).ok()?;
    let counts = text
        .lines()
        .filter_map(|line| line.split_once(' '))
        .filter_map(|(case, n)| Some((case.to_owned(), n.trim().parse().ok()?)))
        .collect();
    Some(counts)
}

/// Instruction counts of the same cases (`benches/scripts/icount.sh`, its
/// side file `icount.txt`), which the machine's load does not move.
fn icount(r: &mut Report) {
    let Some(counts) = icounts(r) else {
        return;
    };
    r.line("Instructions per call, counted by callgrind (`bash benches/scripts/icount.sh`, same build; load does not move them, so they back the criterion ratios on this shared machine):");
    r.line("");
    r.line("| model | case | generated | jsonschema | ratio | jsonschema compiled | ratio |");
    r.line("|---|---|---|---|---|---|---|");
    let ratio = |base: Option<&f64>, ours: Option<&f64>| match (base, ours) {
        (Some(b), Some(o)) if *o > 0.0 => format!("{:.2}x", b / o),
        _ => String::new(),
    };
    let count = |n: Option<&f64>| n.map_or_else(String::new, |n| format!("{n:.0}"));
    for (id, name) in MODELS {
        for (case, ours, base, compiled) in [
            (
                "valid, built",
                "valid_typed",
                "valid_jsonschema",
                "valid_jsonschema_compiled",
            ),
            (
                "valid, from JSON",
                "valid_typed_parse",
                "valid_jsonschema_parse",
                "",
            ),
            (
                "invalid, from JSON",
                "invalid_typed_parse",
                "invalid_jsonschema_parse",
                "",
            ),
        ] {
            let get = |case: &str| counts.get(&format!("{id}/{case}"));
            let (o, b, c) = (get(ours), get(base), get(compiled));
            let row = format!(
                "| {name} | {case} | {} | {} | {} | {} | {} |",
                count(o),
                count(b),
                ratio(b, o),
                count(c),
                ratio(c, o)
            );
            r.line(&row);
        }
    }
    if let Some(uri) = counts.get("is_image_uri") {
        let row = format!(
            "\nOne `is_image_uri` of the image URL: {uri:.0} instructions, harness included (a closure call and the loop: about 18 of them; the harness is the same for every case)."
        );
        r.line(&row);
    }
    r.line("");
}

fn validation(r: &mut Report) {
    r.line("## 1. Local validation (`cargo bench -p seedance-benches --bench validation`)");
    r.line("");
    r.line("Generated `Input::validate()` against the `jsonschema` crate 0.60.2 on the same input and the same schema file: its run-time validator (`validator_for`) and its compile-time one (`#[jsonschema::validator(path = ...)]`). jsonschema runs with its defaults (draft 2020-12, `format` not asserted, the custom `validations` keyword ignored as unknown); the generated code does strictly more, since it also checks every image field is an http(s) URL or a data URI. Ratios are baseline time / our time (above 1 = we are faster), medians of the same run.");
    r.line("");
    r.line("**Built input** (ours: `validate()` on an `Input`; baselines: `is_valid` on a parsed `serde_json::Value`; invalid: every violation collected, `iter_errors(..).count()` for the baselines):");
    r.line("");
    r.line("| model | case | generated | jsonschema | ratio | jsonschema compiled | ratio |");
    r.line("|---|---|---|---|---|---|---|");
    let mut min_runtime = f64::INFINITY;
    let mut min_compiled = f64::INFINITY;
    for (id, name) in MODELS {
        for case in ["valid", "invalid"] {
            let ours = format!("validation_{id}/{case}_typed");
            let base = format!("validation_{id}/{case}_jsonschema");
            let compiled = format!("validation_{id}/{case}_jsonschema_compiled");
            if r.time(&ours).is_none() && case == "invalid" {
                let row = format!(
                    "| {name} | invalid | cannot be built (enum: compile error) | {} | | {} | |",
                    r.cell(&base),
                    r.cell(&compiled)
                );
                r.line(&row);
                continue;
            }
            let (rb, vb) = r.ratio(&base, &ours);
            let (rc, vc) = r.ratio(&compiled, &ours);
            if case == "valid" {
                min_runtime = min_runtime.min(vb.unwrap_or(0.0));
                min_compiled = min_compiled.min(vc.unwrap_or(0.0));
            }
            let row = format!(
                "| {name} | {case} | {} | {} | {rb} | {} | {rc} |",
                r.cell(&ours),
                r.cell(&base),
                r.cell(&compiled)
            );
            r.line(&row);
        }
    }
    r.line("");
    r.line("**From JSON text** (ours: `serde_json::from_str::<Input>` + `validate()`; baselines: `serde_json::from_str::<Value>` + validator):");
    r.line("");
    r.line("| model | case | generated | jsonschema | ratio | jsonschema compiled | ratio |");
    r.line("|---|---|---|---|---|---|---|");
    let mut min_parse_runtime = f64::INFINITY;
    let mut min_parse_compiled = f64::INFINITY;
    for (id, name) in MODELS {
        for case in ["valid", "invalid"] {
            let ours = format!("validation_{id}/{case}_typed_parse");
            let base = format!("validation_{id}/{case}_jsonschema_parse");
            let compiled = format!("validation_{id}/{case}_jsonschema_compiled_parse");
            let (rb, vb) = r.ratio(&base, &ours);
            let (rc, vc) = r.ratio(&compiled, &ours);
            min_parse_runtime = min_parse_runtime.min(vb.unwrap_or(0.0));
            min_parse_compiled = min_parse_compiled.min(vc.unwrap_or(0.0));
            let row = format!(
                "| {name} | {case} | {} | {} | {rb} | {} | {rc} |",
                r.cell(&ours),
                r.cell(&base),
                r.cell(&compiled)
            );
            r.line(&row);
        }
    }
    r.line("");
    r.line("Invalid inputs: AI/ML API `resolution: \"4k\"` (enum), RunComfy lite i2v a 2,000-character prompt (maxLength 1900), RunComfy lite r2v five images (maxItems 4), RunComfy pro i2v `duration: 13` (enum), WaveSpeed `duration: 13` (maximum 12). The two enum violations cannot be held by a typed `Input`, so they are only in the from-JSON table, where serde rejects them while parsing.");
    r.line("");
    let uri = r.cell("validation_breakdown/is_image_uri");
    let row = format!(
        "Of the generated time, one `is_image_uri` check of the {}-character image URL (`seedance::runtime::validation::is_image_uri`) takes {uri}; AI/ML API and RunComfy pro check one URL, RunComfy lite i2v two, lite r2v three, WaveSpeed two. The baselines do no work on those fields.",
        seedance_benches::fixtures::IMAGE.len()
    );
    r.line(&row);
    r.line("");
    r.line("The typed side reads JSON text straight into the `Input` (a serde visitor per model, `seedance_runtime::input_fields!`): no `serde_json::Value` tree is built, unknown fields are refused with a \"did you mean\", and enum values are matched in place. What limits the built-input ratio on the multi-image models is the image-URL check above (`runtime/src/validation/uri.rs`: the scheme by one 8-byte compare, the host's first byte by a 256-entry table, then every byte classified once, printable ASCII or not, as a running maximum of `byte - 0x21` over 16-byte windows, a fixed set of them up to 128 bytes with no loop, one compare at the end; SSE2 `paddb`/`pmaxub` from safe code, no `unsafe`): the baselines skip it, and it is most of `validate()`'s time. A list of URLs is one call (`Validator::uri_items`). An invalid enum value's error is written once, into a stack buffer, with the field name in it (serde's error types hold a `String` made when the error is raised, so that message cannot wait for `Display`; `FromStr`'s `ParseEnumError` does wait: it keeps the rejected text and looks the accepted values and the \"did you mean\" up only when displayed).");
    r.line("");
    icount(r);
    r.line("| target | figure | verdict |");
    r.line("|---|---|---|");
    let row = format!(
        "| valid input, built: >= 5x faster than run-time jsonschema | worst model {min_runtime:.2}x | {} |",
        verdict(min_runtime >= 5.0)
    );
    r.line(&row);
    let row = format!(
        "| valid input, built: no slower than compiled jsonschema | worst model {min_compiled:.2}x | {} |",
        verdict(min_compiled >= 1.0)
    );
    r.line(&row);
    let row = format!(
        "| from JSON text, valid and invalid: >= 1.5x faster than parse-to-`Value` + run-time jsonschema | worst {min_parse_runtime:.2}x (vs compiled: worst {min_parse_compiled:.2}x) | {} |",
        verdict(min_parse_runtime >= 1.5)
    );
    r.line(&row);
    r.line("| no heap allocation on the valid path, all five models | `cargo test -p seedance-benches --test alloc` (counting `#[global_allocator]`; asserts 0 for valid inputs, > 0 for an invalid one) | met while that test passes |");
    r.line("");
}

fn client(r: &mut Report) {
    r.line("## 2. Client overhead (`cargo bench -p seedance-benches --bench client`)");
    r.line("");
    r.line("One submit + status + result cycle of RunComfy pro image-to-video against the simulator on loopback (jobs finish at once). Ours: `seedance::runcomfy::Client::builder().token(TOKEN).base_url(sim.base_url()).requests_per_second(f64::INFINITY)` (the request budget off: its default 50 requests a second would be what is measured), `submit` (local validation, data-URI image check, serialization, one POST), `job.status()`, `job.result()`. Baseline: bare `reqwest::Client` sending the same three requests with a `json!` body and parsing each answer as `serde_json::Value`. The image is a data URI (a 1280x720 PNG header), so the prober decodes it locally and sends no request.");
    r.line("");
    let (ratio, _) = r.ratio("client_cycle/runtime", "client_cycle/reqwest");
    let pairs = r.extra("client_pairs");
    let pair_ratio = pairs.as_ref().and_then(|p| p["ratio"].as_f64());
    r.line("Criterion times each side in its own group, one after the other; the verdict uses interleaved pairs instead (a runtime cycle and a reqwest cycle back to back, alternating which goes first, each timed; the median of the per-pair ratios), so both sides see the same load.");
    r.line("");
    r.line("| cycle | runtime client | bare reqwest | criterion: ours / baseline | interleaved pairs: ours / baseline | target <= 1.10x |");
    r.line("|---|---|---|---|---|---|");
    let row = format!(
        "| submit + status + result | {} | {} | {ratio} | {} | {} |",
        r.cell("client_cycle/runtime"),
        r.cell("client_cycle/reqwest"),
        pair_ratio.map_or("not run".to_owned(), |v| format!(
            "{v:.2}x ({} pairs)",
            pairs.as_ref().map_or(Value::Null, |p| p["pairs"].clone())
        )),
        pair_ratio.map_or("not run", |v| verdict(v <= 1.10))
    );
    r.line(&row);
    r.line("");
}

fn image_probe(r: &mut Report) {
    r.line("## 3. Image rule check (`cargo bench -p seedance-benches --bench image_probe`)");
    r.line("");
    r.line("A 25,000,000-byte 1920x1080 image served by the simulator (Range supported). Ours: the runtime `Prober` (one `Range: bytes=0-65535` read; a JPEG whose frame header lies past its metadata gets 4 KiB follow-up reads). Baseline: download the whole file with reqwest and read its header with `imagesize`. Bytes are body bytes received, from `ImageProbe::bytes_read` and from the download.");
    r.line("");
    r.line("| image | prober time | download time | speed-up | prober bytes | prober requests | download bytes | target | verdict |");
    r.line("|---|---|---|---|---|---|---|---|---|");
    let images = r.extra_rows("image_probe", "images");
    if images.is_empty() {
        r.line("| not run | | | | | | | | |");
    }
    for image in images {
        let name = image["image"].as_str().unwrap_or("?").to_owned();
        let bytes = image["probe_bytes_read"].as_f64().unwrap_or(f64::NAN);
        let requests = image["probe_requests"].as_u64().unwrap_or(0);
        let download = image["download_bytes_read"].as_f64().unwrap_or(f64::NAN);
        let prober = format!("image_probe/{name}/prober");
        let base = format!("image_probe/{name}/download");
        let (speedup, _) = r.ratio(&base, &prober);
        let meta = image["metadata"].as_u64().unwrap_or(0);
        let (target, met) = if name == "jpeg_large_exif" {
            (
                "bounded follow-up reads (at most 8 x 4 KiB after the first 64 KiB)".to_owned(),
                bytes <= (64.0 + 8.0 * 4.0) * 1024.0 && requests <= 9,
            )
        } else {
            (
                "1 request, <= 64 KiB".to_owned(),
                requests == 1 && bytes <= 65536.0,
            )
        };
        let label = if meta > 0 {
            format!("{name} ({} of EXIF)", fmt_bytes(meta as f64))
        } else {
            name.clone()
        };
        let row = format!(
            "| {label} | {} | {} | {speedup} | {} ({bytes:.0} B) | {requests} | {} | {target} | {} |",
            r.cell(&prober),
            r.cell(&base),
            fmt_bytes(bytes),
            fmt_bytes(download),
            verdict(met)
        );
        r.line(&row);
    }
    r.line("");
}

fn regen(r: &mut Report) {
    r.line("## 4. Regen scaling (`cargo bench -p seedance-benches --bench regen`, `benches/scripts/regen_scaling.sh`)");
    r.line("");
    r.line("Synthetic corpora from `cargo xtask synth N DIR` (models spread over the three vendors, four shapes taken from the real schemas). Wall time: criterion, in process, `seedance_codegen::generate` (load, convert, emit, prettyplease; no disk writes of the output). Peak memory and end-to-end time: `target/release/xtask regen --schemas DIR --out DIR` under `/usr/bin/time -v` (writes the crate too).");
    r.line("");
    let scaling = r.extra("regen_scaling");
    let corpora = r.extra("regen");
    r.line("| models | generate (criterion) | per model | output files | output lines | xtask regen wall | xtask peak RSS |");
    r.line("|---|---|---|---|---|---|---|");
    let mut per_model = Vec::new();
    for n in [10u64, 100, 1000] {
        let id = format!("regen/generate/{n}");
        let t = r.time(&id);
        if let Some(t) = t {
            per_model.push((n, t / n as f64));
        }
        let corpus = corpora
            .as_ref()
            .and_then(|c| c["corpora"].as_array().cloned())
            .and_then(|a| a.into_iter().find(|c| c["models"].as_u64() == Some(n)));
        let run = scaling
            .as_ref()
            .and_then(|s| s["regen"].as_array().cloned())
            .and_then(|a| a.into_iter().find(|c| c["models"].as_u64() == Some(n)));
        let row = format!(
            "| {n} | {} | {} | {} | {} | {} | {} |",
            r.cell(&id),
            t.map_or("n/a".to_owned(), |t| fmt_time(t / n as f64)),
            corpus
                .as_ref()
                .map_or("n/a".to_owned(), |c| c["files"].to_string()),
            corpus
                .as_ref()
                .map_or("n/a".to_owned(), |c| c["lines"].to_string()),
            run.as_ref()
                .and_then(|c| c["wall_secs"].as_f64())
                .map_or("not run".to_owned(), |s| format!("{s:.2} s")),
            run.as_ref()
                .and_then(|c| c["max_rss_kib"].as_f64())
                .map_or("not run".to_owned(), |k| format!("{:.0} MiB", k / 1024.0)),
        );
        r.line(&row);
    }
    r.line("");
    let build = scaling.as_ref().map(|s| s["build"].clone());
    r.line("Debug build of the generated crate with 1,000 models (`cargo build -p seedance` in a scratch workspace under `target/regen-scale/`, its dependencies built beforehand, so this is the generated crate alone):");
    r.line("");
    r.line("| features | build time | target < 60 s |");
    r.line("|---|---|---|");
    let mut build_rows = 0;
    for (key, label) in [
        ("one_vendor", "`runcomfy` only"),
        ("all_vendors", "all three vendors (default)"),
        (
            "all_vendors_serde_derive",
            "all three, `Input` deserialized by serde's derive (`deny_unknown_fields`) instead of `input_fields!` (for comparison)",
        ),
    ] {
        if let Some(secs) = build.as_ref().and_then(|b| b[key].as_f64()) {
            build_rows += 1;
            let row = format!("| {label} | {secs:.1} s | {} |", verdict(secs < 60.0));
            r.line(&row);
        }
    }
    if build_rows == 0 {
        r.line("| not run | | |");
    }
    r.line("");
    let t1000 = r.time("regen/generate/1000");
    let growth = match (per_model.first(), per_model.last()) {
        (Some((_, first)), Some((_, last))) => format!("{:.2}x", last / first),
        _ => "n/a".to_owned(),
    };
    r.line("| target | figure | verdict |");
    r.line("|---|---|---|");
    let row = format!(
        "| 1,000 models regenerate in under 2 s | {} | {} |",
        t1000.map_or("not run".to_owned(), fmt_time),
        t1000.map_or("not run", |t| verdict(t < 2e9))
    );
    r.line(&row);
    let row = format!(
        "| linear growth | time per model at 1,000 / at 10 = {growth} (1.00x is linear) | {} |",
        match (per_model.first(), per_model.last()) {
            (Some((_, f)), Some((_, l))) => verdict(l / f < 1.5),
            _ => "not run",
        }
    );
    r.line(&row);
    r.line("");
}

fn polling(r: &mut Report) {
    r.line("## 5. Polling (`cargo bench -p seedance-benches --bench polling`)");
    r.line("");
    r.line("`Job::wait`'s loop replayed on a simulated clock over the pure schedule `PollPolicy::jittered` (the loop of `runtime/src/wait.rs`: sleep `jittered(attempt, since_submit)`, poll, stop at the first poll at or after the finish). Each job finishes at its nominal length + U(-0.5 s, 0.5 s); 10,000 seeds per cell, each with its own jitter. Requests are status polls (the one result fetch after them is the same for both policies). Overshoot: time from the job finishing to the poll that sees it.");
    r.line("");
    let rows = r.extra_rows("polling", "rows");
    r.line("| job | default: requests (median) | fixed 1 s: requests | ratio | default: overshoot median / p90 | fixed 1 s: overshoot median / p90 | target (jobs >= 30 s): <= 0.5x requests, median overshoot < 1.5 s |");
    r.line("|---|---|---|---|---|---|---|");
    if rows.is_empty() {
        r.line("| not run | | | | | | |");
    }
    let find = |job: f64, policy: &str| {
        rows.iter()
            .find(|row| row["job_secs"].as_f64() == Some(job) && row["policy"] == policy)
            .cloned()
    };
    for job in [5.0, 30.0, 60.0, 600.0, 900.0, 1800.0, 3600.0] {
        let (Some(ours), Some(base)) = (find(job, "default"), find(job, "fixed_1s")) else {
            continue;
        };
        let req = ours["requests_median"].as_f64().unwrap_or(f64::NAN);
        let base_req = base["requests_median"].as_f64().unwrap_or(f64::NAN);
        let over = ours["overshoot_median"].as_f64().unwrap_or(f64::NAN);
        let verdict_text = if job >= 30.0 {
            verdict(req * 2.0 <= base_req && over < 1.5)
        } else {
            "- (job < 30 s)"
        };
        let label = if job >= 60.0 {
            format!("{} min", job / 60.0)
        } else {
            format!("{job} s")
        };
        let row = format!(
            "| {label} | {req} | {base_req} | {:.2}x | {over:.2} s / {:.2} s | {:.2} s / {:.2} s | {verdict_text} |",
            req / base_req,
            ours["overshoot_p90"].as_f64().unwrap_or(f64::NAN),
            base["overshoot_median"].as_f64().unwrap_or(f64::NAN),
            base["overshoot_p90"].as_f64().unwrap_or(f64::NAN),
        );
        r.line(&row);
    }
    r.line("");
}

fn main() {
    let root = seedance_benches::workspace_root();
    let target = seedance_benches::target_dir();
    let mut times = Times::new();
    collect(&target.join("criterion"), &mut times);
    let mut r = Report {
        times,
        extras: seedance_benches::extras_dir(),
        out: String::new(),
    };
    let (cpus, cpu, rustc) = machine();
    r.line("# Benchmarks");
    r.line("");
    r.line("<!-- Generated by `benches/scripts/report.sh` (cargo run -p seedance-benches --bin report) from target/criterion and target/seedance-benches; do not edit by hand. -->");
    r.line("");
    r.line("Where the generated clients stand against the alternatives a user would otherwise pick (hand-written reqwest calls plus a JSON Schema validator), measured in the same run. Figures are medians; ratios compare with the baseline of the same run, never across runs or machines.");
    r.line("");
    let mut machine_line = String::new();
    let _ = write!(
        machine_line,
        "**Machine:** {cpus} CPUs (`nproc`), {cpu}, {rustc}. Absolute times are indicative, ratios of the same run less sensitive. All figures below come from one run, one script after the other: `cargo bench -p seedance-benches`, `icount.sh`, `lean_build.sh`, `regen_scaling.sh` and `batch_journal.sh`; a section whose script was not re-run says \"not run\"."
    );
    r.line(&machine_line);
    r.line("");
    let line = format!("**Code measured:** commit `{}`.", measured_commit());
    r.line(&line);
    r.line("");
    r.line("**Reproduce:**");
    r.line("");
    r.line("```sh");
    r.line("cargo bench -p seedance-benches                      # all seven benches (release, several minutes on 2 cores)");
    r.line("bash benches/scripts/icount.sh                       # instruction counts of the validation cases (callgrind, about a minute)");
    r.line("bash benches/scripts/lean_build.sh                   # clean debug builds: bare reqwest+tokio+serde_json vs seedance (minutes)");
    r.line("cargo test -p seedance-benches --test alloc          # zero-allocation proof of validate()");
    r.line("bash benches/scripts/regen_scaling.sh                # peak memory + 1,000-model crate build time (minutes)");
    r.line(
        "bash benches/scripts/report.sh                       # rewrite this file from the results",
    );
    r.line("cargo bench -p seedance-benches -- --test            # CI: every bench runs once, no timing");
    r.line("bash benches/scripts/batch_journal.sh                # 10,000 jobs through seedance batch, per journal (minutes)");
    r.line("```");
    r.line("");
    validation(&mut r);
    client(&mut r);
    image_probe(&mut r);
    regen(&mut r);
    polling(&mut r);
    scale::scale(&mut r);
    scale::lean(&mut r);
    r.out
        .push_str(&seedance_benches::batch_report::section(&r.extras));
    catalog::catalog(&mut r);
    let notes_path = root.join("benches/NOTES.md");
    if let Ok(notes) = std::fs::read_to_string(&notes_path) {
        r.line("## Notes");
        r.line("");
        r.out.push_str(notes.trim_end());
        r.out.push('\n');
    }
    let path = root.join("BENCHMARKS.md");
    std::fs::write(&path, &r.out)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    println!("wrote {}", path.display());
}
