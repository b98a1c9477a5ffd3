//! The monthly partitions of the spend tables on PostgreSQL: `spend_requests` (partitioned
//! from the start, `m20261203_000017`) and `spend_logs` before it (where `m20261201_000012`
//! converted it). Each month is its own table, `<table>_pYYYY_MM`, made ahead of time for
//! `spend_requests`, and a month wholly past the retention period is dropped as one table
//! instead of deleted row by row. Rows that arrive before their month exists land in
//! `<table>_default` and move into the month when it is made, in the same transaction.
//!
//! Replicas take turns under an advisory lock, so two never make the same month at once. On
//! SQLite, and on a table that is not partitioned, everything here does nothing.

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeZone, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement, Value,
};

/// The key of the advisory lock held while partitions change ("SyParts").
const PARTITION_LOCK: i64 = 0x0053_7950_6172_7473;

/// Months made ahead of the current one.
pub const MONTHS_AHEAD: u32 = 2;

/// A spend table partitioned by the start of its requests.
#[derive(Debug, Clone, Copy)]
struct SpendTable {
    table: &'static str,
    /// The partition column.
    column: &'static str,
    /// Whether that column holds microseconds since the epoch (else a timestamp).
    micros: bool,
}

/// What the ledger writes.
const REQUESTS: SpendTable = SpendTable {
    table: "spend_requests",
    column: "started_us",
    micros: true,
};

/// What releases before `spend_requests` wrote; only dropped from, never made.
const EARLIER: SpendTable = SpendTable {
    table: "spend_logs",
    column: "started_at",
    micros: false,
};

impl SpendTable {
    /// `at` as a partition bound in SQL.
    fn bound(self, at: DateTime<Utc>) -> String {
        if self.micros {
            at.timestamp_micros().to_string()
        } else {
            format!("'{}'", at.to_rfc3339())
        }
    }

    /// `at` as a value compared with the partition column.
    fn value(self, at: DateTime<Utc>) -> Value {
        if self.micros {
            at.timestamp_micros().into()
        } else {
            at.into()
        }
    }

    /// The partition's table name for `month`.
    fn name(self, month: NaiveDate) -> String {
        format!("{}_p{:04}_{:02}", self.table, month.year(), month.month())
    }

    /// The month a partition's name stands for, if it is one of ours.
    fn month_named(self, table: &str) -> Option<NaiveDate> {
        let rest = table.strip_prefix(self.table)?.strip_prefix("_p")?;
        let (year, month) = rest.split_once('_')?;
        let month = NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)?;
        // Only names this module makes: another spelling of the month would not be dropped.
        (self.name(month) == table).then_some(month)
    }
}

/// Whether `log` is partitioned here.
async fn partitioned(db: &impl ConnectionTrait, log: SpendTable) -> Result<bool, DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(false);
    }
    let row = db
        .query_one(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p JOIN pg_class c \
             ON c.oid = p.partrelid WHERE c.relname = $1 \
             AND c.relnamespace = current_schema()::regnamespace) AS partitioned",
            [log.table.into()],
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get::<bool>("", "partitioned"))
        .transpose()?
        .unwrap_or(false))
}

/// The first instant of the month `at` is in.
fn month_of(at: DateTime<Utc>) -> NaiveDate {
    NaiveDate::from_ymd_opt(at.year(), at.month(), 1).unwrap_or(NaiveDate::MIN)
}

fn start(month: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&month.and_time(chrono::NaiveTime::MIN))
}

fn next(month: NaiveDate) -> NaiveDate {
    month
        .checked_add_months(Months::new(1))
        .unwrap_or(NaiveDate::MAX)
}

/// The monthly partitions that exist, oldest first.
async fn months(db: &impl ConnectionTrait, log: SpendTable) -> Result<Vec<NaiveDate>, DbErr> {
    let rows = db
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
             WHERE i.inhparent = $1::regclass",
            [log.table.into()],
        ))
        .await?;
    let mut found: Vec<NaiveDate> = rows
        .iter()
        .filter_map(|row| row.try_get::<String>("", "name").ok())
        .filter_map(|table| log.month_named(&table))
        .collect();
    found.sort();
    Ok(found)
}

/// A transaction holding the partition lock, where `log` is partitioned.
async fn turn(
    db: &DatabaseConnection,
    log: SpendTable,
) -> Result<Option<DatabaseTransaction>, DbErr> {
    if !partitioned(db, log).await? {
        return Ok(None);
    }
    let txn = crate::txn::begin_write(db).await?;
    txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({PARTITION_LOCK})"))
        .await?;
    // Making or dropping a partition locks the spend log: give up rather than queue the
    // ledger's writes behind a long query (the next run tries again).
    txn.execute_unprepared("SET LOCAL lock_timeout = '2s'")
        .await?;
    Ok(Some(txn))
}

/// Makes the partitions of `spend_requests` from the month of `now` to [`MONTHS_AHEAD`] after
/// it, moving rows already in the default partition into their month. Returns how many it
/// made.
pub async fn prepare(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<usize, DbErr> {
    let log = REQUESTS;
    let Some(txn) = turn(db, log).await? else {
        return Ok(0);
    };
    let existing = months(&txn, log).await?;
    let (table, column) = (log.table, log.column);
    let mut month = month_of(now);
    let mut made = 0;
    for _ in 0..=MONTHS_AHEAD {
        if !existing.contains(&month) {
            let (from, until) = (start(month), start(next(month)));
            // The default partition may not keep rows of a month that gets its own table;
            // none may arrive for that month between moving them out and making it.
            txn.execute_unprepared(&format!(
                "LOCK TABLE {table}_default IN SHARE ROW EXCLUSIVE MODE"
            ))
            .await?;
            txn.execute_unprepared(&format!(
                "CREATE TEMP TABLE spend_moving (LIKE {table}) ON COMMIT DROP"
            ))
            .await?;
            txn.execute(Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!(
                    "WITH gone AS (DELETE FROM {table}_default WHERE {column} >= $1 \
                     AND {column} < $2 RETURNING *) INSERT INTO spend_moving SELECT * FROM gone"
                ),
                [log.value(from), log.value(until)],
            ))
            .await?;
            txn.execute_unprepared(&format!(
                "CREATE TABLE {} PARTITION OF {table} FOR VALUES FROM ({}) TO ({})",
                log.name(month),
                log.bound(from),
                log.bound(until)
            ))
            .await?;
            txn.execute_unprepared(&format!("INSERT INTO {table} SELECT * FROM spend_moving"))
                .await?;
            txn.execute_unprepared("DROP TABLE spend_moving").await?;
            made += 1;
        }
        month = next(month);
    }
    txn.commit().await?;
    Ok(made)
}

/// Drops every monthly partition of the spend tables that ends at or before `cutoff` (all its
/// rows are older) and returns how many rows went with them. Rows of the month `cutoff` is in
/// are left to the batched delete.
pub async fn drop_before(db: &DatabaseConnection, cutoff: DateTime<Utc>) -> Result<u64, DbErr> {
    let mut dropped = 0;
    for log in [REQUESTS, EARLIER] {
        dropped += drop_months(db, log, cutoff).await?;
    }
    Ok(dropped)
}

async fn drop_months(
    db: &DatabaseConnection,
    log: SpendTable,
    cutoff: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let Some(txn) = turn(db, log).await? else {
        return Ok(0);
    };
    let mut dropped = 0;
    for month in months(&txn, log).await? {
        if start(next(month)) > cutoff {
            continue;
        }
        let table = log.name(month);
        let rows = txn
            .query_one(Statement::from_string(
                DbBackend::Postgres,
                format!("SELECT count(*) AS n FROM {table}"),
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0);
        txn.execute_unprepared(&format!("DROP TABLE {table}"))
            .await?;
        dropped += u64::try_from(rows).unwrap_or(0);
    }
    txn.commit().await?;
    Ok(dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_have_names_and_bounds() {
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).unwrap();
        let month = month_of(at);
        assert_eq!(REQUESTS.name(month), "spend_requests_p2026_12");
        assert_eq!(EARLIER.name(month), "spend_logs_p2026_12");
        assert_eq!(REQUESTS.month_named("spend_requests_p2026_12"), Some(month));
        assert_eq!(REQUESTS.month_named("spend_logs_p2026_12"), None);
        assert_eq!(EARLIER.month_named("spend_logs_p2026_12"), Some(month));
        assert_eq!(next(month), NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        assert_eq!(start(month).to_rfc3339(), "2026-12-01T00:00:00+00:00");
        assert_eq!(EARLIER.bound(start(month)), "'2026-12-01T00:00:00+00:00'");
        assert_eq!(REQUESTS.bound(start(month)), "1796083200000000");
        for other in [
            "spend_requests_default",
            "spend_requests_p2026",
            "spend_requests_pxx_yy",
            "spend_requestsp2026_12",
        ] {
            assert_eq!(REQUESTS.month_named(other), None, "{other}");
        }
    }
}
