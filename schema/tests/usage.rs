//! Usage sums from the rollups on the embedded default (SQLite): grouping by model and user,
//! hour and day buckets, filters and totals.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DurationRound, TimeDelta, Utc};
use migration::{Migrator, MigratorTrait};
use schema::usage::{Granularity, GroupBy, UsageFilter, UsageService};
use sea_orm::{ActiveModelTrait, ColumnTrait, Database, Set};
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
    // Not whole days: the hourly rows answer (the daily ones are the ledger's to write).
    let all = UsageFilter {
        from: today - TimeDelta::hours(25),
        to: today + TimeDelta::days(1),
        ..UsageFilter::default()
    };
    assert!(!all.whole_days());
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

#[tokio::test]
async fn the_migration_sums_existing_hours_into_days_that_later_writes_add_to() {
    use sea_orm::sea_query::{Expr, OnConflict};
    use sea_orm::{EntityTrait, QueryFilter};

    let db = Database::connect("sqlite::memory:").await.unwrap();
    Migrator::up(&db, Some(3)).await.unwrap();
    let day = Utc::now().duration_trunc(TimeDelta::days(1)).unwrap() - TimeDelta::days(2);
    for (hour, requests) in [(1, 2), (5, 3)] {
        sea_orm::ConnectionTrait::execute(
            &db,
            sea_orm::Statement::from_sql_and_values(
                sea_orm::DatabaseBackend::Sqlite,
                "INSERT INTO usage_rollups (hour, key_hash, model_name, requests, errors, \
                 prompt_tokens, completion_tokens, cost_nanos, duration_ms_sum) \
                 VALUES (?, 'k', 'm', ?, 0, 0, 0, 7, 0)",
                [(day + TimeDelta::hours(hour)).into(), requests.into()],
            ),
        )
        .await
        .unwrap();
    }
    Migrator::up(&db, None).await.unwrap();
    let usage = UsageService::new(db.clone());
    let whole = UsageFilter {
        from: day,
        to: day + TimeDelta::days(1),
        ..UsageFilter::default()
    };
    assert!(whole.whole_days());
    assert_eq!(
        usage.totals(&whole).await.unwrap().requests,
        5,
        "backfilled daily row"
    );

    // A later write to the same day adds to the backfilled row (same stored timestamp).
    use entity::usage_rollup::{self as rollup, Column as C};
    let row = rollup::ActiveModel {
        span: Set(rollup::SPAN_DAY.into()),
        hour: Set(day),
        key_hash: Set("k".into()),
        model_name: Set("m".into()),
        requests: Set(4),
        errors: Set(0),
        prompt_tokens: Set(0),
        completion_tokens: Set(0),
        cost_nanos: Set(0),
        duration_ms_sum: Set(0),
        ..Default::default()
    };
    rollup::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([C::Span, C::Hour, C::KeyHash, C::ModelName])
                .value(
                    C::Requests,
                    Expr::col((rollup::Entity, C::Requests)).add(Expr::col((
                        sea_orm::sea_query::Alias::new("excluded"),
                        C::Requests,
                    ))),
                )
                .to_owned(),
        )
        .exec_without_returning(&db)
        .await
        .unwrap();
    let days = rollup::Entity::find()
        .filter(C::Span.eq(rollup::SPAN_DAY))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(days.len(), 1, "one row per day: {days:?}");
    assert_eq!(days[0].requests, 9);
    assert_eq!(days[0].cost_nanos, 14);
}
