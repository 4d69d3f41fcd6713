//! Maintainer tasks.
//!
//! - `cargo xtask regen [--check]`: regenerate `generated/` (and the compiled
//!   fixture corpus `tests/fixtures/generated/`) from their schema trees,
//!   printing vendor warnings and what changed for users; `--check` fails,
//!   naming the stale files, when they are out of date (CI runs it).
//! - `cargo xtask regen --schemas DIR --out DIR [--check]`: the same from
//!   another schema tree into another crate folder (benchmarks, experiments).
//! - `cargo xtask pull [--check] [--vendor V]... [--model ID]... [--base-url V=URL]...`:
//!   fetch the current schemas from the vendors' catalogs into `schemas/`,
//!   then regen; `--check` reports drift and fails without writing.
//! - `cargo xtask synth N OUT_DIR`: a synthetic corpus of `N` model schemas
//!   (the regen-scaling benchmark).
//!
//! Every command answers `--help` (or `-h`) with its usage, exit 0. Every
//! task works on the checkout the command is run from.

use std::path::Path;
use std::process::ExitCode;
use std::slice::Iter;

use xtask::body::{self, Limit};
use xtask::regen::Mode;
use xtask::{pull, regen, synth, workspace_root};

const USAGE: &str = "usage:
  cargo xtask regen [--check]        write generated/ from schemas/ (--check: fail when stale)
  cargo xtask regen --schemas DIR --out DIR [--check]
                                     the same from another schema tree into another folder
  cargo xtask pull [--check] [--vendor V]... [--model ID]... [--base-url V=URL]...
                                     fetch the vendors' current schemas, then regen
                                     (--check: report drift, write nothing, fail on drift)
  cargo xtask synth N OUT_DIR        write a synthetic corpus of N model schemas
  cargo xtask COMMAND --help         the usage of one command (also -h)
";

const REGEN_USAGE: &str = "usage:
  cargo xtask regen [--check]
  cargo xtask regen --schemas DIR --out DIR [--check]

Writes generated/ (and tests/fixtures/generated/) from their schema trees,
printing vendor warnings and what changed for users of `seedance`.

  --check          write nothing; fail, naming the stale files, when out of date
  --schemas DIR    read this schema tree instead (needs --out)
  --out DIR        write this crate folder instead (needs --schemas)
  -h, --help       this text
";

const SYNTH_USAGE: &str = "usage:
  cargo xtask synth N OUT_DIR

Writes a synthetic corpus of N model schemas under OUT_DIR (the
regen-scaling benchmark).

  -h, --help       this text
";

fn pull_usage() -> String {
    let mib = |limit: Limit| limit.bytes / (1024 * 1024);
    format!(
        "usage:
  cargo xtask pull [--check] [--vendor V]... [--model ID]... [--base-url V=URL]...

Fetches the vendors' current schemas into schemas/ (provenance in each
vendor's lock.json), then regenerates generated/ and reports what changed.
Without --model it also discovers models that are not compiled in yet
(WaveSpeed's catalog and RunComfy's model list under the manifest's
catalog_prefix, the AI/ML API's docs folder listing): `new` in the report,
taken by a pull, only reported by --check.

  --check           report drift, write nothing; fail when anything differs
  --vendor V        only this vendor (repeatable; all by default)
  --model ID        only this model id (repeatable; an unknown id is fetched as new)
  --base-url V=URL  read vendor V's catalog at URL's origin (the simulator, say)
  -h, --help        this text

Tokens are read from the variable each schemas/<vendor>/vendor.json names
(token_env). A model id that is not a plain relative path (`..`, `/` first,
`\\`, `%`, `?`, `#`, `:`, empty segments, control characters) is reported and
skipped, and the pull then exits non-zero. An answer over its limit ({} MiB
for a catalog, {} MiB for one schema) fails the pull before anything is written.
",
        mib(body::CATALOG),
        mib(body::SCHEMA)
    )
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[&str]) -> Result<(), String> {
    match args {
        [] => Err(misuse("no command given", USAGE)),
        ["--help" | "-h" | "help"] => help(USAGE),
        ["regen", rest @ ..] => run_regen(rest),
        ["pull", rest @ ..] => run_pull(rest),
        ["synth", rest @ ..] => run_synth(rest),
        [other, ..] => Err(misuse(&format!("unknown command {other:?}"), USAGE)),
    }
}

/// Prints `usage` (on stdout: asked for, not an error).
fn help(usage: &str) -> Result<(), String> {
    print!("{usage}");
    Ok(())
}

/// What was wrong with the command line, then the usage.
fn misuse(problem: &str, usage: &str) -> String {
    format!("{problem}\n{usage}")
}

fn unknown(arg: &str, usage: &str) -> String {
    misuse(&format!("unknown argument {arg:?}"), usage)
}

/// The value after `flag`.
fn value<'a>(args: &mut Iter<'_, &'a str>, flag: &str, usage: &str) -> Result<&'a str, String> {
    args.next()
        .copied()
        .ok_or_else(|| misuse(&format!("{flag} needs a value"), usage))
}

fn run_regen(args: &[&str]) -> Result<(), String> {
    let (mut mode, mut schemas, mut out) = (Mode::Write, None, None);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--help" | "-h" => return help(REGEN_USAGE),
            "--check" => mode = Mode::Check,
            "--schemas" => schemas = Some(value(&mut args, "--schemas", REGEN_USAGE)?),
            "--out" => out = Some(value(&mut args, "--out", REGEN_USAGE)?),
            other => return Err(unknown(other, REGEN_USAGE)),
        }
    }
    match (schemas, out) {
        (None, None) => workspace_root().and_then(|root| regen::run(&root, mode)),
        (Some(schemas), Some(out)) => regen::run_tree(Path::new(schemas), Path::new(out), mode),
        _ => Err(misuse("--schemas and --out go together", REGEN_USAGE)),
    }
}

fn run_pull(args: &[&str]) -> Result<(), String> {
    let usage = pull_usage();
    let mut options = pull::Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--help" | "-h" => return help(&usage),
            "--check" => options.check = true,
            "--vendor" => options
                .vendors
                .push(value(&mut args, "--vendor", &usage)?.to_owned()),
            "--model" => options
                .models
                .push(value(&mut args, "--model", &usage)?.to_owned()),
            "--base-url" => {
                let pair = value(&mut args, "--base-url", &usage)?;
                let (vendor, url) = pair.split_once('=').ok_or_else(|| {
                    misuse(&format!("--base-url takes V=URL, not {pair:?}"), &usage)
                })?;
                options.base_urls.insert(vendor.to_owned(), url.to_owned());
            }
            other => return Err(unknown(other, &usage)),
        }
    }
    let root = workspace_root()?;
    let report = pull::run(&root, &options)?;
    print!("{}", report.render());
    pull_verdict(&report, options.check)
}

/// Fails a pull that refused model ids, or (with `--check`) found drift.
fn pull_verdict(report: &pull::Report, check: bool) -> Result<(), String> {
    if !report.invalid_ids.is_empty() {
        return Err(format!(
            "{} model id(s) refused as unsafe paths (listed above); nothing was written for them",
            report.invalid_ids.len()
        ));
    }
    if check && !report.drift.is_empty() {
        return Err(format!(
            "{} schema(s) differ from what the vendors serve; run `cargo xtask pull` to take them",
            report.drift.len()
        ));
    }
    Ok(())
}

fn run_synth(args: &[&str]) -> Result<(), String> {
    if let Some(flag) = args.iter().find(|arg| arg.starts_with('-')) {
        return match *flag {
            "--help" | "-h" => help(SYNTH_USAGE),
            other => Err(unknown(other, SYNTH_USAGE)),
        };
    }
    match args {
        [n, out] => synthesize(n, Path::new(out)),
        _ => Err(misuse("synth takes N and OUT_DIR", SYNTH_USAGE)),
    }
}

/// `synth N OUT_DIR`.
fn synthesize(n: &str, out: &Path) -> Result<(), String> {
    let n: usize = n
        .parse()
        .map_err(|_| format!("synth: N must be a number of models, not {n:?}"))?;
    let written = synth::write_corpus(n, out)
        .map_err(|e| format!("cannot write the corpus under {}: {e}", out.display()))?;
    println!("wrote {written} model schemas under {}", out.display());
    Ok(())
}
