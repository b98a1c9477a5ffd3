//! Transactions that write. SQLite begins a transaction deferred: it reads from a snapshot,
//! and its first write must then upgrade to the database's one write lock. If another
//! connection committed since that snapshot (the spend ledger does every few hundred
//! milliseconds), the upgrade fails at once with "database is locked", without waiting out
//! the busy timeout, and the request that was writing gets a 500. Taking the write lock with
//! the transaction's first statement makes SQLite wait for it (the busy timeout applies)
//! and read from the newest snapshot. PostgreSQL needs nothing of the kind.

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, TransactionTrait};

/// Begins a transaction that will write, holding SQLite's write lock from its start.
pub async fn begin_write<C>(db: &C) -> Result<DatabaseTransaction, DbErr>
where
    C: TransactionTrait + ConnectionTrait,
{
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Sqlite {
        // Deletes nothing, but as a write it starts with the write lock (SQLite's
        // `BEGIN IMMEDIATE`, which sea-orm does not offer). The migrations table always exists.
        txn.execute_unprepared("DELETE FROM seaql_migrations WHERE 0")
            .await?;
    }
    Ok(txn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{Database, DatabaseConnection};

    async fn open(path: &std::path::Path) -> DatabaseConnection {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Database::connect(url).await.unwrap()
    }

    /// Reads in a transaction, lets another connection commit, then writes: what a key's
    /// creation does while the ledger writes a batch.
    async fn read_then_write_after_another_commit(immediate: bool) -> Result<(), DbErr> {
        let dir = std::env::temp_dir().join(format!("sy-txn-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("db.sqlite");
        let (mine, ledger) = (open(&path).await, open(&path).await);
        mine.execute_unprepared(
            "PRAGMA journal_mode = WAL; CREATE TABLE seaql_migrations (version TEXT); \
             CREATE TABLE t (n INTEGER)",
        )
        .await?;
        let txn = if immediate {
            begin_write(&mine).await?
        } else {
            mine.begin().await?
        };
        txn.execute_unprepared("SELECT count(*) FROM t").await?;
        if immediate {
            // The ledger's write waits for this transaction instead.
            let waiting =
                tokio::spawn(
                    async move { ledger.execute_unprepared("INSERT INTO t VALUES (1)").await },
                );
            txn.execute_unprepared("INSERT INTO t VALUES (2)").await?;
            txn.commit().await?;
            waiting.await.unwrap()?;
        } else {
            ledger
                .execute_unprepared("INSERT INTO t VALUES (1)")
                .await?;
            txn.execute_unprepared("INSERT INTO t VALUES (2)").await?;
            txn.commit().await?;
        }
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }

    #[tokio::test]
    async fn a_write_transaction_is_not_refused_when_another_commits_first() {
        // A deferred transaction cannot write over a newer commit: SQLite refuses at once.
        let refused = read_then_write_after_another_commit(false).await;
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_string().contains("locked")),
            "{refused:?}"
        );
        read_then_write_after_another_commit(true).await.unwrap();
    }
}
