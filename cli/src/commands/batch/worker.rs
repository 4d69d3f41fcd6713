//! One worker's loop: lease open entries of the batch (as many as the
//! concurrency and per-vendor caps allow), drive each in its own task,
//! renew the leases while they run, and stop when the batch has no open
//! entry left (in fleet mode, entries other workers hold count as open).

use std::collections::HashMap;
use std::time::Duration;

use seedance_journal::{AnyJournal, Claim, Driver, Journal, JournalError, Outcome, now_ms};
use seedance_runtime::Connection;
use tokio::task::JoinSet;

use super::display::{Display, Step};
use crate::error::CliError;

/// How the loop runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The batch.
    pub batch: String,
    /// Jobs in flight in this process.
    pub concurrency: usize,
    /// Cap per vendor id (default: `concurrency`).
    pub caps: HashMap<String, usize>,
}

/// How often the display refreshes and idle workers look for work.
const TICK: Duration = Duration::from_millis(200);

type Done = (String, Result<Outcome, JournalError>);

/// Runs until the batch has no open entry, Ctrl-C, or a journal failure.
pub async fn run(
    driver: &Driver<AnyJournal>,
    conns: &HashMap<String, Connection>,
    settings: &Settings,
    display: &mut Display,
) -> Result<(), CliError> {
    let journal = driver.journal().clone();
    let renewal = {
        let (journal, worker, lease) =
            (journal.clone(), driver.worker().to_owned(), driver.lease());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(lease / 3).await;
                let until = now_ms() + i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
                // A failed renewal is retried next time; a lapsed lease is
                // caught by the guarded writes.
                let _ = journal.renew(&worker, until).await;
            }
        })
    };
    let result = work(driver, conns, settings, display).await;
    renewal.abort();
    result
}

async fn work(
    driver: &Driver<AnyJournal>,
    conns: &HashMap<String, Connection>,
    settings: &Settings,
    display: &mut Display,
) -> Result<(), CliError> {
    let journal = driver.journal();
    let mut vendors: Vec<&String> = conns.keys().collect();
    vendors.sort();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Step>();
    let mut tasks: JoinSet<Done> = JoinSet::new();
    let mut active: HashMap<String, usize> = HashMap::new();
    let mut paused: HashMap<String, i64> = HashMap::new();
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);
    let mut tick = tokio::time::interval(TICK);
    let mut claim_due = true;
    loop {
        if claim_due {
            claim_due = false;
            let mut free = settings.concurrency.saturating_sub(tasks.len());
            let now = now_ms();
            for vendor in &vendors {
                if free == 0 {
                    break;
                }
                if paused.get(*vendor).is_some_and(|until| *until > now) {
                    continue;
                }
                let cap = settings
                    .caps
                    .get(*vendor)
                    .copied()
                    .unwrap_or(settings.concurrency);
                let running = active.get(*vendor).copied().unwrap_or(0);
                let limit = cap.saturating_sub(running).min(free);
                if limit == 0 {
                    continue;
                }
                let claim = Claim {
                    batch: settings.batch.clone(),
                    worker: driver.worker().to_owned(),
                    now,
                    until: driver.lease_until(),
                    vendors: vec![(*vendor).clone()],
                    limit,
                };
                let claimed = journal.claim(&claim).await?;
                free -= claimed.len();
                for entry in claimed {
                    let Some(conn) = conns.get(&entry.vendor).cloned() else {
                        continue;
                    };
                    *active.entry(entry.vendor.clone()).or_default() += 1;
                    let (driver, tx) = (driver.clone(), tx.clone());
                    tasks.spawn(async move {
                        let vendor = entry.vendor.clone();
                        let notify = move |event: seedance_journal::DriverEvent<'_>| {
                            let _ = tx.send(Step::from(event));
                        };
                        (vendor, driver.drive(&conn, entry, &notify).await)
                    });
                }
            }
            if tasks.is_empty() && journal.open_count(&settings.batch).await? == 0 {
                while let Ok(step) = rx.try_recv() {
                    display.step(step);
                }
                return Ok(());
            }
        }
        tokio::select! {
            Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                let mut finished = vec![joined];
                while let Some(more) = tasks.try_join_next() {
                    finished.push(more);
                }
                for joined in finished {
                    let (vendor, outcome) = joined.map_err(|e| CliError::Journal(JournalError::Task(e.to_string())))?;
                    if let Some(n) = active.get_mut(&vendor) {
                        *n = n.saturating_sub(1);
                    }
                    if let Outcome::Later { throttled: true, not_before, .. } = outcome? {
                        paused.insert(vendor, not_before);
                    }
                }
                // Claim in groups (each claim is a transaction); the tick
                // claims whatever is free anyway.
                let free = settings.concurrency.saturating_sub(tasks.len());
                claim_due = free >= (settings.concurrency / 8).max(1) || tasks.is_empty();
            }
            Some(step) = rx.recv() => display.step(step),
            _ = tick.tick() => {
                display.tick();
                // Entries may have come free: leases lapsed, Retry-After passed.
                claim_due = true;
            }
            _ = &mut interrupt => {
                tasks.abort_all();
                return Err(CliError::BatchInterrupted);
            }
        }
    }
}
