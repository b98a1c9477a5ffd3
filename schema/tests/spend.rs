//! The compact spend rows (`spend_requests`, migration `m20261203_000017`) on SQLite and
//! PostgreSQL, on a database an earlier release wrote `spend_logs` rows into: who made each
//! request is stored once per key and user, a retried batch adds nothing (no row, no rollup),
//! reports and totals read both tables, journal replay skips what either holds, and
//! retention prunes both.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use migration::{Migrator, MigratorTrait};
use schema::retention::{Policy, prune};
use schema::spend::{Outcome, SpendEvent, SpendFilter, SpendService, unrecorded, write_batch};
use sea_orm::{
    ColumnTrait, Database, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

/// The migrations of the release before `spend_requests`.
const EARLIER_RELEASE: u32 = 15;

fn event(key: Option<&str>, user: Option<Uuid>, at: DateTime<Utc>, cost: i64) -> SpendEvent {
    SpendEvent {
        request_id: Uuid::now_v7().to_string(),
        key_id: None,
        key_hash: key.map(str::to_owned),
        user_id: user,
        model: "granite".into(),
        deployment_id: Some(Uuid::new_v4()),
        cluster: Some("aws".into()),
        call_type: "chat".into(),
        prompt_tokens: 12,
        completion_tokens: 30,
        estimated: false,
        cost_nanos: cost,
        outcome: Outcome::Success,
        http_status: 200,
        started_at: at,
        ended_at: at + TimeDelta::milliseconds(250),
        ttft_ms: Some(40),
        duration_ms: 250,
        guardrail: None,
    }
}

async fn both_releases_rows(db: DatabaseConnection) {
    Migrator::up(&db, Some(EARLIER_RELEASE)).await.unwrap();
    let (ana, bob) = (Uuid::new_v4(), Uuid::new_v4());
    // Whole milliseconds: SQLite's earlier rows keep the text the driver wrote.
    let now = Utc::now()
        .duration_trunc(TimeDelta::milliseconds(1))
        .unwrap();
    let earlier = event(Some("k1"), Some(ana), now - TimeDelta::hours(2), 1_000);
    let aged = event(Some("k2"), Some(bob), now - TimeDelta::days(100), 7);
    support::earlier_release_row(&db, &earlier).await;
    support::earlier_release_row(&db, &aged).await;
    Migrator::up(&db, None).await.unwrap();

    let batch = [
        event(Some("k1"), Some(ana), now - TimeDelta::minutes(30), 10),
        event(Some("k1"), Some(ana), now - TimeDelta::minutes(20), 20),
        event(None, None, now - TimeDelta::minutes(10), 40),
        event(Some("k2"), Some(bob), now - TimeDelta::minutes(5), 80),
    ];
    write_batch(&db, &batch, false).await.unwrap();
    // A retried batch (the ledger retries with the same events) adds no row and no subject.
    write_batch(&db, &batch, false).await.unwrap();
    // A batch repeating one written request beside a new one adds only the new one.
    let later = [
        batch[3].clone(),
        event(Some("k1"), Some(ana), now - TimeDelta::minutes(1), 160),
    ];
    write_batch(&db, &later, false).await.unwrap();

    assert_eq!(
        entity::spend_request::Entity::find()
            .count(&db)
            .await
            .unwrap(),
        5
    );
    // The retried batch's requests are in the rollups once, and so is their cost.
    let hourly = entity::usage_rollup::Entity::find()
        .filter(entity::usage_rollup::Column::Span.eq(entity::usage_rollup::SPAN_HOUR))
        .all(&db)
        .await
        .unwrap();
    let requests: i64 = hourly.iter().map(|row| row.requests).sum();
    assert_eq!(requests, 5, "a retried batch is counted once");
    let cost: i64 = hourly.iter().map(|row| row.cost_nanos).sum();
    assert_eq!(cost, 10 + 20 + 40 + 80 + 160);
    let subjects = entity::spend_subject::Entity::find()
        .all(&db)
        .await
        .unwrap();
    assert_eq!(subjects.len(), 3, "{subjects:?}");
    assert!(
        subjects
            .iter()
            .any(|s| s.key_hash.is_empty() && s.user_id.is_nil()),
        "{subjects:?}"
    );

    let spend = SpendService::new(db.clone());
    let all = SpendFilter {
        limit: 100,
        ..SpendFilter::default()
    };
    let rows = spend.logs(&all).await.unwrap();
    assert_eq!(rows.len(), 7, "five new rows and two earlier ones");
    assert!(rows.windows(2).all(|w| w[0].started_at <= w[1].started_at));
    assert_eq!(rows[0].request_id, aged.request_id);
    assert_eq!(rows[1].request_id, earlier.request_id);
    let first_new = &rows[2];
    assert_eq!(first_new.request_id, batch[0].request_id);
    assert_eq!(first_new.key_hash.as_deref(), Some("k1"));
    assert_eq!(first_new.user_id, Some(ana));
    assert_eq!(first_new.started_at, batch[0].started_at);
    assert_eq!(first_new.ended_at, batch[0].ended_at);
    assert_eq!((first_new.prompt_tokens, first_new.cost_nanos), (12, 10));
    let master = rows.iter().find(|r| r.request_id == batch[2].request_id);
    let master = master.expect("the request without a key");
    assert_eq!((master.key_hash.as_deref(), master.user_id), (None, None));

    let by_key = |key: &str| SpendFilter {
        key_hash: Some(key.into()),
        ..all.clone()
    };
    let costs = |rows: Vec<schema::spend::SpendRow>| -> Vec<i64> {
        rows.iter().map(|r| r.cost_nanos).collect()
    };
    assert_eq!(
        costs(spend.logs(&by_key("k1")).await.unwrap()),
        [1_000, 10, 20, 160]
    );
    assert_eq!(
        costs(spend.logs(&by_key("k3")).await.unwrap()),
        [] as [i64; 0]
    );
    let by_user = SpendFilter {
        user_id: Some(bob),
        ..all.clone()
    };
    assert_eq!(costs(spend.logs(&by_user).await.unwrap()), [7, 80]);
    let window = SpendFilter {
        from: Some(now - TimeDelta::minutes(25)),
        until: Some(now - TimeDelta::minutes(5)),
        ..all.clone()
    };
    assert_eq!(costs(spend.logs(&window).await.unwrap()), [20, 40]);
    let two = SpendFilter {
        limit: 2,
        ..all.clone()
    };
    assert_eq!(costs(spend.logs(&two).await.unwrap()), [7, 1_000]);
    assert_eq!(
        spend.total().await.unwrap(),
        1_000 + 7 + 10 + 20 + 40 + 80 + 160
    );

    // Replaying a journal skips what either table holds.
    let fresh = event(Some("k1"), Some(ana), now, 1);
    let left = unrecorded(&db, vec![earlier.clone(), batch[1].clone(), fresh.clone()])
        .await
        .unwrap();
    let left: Vec<&str> = left.iter().map(|e| e.request_id.as_str()).collect();
    assert_eq!(left, [fresh.request_id.as_str()]);

    // Retention takes the aged earlier row and an aged new one, in both tables.
    write_batch(
        &db,
        &[event(Some("k2"), Some(bob), now - TimeDelta::days(95), 5)],
        false,
    )
    .await
    .unwrap();
    let policy = Policy {
        spend_logs: Some(TimeDelta::days(90)),
        audit_log: None,
        expired_credentials: None,
        batch: 10,
        pause: Duration::ZERO,
    };
    let pruned = prune(&db, &policy, now).await.unwrap().unwrap();
    assert_eq!(pruned.spend_logs, 2);
    assert_eq!(costs(spend.logs(&by_user).await.unwrap()), [80]);
    assert_eq!(spend.logs(&all).await.unwrap().len(), 6);
}

#[tokio::test]
async fn both_releases_rows_on_sqlite() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    both_releases_rows(db).await;
}

#[tokio::test]
async fn both_releases_rows_on_postgres() {
    support::on_new_postgres("spend", both_releases_rows).await;
}
