//! A key's models as the LiteLLM admin API gave them: names, `"*"`, `"prefix/*"` patterns and
//! access-group names, stored unvalidated (LiteLLM does not validate them, and provisioning
//! automation relies on that). Keys made before keep their links in `api_key_models`; a null
//! here means "read the links". Expand-only: old replicas ignore the column.

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
                    .add_column(json_null("model_names"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("api_keys")
                    .drop_column("model_names")
                    .to_owned(),
            )
            .await
    }
}
