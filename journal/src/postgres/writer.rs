//! PostgreSQL's side of the group commit (`group_commit`), run on a tokio
//! task: each group's statements pipelined in one transaction, and what
//! happens when a try fails.
//!
//! When the connection is lost mid-group, the task opens a new one and
//! replays the group; its callers keep waiting meanwhile, up to the
//! journal's patience. Replaying is safe because every change is a guarded
//! UPDATE (applied only from the states it names, and only while the
//! caller holds the lease): a group that did not commit applies as it
//! would have. A group whose COMMIT went out but whose answer was lost is
//! not replayed blindly: its transaction id, read before the COMMIT, is
//! looked up on the new connection (`txid_status`), and if it committed the
//! answers it had already computed stand. Only when that status is unknown
//! (an id too old to look up, or a transaction still in progress on a
//! session the network cut off) is the group replayed anyway; its changes
//! then find their rows already moved and answer `false`. A caller told
//! `false` believes another worker took its entry and stops touching it:
//! safe, since the change it asked for is in the journal. For the job id
//! (`Change { from: [Submitting, Uncertain], to: Queued, job_id }`) the row
//! is `queued` with the id, so the job is followed by whoever leases the
//! entry next (this worker's lease lapses first): the id is not lost.
//!
//! After the patience every write of the group gets
//! [`JournalError::Unreachable`] (it may or may not have been applied; a
//! retry of the same guarded change tells), and the next group tries to
//! reconnect again: the task itself never stops while the journal lives.

use std::time::Duration;

use tokio_postgres::{Client, Statement, Transaction};

use super::link::{self, Outage};
use crate::clock::SharedClock;
use crate::entry::{
    Change, CostChange, HELD_OVER_BUDGET, HELD_SQL, HELD_UNKNOWN_PRICE, HOLD_MS, micros_db,
};
use crate::error::JournalError;
use crate::group_commit::{self, Backend, Write, Writer};
use crate::state::State;

/// What every guarded state change sets.
const SETS: &str = "state = $3, job_id = coalesce($4, job_id), \
       output_urls = coalesce($5, output_urls), saved_path = coalesce($6, saved_path), \
       error = coalesce($7, error), not_before = coalesce($8, not_before), \
       lease_owner = CASE $9::int4 WHEN 0 THEN lease_owner WHEN 1 THEN NULL ELSE $10 END, \
       lease_until = CASE $9::int4 WHEN 0 THEN lease_until WHEN 1 THEN 0 ELSE $11 END, \
       updated_at = $12";

/// The guard of every change: the states it moves from, the lease holder.
const GUARD: &str = "key = $1 AND state = ANY($2) AND ($13::text IS NULL OR lease_owner = $13)";

/// A change that leaves the reservation alone.
fn record_sql() -> String {
    format!(
        "WITH up AS (UPDATE jobs SET {SETS} WHERE {GUARD} RETURNING key) \
         INSERT INTO events (key, at, worker, state, detail) \
         SELECT key, $12, $14, $3, $15 FROM up RETURNING 1"
    )
}

/// `pending` -> `submitting` with the quote reserved in the batch's budget
/// (when it has one), in one statement: the entry is locked, then the
/// budget row is updated only if the quote still fits. A concurrent
/// reservation of another worker holds that row until it commits, and
/// PostgreSQL then re-checks the condition against the row it committed:
/// no read-then-write race. When it does not fit (or the quote is unknown)
/// the entry is held back instead ($16, $17: the errors; $18: not before).
fn reserve_sql() -> String {
    // A held-back entry that now goes on loses its held-back error.
    let sets = SETS.replace(
        "error = coalesce($7, error)",
        &format!("error = coalesce($7, CASE WHEN {HELD_SQL} THEN NULL ELSE error END)"),
    );
    format!(
        "WITH j AS (SELECT key, batch, quote_micros FROM jobs WHERE {GUARD} FOR UPDATE), \
         b AS (UPDATE budgets SET reserved_micros = budgets.reserved_micros + j.quote_micros, \
             updated_at = $12 FROM j \
           WHERE budgets.name = j.batch AND j.quote_micros IS NOT NULL \
             AND budgets.reserved_micros + j.quote_micros <= budgets.limit_micros \
           RETURNING budgets.name, j.quote_micros AS q), \
         go AS (SELECT j.key FROM j \
           WHERE NOT EXISTS (SELECT 1 FROM budgets WHERE budgets.name = j.batch) \
           UNION ALL SELECT j.key FROM j, b), \
         up AS (UPDATE jobs SET {sets}, budget = (SELECT name FROM b), \
             reserved_micros = coalesce((SELECT q FROM b), 0) \
           WHERE key IN (SELECT key FROM go) RETURNING key), \
         held AS (UPDATE jobs SET error = CASE WHEN quote_micros IS NULL THEN $16 ELSE $17 END, \
             not_before = $18, lease_owner = NULL, lease_until = 0, updated_at = $12 \
           WHERE key IN (SELECT key FROM j) AND NOT EXISTS (SELECT 1 FROM go) \
           RETURNING key, error), \
         hev AS (INSERT INTO events (key, at, worker, state, detail) \
           SELECT key, $12, $14, 'pending', error FROM held) \
         INSERT INTO events (key, at, worker, state, detail) \
         SELECT key, $12, $14, $3, $15 FROM up RETURNING 1"
    )
}

/// A change that releases the reservation ($16 NULL) or settles it at the
/// reported cost ($16), in the budget it was reserved in.
/// The held-back entries of that batch are woken (rows another transaction
/// holds right now are skipped, not waited for: no lock cycle; such an
/// entry is woken by the next release, a budget set again, or its hold's
/// end).
fn settle_sql() -> String {
    format!(
        "WITH j AS (SELECT key, budget, reserved_micros FROM jobs WHERE {GUARD} FOR UPDATE), \
         up AS (UPDATE jobs SET {SETS}, \
             reserved_micros = CASE WHEN j.budget IS NULL THEN 0 \
               ELSE coalesce($16::int8, 0) END, \
             reported_micros = coalesce($16::int8, jobs.reported_micros) \
           FROM j WHERE jobs.key = j.key RETURNING jobs.key), \
         b AS (UPDATE budgets SET reserved_micros = budgets.reserved_micros - j.reserved_micros \
             + coalesce($16::int8, 0), updated_at = $12 \
           FROM j WHERE budgets.name = j.budget), \
         wake AS (UPDATE jobs SET not_before = 0 WHERE key IN (\
           SELECT key FROM jobs WHERE batch IN (SELECT budget FROM j) AND {HELD_SQL} \
             AND not_before > 0 AND key NOT IN (SELECT key FROM j) \
           ORDER BY key FOR UPDATE SKIP LOCKED)) \
         INSERT INTO events (key, at, worker, state, detail) \
         SELECT key, $12, $14, $3, $15 FROM up RETURNING 1"
    )
}

/// Starts the writer task on `client` (opened on `url`); it reconnects to
/// `url` when the connection is lost.
pub(crate) fn spawn(url: &str, client: Client, patience: Duration, clock: SharedClock) -> Writer {
    let (writer, queue) = Writer::channel();
    let task = Link {
        url: url.to_owned(),
        patience,
        client,
        clock,
    };
    tokio::spawn(group_commit::run(task, queue));
    writer
}

/// The writer task's connection, where to open a new one, and the
/// journal's clock.
struct Link {
    url: String,
    patience: Duration,
    client: Client,
    clock: SharedClock,
}

/// What the tries of one group share.
#[derive(Default)]
struct Tries {
    deadlocks: u32,
    /// Since when the connection is lost, if it is.
    outage: Option<Outage>,
    /// A COMMIT sent whose answer was lost.
    unanswered: Option<Sent>,
}

/// A group whose COMMIT was sent: its transaction and the answers it
/// computed, which stand if it turns out committed.
struct Sent {
    xid: i64,
    applied: Vec<bool>,
}

/// Replays a group after a deadlock and after a lost connection (see the
/// module docs).
impl Backend for Link {
    type Tries = Tries;
    type Error = tokio_postgres::Error;

    async fn apply(
        &mut self,
        group: &[Write],
        tries: &mut Tries,
    ) -> Result<Vec<bool>, tokio_postgres::Error> {
        self.attempt(group, &mut tries.unanswered).await
    }

    async fn recover(
        &mut self,
        err: tokio_postgres::Error,
        tries: &mut Tries,
    ) -> Result<(), JournalError> {
        if link::is_conflict(&err) && tries.deadlocks < link::CONFLICT_RETRIES {
            tries.deadlocks += 1;
            link::after_conflict(tries.deadlocks).await;
        } else if link::is_lost(&err) {
            let outage = *tries
                .outage
                .get_or_insert_with(|| Outage::begin(self.patience));
            self.client = link::reopen(&self.url, "", outage, link::describe(&err)).await?;
        } else {
            return Err(JournalError::Write {
                target: "PostgreSQL".to_owned(),
                message: link::describe(&err),
            });
        }
        Ok(())
    }
}

impl Link {
    /// One try: when an earlier try's COMMIT went unanswered, first whether
    /// it committed (its answers then stand); otherwise the group, applied
    /// (again).
    async fn attempt(
        &mut self,
        group: &[Write],
        unanswered: &mut Option<Sent>,
    ) -> Result<Vec<bool>, tokio_postgres::Error> {
        if let Some(sent) = unanswered.take() {
            match committed(&self.client, &sent).await {
                Ok(true) => return Ok(sent.applied),
                Ok(false) => {}
                Err(err) => {
                    // Lost again before the answer: asked again next time,
                    // never replayed unasked.
                    *unanswered = Some(sent);
                    return Err(err);
                }
            }
        }
        let now = self.clock.now_ms();
        apply_group(&mut self.client, group, now, unanswered).await
    }
}

/// Whether the transaction of `sent` committed ("aborted", "in progress"
/// and an unknown id all say no: see the module docs).
async fn committed(client: &Client, sent: &Sent) -> Result<bool, tokio_postgres::Error> {
    let row = client
        .query_one("SELECT txid_status($1)", &[&sent.xid])
        .await?;
    let status: Option<String> = row.try_get(0)?;
    Ok(status.as_deref() == Some("committed"))
}

/// Applies the group in one transaction, at `now`. Just before the COMMIT, `sent`
/// gets the transaction id and the answers, for when the COMMIT's own
/// answer is lost.
async fn apply_group(
    client: &mut Client,
    group: &[Write],
    now: i64,
    sent: &mut Option<Sent>,
) -> Result<Vec<bool>, tokio_postgres::Error> {
    let tx = client.transaction().await?;
    if !group.iter().any(|w| must_be_flushed(&w.change)) {
        // Losing these to a server crash is harmless (see `must_be_flushed`);
        // WAL order still puts them before any later flushed commit.
        tx.batch_execute("SET LOCAL synchronous_commit TO off")
            .await?;
    }
    // Prepared here, on this transaction's connection: never a statement
    // of a connection that has since been lost.
    let (record, reserve, settle) = futures_util::future::join3(
        tx.prepare(&record_sql()),
        tx.prepare(&reserve_sql()),
        tx.prepare(&settle_sql()),
    )
    .await;
    let statements = Statements {
        record: record?,
        reserve: reserve?,
        settle: settle?,
    };
    let (xid, applied) = futures_util::future::join(
        tx.query_one("SELECT txid_current()", &[]),
        record_all(&tx, &statements, group, now),
    )
    .await;
    let xid: i64 = xid?.try_get(0)?;
    let applied = applied?;
    *sent = Some(Sent {
        xid,
        applied: applied.clone(),
    });
    tx.commit().await?;
    Ok(applied)
}

/// The group's statements, prepared on its transaction's connection.
struct Statements {
    record: Statement,
    reserve: Statement,
    settle: Statement,
}

impl Statements {
    fn of(&self, cost: CostChange) -> &Statement {
        match cost {
            CostChange::Keep => &self.record,
            CostChange::Reserve => &self.reserve,
            CostChange::Release | CostChange::Settle(_) => &self.settle,
        }
    }
}

/// Runs each write's statement for every write of the group, pipelined;
/// says which applied.
async fn record_all(
    tx: &Transaction<'_>,
    statements: &Statements,
    group: &[Write],
    now: i64,
) -> Result<Vec<bool>, tokio_postgres::Error> {
    // The group comes in key order (`group_commit`): rows are locked in
    // key order, so two writers never wait on each other in a cycle.
    let owned: Vec<Params> = group
        .iter()
        .map(|w| Params::new(&w.key, &w.worker, &w.change, now))
        .collect();
    let queries = owned
        .iter()
        .map(|p| async move { tx.query(statements.of(p.cost), &p.refs()).await });
    let results = futures_util::future::join_all(queries).await;
    results
        .into_iter()
        .map(|rows| Ok(rows?.len() == 1))
        .collect()
}

/// True for the changes that must be on disk before the caller goes on:
/// `submitting` (written before the POST), the job id, `uncertain`. Losing
/// any other to a server crash only repeats work: a job is polled or
/// checked again, a saved file is found by its time stamp, a put-back
/// request reverts to `submitting` and so to `uncertain`, never re-sent.
fn must_be_flushed(change: &Change) -> bool {
    matches!(change.to, State::Submitting | State::Uncertain) || change.job_id.is_some()
}

/// The parameters of [`RECORD`], owned.
struct Params {
    key: String,
    from: Vec<&'static str>,
    to: &'static str,
    job_id: Option<String>,
    urls: Option<String>,
    saved_path: Option<String>,
    error: Option<String>,
    not_before: Option<i64>,
    mode: i32,
    new_owner: Option<String>,
    new_until: i64,
    now: i64,
    owner: Option<String>,
    worker: String,
    detail: Option<String>,
    cost: CostChange,
    /// Settle: the reported cost; release: `None`.
    reported: Option<i64>,
    /// Reserve: when a held-back entry may be tried again.
    hold_until: i64,
}

impl Params {
    fn new(key: &str, worker: &str, change: &Change, now: i64) -> Self {
        let (mode, new_owner, new_until) = change.lease_params();
        Params {
            key: key.to_owned(),
            from: change.from.iter().map(|s| s.as_str()).collect(),
            to: change.to.as_str(),
            job_id: change.job_id.clone(),
            urls: change
                .output_urls
                .as_ref()
                .map(|urls| serde_json::to_string(urls).unwrap_or_else(|_| "[]".into())),
            saved_path: change.saved_path.clone(),
            error: change.error.clone(),
            not_before: change.not_before,
            mode,
            new_owner: new_owner.map(str::to_owned),
            new_until,
            now,
            owner: change.owner.clone(),
            worker: worker.to_owned(),
            detail: change.detail(),
            cost: change.cost,
            reported: match change.cost {
                CostChange::Settle(usd) => Some(micros_db(usd)),
                _ => None,
            },
            hold_until: now + HOLD_MS,
        }
    }

    fn refs(&self) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
        let mut refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vec![
            &self.key,
            &self.from,
            &self.to,
            &self.job_id,
            &self.urls,
            &self.saved_path,
            &self.error,
            &self.not_before,
            &self.mode,
            &self.new_owner,
            &self.new_until,
            &self.now,
            &self.owner,
            &self.worker,
            &self.detail,
        ];
        match self.cost {
            CostChange::Keep => {}
            CostChange::Reserve => {
                refs.extend([
                    &HELD_UNKNOWN_PRICE as &(dyn tokio_postgres::types::ToSql + Sync),
                    &HELD_OVER_BUDGET,
                    &self.hold_until,
                ]);
            }
            CostChange::Release | CostChange::Settle(_) => refs.push(&self.reported),
        }
        refs
    }
}
