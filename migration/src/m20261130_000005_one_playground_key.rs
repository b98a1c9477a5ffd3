//! One playground key per user: a partial unique index on `api_keys (user_id)` for the rows
//! with `origin = 'playground'`, so two first playground requests arriving at once cannot
//! make two keys (the loser of the race finds the winner's). PostgreSQL and SQLite both
//! support partial indexes with the same statement.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_api_keys_playground_user ON api_keys (user_id) \
                 WHERE origin = 'playground'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ux_api_keys_playground_user")
            .await?;
        Ok(())
    }
}
