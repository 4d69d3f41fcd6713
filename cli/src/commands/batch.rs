//! `seedance batch FILE`: many generations from a JSON Lines file, through
//! a journal that survives crashes (see `seedance_journal`). Every line is
//! recorded before anything is sent; running the same command again skips
//! finished lines, follows jobs that have ids, and never re-sends a request
//! whose outcome is unknown. Several processes sharing one PostgreSQL
//! journal split the lines between them (fleet mode).

mod budget;
mod display;
mod edits;
mod estimate;
mod lines;
mod probes;
mod quoter;
mod summary;

mod worker;

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use seedance_journal::{AnyJournal, Driver, Enqueued, Journal, State, worker_id};
use seedance_runtime::Connection;

use crate::cli::{BatchArgs, Global};
use crate::connect;
use crate::error::CliError;
use crate::journal_text::hide_password;
use crate::output::Printer;
use crate::sim::Simulator;

/// The batch file's bytes (`-`: standard input, named so in errors).
/// Bytes, not text: a line that is not UTF-8 is refused on its own, with
/// its number, by `lines::parse`.
fn read_input(file: &str) -> Result<Vec<u8>, CliError> {
    let err = |path: &str| {
        let path = path.to_owned();
        move |source| CliError::BatchFile { path, source }
    };
    if file == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(err("standard input"))?;
        Ok(bytes)
    } else {
        std::fs::read(file).map_err(err(file))
    }
}

/// Runs a batch to its end (or to Ctrl-C), then prints the summary.
pub async fn run(printer: &Printer, global: &Global, args: &BatchArgs) -> Result<(), CliError> {
    if global.sim && global.base_url.is_some() {
        return Err(CliError::SimWithBaseUrl);
    }
    for (vendor, _) in &args.vendor_caps {
        connect::vendor(vendor)?;
    }
    let bytes = read_input(&args.file)?;
    let sim = Simulator::for_global(global).await?;
    let connect = |vendor: &seedance_runtime::VendorInfo| match &sim {
        Some(sim) => sim.connection(vendor, global),
        None => connect::remote(vendor, global),
    };
    crate::remote::preload(printer, &bytes, &connect).await?;
    // An existing journal tells which lines are resumes; a new one is
    // created only once every line's vendor has a token.
    let existing = match journal_exists(&args.journal) {
        true => Some(AnyJournal::open(&args.journal).await?),
        false => None,
    };
    let source = edits::source(&args.file);
    let known = match (&existing, &source) {
        (Some(journal), Some(source)) => journal.keys_from(source).await?,
        _ => HashSet::new(),
    };
    let lines = Lines {
        bytes: &bytes,
        sim: sim.as_ref(),
        known: &known,
        connect: &connect,
    };
    let mut parsed = parse(printer, args, &lines).await?;
    let conns = connections(&parsed, &connect)?;
    if args.estimate {
        return estimate::run(printer, &parsed, &conns, &args.assume_price).await;
    }
    if !args.skip_image_checks {
        probes::check(&mut parsed, &conns, &known).await;
    }
    budget::quote_lines(&mut parsed, &conns, &args.assume_price, &known).await?;
    let journal = match existing {
        Some(journal) => journal,
        None => AnyJournal::open(&args.journal).await?,
    };
    let states = record(printer, args, &journal, &parsed, source.as_deref()).await?;
    follow(printer, args, &journal, &parsed, &conns, states).await
}

/// What the lines are read with.
struct Lines<'a> {
    bytes: &'a [u8],
    sim: Option<&'a Simulator>,
    known: &'a HashSet<String>,
    connect: &'a lines::Connect<'a>,
}

/// Every line checked and made into an entry (or refused with its number).
async fn parse(
    printer: &Printer,
    args: &BatchArgs,
    from: &Lines<'_>,
) -> Result<lines::Parsed, CliError> {
    let out_dir = lines::absolute(args.out.as_deref().unwrap_or(Path::new(".")));
    let context = lines::Context {
        out_dir,
        media_dir: lines::media_dir(&args.file),
        allow_duplicates: args.allow_duplicates,
        sim: from.sim,
        known: from.known,
        connect: from.connect,
    };
    let mut parsed = lines::parse(from.bytes, &context).await;
    parsed.connected()?;
    if parsed.sim_rewrites > 0 {
        printer.note(&format!(
            "--sim: {} media field(s) filled in or pointed at the simulator's test files",
            parsed.sim_rewrites
        ));
    }
    Ok(parsed)
}

/// Records the lines (and the budget), adopts the jobs of edited lines,
/// and says what was found; returns each entry's state for the display.
async fn record(
    printer: &Printer,
    args: &BatchArgs,
    journal: &AnyJournal,
    parsed: &lines::Parsed,
    source: Option<&str>,
) -> Result<HashMap<String, State>, CliError> {
    budget::set(printer, journal, parsed, args.budget).await?;
    let found = journal.enqueue(&parsed.entries).await?;
    let adopted = edits::adopt(printer, journal, parsed, source).await?;
    printer.note(&start_line(args, journal, parsed, &found, adopted.len()));
    let mut states: HashMap<String, State> = parsed
        .entries
        .iter()
        .zip(&found)
        .map(|(entry, found)| (entry.key.clone(), found.state()))
        .collect();
    states.extend(adopted.iter().map(|e| (e.key.clone(), e.state)));
    Ok(states)
}

/// Drives the batch to its end (or a stop), then prints the summary.
async fn follow(
    printer: &Printer,
    args: &BatchArgs,
    journal: &AnyJournal,
    parsed: &lines::Parsed,
    conns: &HashMap<String, Connection>,
    states: HashMap<String, State>,
) -> Result<(), CliError> {
    let mut display = display::Display::new(*printer, states);
    let driver = Driver::new(journal.clone(), worker_id(), args.lease);
    let settings = worker::Settings {
        batch: parsed.batch.clone(),
        concurrency: usize::from(args.concurrency),
        caps: args.vendor_caps.iter().cloned().collect(),
    };
    let ended = worker::run(&driver, conns, &settings, &mut display).await;
    display.finish();
    let entries = journal.list(Some(&parsed.batch)).await?;
    let budget = journal.budget(&parsed.batch).await?;
    let report = summary::report(
        printer,
        parsed,
        &entries,
        &ended,
        display.elapsed(),
        budget.as_ref(),
    );
    match &ended.stopped {
        Some(why) => Err(CliError::BatchInterrupted(stopped(why, &ended))),
        None => report.map_err(|err| never_sent(err, parsed, &entries)),
    }
}

/// A batch whose only lines not downloaded were refused before anything
/// was sent fails as a validation (exit 3), not as a failed job.
fn never_sent(
    err: CliError,
    parsed: &lines::Parsed,
    entries: &[seedance_journal::Entry],
) -> CliError {
    let all_done = entries
        .iter()
        .all(|e| matches!(e.state, State::Downloaded | State::Succeeded));
    match (&err, all_done && !parsed.invalid.is_empty()) {
        (CliError::BatchIncomplete(_), true) => CliError::BatchInvalidLines {
            count: parsed.invalid.len(),
        },
        _ => err,
    }
}

/// True when `target` names a journal that is already there (a server's,
/// or an SQLite file that exists).
fn journal_exists(target: &str) -> bool {
    target == seedance_journal::MEMORY
        || seedance_journal::is_postgres_url(target)
        || Path::new(target).exists()
}

/// One connection per vendor of the batch's lines (a missing token fails
/// here, before anything is recorded).
fn connections(
    parsed: &lines::Parsed,
    connect: &lines::Connect<'_>,
) -> Result<HashMap<String, Connection>, CliError> {
    let mut conns = HashMap::new();
    for entry in &parsed.entries {
        if !conns.contains_key(&entry.vendor) {
            let vendor = connect::vendor(&entry.vendor)?;
            conns.insert(entry.vendor.clone(), connect(vendor)?);
        }
    }
    Ok(conns)
}

/// `batch ID: N job line(s): ... new, ... to resume, ...; journal: ...`.
fn start_line(
    args: &BatchArgs,
    journal: &AnyJournal,
    parsed: &lines::Parsed,
    found: &[Enqueued],
    adopted: usize,
) -> String {
    let count = |f: fn(&Enqueued) -> bool| found.iter().filter(|e| f(e)).count();
    let mut text = format!(
        "batch {}: {} job line(s): {} new, {} to resume, {} finished earlier",
        parsed.batch,
        parsed.entries.len(),
        count(|e| matches!(e, Enqueued::New)),
        count(|e| matches!(e, Enqueued::Open(_))),
        count(|e| matches!(e, Enqueued::Finished(_))),
    );
    if adopted > 0 {
        text.push_str(&format!(
            ", {adopted} job(s) of edited or removed lines followed"
        ));
    }
    text.push_str(&format!(
        "; journal: {} ({})",
        hide_password(&args.journal),
        journal.backend()
    ));
    text
}

/// What a stopped batch says: why, and what the journal holds.
fn stopped(why: &str, ended: &worker::Ended) -> String {
    let mut text = format!("{why}; ");
    if ended.cut_off > 0 {
        text.push_str(&format!(
            "{} request(s) were cut off in flight and become `uncertain` on the next run \
             (never re-sent); ",
            ended.cut_off
        ));
    }
    if ended.unrecorded.is_empty() {
        text.push_str("every job id the vendor gave is in the journal");
    } else {
        text.push_str(&format!(
            "job id(s) the journal could not take, printed above: {}",
            ended.unrecorded.join(", ")
        ));
    }
    text.push_str(": run the same command again to resume");
    text
}
