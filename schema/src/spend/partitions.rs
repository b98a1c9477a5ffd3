//! The monthly partitions of `spend_logs` on PostgreSQL (where migration
//! `m20261201_000012` made it a partitioned table): each month is its own table,
//! `spend_logs_pYYYY_MM`, made ahead of time, and a month wholly past the retention period is
//! dropped as one table instead of deleted row by row. Rows that arrive before their month
//! exists land in `spend_logs_default` and move into the month when it is made, in the same
//! transaction.
//!
//! Replicas take turns under an advisory lock, so two never make the same month at once. On
//! SQLite, and on a database whose spend log was not converted, everything here does nothing.

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeZone, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement,
    TransactionTrait,
};

/// The key of the advisory lock held while partitions change ("SyParts").
const PARTITION_LOCK: i64 = 0x0053_7950_6172_7473;

/// Months made ahead of the current one.
pub const MONTHS_AHEAD: u32 = 2;

/// Whether `spend_logs` is partitioned here.
pub async fn partitioned(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(false);
    }
    let row = db
        .query_one(Statement::from_string(
            DbBackend::Postgres,
            "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p JOIN pg_class c \
             ON c.oid = p.partrelid WHERE c.relname = 'spend_logs' \
             AND c.relnamespace = current_schema()::regnamespace) AS partitioned",
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

/// The partition's table name for `month`.
fn name(month: NaiveDate) -> String {
    format!("spend_logs_p{:04}_{:02}", month.year(), month.month())
}

/// The month a partition's name stands for, if it is one of ours.
fn month_named(table: &str) -> Option<NaiveDate> {
    let (year, month) = table.strip_prefix("spend_logs_p")?.split_once('_')?;
    let month = NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)?;
    // Only names this module makes: another spelling of the month would not be dropped.
    (name(month) == table).then_some(month)
}

/// The monthly partitions that exist, oldest first.
async fn months(db: &impl ConnectionTrait) -> Result<Vec<NaiveDate>, DbErr> {
    let rows = db
        .query_all(Statement::from_string(
            DbBackend::Postgres,
            "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
             WHERE i.inhparent = 'spend_logs'::regclass",
        ))
        .await?;
    let mut found: Vec<NaiveDate> = rows
        .iter()
        .filter_map(|row| row.try_get::<String>("", "name").ok())
        .filter_map(|table| month_named(&table))
        .collect();
    found.sort();
    Ok(found)
}

/// A transaction holding the partition lock, where the spend log is partitioned.
async fn turn(db: &DatabaseConnection) -> Result<Option<DatabaseTransaction>, DbErr> {
    if !partitioned(db).await? {
        return Ok(None);
    }
    let txn = db.begin().await?;
    txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({PARTITION_LOCK})"))
        .await?;
    // Making or dropping a partition locks the spend log: give up rather than queue the
    // ledger's writes behind a long query (the next run tries again).
    txn.execute_unprepared("SET LOCAL lock_timeout = '2s'")
        .await?;
    Ok(Some(txn))
}

/// Makes the partitions from the month of `now` to [`MONTHS_AHEAD`] after it, moving rows
/// already in the default partition into their month. Returns how many it made.
pub async fn prepare(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<usize, DbErr> {
    let Some(txn) = turn(db).await? else {
        return Ok(0);
    };
    let existing = months(&txn).await?;
    let mut month = month_of(now);
    let mut made = 0;
    for _ in 0..=MONTHS_AHEAD {
        if !existing.contains(&month) {
            let (from, until) = (start(month), start(next(month)));
            let table = name(month);
            // The default partition may not keep rows of a month that gets its own table;
            // none may arrive for that month between moving them out and making it.
            txn.execute_unprepared("LOCK TABLE spend_logs_default IN SHARE ROW EXCLUSIVE MODE")
                .await?;
            txn.execute_unprepared(
                "CREATE TEMP TABLE spend_logs_moving (LIKE spend_logs) ON COMMIT DROP",
            )
            .await?;
            txn.execute(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "WITH gone AS (DELETE FROM spend_logs_default WHERE started_at >= $1 \
                 AND started_at < $2 RETURNING *) INSERT INTO spend_logs_moving SELECT * FROM gone",
                [from.into(), until.into()],
            ))
            .await?;
            txn.execute_unprepared(&format!(
                "CREATE TABLE {table} PARTITION OF spend_logs FOR VALUES FROM ('{}') TO ('{}')",
                from.to_rfc3339(),
                until.to_rfc3339()
            ))
            .await?;
            txn.execute_unprepared("INSERT INTO spend_logs SELECT * FROM spend_logs_moving")
                .await?;
            txn.execute_unprepared("DROP TABLE spend_logs_moving")
                .await?;
            made += 1;
        }
        month = next(month);
    }
    txn.commit().await?;
    Ok(made)
}

/// Drops every monthly partition that ends at or before `cutoff` (all its rows are older) and
/// returns how many rows went with them. Rows of the month `cutoff` is in are left to the
/// batched delete.
pub async fn drop_before(db: &DatabaseConnection, cutoff: DateTime<Utc>) -> Result<u64, DbErr> {
    let Some(txn) = turn(db).await? else {
        return Ok(0);
    };
    let mut dropped = 0;
    for month in months(&txn).await? {
        if start(next(month)) > cutoff {
            continue;
        }
        let table = name(month);
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
        assert_eq!(name(month), "spend_logs_p2026_12");
        assert_eq!(month_named("spend_logs_p2026_12"), Some(month));
        assert_eq!(next(month), NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        assert_eq!(start(month).to_rfc3339(), "2026-12-01T00:00:00+00:00");
        for other in [
            "spend_logs_default",
            "spend_logs_p2026",
            "spend_logs_pxx_yy",
        ] {
            assert_eq!(month_named(other), None, "{other}");
        }
    }
}
