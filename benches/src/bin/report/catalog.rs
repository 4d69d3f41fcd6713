//! Section 9: the run-time catalog (`benches/benches/catalog.rs`).

use super::{MODELS, Report, fmt_time, icounts, verdict};

/// Targets of issue 20.
const WITHIN: f64 = 3.0;
const CACHED_LOAD_NS: f64 = 1e6;

pub(super) fn catalog(r: &mut Report) {
    r.line("## 9. The catalog at run time (`cargo bench -p seedance-benches --bench catalog`)");
    r.line("");
    r.line("A model that is not compiled in is checked by the interpreted check (`seedance_runtime::interpret`, over the IR the converter reads from its schema) with the compiled `validate()`'s rules and messages. Its `Checks` are made once, when the schema is loaded (`Catalog::load` does): the fields that carry a rule, each with only the limits it has. Here both check the same valid input of the same model: `validate()` on the typed input against `Checks::validate` on the JSON value; then from a JSON value, the typed parse (`ModelInfo::parse`) + `validate()` against `interpret::parse` + `Checks::validate`. Slowdown = interpreted / compiled (target: within 3x); the last column is the first pair's ratio in instructions (`bash benches/scripts/icount.sh`, `valid_typed` against `valid_interpreted`), which the machine's load does not move.");
    r.line("");
    r.line("| model | compiled validate | interpreted | slowdown | compiled parse+validate | interpreted | slowdown | instructions |");
    r.line("|---|---|---|---|---|---|---|---|");
    let counts = icounts(r).unwrap_or_default();
    let mut worst: f64 = 0.0;
    let mut worst_count: Option<f64> = Some(0.0);
    for (id, name) in MODELS {
        let cell = |what: &str| format!("catalog_check/{id}/{what}");
        let slowdown = |r: &Report, compiled: &str, interpreted: &str| match (
            r.time(&cell(compiled)),
            r.time(&cell(interpreted)),
        ) {
            (Some(c), Some(i)) if c > 0.0 => (format!("{:.2}x", i / c), Some(i / c)),
            _ => ("n/a".to_owned(), None),
        };
        let (alone, a) = slowdown(r, "compiled_validate", "interpreted_validate");
        let (parsed, p) = slowdown(r, "compiled_parse_validate", "interpreted_parse_validate");
        worst = worst
            .max(a.unwrap_or(f64::INFINITY))
            .max(p.unwrap_or(f64::INFINITY));
        let count = |case: &str| counts.get(&format!("{id}/{case}")).copied();
        let instructions = match (count("valid_typed"), count("valid_interpreted")) {
            (Some(c), Some(i)) if c > 0.0 => {
                worst_count = worst_count.map(|w| w.max(i / c));
                format!("{c:.0} / {i:.0} = {:.2}x", i / c)
            }
            _ => {
                worst_count = None;
                "not run".to_owned()
            }
        };
        let row = format!(
            "| {name} | {} | {} | {alone} | {} | {} | {parsed} | {instructions} |",
            r.cell(&cell("compiled_validate")),
            r.cell(&cell("interpreted_validate")),
            r.cell(&cell("compiled_parse_validate")),
            r.cell(&cell("interpreted_parse_validate")),
        );
        r.line(&row);
    }
    r.line("");
    let load = r.time("catalog_load/runcomfy_lite_i2v/from_disk_cache");
    let convert = r.time("catalog_load/runcomfy_lite_i2v/convert_once");
    let shown = |t: Option<f64>| t.map_or_else(|| "not run".to_owned(), fmt_time);
    let text = format!(
        "Loading RunComfy lite i2v's schema from the disk cache (`Catalog::load` with a fresh cache: file read, JSON parse, the schema's fingerprint, the converted model looked up): {}; converting it and making its checks, which a process does once per schema: {}.",
        shown(load),
        shown(convert)
    );
    r.line(&text);
    r.line("");
    r.line("| target | measured | verdict |");
    r.line("|---|---|---|");
    let row = format!(
        "| interpreted check within {WITHIN}x of the compiled one, every model | worst {worst:.2}x | {} |",
        verdict(worst <= WITHIN)
    );
    r.line(&row);
    let row = match worst_count {
        Some(w) => format!(
            "| the same, in instructions (`valid_typed` against `valid_interpreted`; load does not move them) | worst {w:.2}x | {} |",
            verdict(w <= WITHIN)
        ),
        None => "| the same, in instructions | not run | |".to_owned(),
    };
    r.line(&row);
    let total = load.zip(convert).map(|(l, c)| l + c);
    let row = format!(
        "| a cached catalog schema loaded under 1 ms | {} (first load in a process, conversion included: {}) | {} |",
        shown(load),
        shown(total),
        verdict(load.is_some_and(|l| l < CACHED_LOAD_NS))
    );
    r.line(&row);
    r.line("");
}
