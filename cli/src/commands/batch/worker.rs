//! One worker's loop: lease open entries of the batch (as many as the
//! concurrency and per-vendor caps allow), drive each in its own task,
//! renew the leases while they run, and stop when the batch has no open
//! entry left but those parked after trouble in this run (in fleet mode,
//! entries other workers hold count as open).
//!
//! Nothing here ends a paid job: client-side trouble puts the entry back
//! (the driver's [`Outcome::Later`]); a journal that fails is retried, and
//! a job id it cannot take is printed at once. Ctrl-C or SIGTERM stops
//! claiming, gives every held entry back, and waits up to [`GRACE`] for
//! POSTs already sent to be answered and recorded; a second signal, or the
//! end of the grace, cuts them off (those entries become `uncertain` on the
//! next run, never re-sent).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use seedance_journal::{AnyJournal, Claim, Driver, Entry, Journal, JournalError, Outcome, now_ms};
use seedance_runtime::Connection;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinSet;

use super::display::{Display, Step};

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

/// What the loop left behind, for the summary.
#[derive(Debug, Default)]
pub struct Ended {
    /// Entries put back after trouble [`PATIENCE`] times in a row in this
    /// run: their jobs wait in the journal for the next run.
    pub parked: HashSet<String>,
    /// Job ids the journal could not take (already printed).
    pub unrecorded: Vec<String>,
    /// Why the run stopped early, if it did.
    pub stopped: Option<String>,
    /// Requests cut off after they were sent (the grace ran out).
    pub cut_off: usize,
}

/// How often the display refreshes and idle workers look for work.
const TICK: Duration = Duration::from_millis(200);
/// Put-backs in a row after which an entry is left for the next run.
const PATIENCE: u32 = 3;
/// How long a signalled worker waits for POSTs in flight to be recorded.
pub const GRACE: Duration = Duration::from_secs(10);
/// How long the journal may fail before the worker stops.
const JOURNAL_PATIENCE: Duration = Duration::from_secs(120);

type Done = (String, Entry, Result<Outcome, JournalError>);

/// Runs until the batch has nothing left to do now, a signal, or a
/// journal that stays down.
pub async fn run(
    driver: &Driver<AnyJournal>,
    conns: &HashMap<String, Connection>,
    settings: &Settings,
    display: &mut Display,
) -> Ended {
    let renewal = {
        let (journal, worker, lease) = (
            driver.journal().clone(),
            driver.worker().to_owned(),
            driver.lease(),
        );
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
    let (signals, signal_task) = signals();
    let worker = Worker::new(driver, conns, settings);
    let ended = worker.work(display, signals).await;
    renewal.abort();
    signal_task.abort();
    ended
}

/// The loop's state.
struct Worker<'a> {
    driver: &'a Driver<AnyJournal>,
    conns: &'a HashMap<String, Connection>,
    settings: &'a Settings,
    vendors: Vec<String>,
    tasks: JoinSet<Done>,
    active: HashMap<String, usize>,
    paused: HashMap<String, i64>,
    troubles: HashMap<String, u32>,
    /// Since when the journal fails, and when that was last said.
    journal_down: Option<(Instant, Option<Instant>)>,
    grace_until: Option<Instant>,
    ended: Ended,
}

impl<'a> Worker<'a> {
    fn new(
        driver: &'a Driver<AnyJournal>,
        conns: &'a HashMap<String, Connection>,
        settings: &'a Settings,
    ) -> Self {
        let mut vendors: Vec<String> = conns.keys().cloned().collect();
        vendors.sort();
        Worker {
            driver,
            conns,
            settings,
            vendors,
            tasks: JoinSet::new(),
            active: HashMap::new(),
            paused: HashMap::new(),
            troubles: HashMap::new(),
            journal_down: None,
            grace_until: None,
            ended: Ended::default(),
        }
    }

    async fn work(mut self, display: &mut Display, mut signals: UnboundedReceiver<()>) -> Ended {
        let (tx, mut rx) = unbounded_channel::<Step>();
        let mut tick = tokio::time::interval(TICK);
        let mut claim_due = true;
        loop {
            if claim_due && self.grace_until.is_none() {
                claim_due = false;
                self.claim(&tx, display).await;
            }
            if self.tasks.is_empty() && self.nothing_left(display).await {
                while let Ok(step) = rx.try_recv() {
                    display.step(step);
                }
                return self.ended;
            }
            tokio::select! {
                Some(joined) = self.tasks.join_next(), if !self.tasks.is_empty() => {
                    self.joined(joined, display);
                    while let Some(more) = self.tasks.try_join_next() {
                        self.joined(more, display);
                    }
                    // Claim in groups (each claim is a transaction); the tick
                    // claims whatever is free anyway.
                    let free = self.settings.concurrency.saturating_sub(self.tasks.len());
                    claim_due = free >= (self.settings.concurrency / 8).max(1) || self.tasks.is_empty();
                }
                Some(step) = rx.recv() => display.step(step),
                _ = tick.tick() => {
                    display.tick();
                    // Entries may have come free: leases lapsed, Retry-After passed.
                    claim_due = true;
                    if self.grace_until.is_some_and(|until| Instant::now() >= until) {
                        self.cut_off(display);
                    }
                }
                Some(()) = signals.recv() => self.signalled(display),
            }
        }
    }

    /// Leases what the concurrency and vendor caps leave room for, and
    /// starts a task per entry.
    async fn claim(&mut self, tx: &UnboundedSender<Step>, display: &mut Display) {
        let mut free = self.settings.concurrency.saturating_sub(self.tasks.len());
        let now = now_ms();
        for vendor in self.vendors.clone() {
            if free == 0 {
                break;
            }
            if self.paused.get(&vendor).is_some_and(|until| *until > now) {
                continue;
            }
            let cap = self.settings.caps.get(&vendor).copied();
            let running = self.active.get(&vendor).copied().unwrap_or(0);
            let limit = cap
                .unwrap_or(self.settings.concurrency)
                .saturating_sub(running)
                .min(free);
            if limit == 0 {
                continue;
            }
            let claim = Claim {
                batch: self.settings.batch.clone(),
                worker: self.driver.worker().to_owned(),
                now,
                until: self.driver.lease_until(),
                vendors: vec![vendor.clone()],
                limit,
            };
            let claimed = match self.driver.journal().claim(&claim).await {
                Ok(claimed) => claimed,
                Err(err) => return self.journal_failed(&err, display),
            };
            self.journal_down = None;
            free -= claimed.len();
            for entry in claimed {
                self.spawn(entry, tx);
            }
        }
    }

    fn spawn(&mut self, entry: Entry, tx: &UnboundedSender<Step>) {
        let Some(conn) = self.conns.get(&entry.vendor).cloned() else {
            return;
        };
        *self.active.entry(entry.vendor.clone()).or_default() += 1;
        let (driver, tx) = (self.driver.clone(), tx.clone());
        self.tasks.spawn(async move {
            let notify = move |event: seedance_journal::DriverEvent<'_>| {
                let _ = tx.send(Step::from(event));
            };
            let outcome = driver.drive(&conn, entry.clone(), &notify).await;
            (entry.vendor.clone(), entry, outcome)
        });
    }

    /// Takes a finished task's outcome into account.
    fn joined(&mut self, joined: Result<Done, tokio::task::JoinError>, display: &mut Display) {
        let Ok((vendor, entry, outcome)) = joined else {
            // Cut off after the grace: the entry stays in the journal.
            return;
        };
        if let Some(n) = self.active.get_mut(&vendor) {
            *n = n.saturating_sub(1);
        }
        match outcome {
            Ok(Outcome::Later {
                throttled: true,
                not_before,
                ..
            }) => {
                self.paused.insert(vendor, not_before);
            }
            Ok(Outcome::Later { .. }) => {
                let count = self.troubles.entry(entry.key.clone()).or_default();
                *count += 1;
                if *count >= PATIENCE {
                    self.ended.parked.insert(entry.key);
                }
            }
            // Left `pending` by the budget; woken when room is released.
            Ok(Outcome::HeldBack { .. }) => {}
            Ok(_) => {
                self.troubles.remove(&entry.key);
                self.ended.parked.remove(&entry.key);
            }
            Err(JournalError::Unrecorded {
                line,
                job_id,
                source,
                ..
            }) => {
                display.warn(&format!(
                    "line {line}: job {job_id} ({} {}) was created but the journal could not \
                     record it ({source}); keep this id: `seedance wait {} {job_id}` follows it",
                    entry.vendor, entry.model, entry.model
                ));
                self.ended.unrecorded.push(job_id);
            }
            Err(err) => self.journal_failed(&err, display),
        }
    }

    /// The journal failed: warned about, retried at the next tick; after
    /// [`JOURNAL_PATIENCE`] of failures the worker stops.
    fn journal_failed(&mut self, err: &JournalError, display: &mut Display) {
        let now = Instant::now();
        let (since, warned) = self.journal_down.get_or_insert((now, None));
        if warned.is_none_or(|at| now.duration_since(at) >= Duration::from_secs(10)) {
            *warned = Some(now);
            display.warn(&format!("the journal failed ({err}); retrying"));
        }
        if now.duration_since(*since) >= JOURNAL_PATIENCE && self.grace_until.is_none() {
            self.stop(
                format!(
                    "the journal has failed for {}s: {err}",
                    JOURNAL_PATIENCE.as_secs()
                ),
                display,
            );
        }
    }

    fn signalled(&mut self, display: &mut Display) {
        if self.grace_until.is_some() {
            self.cut_off(display);
        } else {
            self.stop("interrupted".to_owned(), display);
        }
    }

    /// Stops claiming and asks every task to give its entry back; POSTs in
    /// flight get [`GRACE`] to be answered and recorded.
    fn stop(&mut self, why: String, display: &mut Display) {
        self.driver.stop().stop();
        self.grace_until = Some(Instant::now() + GRACE);
        self.ended.stopped = Some(why);
        if !self.tasks.is_empty() {
            display.warn(&format!(
                "stopping: giving {} job(s) back to the journal; requests already sent get up \
                 to {}s to be answered and recorded (interrupt again to stop at once)",
                self.tasks.len(),
                GRACE.as_secs()
            ));
        }
    }

    /// Aborts what is left after the grace (or a second signal).
    fn cut_off(&mut self, display: &mut Display) {
        if self.tasks.is_empty() {
            return;
        }
        self.ended.cut_off += self.tasks.len();
        display.warn(&format!(
            "cutting off {} request(s) in flight: each becomes `uncertain` on the next run \
             (a job may exist; it is never re-sent)",
            self.tasks.len()
        ));
        self.tasks.abort_all();
    }

    /// True when nothing is left for this run: stopped, or no open entry of
    /// the batch but those parked here.
    async fn nothing_left(&mut self, display: &mut Display) -> bool {
        if self.grace_until.is_some() {
            return true;
        }
        let journal = self.driver.journal();
        let open = match journal.open_count(&self.settings.batch).await {
            Ok(open) => open,
            Err(err) => {
                self.journal_failed(&err, display);
                return false;
            }
        };
        if open == 0 {
            return true;
        }
        // Held-back entries are not counted (see `Journal::open_count`).
        if usize::try_from(open).unwrap_or(usize::MAX) > self.ended.parked.len() {
            return false;
        }
        match journal.list(Some(&self.settings.batch)).await {
            Ok(entries) => entries
                .iter()
                .filter(|e| !e.state.is_final())
                .filter(|e| !(e.is_held_back() && e.not_before > now_ms()))
                .all(|e| self.ended.parked.contains(&e.key)),
            Err(err) => {
                self.journal_failed(&err, display);
                false
            }
        }
    }
}

/// Ctrl-C and SIGTERM, each delivered as one `()`.
fn signals() -> (UnboundedReceiver<()>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = unbounded_channel();
    let task = tokio::spawn(async move {
        #[cfg(unix)]
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        loop {
            #[cfg(unix)]
            let terminated = async {
                match term.as_mut() {
                    Some(term) => term.recv().await,
                    None => std::future::pending().await,
                }
            };
            #[cfg(not(unix))]
            let terminated = std::future::pending::<Option<()>>();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminated => {}
            }
            if tx.send(()).is_err() {
                return;
            }
        }
    });
    (rx, task)
}
