//! Usage sums from the rollups on the embedded default (SQLite): grouping by model and user,
//! hour and day buckets, filters and totals.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DurationRound, TimeDelta, Utc};
use migration::{Migrator, MigratorTrait};
use schema::usage::{Granularity, GroupBy, UsageFilter, UsageService};
use sea_orm::{ActiveModelTrait, Database, Set};
use uuid::Uuid;

#[tokio::test]
async fn sums_group_and_bucket_on_sqlite() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let (ana, bob) = (Uuid::new_v4(), Uuid::new_v4());
    let today = Utc::now().duration_trunc(TimeDelta::days(1)).unwrap();
    let rows = [
        (today + TimeDelta::hours(1), "k1", "granite", ana, 3, 300),
        (today + TimeDelta::hours(2), "k1", "granite", ana, 2, 200),
        (today + TimeDelta::hours(2), "k2", "llama", bob, 5, 1_000),
        (today - TimeDelta::hours(3), "k1", "llama", ana, 1, 50),
    ];
    for (hour, key, model, user, requests, cost) in rows {
        entity::usage_rollup::ActiveModel {
            hour: Set(hour),
            key_hash: Set(key.into()),
            model_name: Set(model.into()),
            user_id: Set(Some(user)),
            requests: Set(requests),
            errors: Set(0),
            prompt_tokens: Set(requests * 10),
            completion_tokens: Set(requests),
            cost_nanos: Set(cost),
            duration_ms_sum: Set(0),
            latency_le_100: Set(requests),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
    }
    let usage = UsageService::new(db);
    let all = UsageFilter {
        from: today - TimeDelta::days(1),
        to: today + TimeDelta::days(1),
        ..UsageFilter::default()
    };
    assert_eq!(usage.totals(&all).await.unwrap().requests, 11);

    let by_user = usage
        .series(&all, Granularity::Day, GroupBy::User)
        .await
        .unwrap();
    assert_eq!(by_user.len(), 2);
    assert_eq!(
        by_user[0].group.as_deref(),
        Some(bob.to_string().as_str()),
        "biggest spender first"
    );
    let ana_series = &by_user[1];
    assert_eq!(ana_series.totals.requests, 6);
    assert_eq!(ana_series.points.len(), 2, "yesterday and today");
    assert_eq!(ana_series.points[1].1.requests, 5);
    assert_eq!(ana_series.totals.latency_quantile(0.5), Some(75.0));

    let granite_hours = usage
        .series(
            &UsageFilter {
                models: vec!["granite".into()],
                user: Some(ana),
                ..all.clone()
            },
            Granularity::Hour,
            GroupBy::Model,
        )
        .await
        .unwrap();
    assert_eq!(granite_hours.len(), 1);
    assert_eq!(granite_hours[0].points.len(), 2);
    assert_eq!(granite_hours[0].totals.cost_nanos, 500);

    let keys = UsageFilter {
        keys: vec!["k2".into()],
        ..all.clone()
    };
    assert_eq!(usage.totals(&keys).await.unwrap().requests, 5);
    let backwards = UsageFilter {
        from: all.to,
        to: all.from,
        ..UsageFilter::default()
    };
    assert!(usage.totals(&backwards).await.is_err());
}
