//! An index on the audit log's action and time: the console's action filter reads the newest
//! entries of one action, and its list of action names reads the distinct actions, both from
//! the index instead of the whole log. Only an index: binaries from before are unaffected.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "ix_audit_log_action_created";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table("audit_log")
                    .col("action")
                    .col("created_at")
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table("audit_log").to_owned())
            .await
    }
}
