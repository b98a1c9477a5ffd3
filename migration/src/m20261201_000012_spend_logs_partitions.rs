//! On PostgreSQL, `spend_logs` becomes a table partitioned by month of `started_at`, so that
//! retention drops a whole old month (`DROP TABLE` of its partition: no row-by-row delete, no
//! dead tuples to vacuum) instead of deleting it in batches. The months themselves are made by
//! the server (`schema::spend::partitions`); this adds the `DEFAULT` partition, which takes any
//! row whose month does not exist yet, so that no write can fail for want of a partition.
//!
//! Only a database whose spend log is still empty is converted: a fresh install, where no
//! earlier binary is writing. Partitioned, the unique key must include the partition column,
//! so it becomes (`request_id`, `started_at`); the ledger's `ON CONFLICT DO NOTHING` (no
//! target) deduplicates under either layout, but the binaries before this one name
//! `request_id` alone and would fail against a converted table. An existing database keeps its
//! plain table and batched deletes. SQLite is untouched.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const CONVERT: &str = "
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM spend_logs) OR EXISTS (
      SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
      WHERE c.relname = 'spend_logs' AND c.relnamespace = current_schema()::regnamespace) THEN
    RETURN;
  END IF;
  ALTER TABLE spend_logs RENAME TO spend_logs_plain;
  CREATE TABLE spend_logs (LIKE spend_logs_plain INCLUDING DEFAULTS)
    PARTITION BY RANGE (started_at);
  ALTER SEQUENCE spend_logs_id_seq OWNED BY spend_logs.id;
  DROP TABLE spend_logs_plain;
  ALTER TABLE spend_logs ADD PRIMARY KEY (id, started_at);
  ALTER TABLE spend_logs ADD CONSTRAINT spend_logs_request_id_key UNIQUE (request_id, started_at);
  CREATE INDEX ix_spend_logs_started ON spend_logs (started_at);
  CREATE INDEX ix_spend_logs_key_started ON spend_logs (key_hash, started_at);
  CREATE INDEX ix_spend_logs_user_started ON spend_logs (user_id, started_at);
  CREATE TABLE spend_logs_default PARTITION OF spend_logs DEFAULT;
END
$$";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared(CONVERT).await.map(|_| ())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // A partitioned spend log serves every later binary as it is.
        Ok(())
    }
}
