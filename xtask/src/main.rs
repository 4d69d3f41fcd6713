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
//! Every task works on the checkout the command is run from.

use std::path::Path;
use std::process::ExitCode;

use xtask::regen::Mode;
use xtask::{pull, regen, synth, workspace_root};

const USAGE: &str = "usage:
  cargo xtask regen [--check]        write generated/ from schemas/ (--check: fail when stale)
  cargo xtask regen --schemas DIR --out DIR [--check]
                                     the same from another schema tree into another folder
  cargo xtask pull [--check] [--vendor V]... [--model ID]... [--base-url V=URL]...
                                     fetch the vendors' current schemas, then regen
                                     (--check: report drift, write nothing, fail on drift)
  cargo xtask synth N OUT_DIR        write a synthetic corpus of N model schemas";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["regen"] => workspace_root().and_then(|root| regen::run(&root, Mode::Write)),
        ["regen", "--check"] => workspace_root().and_then(|root| regen::run(&root, Mode::Check)),
        ["regen", "--schemas", schemas, "--out", out] => {
            regen::run_tree(Path::new(schemas), Path::new(out), Mode::Write)
        }
        ["regen", "--schemas", schemas, "--out", out, "--check"] => {
            regen::run_tree(Path::new(schemas), Path::new(out), Mode::Check)
        }
        ["pull", rest @ ..] => run_pull(rest),
        ["synth", n, out] => synthesize(n, Path::new(out)),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_pull(args: &[&str]) -> Result<(), String> {
    let mut options = pull::Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| {
            args.next()
                .map(|v| (*v).to_owned())
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match *arg {
            "--check" => options.check = true,
            "--vendor" => options.vendors.push(value("--vendor")?),
            "--model" => options.models.push(value("--model")?),
            "--base-url" => {
                let pair = value("--base-url")?;
                let (vendor, url) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("--base-url takes VENDOR=URL, not {pair:?}"))?;
                options.base_urls.insert(vendor.to_owned(), url.to_owned());
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let root = workspace_root()?;
    let report = pull::run(&root, &options)?;
    print!("{}", report.render());
    if options.check && !report.drift.is_empty() {
        return Err(format!(
            "{} schema(s) differ from what the vendors serve; run `cargo xtask pull` to take them",
            report.drift.len()
        ));
    }
    Ok(())
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
