//! A banner's text in the portal's other languages, as a JSON object from language tag to
//! markdown (`{"de": "…"}`); the existing text stays the English one and the fallback. An
//! added column with a default: binaries from before keep reading and writing banners.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("banners")
                    .add_column(json("translations").default("{}"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("banners")
                    .drop_column("translations")
                    .to_owned(),
            )
            .await
    }
}
