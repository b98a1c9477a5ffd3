//! `spend_requests`, the compact successor of `spend_logs`: the same facts about a request in
//! about half the bytes on disk (BENCHMARKS.md, "Bytes on disk per request").
//!
//! - Who made the request is one small id into `spend_subjects` (a key hash and its user,
//!   stored once) instead of a 64-character hash and a UUID in every row and a second index
//!   per user: requests by user are found through the subjects of that user.
//! - The start is integer microseconds (SQLite stored a 32-character text in the row and in
//!   every index holding it); the end is not stored, being the start plus the duration.
//! - On PostgreSQL the table is partitioned by month of the start like `spend_logs`, the
//!   request id and start are the primary key (no serial id and its index), and columns are
//!   in the order that wastes no alignment padding.
//! - The start keeps a B-tree of its own on both databases, so reports read oldest first
//!   without sorting (a BRIN index would save its 23 bytes a row on PostgreSQL, but an
//!   unfiltered `/spend/logs` would then sort every row).
//!
//! Expand only: `spend_logs` stays as it is, so pods of the previous release keep writing it
//! during a rolling upgrade; this release reads both and writes only the new table, and
//! retention removes the old rows as they age (a later release drops the table).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS spend_subjects (
        id INTEGER PRIMARY KEY,
        key_hash TEXT NOT NULL,
        user_id BLOB NOT NULL,
        UNIQUE (key_hash, user_id))",
    "CREATE TABLE IF NOT EXISTS spend_requests (
        request_id TEXT NOT NULL UNIQUE,
        subject_id INTEGER NOT NULL,
        model_name TEXT NOT NULL,
        deployment_id BLOB,
        cluster TEXT,
        call_type TEXT NOT NULL,
        prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL,
        estimated BOOLEAN NOT NULL,
        cost_nanos INTEGER NOT NULL,
        status TEXT NOT NULL,
        http_status INTEGER NOT NULL,
        started_us INTEGER NOT NULL,
        ttft_ms INTEGER,
        duration_ms INTEGER NOT NULL,
        guardrail TEXT)",
    "CREATE INDEX IF NOT EXISTS ix_spend_requests_subject_started
        ON spend_requests (subject_id, started_us)",
    "CREATE INDEX IF NOT EXISTS ix_spend_requests_started ON spend_requests (started_us)",
];

const POSTGRES: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS spend_subjects (
        id SERIAL PRIMARY KEY,
        key_hash TEXT NOT NULL,
        user_id UUID NOT NULL,
        UNIQUE (key_hash, user_id))",
    // Fixed-width columns first, widest first, then the variable ones: no padding between.
    "CREATE TABLE IF NOT EXISTS spend_requests (
        started_us BIGINT NOT NULL,
        prompt_tokens BIGINT NOT NULL,
        completion_tokens BIGINT NOT NULL,
        cost_nanos BIGINT NOT NULL,
        duration_ms BIGINT NOT NULL,
        ttft_ms BIGINT,
        deployment_id UUID,
        subject_id INTEGER NOT NULL,
        http_status INTEGER NOT NULL,
        estimated BOOLEAN NOT NULL,
        request_id TEXT NOT NULL,
        model_name TEXT NOT NULL,
        cluster TEXT,
        call_type TEXT NOT NULL,
        status TEXT NOT NULL,
        guardrail TEXT,
        PRIMARY KEY (request_id, started_us)
    ) PARTITION BY RANGE (started_us)",
    "CREATE INDEX IF NOT EXISTS ix_spend_requests_subject_started
        ON spend_requests (subject_id, started_us)",
    "CREATE INDEX IF NOT EXISTS ix_spend_requests_started ON spend_requests (started_us)",
    "CREATE TABLE IF NOT EXISTS spend_requests_default PARTITION OF spend_requests DEFAULT",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements = match db.get_database_backend() {
            DbBackend::Postgres => POSTGRES,
            _ => SQLITE,
        };
        for statement in statements {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP TABLE IF EXISTS spend_requests")
            .await?;
        db.execute_unprepared("DROP TABLE IF EXISTS spend_subjects")
            .await
            .map(|_| ())
    }
}
