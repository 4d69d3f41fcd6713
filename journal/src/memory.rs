//! [`MemoryJournal`]: the journal's logic with nothing written anywhere.
//! It survives nothing; it exists as the "no journal" baseline of the
//! benchmark (`--journal :memory:`) and for tests of callers.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use crate::clock::SharedClock;
use seedance_runtime::Usd;

use crate::entry::{
    Budget, Change, Claim, CostChange, Enqueued, Entry, Event, HELD_OVER_BUDGET,
    HELD_UNKNOWN_PRICE, HOLD_MS, LeaseUpdate, NewEntry,
};
use crate::error::JournalError;
use crate::journal::Journal;
use crate::state::{PAID_OPEN, State};

/// An in-memory journal. Cheap to clone (shared state).
#[derive(Debug, Clone, Default)]
pub struct MemoryJournal {
    inner: Arc<Mutex<Inner>>,
    clock: SharedClock,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    events: Vec<Event>,
    /// The batch file each entry came from (`adopt_replaced`).
    sources: HashMap<String, String>,
    /// Budgets by name.
    budgets: HashMap<String, Budget>,
}

impl MemoryJournal {
    /// An empty journal.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stamps rows and events, and times held-back entries, on `clock`
    /// (real time by default), in this journal and every clone of it.
    pub fn with_clock(self, clock: seedance_runtime::Clock) -> Self {
        self.clock.set(clock);
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn sorted(mut list: Vec<Entry>) -> Vec<Entry> {
    list.sort_by(|a, b| (&a.batch, a.line, &a.key).cmp(&(&b.batch, b.line, &b.key)));
    list
}

impl Journal for MemoryJournal {
    async fn enqueue(&self, new: &[NewEntry]) -> Result<Vec<Enqueued>, JournalError> {
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        let mut found = Vec::with_capacity(new.len());
        for e in new {
            if let Some(existing) = inner.entries.get_mut(&e.key) {
                if existing.state.is_final() {
                    found.push(Enqueued::Finished(existing.state));
                } else {
                    existing.batch = e.batch.clone();
                    existing.line = e.line;
                    if existing.state == State::Pending && existing.quote.is_none() {
                        existing.quote = e.quote;
                        existing.quote_note.clone_from(&e.quote_note);
                    }
                    found.push(Enqueued::Open(existing.state));
                }
                continue;
            }
            inner.entries.insert(
                e.key.clone(),
                Entry {
                    key: e.key.clone(),
                    batch: e.batch.clone(),
                    line: e.line,
                    vendor: e.vendor.clone(),
                    model: e.model.clone(),
                    path: e.path.clone(),
                    body: e.body.clone(),
                    body_hash: e.body_hash.clone(),
                    out_path: e.out_path.clone(),
                    out_dir: e.out_dir.clone(),
                    state: State::Pending,
                    job_id: None,
                    output_urls: Vec::new(),
                    saved_path: None,
                    error: None,
                    not_before: 0,
                    lease_owner: None,
                    lease_until: 0,
                    created_at: now,
                    updated_at: now,
                    quote: e.quote,
                    quote_note: e.quote_note.clone(),
                    budget: None,
                    reserved: Usd::ZERO,
                    reported: None,
                },
            );
            inner.events.push(Event {
                key: e.key.clone(),
                at: now,
                worker: None,
                state: State::Pending,
                detail: Some(format!("line {}", e.line)),
            });
            found.push(Enqueued::New);
        }
        Ok(found)
    }

    async fn claim(&self, claim: &Claim) -> Result<Vec<Entry>, JournalError> {
        let mut inner = self.lock();
        let mut open: Vec<&mut Entry> = inner
            .entries
            .values_mut()
            .filter(|e| {
                e.batch == claim.batch
                    && !e.state.is_final()
                    && e.lease_until < claim.now
                    && e.not_before <= claim.now
                    && claim.vendors.contains(&e.vendor)
            })
            .collect();
        open.sort_by_key(|e| e.line);
        Ok(open
            .into_iter()
            .take(claim.limit)
            .map(|e| {
                e.lease_owner = Some(claim.worker.clone());
                e.lease_until = claim.until;
                e.clone()
            })
            .collect())
    }

    async fn claim_key(
        &self,
        key: &str,
        worker: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<Entry>, JournalError> {
        let mut inner = self.lock();
        Ok(inner.entries.get_mut(key).and_then(|e| {
            let free = e.lease_until < now || e.lease_owner.as_deref() == Some(worker);
            (!e.state.is_final() && free).then(|| {
                e.lease_owner = Some(worker.to_owned());
                e.lease_until = until;
                e.clone()
            })
        }))
    }

    async fn renew(&self, worker: &str, until: i64) -> Result<u64, JournalError> {
        let mut inner = self.lock();
        let mut n = 0;
        for e in inner.entries.values_mut() {
            if e.lease_owner.as_deref() == Some(worker) {
                e.lease_until = until;
                n += 1;
            }
        }
        Ok(n)
    }

    async fn record(&self, key: &str, worker: &str, change: &Change) -> Result<bool, JournalError> {
        let now = self.clock.now_ms();
        let mut guard = self.lock();
        let inner = &mut *guard;
        let Some(e) = inner.entries.get_mut(key) else {
            return Ok(false);
        };
        let owner_ok = change
            .owner
            .as_deref()
            .is_none_or(|owner| e.lease_owner.as_deref() == Some(owner));
        if !change.from.contains(&e.state) || !owner_ok {
            return Ok(false);
        }
        let woken = match change.cost {
            CostChange::Release | CostChange::Settle(_) => e.budget.clone(),
            _ => None,
        };
        if let Err(message) = reserve_or_settle(&mut inner.budgets, e, change.cost) {
            hold(e, message, now);
            inner.events.push(Event {
                key: key.to_owned(),
                at: now,
                worker: Some(worker.to_owned()),
                state: State::Pending,
                detail: Some(message.to_owned()),
            });
            return Ok(false);
        }
        apply(e, change);
        e.updated_at = now;
        if let Some(batch) = woken {
            wake_held(&mut inner.entries, &batch);
        }
        inner.events.push(Event {
            key: key.to_owned(),
            at: now,
            worker: Some(worker.to_owned()),
            state: change.to,
            detail: change.detail(),
        });
        Ok(true)
    }

    async fn get(&self, key: &str) -> Result<Option<Entry>, JournalError> {
        Ok(self.lock().entries.get(key).cloned())
    }

    async fn list(&self, batch: Option<&str>) -> Result<Vec<Entry>, JournalError> {
        let inner = self.lock();
        Ok(sorted(
            inner
                .entries
                .values()
                .filter(|e| batch.is_none_or(|b| e.batch == b))
                .cloned()
                .collect(),
        ))
    }

    async fn events(&self, key: &str) -> Result<Vec<Event>, JournalError> {
        let inner = self.lock();
        Ok(inner
            .events
            .iter()
            .filter(|e| e.key == key)
            .cloned()
            .collect())
    }

    async fn adopt_replaced(
        &self,
        batch: &str,
        source: &str,
        keys: &[String],
    ) -> Result<Vec<Entry>, JournalError> {
        let mut inner = self.lock();
        for key in keys {
            inner.sources.insert(key.clone(), source.to_owned());
        }
        let current: HashSet<&String> = keys.iter().collect();
        let replaced: Vec<String> = inner
            .sources
            .iter()
            .filter(|(key, from)| !source.is_empty() && *from == source && !current.contains(key))
            .map(|(key, _)| key.clone())
            .collect();
        let mut adopted = Vec::new();
        for key in replaced {
            let Some(entry) = inner.entries.get_mut(&key) else {
                continue;
            };
            if entry.batch == batch || !PAID_OPEN.contains(&entry.state) {
                continue;
            }
            entry.batch = batch.to_owned();
            if entry.state != State::Downloading {
                entry.out_path = None;
                entry.saved_path = None;
            }
            adopted.push(entry.clone());
        }
        adopted.sort_by_key(|e| e.line);
        Ok(adopted)
    }

    async fn keys_from(&self, source: &str) -> Result<HashSet<String>, JournalError> {
        let inner = self.lock();
        Ok(inner
            .sources
            .iter()
            .filter(|(_, from)| !source.is_empty() && *from == source)
            .map(|(key, _)| key.clone())
            .collect())
    }

    async fn set_budget(&self, name: &str, limit: Usd) -> Result<Option<Usd>, JournalError> {
        let mut inner = self.lock();
        let before = inner.budgets.get(name).map(|b| b.limit);
        let budget = inner.budgets.entry(name.to_owned()).or_insert(Budget {
            name: name.to_owned(),
            limit,
            reserved: Usd::ZERO,
        });
        budget.limit = limit;
        wake_held(&mut inner.entries, name);
        Ok(before)
    }

    async fn budget(&self, name: &str) -> Result<Option<Budget>, JournalError> {
        Ok(self.lock().budgets.get(name).cloned())
    }

    async fn open_count(&self, batch: &str) -> Result<u64, JournalError> {
        let now = self.clock.now_ms();
        let inner = self.lock();
        Ok(inner
            .entries
            .values()
            .filter(|e| e.batch == batch && !e.state.is_final())
            .filter(|e| !(e.is_held_back() && e.not_before > now))
            .count() as u64)
    }
}

/// The reservation side of a change that passed its guard (see
/// [`CostChange`]); `Err` with the held-back message when the quote does
/// not fit the entry's batch's budget.
fn reserve_or_settle(
    budgets: &mut HashMap<String, Budget>,
    e: &mut Entry,
    cost: CostChange,
) -> Result<(), &'static str> {
    match cost {
        CostChange::Keep => {}
        CostChange::Reserve => {
            let Some(budget) = budgets.get_mut(&e.batch) else {
                return Ok(());
            };
            let quote = e.quote.ok_or(HELD_UNKNOWN_PRICE)?;
            if budget.reserved + quote > budget.limit {
                return Err(HELD_OVER_BUDGET);
            }
            budget.reserved = budget.reserved + quote;
            e.budget = Some(budget.name.clone());
            e.reserved = quote;
            if e.is_held_back() {
                e.error = None;
            }
        }
        CostChange::Release | CostChange::Settle(_) => {
            let reported = match cost {
                CostChange::Settle(usd) => Some(usd),
                _ => None,
            };
            if let Some(usd) = reported {
                e.reported = Some(usd);
            }
            let held = e.budget.as_ref().and_then(|name| budgets.get_mut(name));
            if let Some(budget) = held {
                let new = reported.unwrap_or(Usd::ZERO);
                budget.reserved =
                    Usd::from_micros(budget.reserved.micros().saturating_sub(e.reserved.micros()))
                        + new;
                e.reserved = new;
            }
        }
    }
    Ok(())
}

/// Leaves a held-back entry `pending`, lease given up, with the reason.
fn hold(e: &mut Entry, message: &str, now: i64) {
    e.error = Some(message.to_owned());
    e.not_before = now + HOLD_MS;
    e.lease_owner = None;
    e.lease_until = 0;
    e.updated_at = now;
}

/// Held-back entries of `batch` may fit now: taken up again at once.
fn wake_held(entries: &mut HashMap<String, Entry>, batch: &str) {
    for held in entries.values_mut() {
        if held.batch == batch && held.is_held_back() {
            held.not_before = 0;
        }
    }
}

/// The columns a guarded change sets.
fn apply(e: &mut Entry, change: &Change) {
    e.state = change.to;
    if let Some(v) = &change.job_id {
        e.job_id = Some(v.clone());
    }
    if let Some(v) = &change.output_urls {
        e.output_urls = v.clone();
    }
    if let Some(v) = &change.saved_path {
        e.saved_path = Some(v.clone());
    }
    if let Some(v) = &change.error {
        e.error = Some(v.clone());
    }
    if let Some(v) = change.not_before {
        e.not_before = v;
    }
    match &change.lease {
        LeaseUpdate::Keep => {}
        LeaseUpdate::Release => {
            e.lease_owner = None;
            e.lease_until = 0;
        }
        LeaseUpdate::Take { owner, until } => {
            e.lease_owner = Some(owner.clone());
            e.lease_until = *until;
        }
    }
}
