//! Replicas taking turns: work that must not run on two replicas at once (applying the
//! configured catalog, creating the bootstrap administrator) runs in a transaction that first
//! takes a PostgreSQL advisory lock, held until the transaction ends. A replica that dies
//! mid-way ends its transaction, which releases the lock. On SQLite there is one process, and
//! its single writer already serialises transactions.

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr};

/// The lock taken while the configuration's models are applied ("SyCatalg").
pub const CATALOG: i64 = 0x5379_4361_7461_6c67;

/// The lock taken while the bootstrap administrator is created ("SyBootst").
pub const BOOTSTRAP: i64 = 0x5379_426f_6f74_7374;

/// Waits for `key` inside `txn` on PostgreSQL; does nothing on SQLite.
pub async fn wait_for_turn(txn: &DatabaseTransaction, key: i64) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({key})"))
            .await?;
    }
    Ok(())
}
