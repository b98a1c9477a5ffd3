//! Seeds the single branding row, so the portal has a title before any admin sets one.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let insert = Query::insert()
            .into_table("branding")
            .columns(["id", "title", "subtitle", "updated_at"])
            .values_panic([
                1.into(),
                "Switchyard".into(),
                "One endpoint, one key, every model".into(),
                Expr::current_timestamp().into(),
            ])
            .to_owned();
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let delete = Query::delete()
            .from_table("branding")
            .and_where(Expr::col("id").eq(1))
            .to_owned();
        manager.exec_stmt(delete).await
    }
}
