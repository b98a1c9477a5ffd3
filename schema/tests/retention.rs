//! The retention pruner on the embedded default (SQLite): spend rows, audit entries and spent
//! sessions past their periods go in batches, newer ones and the rollups stay, a period of
//! `None` keeps everything, and the file's pages come back with incremental auto-vacuum.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use migration::{Migrator, MigratorTrait};
use schema::retention::{Policy, Pruned, prune};
use schema::spend::{Outcome, SpendEvent, write_batch};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Database, EntityTrait, PaginatorTrait, Set};
use uuid::Uuid;

fn event(started_at: chrono::DateTime<Utc>) -> SpendEvent {
    SpendEvent {
        request_id: Uuid::new_v4().to_string(),
        key_id: None,
        key_hash: Some("k".into()),
        user_id: None,
        model: "granite".into(),
        deployment_id: None,
        cluster: Some("aws".into()),
        call_type: "chat".into(),
        prompt_tokens: 3,
        completion_tokens: 4,
        estimated: false,
        cost_nanos: 10,
        outcome: Outcome::Success,
        http_status: 200,
        started_at,
        ended_at: started_at,
        ttft_ms: None,
        duration_ms: 20,
        guardrail: None,
    }
}

#[tokio::test]
async fn old_rows_go_in_batches_and_the_rollups_stay_on_sqlite() {
    let file = tempfile_path();
    let db = Database::connect(format!("sqlite://{}?mode=rwc", file.display()))
        .await
        .unwrap();
    // What the server sets on a new file, before any table exists (server/src/db.rs).
    db.execute_unprepared("PRAGMA auto_vacuum = INCREMENTAL")
        .await
        .unwrap();
    Migrator::up(&db, None).await.unwrap();
    let now = Utc::now();
    let old: Vec<SpendEvent> = (0..25).map(|_| event(now - TimeDelta::days(100))).collect();
    let recent = [event(now - TimeDelta::days(1))];
    write_batch(&db, &old, false).await.unwrap();
    write_batch(&db, &recent, false).await.unwrap();
    let rollups = entity::usage_rollup::Entity::find()
        .count(&db)
        .await
        .unwrap();
    for days in [400, 1] {
        entity::audit_log::ActiveModel {
            action: Set("subscribe".into()),
            target_type: Set("ModelSubscription".into()),
            created_at: Set(now - TimeDelta::days(days)),
            actor: Set("ana".into()),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
    }

    let keep_all = Policy {
        spend_logs: None,
        audit_log: None,
        expired_credentials: None,
        batch: 10,
        pause: Duration::ZERO,
    };
    assert_eq!(
        prune(&db, &keep_all, now).await.unwrap(),
        Some(Pruned::default())
    );
    assert_eq!(
        entity::spend_request::Entity::find()
            .count(&db)
            .await
            .unwrap(),
        26
    );

    let policy = Policy {
        spend_logs: Some(TimeDelta::days(90)),
        audit_log: Some(TimeDelta::days(365)),
        ..keep_all
    };
    let pruned = prune(&db, &policy, now).await.unwrap().unwrap();
    // 25 rows in batches of 10: every batch, not only the first.
    assert_eq!((pruned.spend_logs, pruned.audit_log), (25, 1));
    assert_eq!(
        entity::spend_request::Entity::find()
            .count(&db)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        entity::audit_log::Entity::find().count(&db).await.unwrap(),
        1
    );
    assert_eq!(
        entity::usage_rollup::Entity::find()
            .count(&db)
            .await
            .unwrap(),
        rollups,
        "rollups stay"
    );
    let vacuum = db
        .query_one(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "PRAGMA auto_vacuum",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(vacuum.try_get_by_index::<i32>(0).unwrap(), 2, "incremental");
    std::fs::remove_file(file).ok();
}

fn tempfile_path() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("switchyard-retention-{}.sqlite", Uuid::new_v4()))
}
