//! Who blocked a key: its owner (revoked in the portal, which they may undo) or an
//! administrator (which only an administrator may undo).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("api_keys")
                    .add_column(string_null("blocked_by"))
                    .to_owned(),
            )
            .await?;
        // Keys blocked before: portal keys by their owners, the rest by administrators.
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE api_keys SET blocked_by = CASE WHEN origin = 'portal' THEN 'owner' \
             ELSE 'administrator' END WHERE blocked",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("api_keys")
                    .drop_column("blocked_by")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
