//! Writing the spend ledger: a batch of settled requests becomes `spend_requests` rows, is added
//! to its hour's and day's `usage_rollups` and `cluster_rollups` rows and to its keys' and
//! users' spend, in one transaction. The server's ledger decides when a batch is written and what it holds; the
//! statements are here, beside the reads of the same tables.

// Maps of one batch keyed by hashes, ids and names the server itself stored: foldhash, not SipHash.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::sync::OnceLock;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use entity::{
    api_key, cluster_rollup, spend_log, spend_request, spend_subject, usage_rollup, user,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityName,
    EntityTrait, IdenStatic, QueryFilter, QuerySelect, Statement, Value,
};
use uuid::Uuid;

use super::{Outcome, SpendEvent};

/// Most rows per insert statement. Small statements prepare fast and keep the drivers'
/// statement caches small; many of them share one transaction (one [`write_batch`]).
const BATCH: usize = 64;

/// How many rows the next insert takes from `pending`: a power of two, so only seven distinct
/// statements exist.
fn chunk(pending: usize) -> usize {
    if pending >= BATCH {
        BATCH
    } else if pending == 0 {
        0
    } else {
        1 << pending.ilog2()
    }
}

/// The columns of a `spend_requests` row, in the order [`push_row`] gives their values.
const COLUMNS: [&str; 16] = [
    "request_id",
    "subject_id",
    "model_name",
    "deployment_id",
    "cluster",
    "call_type",
    "prompt_tokens",
    "completion_tokens",
    "estimated",
    "cost_nanos",
    "status",
    "http_status",
    "started_us",
    "ttft_ms",
    "duration_ms",
    "guardrail",
];

/// Who made a request, as `spend_subjects` stores it: the key's hash (empty without a key)
/// and its user (nil without one).
type Subject = (String, Uuid);

fn subject_of(event: &SpendEvent) -> Subject {
    (
        event.key_hash.clone().unwrap_or_default(),
        event.user_id.unwrap_or(Uuid::nil()),
    )
}

/// Appends the values of `event`'s row to `values`, its subject being `subject`.
fn push_row(event: &SpendEvent, subject: i32, values: &mut Vec<Value>) {
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    values.extend([
        Value::from(event.request_id.clone()),
        Value::from(subject),
        Value::from(event.model.clone()),
        Value::from(event.deployment_id),
        Value::from(event.cluster.clone()),
        Value::from(event.call_type.clone().into_owned()),
        Value::from(count(event.prompt_tokens)),
        Value::from(count(event.completion_tokens)),
        Value::from(event.estimated),
        Value::from(event.cost_nanos),
        Value::from(event.outcome.as_str()),
        Value::from(i32::from(event.http_status)),
        Value::from(event.started_at.timestamp_micros()),
        Value::from(event.ttft_ms.map(count)),
        Value::from(count(event.duration_ms)),
        Value::from(event.guardrail.clone()),
    ]);
}

/// `count` groups of `width` placeholders, `(?, ?), (?, ?)` or `($1, $2), ($3, $4)`.
fn placeholders(numbered: bool, count: usize, width: usize) -> String {
    let mut sql = String::new();
    for row in 0..count {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..width {
            if column > 0 {
                sql.push_str(", ");
            }
            if numbered {
                sql.push_str(&format!("${}", row * width + column + 1));
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

/// The `spend_subjects` ids of the subjects of `events`; those not stored yet are added.
/// Looked up per batch (one query while every subject exists), so the rows carry a 4-byte id
/// where they carried a 64-character hash and a UUID. Runs before the batch's transaction, in
/// statements of its own: a subject is a dictionary entry, harmless if the batch then fails,
/// and a replica adding one never waits for another replica's whole batch to commit.
async fn subject_ids(
    db: &impl ConnectionTrait,
    events: &[SpendEvent],
) -> Result<HashMap<Subject, i32>, sea_orm::DbErr> {
    let wanted: HashSet<Subject> = events.iter().map(subject_of).collect();
    let mut found = stored_subjects(db, &wanted).await?;
    let mut missing: Vec<&Subject> = wanted.iter().filter(|s| !found.contains_key(*s)).collect();
    if missing.is_empty() {
        return Ok(found);
    }
    // In one order on every replica, so two adding the same subjects cannot deadlock.
    missing.sort_unstable();
    let backend = db.get_database_backend();
    for some in missing.chunks(BATCH) {
        // Only the rows not there yet are offered: on PostgreSQL a conflicting insert would
        // still take a number from the id sequence. `ON CONFLICT` covers another replica
        // adding the same subject meanwhile.
        let sql = format!(
            "INSERT INTO spend_subjects (key_hash, user_id) SELECT column1, column2 FROM \
             (VALUES {}) AS wanted WHERE NOT EXISTS (SELECT 1 FROM spend_subjects s \
             WHERE s.key_hash = wanted.column1 AND s.user_id = wanted.column2) \
             ON CONFLICT DO NOTHING",
            placeholders(backend == DbBackend::Postgres, some.len(), 2)
        );
        let values = some
            .iter()
            .flat_map(|(hash, user)| [Value::from(hash.clone()), Value::from(*user)]);
        db.execute(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    found = stored_subjects(db, &wanted).await?;
    Ok(found)
}

/// The stored ids of the subjects in `wanted`.
async fn stored_subjects(
    db: &impl ConnectionTrait,
    wanted: &HashSet<Subject>,
) -> Result<HashMap<Subject, i32>, sea_orm::DbErr> {
    let hashes: HashSet<&str> = wanted.iter().map(|(hash, _)| hash.as_str()).collect();
    let hashes: Vec<&str> = hashes.into_iter().collect();
    let mut found = HashMap::with_capacity(wanted.len());
    for some in hashes.chunks(500) {
        let rows = spend_subject::Entity::find()
            .filter(spend_subject::Column::KeyHash.is_in(some.iter().copied()))
            .all(db)
            .await?;
        for row in rows {
            let subject = (row.key_hash, row.user_id);
            if wanted.contains(&subject) {
                found.insert(subject, row.id);
            }
        }
    }
    Ok(found)
}

/// The insert of `rows` spend rows (a row whose request id is already written is skipped) in
/// `backend`'s placeholders; with `returning`, the answer names each row inserted. There are
/// only seven row counts ([`chunk`]), so each statement is made once and the drivers prepare
/// it once per connection: building it per batch through the query builder cost more than
/// SQLite's own work on the rows (BENCHMARKS.md).
fn insert_sql(backend: DbBackend, rows: usize, returning: Inserts) -> &'static str {
    static MADE: OnceLock<[[[String; 7]; 2]; 2]> = OnceLock::new();
    let made = MADE.get_or_init(|| {
        let make = |numbered: bool, returning: bool, size: usize| {
            // No conflict target: the unique key is `request_id`, or (`request_id`,
            // `started_us`) where the table is partitioned; a retried event matches either.
            format!(
                "INSERT INTO spend_requests ({}) VALUES {} ON CONFLICT DO NOTHING{}",
                COLUMNS.join(", "),
                placeholders(numbered, size, COLUMNS.len()),
                if returning {
                    " RETURNING request_id"
                } else {
                    ""
                }
            )
        };
        [false, true].map(|numbered| {
            [false, true]
                .map(|returning| std::array::from_fn(|power| make(numbered, returning, 1 << power)))
        })
    });
    let numbered = usize::from(backend == DbBackend::Postgres);
    let returning = usize::from(returning == Inserts::Returned);
    made.get(numbered)
        .and_then(|kinds| kinds.get(returning))
        .and_then(|sizes| sizes.get(rows.max(1).ilog2() as usize))
        .map_or("", String::as_str)
}

/// The counters of one rollup row.
/// `PartialEq` for the tests, which compare rollups made two ways.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    user: Option<Uuid>,
    requests: i64,
    errors: i64,
    prompt_tokens: i64,
    completion_tokens: i64,
    cost_nanos: i64,
    duration_ms_sum: i64,
    /// Requests per latency bucket ([`usage_rollup::LATENCY_BOUNDS_MS`], then the rest).
    latency: [i64; 10],
}

impl Tally {
    /// Counts `event` in this row.
    fn count(&mut self, event: &SpendEvent) {
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let bucket = usage_rollup::LATENCY_BOUNDS_MS
            .iter()
            .position(|bound| event.duration_ms <= *bound)
            .unwrap_or(usage_rollup::LATENCY_BOUNDS_MS.len());
        let mut one = Tally {
            user: event.user_id,
            requests: 1,
            errors: i64::from(event.outcome != Outcome::Success),
            prompt_tokens: count(event.prompt_tokens),
            completion_tokens: count(event.completion_tokens),
            cost_nanos: event.cost_nanos,
            duration_ms_sum: count(event.duration_ms),
            latency: [0; 10],
        };
        if let Some(slot) = one.latency.get_mut(bucket) {
            *slot = 1;
        }
        self.add(&one);
    }

    /// Adds the counts of `other` to this row; its user is kept when this row has none.
    fn add(&mut self, other: &Tally) {
        self.user = self.user.or(other.user);
        self.requests = self.requests.saturating_add(other.requests);
        self.errors = self.errors.saturating_add(other.errors);
        self.prompt_tokens = self.prompt_tokens.saturating_add(other.prompt_tokens);
        self.completion_tokens = self
            .completion_tokens
            .saturating_add(other.completion_tokens);
        self.cost_nanos = self.cost_nanos.saturating_add(other.cost_nanos);
        self.duration_ms_sum = self.duration_ms_sum.saturating_add(other.duration_ms_sum);
        for (sum, more) in self.latency.iter_mut().zip(other.latency) {
            *sum = sum.saturating_add(more);
        }
    }
}

/// Which rollup row: (span, its start, cluster, key hash, model), borrowed from the events.
/// The cluster is empty in `usage_rollups`, which has no such column.
type Group<'a> = (&'static str, DateTime<Utc>, &'a str, &'a str, &'a str);

/// An hour's requests of one key and model on one cluster: (hour, cluster, key hash, model).
type Hour<'a> = (DateTime<Utc>, &'a str, &'a str, &'a str);

/// The rollups of `events`, summed per hour and per day: for `usage_rollups`, then (per
/// cluster too) for `cluster_rollups`. Each event is counted once, in its hour's row of its
/// cluster (one lookup, where a lookup per table and span cost four); every other row is a
/// sum of those rows, which are far fewer than the events. Groups borrow their names from
/// the events, so an event costs no copies. A row's user is the first its events name, in
/// the order its hours were first seen (a key has one user).
fn rollups<'a>(events: &[&'a SpendEvent]) -> [HashMap<Group<'a>, Tally>; 2] {
    let mut seen: HashMap<Hour<'a>, usize> = HashMap::new();
    let mut hours: Vec<(Hour<'a>, Tally)> = Vec::new();
    for event in events {
        let hour = event
            .started_at
            .duration_trunc(TimeDelta::hours(1))
            .unwrap_or(event.started_at);
        let group = (
            hour,
            event.cluster.as_deref().unwrap_or_default(),
            event.key_hash.as_deref().unwrap_or_default(),
            event.model.as_str(),
        );
        let at = *seen.entry(group).or_insert_with(|| {
            hours.push((group, Tally::default()));
            hours.len() - 1
        });
        if let Some((_, tally)) = hours.get_mut(at) {
            tally.count(event);
        }
    }
    let mut tables: [HashMap<Group<'a>, Tally>; 2] = Default::default();
    for ((hour, cluster, key, model), tally) in &hours {
        let day = hour.duration_trunc(TimeDelta::days(1)).unwrap_or(*hour);
        for (span, start) in [
            (usage_rollup::SPAN_HOUR, *hour),
            (usage_rollup::SPAN_DAY, day),
        ] {
            for (groups, cluster) in tables.iter_mut().zip(["", *cluster]) {
                groups
                    .entry((span, start, cluster, *key, *model))
                    .or_default()
                    .add(tally);
            }
        }
    }
    tables
}

/// The upsert of `rows` rollup rows into `usage_rollups` or (with `by_cluster`)
/// `cluster_rollups`, in `backend`'s placeholders: counters add to a stored row of the same
/// group. Made once per table and row count, like [`insert_sql`]: building it per batch
/// through the query builder cost about 4,500 instructions per request (BENCHMARKS.md).
fn upsert_sql(backend: DbBackend, by_cluster: bool, rows: usize) -> &'static str {
    static MADE: OnceLock<[[[String; 7]; 2]; 2]> = OnceLock::new();
    let made = MADE.get_or_init(|| {
        let make = |numbered: bool, by_cluster: bool, size: usize| {
            let columns = rollup_columns(by_cluster);
            let key = &columns[..if by_cluster { 5 } else { 4 }];
            let quoted = |names: &[String]| {
                names
                    .iter()
                    .map(|name| format!("\"{name}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let table = if by_cluster {
                cluster_rollup::Entity.table_name()
            } else {
                usage_rollup::Entity.table_name()
            };
            let add = columns[key.len() + 1..]
                .iter()
                .map(|c| format!("\"{c}\" = \"{table}\".\"{c}\" + excluded.\"{c}\""))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "INSERT INTO \"{table}\" ({}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {add}",
                quoted(&columns),
                placeholders(numbered, size, columns.len()),
                quoted(key),
            )
        };
        [false, true].map(|numbered| {
            [false, true].map(|by_cluster| {
                std::array::from_fn(|power| make(numbered, by_cluster, 1 << power))
            })
        })
    });
    made.get(usize::from(backend == DbBackend::Postgres))
        .and_then(|tables| tables.get(usize::from(by_cluster)))
        .and_then(|sizes| sizes.get(rows.max(1).ilog2() as usize))
        .map_or("", String::as_str)
}

/// The columns of a rollup row, in the order [`upsert_rollups`] gives their values: the
/// group's key (span, hour, the cluster with `by_cluster`, key hash, model), the user, then
/// the counters.
fn rollup_columns(by_cluster: bool) -> Vec<String> {
    use usage_rollup::Column as C;
    fn name(column: impl IdenStatic) -> String {
        column.as_str().to_owned()
    }
    let mut columns = vec![name(C::Span), name(C::Hour)];
    if by_cluster {
        columns.push(name(cluster_rollup::Column::Cluster));
    }
    columns.extend([name(C::KeyHash), name(C::ModelName), name(C::UserId)]);
    columns.extend(
        [
            C::Requests,
            C::Errors,
            C::PromptTokens,
            C::CompletionTokens,
            C::CostNanos,
            C::DurationMsSum,
        ]
        .into_iter()
        .chain(usage_rollup::LATENCY_COLUMNS)
        .map(name),
    );
    columns
}

/// Adds `rows` to the stored rollups of `usage_rollups` or (with `by_cluster`)
/// `cluster_rollups`: one atomic upsert per row, so replicas writing the same hour never lose
/// each other's counts. The two tables name their columns alike; only the cluster differs.
async fn upsert_rollups(
    txn: &DatabaseTransaction,
    rows: HashMap<Group<'_>, Tally>,
    by_cluster: bool,
) -> Result<(), sea_orm::DbErr> {
    let backend = txn.get_database_backend();
    // Several rows per statement, in the same power-of-two sizes as the spend rows; each
    // statement holds a group once, as the conflict clause requires.
    let mut rest: Vec<(Group<'_>, Tally)> = rows.into_iter().collect();
    while !rest.is_empty() {
        let later = rest.split_off(chunk(rest.len()));
        let sql = upsert_sql(backend, by_cluster, rest.len());
        // 22 columns in `cluster_rollups`, one fewer in `usage_rollups`.
        let mut values: Vec<Value> = Vec::with_capacity(rest.len() * 22);
        for ((span, start, cluster, key, model), tally) in rest {
            values.extend([Value::from(span), Value::from(start)]);
            if by_cluster {
                values.push(Value::from(cluster));
            }
            values.extend([
                Value::from(key),
                Value::from(model),
                Value::from(tally.user),
            ]);
            values.extend(
                [
                    tally.requests,
                    tally.errors,
                    tally.prompt_tokens,
                    tally.completion_tokens,
                    tally.cost_nanos,
                    tally.duration_ms_sum,
                ]
                .into_iter()
                .chain(tally.latency)
                .map(Value::from),
            );
        }
        txn.execute(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        rest = later;
    }
    Ok(())
}

/// Starts a new budget window for keys and users whose window ended by `now`: their spend
/// goes back to zero and the next reset is the end of the window holding `now`. (Quota
/// checks do not wait for this: they compute the window from the clock.)
async fn reset_budgets(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    let next = |duration: Option<&str>, ended: DateTime<Utc>| {
        duration
            .and_then(|d| crate::duration::parse(d).ok())
            .and_then(|span| span.window(ended, now))
            .map(|(_, end)| end)
    };
    let keys = api_key::Entity::find()
        .filter(api_key::Column::BudgetResetAt.lte(now))
        .all(txn)
        .await?;
    for key in keys {
        let ended = key.budget_reset_at.unwrap_or(now);
        api_key::Entity::update_many()
            .col_expr(api_key::Column::SpendNanos, Expr::value(0_i64))
            .col_expr(
                api_key::Column::BudgetResetAt,
                Expr::value(next(key.budget_duration.as_deref(), ended)),
            )
            .filter(api_key::Column::Id.eq(key.id))
            .filter(api_key::Column::BudgetResetAt.eq(ended))
            .exec(txn)
            .await?;
    }
    let users = user::Entity::find()
        .filter(user::Column::BudgetResetAt.lte(now))
        .all(txn)
        .await?;
    for user in users {
        let ended = user.budget_reset_at.unwrap_or(now);
        user::Entity::update_many()
            .col_expr(user::Column::SpendNanos, Expr::value(0_i64))
            .col_expr(
                user::Column::BudgetResetAt,
                Expr::value(next(user.budget_duration.as_deref(), ended)),
            )
            .filter(user::Column::Id.eq(user.id))
            .filter(user::Column::BudgetResetAt.eq(ended))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// How an attempt at a batch learns which of its rows are new.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Inserts {
    /// By the count of rows each insert wrote: when one wrote fewer than it was given, a row
    /// was written before and the attempt is given up. The database answers with one number
    /// per statement; the SQLite driver hands each returned row across threads by itself,
    /// which cost two thread wake-ups per few requests at saturation (BENCHMARKS.md).
    Counted,
    /// By the request id of each row written (`RETURNING`): for a batch that repeats some.
    Returned,
}

/// Inserts the `spend_requests` rows of `events` (in statements of at most [`BATCH`] rows),
/// their subjects' ids being `subjects`, and adds the rows it inserted to the rollups. A
/// request id already written is skipped and not added again. Returns the events inserted, or
/// None when [`Inserts::Counted`] found a row written before: the caller then rolls the
/// transaction back and tries again with [`Inserts::Returned`].
async fn insert_with_rollups<'a>(
    txn: &DatabaseTransaction,
    events: &'a [SpendEvent],
    subjects: &HashMap<Subject, i32>,
    inserts: Inserts,
) -> Result<Option<Vec<&'a SpendEvent>>, sea_orm::DbErr> {
    let mut inserted = Vec::with_capacity(events.len());
    let mut rest = events;
    while !rest.is_empty() {
        let (now, later) = rest.split_at(chunk(rest.len()));
        let mut values = Vec::with_capacity(now.len() * COLUMNS.len());
        for event in now {
            let subject = subjects.get(&subject_of(event)).copied().ok_or_else(|| {
                sea_orm::DbErr::Custom("a spend subject was not stored".to_owned())
            })?;
            push_row(event, subject, &mut values);
        }
        let backend = txn.get_database_backend();
        let statement = Statement::from_sql_and_values(
            backend,
            insert_sql(backend, now.len(), inserts),
            values,
        );
        match inserts {
            Inserts::Counted => {
                let written = txn.execute(statement).await?.rows_affected();
                if usize::try_from(written).ok() != Some(now.len()) {
                    return Ok(None);
                }
                inserted.extend(now);
            }
            Inserts::Returned => {
                let rows = txn.query_all(statement).await?;
                // Some were written before: a batch retried after its commit was not
                // confirmed, or a journal replayed. Only the new ones count.
                let new: HashSet<String> = rows
                    .iter()
                    .filter_map(|row| row.try_get::<String>("", "request_id").ok())
                    .collect();
                inserted.extend(now.iter().filter(|e| new.contains(&e.request_id)));
            }
        }
        rest = later;
    }
    let [usage, by_cluster] = rollups(&inserted);
    upsert_rollups(txn, usage, false).await?;
    upsert_rollups(txn, by_cluster, true).await?;
    Ok(Some(inserted))
}

/// Writes `events` in one transaction: their `spend_requests` rows (in statements of at most
/// [`BATCH`] rows), their rollups, and their cost added to each key and user (one update each).
/// A request id already written is skipped and counted nowhere, so a batch retried after a
/// commit whose answer was lost is never counted twice.
/// With `budgets_due`, the transaction first starts a new window for every key and user whose
/// budget window has ended; the caller decides how often that is worth the queries.
///
/// Nothing is written unless everything is. The error is the database's own, for the caller
/// to log and retry with the same events.
pub async fn write_batch(
    db: &DatabaseConnection,
    events: &[SpendEvent],
    budgets_due: bool,
) -> Result<(), sea_orm::DbErr> {
    let subjects = subject_ids(db, events).await?;
    // Counted first: a batch that repeats none of its rows (nearly every one) is written in
    // one attempt, and one that repeats some is rolled back and written the careful way.
    if !attempt(db, events, &subjects, budgets_due, Inserts::Counted).await? {
        attempt(db, events, &subjects, budgets_due, Inserts::Returned).await?;
    }
    Ok(())
}

/// One transaction of [`write_batch`]: true when committed, false when rolled back because
/// `inserts` cannot tell which rows are new.
async fn attempt(
    db: &DatabaseConnection,
    events: &[SpendEvent],
    subjects: &HashMap<Subject, i32>,
    budgets_due: bool,
    inserts: Inserts,
) -> Result<bool, sea_orm::DbErr> {
    let txn = crate::txn::begin_write(db).await?;
    if budgets_due {
        reset_budgets(&txn, Utc::now()).await?;
    }
    let Some(inserted) = insert_with_rollups(&txn, events, subjects, inserts).await? else {
        txn.rollback().await?;
        return Ok(false);
    };
    add_spend(&txn, inserted).await?;
    txn.commit().await?;
    Ok(true)
}

/// Adds the cost of `inserted` to each key's and user's spend, one update each, and marks
/// when each key was last used.
async fn add_spend(
    txn: &DatabaseTransaction,
    inserted: Vec<&SpendEvent>,
) -> Result<(), sea_orm::DbErr> {
    let mut by_key: HashMap<&str, (i64, DateTime<Utc>)> = HashMap::new();
    let mut by_user: HashMap<Uuid, i64> = HashMap::new();
    for event in inserted {
        if let Some(hash) = &event.key_hash {
            let entry = by_key.entry(hash).or_insert((0, event.ended_at));
            entry.0 = entry.0.saturating_add(event.cost_nanos);
            entry.1 = entry.1.max(event.ended_at);
        }
        if let Some(user) = event.user_id.filter(|_| event.cost_nanos > 0) {
            *by_user.entry(user).or_default() += event.cost_nanos;
        }
    }
    for (hash, (cost, last_used)) in by_key {
        api_key::Entity::update_many()
            .col_expr(
                api_key::Column::SpendNanos,
                Expr::col(api_key::Column::SpendNanos).add(cost),
            )
            .col_expr(api_key::Column::LastUsedAt, Expr::value(last_used))
            .filter(api_key::Column::TokenHash.eq(hash))
            .exec(txn)
            .await?;
    }
    for (id, cost) in by_user {
        user::Entity::update_many()
            .col_expr(
                user::Column::SpendNanos,
                Expr::col(user::Column::SpendNanos).add(cost),
            )
            .filter(user::Column::Id.eq(id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Writes requests another system recorded (LiteLLM's spend logs, imported): their
/// `spend_requests` rows and rollups, but not their cost on keys and users, which carry their
/// spend so far already. Events already written (by request id) are skipped, so importing the
/// same history again adds nothing; the answer is how many were new.
pub async fn write_history(
    db: &DatabaseConnection,
    events: Vec<SpendEvent>,
) -> Result<usize, sea_orm::DbErr> {
    let events = unrecorded(db, events).await?;
    if events.is_empty() {
        return Ok(0);
    }
    let subjects = subject_ids(db, &events).await?;
    let txn = crate::txn::begin_write(db).await?;
    // Returned: only `unrecorded` rows are here, but another import may have written some since.
    let inserted = insert_with_rollups(&txn, &events, &subjects, Inserts::Returned)
        .await?
        .map_or(0, |rows| rows.len());
    txn.commit().await?;
    Ok(inserted)
}

/// The events of `events` that have no spend row yet: what a restart replays from the
/// journal, where some were written before the process stopped and some were not. Replaying
/// only these keeps rollups and spend from being added twice.
pub async fn unrecorded(
    db: &DatabaseConnection,
    events: Vec<SpendEvent>,
) -> Result<Vec<SpendEvent>, sea_orm::DbErr> {
    let mut written = HashSet::new();
    for ids in events.chunks(500) {
        let ids: Vec<&str> = ids.iter().map(|e| e.request_id.as_str()).collect();
        let rows: Vec<String> = spend_request::Entity::find()
            .select_only()
            .column(spend_request::Column::RequestId)
            .filter(spend_request::Column::RequestId.is_in(ids.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        written.extend(rows);
        // Rows an earlier release wrote (`spend_logs`): a journal it left is replayed here.
        let rows: Vec<String> = spend_log::Entity::find()
            .select_only()
            .column(spend_log::Column::RequestId)
            .filter(spend_log::Column::RequestId.is_in(ids.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        written.extend(rows);
    }
    Ok(events
        .into_iter()
        .filter(|e| !written.contains(&e.request_id))
        .collect())
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, Iterable};

    use chrono::{TimeZone, Utc};

    use super::super::{Outcome, SpendEvent};
    use super::{
        COLUMNS, Group, HashMap, Inserts, Tally, chunk, insert_sql, rollup_columns, rollups,
        upsert_sql,
    };
    use chrono::{DurationRound, TimeDelta};
    use entity::usage_rollup;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn event(minute: u32, cluster: &str, duration_ms: u64, outcome: Outcome) -> SpendEvent {
        SpendEvent {
            request_id: format!("r-{minute}-{cluster}"),
            key_id: None,
            key_hash: Some("ab".repeat(32)),
            user_id: None,
            model: "granite".into(),
            deployment_id: None,
            cluster: Some(cluster.into()),
            call_type: "completion".into(),
            prompt_tokens: 10,
            completion_tokens: 5,
            estimated: false,
            cost_nanos: 7,
            outcome,
            http_status: 200,
            started_at: Utc.with_ymd_and_hms(2026, 12, 4, 13, minute, 0).unwrap(),
            ended_at: Utc.with_ymd_and_hms(2026, 12, 4, 13, minute, 1).unwrap(),
            ttft_ms: None,
            duration_ms,
            guardrail: None,
        }
    }

    #[test]
    fn rollups_sum_per_hour_and_day_and_split_by_cluster_only_in_the_cluster_table() {
        let events = [
            event(1, "east", 40, Outcome::Success),
            event(2, "east", 400, Outcome::Failure),
            event(3, "west", 40_000, Outcome::Success),
        ];
        let refs: Vec<&SpendEvent> = events.iter().collect();
        let [usage, by_cluster] = rollups(&refs);
        let hour = Utc.with_ymd_and_hms(2026, 12, 4, 13, 0, 0).unwrap();
        let day = Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap();
        let key = "ab".repeat(32);
        assert_eq!(usage.len(), 2);
        assert_eq!(by_cluster.len(), 4);
        for start in [hour, day] {
            let span = if start == hour { "hour" } else { "day" };
            let all = &usage[&(span, start, "", key.as_str(), "granite")];
            assert_eq!((all.requests, all.errors, all.prompt_tokens), (3, 1, 30));
            assert_eq!((all.completion_tokens, all.cost_nanos), (15, 21));
            assert_eq!(all.duration_ms_sum, 40_440);
            // ≤ 50 ms, ≤ 500 ms, and past the last bound (30 s).
            assert_eq!(all.latency, [1, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
            let east = &by_cluster[&(span, start, "east", key.as_str(), "granite")];
            assert_eq!((east.requests, east.errors, east.cost_nanos), (2, 1, 14));
            let west = &by_cluster[&(span, start, "west", key.as_str(), "granite")];
            assert_eq!((west.requests, west.errors, west.latency[9]), (1, 0, 1));
        }
    }

    /// Each event counted in each of its four rows, one by one: what [`rollups`] must equal.
    fn rollups_one_by_one<'a>(events: &[&'a SpendEvent]) -> [HashMap<Group<'a>, Tally>; 2] {
        let mut tables: [HashMap<Group<'a>, Tally>; 2] = Default::default();
        let spans = [
            (usage_rollup::SPAN_HOUR, TimeDelta::hours(1)),
            (usage_rollup::SPAN_DAY, TimeDelta::days(1)),
        ];
        for event in events {
            let key = event.key_hash.as_deref().unwrap_or_default();
            let clusters = ["", event.cluster.as_deref().unwrap_or_default()];
            for (span, width) in spans {
                let start = event.started_at.duration_trunc(width).unwrap();
                for (groups, cluster) in tables.iter_mut().zip(clusters) {
                    groups
                        .entry((span, start, cluster, key, event.model.as_str()))
                        .or_default()
                        .count(event);
                }
            }
        }
        tables
    }

    proptest! {
        /// Summing hours first gives every row what counting each event in it gives: over
        /// three days, a few clusters, keys (each with its one user, or none) and models.
        #[test]
        fn rollups_summed_from_hours_equal_rollups_counted_event_by_event(
            picks in proptest::collection::vec(
                (0_u32..3 * 24 * 60, 0_usize..4, 0_usize..4, 0_usize..2, 0_u64..40_000,
                 0_u64..10_000, 0_i64..1_000_000, any::<bool>()),
                0..80,
            ),
        ) {
            let clusters = [Some("east"), Some("west"), Some("north"), None];
            let start = Utc.with_ymd_and_hms(2026, 12, 4, 22, 30, 0).unwrap();
            let events: Vec<SpendEvent> = picks
                .iter()
                .map(|&(minute, cluster, key, model, duration_ms, tokens, cost, ok)| {
                    let mut event = event(0, "east", duration_ms, if ok {
                        Outcome::Success
                    } else {
                        Outcome::Failure
                    });
                    event.started_at = start + TimeDelta::minutes(i64::from(minute));
                    event.cluster = clusters[cluster].map(str::to_owned);
                    event.key_hash = (key < 3).then(|| format!("{key}").repeat(64));
                    event.user_id = (key < 2).then(|| Uuid::from_u128(key as u128 + 1));
                    event.model = ["granite", "llama"][model].into();
                    event.prompt_tokens = tokens;
                    event.completion_tokens = tokens / 3;
                    event.cost_nanos = cost;
                    event
                })
                .collect();
            let refs: Vec<&SpendEvent> = events.iter().collect();
            prop_assert_eq!(rollups(&refs), rollups_one_by_one(&refs));
        }
    }

    #[test]
    fn the_insert_names_every_column_in_the_entitys_order() {
        let entity: Vec<String> = entity::spend_request::Column::iter()
            .map(|column| sea_orm::IdenStatic::as_str(&column).to_owned())
            .collect();
        assert_eq!(entity, COLUMNS);
    }

    #[test]
    fn each_row_count_has_its_statement_with_a_placeholder_per_value() {
        for power in 0..7 {
            let rows = 1 << power;
            let sqlite = insert_sql(DbBackend::Sqlite, rows, Inserts::Returned);
            assert_eq!(sqlite.matches('?').count(), rows * COLUMNS.len());
            let postgres = insert_sql(DbBackend::Postgres, rows, Inserts::Returned);
            let last = format!("${})", rows * COLUMNS.len());
            assert!(postgres.contains(&last), "{postgres}");
            assert!(!postgres.contains(&format!("${} ", rows * COLUMNS.len() + 1)));
            assert!(postgres.ends_with(") ON CONFLICT DO NOTHING RETURNING request_id"));
            let counted = insert_sql(DbBackend::Postgres, rows, Inserts::Counted);
            assert_eq!(
                Some(counted),
                postgres.strip_suffix(" RETURNING request_id")
            );
        }
        assert!(
            insert_sql(DbBackend::Sqlite, 2, Inserts::Returned).starts_with(
                "INSERT INTO spend_requests (request_id, subject_id, model_name, deployment_id, "
            )
        );
    }

    #[test]
    fn the_rollup_upserts_name_every_column_but_the_id_and_add_every_counter() {
        let names = |columns: Vec<String>| {
            let mut columns: Vec<String> = columns.into_iter().filter(|c| c != "id").collect();
            columns.sort();
            columns
        };
        let usage = entity::usage_rollup::Column::iter()
            .map(|column| sea_orm::IdenStatic::as_str(&column).to_owned())
            .collect();
        let cluster = entity::cluster_rollup::Column::iter()
            .map(|column| sea_orm::IdenStatic::as_str(&column).to_owned())
            .collect();
        let ours = |by_cluster| names(rollup_columns(by_cluster));
        assert_eq!(ours(false), names(usage));
        assert_eq!(ours(true), names(cluster));
        for (by_cluster, table, key) in [
            (
                false,
                "usage_rollups",
                r#"("span", "hour", "key_hash", "model_name")"#,
            ),
            (
                true,
                "cluster_rollups",
                r#"("span", "hour", "cluster", "key_hash", "model_name")"#,
            ),
        ] {
            let width = rollup_columns(by_cluster).len();
            for power in 0..7 {
                let rows = 1 << power;
                let sqlite = upsert_sql(DbBackend::Sqlite, by_cluster, rows);
                assert_eq!(sqlite.matches('?').count(), rows * width, "{sqlite}");
                let postgres = upsert_sql(DbBackend::Postgres, by_cluster, rows);
                assert!(
                    postgres.contains(&format!("${})", rows * width)),
                    "{postgres}"
                );
                assert!(!postgres.contains(&format!("${}", rows * width + 1)));
                for sql in [sqlite, postgres] {
                    assert!(
                        sql.starts_with(&format!("INSERT INTO \"{table}\" (")),
                        "{sql}"
                    );
                    assert!(
                        sql.contains(&format!(" ON CONFLICT {key} DO UPDATE SET ")),
                        "{sql}"
                    );
                    // Every counter adds; the key and the user are never overwritten.
                    assert!(sql.contains(&format!(
                        r#""latency_le_inf" = "{table}"."latency_le_inf" + excluded."latency_le_inf""#
                    )));
                    assert_eq!(
                        sql.matches(" + excluded.").count(),
                        width - key.matches(',').count() - 2
                    );
                    assert!(!sql.contains(r#""user_id" = "#));
                }
            }
        }
    }

    #[test]
    fn inserts_come_in_powers_of_two() {
        assert_eq!(chunk(0), 0);
        assert_eq!(chunk(1), 1);
        assert_eq!(chunk(7), 4);
        assert_eq!(chunk(63), 32);
        assert_eq!(chunk(5_000), 64);
    }
}
