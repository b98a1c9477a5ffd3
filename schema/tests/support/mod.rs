//! What the schema's integration tests share: a fresh PostgreSQL database of their own, and
//! spend rows as releases before `spend_requests` wrote them.

use schema::spend::SpendEvent;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, Set};
use uuid::Uuid;

/// Runs `test` on a new, empty PostgreSQL database named after `what`, dropped afterwards.
/// `sy_test_` databases left behind by a failed run are dropped by tests/ci.sh.
pub async fn on_new_postgres<F>(what: &str, test: impl FnOnce(DatabaseConnection) -> F)
where
    F: Future<Output = ()>,
{
    let server = std::env::var("SWITCHYARD_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let name = format!("sy_test_{what}_{}", Uuid::new_v4().simple());
    let admin = Database::connect(format!("{server}/postgres"))
        .await
        .expect("the PostgreSQL server");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("a new database");
    let db = Database::connect(format!("{server}/{name}"))
        .await
        .expect("the new database");
    test(db.clone()).await;
    db.close().await.expect("closed");
    admin
        .execute_unprepared(&format!("DROP DATABASE \"{name}\""))
        .await
        .expect("dropped");
}

/// `event` as a `spend_logs` row, the way the releases before `spend_requests` wrote it.
/// Without RETURNING: the entity has columns later migrations add.
#[allow(dead_code)] // Not every test file that shares this module writes old rows.
pub async fn earlier_release_row(db: &DatabaseConnection, event: &SpendEvent) {
    let count = |n: u64| i64::try_from(n).expect("a count");
    let row = entity::spend_log::ActiveModel {
        request_id: Set(event.request_id.clone()),
        key_hash: Set(event.key_hash.clone()),
        user_id: Set(event.user_id),
        model_name: Set(event.model.clone()),
        cluster: Set(event.cluster.clone()),
        call_type: Set(event.call_type.to_string()),
        prompt_tokens: Set(count(event.prompt_tokens)),
        completion_tokens: Set(count(event.completion_tokens)),
        estimated: Set(event.estimated),
        cost_nanos: Set(event.cost_nanos),
        status: Set(event.outcome.as_str().into()),
        http_status: Set(i32::from(event.http_status)),
        started_at: Set(event.started_at),
        ended_at: Set(event.ended_at),
        duration_ms: Set(count(event.duration_ms)),
        ..Default::default()
    };
    entity::spend_log::Entity::insert(row)
        .exec_without_returning(db)
        .await
        .expect("an earlier release's spend row");
}
