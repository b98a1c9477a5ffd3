//! Usage sums from the rollups on the embedded default (SQLite): grouping by model and user,
//! hour and day buckets, filters and totals; and, on SQLite and PostgreSQL, the top users and
//! keys, and the cluster rollups, backfilled by their migration and written by the ledger.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::{DurationRound, TimeDelta, Utc};
use migration::{Migrator, MigratorTrait};
use schema::spend::{Outcome, SpendEvent, write_batch};
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
        .series(&all, Granularity::Day, GroupBy::User, 10)
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
            10,
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

/// One settled request on `cluster` (none: no deployment served), `duration_ms` long.
fn event(at: chrono::DateTime<Utc>, cluster: Option<&str>, duration_ms: u64) -> SpendEvent {
    SpendEvent {
        request_id: Uuid::new_v4().to_string(),
        key_id: None,
        key_hash: Some("k1".into()),
        user_id: Some(Uuid::nil()),
        model: "granite".into(),
        deployment_id: None,
        cluster: cluster.map(str::to_owned),
        call_type: "chat".into(),
        prompt_tokens: 10,
        completion_tokens: 5,
        estimated: false,
        cost_nanos: 1_000,
        outcome: if cluster.is_some() {
            Outcome::Success
        } else {
            Outcome::Failure
        },
        http_status: if cluster.is_some() { 200 } else { 503 },
        started_at: at,
        ended_at: at,
        ttft_ms: None,
        duration_ms,
        guardrail: None,
    }
}

/// Requests already in `spend_logs` when the cluster rollups arrive are summed into them by
/// the migration; the ledger adds later ones to the same rows. Run on SQLite and PostgreSQL,
/// whose stored timestamps differ.
async fn clusters_are_backfilled_then_written(db: sea_orm::DatabaseConnection) {
    use sea_orm::EntityTrait;

    // Up to the migration before `cluster_rollups`: what the previous release ran.
    Migrator::up(&db, Some(8)).await.unwrap();
    let day = Utc::now().duration_trunc(TimeDelta::days(1)).unwrap() - TimeDelta::days(1);
    let at = day + TimeDelta::hours(3) + TimeDelta::minutes(20);
    let old = [
        event(at, Some("aws"), 40),
        event(at, Some("aws"), 700),
        event(at, None, 31_000),
    ];
    for e in &old {
        support::earlier_release_row(&db, e).await;
    }
    Migrator::up(&db, None).await.unwrap();
    // The same hour again through the ledger: one more on aws, one on ibm.
    write_batch(
        &db,
        &[event(at, Some("aws"), 90), event(at, Some("ibm"), 90)],
        false,
    )
    .await
    .unwrap();

    let usage = UsageService::new(db.clone());
    let filter = UsageFilter {
        from: day,
        to: day + TimeDelta::days(1),
        ..UsageFilter::default()
    };
    for granularity in [Granularity::Hour, Granularity::Day] {
        let series = usage
            .series(&filter, granularity, GroupBy::Cluster, 10)
            .await
            .unwrap();
        let clusters: Vec<(Option<&str>, i64, i64, i64)> = series
            .iter()
            .map(|s| {
                let t = &s.totals;
                (s.group.as_deref(), t.requests, t.errors, t.cost_nanos)
            })
            .collect();
        assert_eq!(
            clusters,
            [
                (Some("aws"), 3, 0, 3_000),
                (Some(""), 1, 1, 1_000),
                (Some("ibm"), 1, 0, 1_000)
            ],
            "{granularity:?}"
        );
        assert_eq!(series[0].points.len(), 1, "one bucket: the rows met");
        // 40 ms, 90 ms and 700 ms: one each in the ≤50, ≤100 and ≤1000 buckets.
        assert_eq!(series[0].totals.latency, [1, 1, 0, 0, 1, 0, 0, 0, 0, 0]);
        assert_eq!(
            series[1].totals.latency[9], 1,
            "31 s is past the last bound"
        );
    }
    // The rollups without clusters have only what the ledger wrote.
    assert_eq!(usage.totals(&filter).await.unwrap().requests, 2);
    let rows = entity::cluster_rollup::Entity::find()
        .all(&db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 6, "hour and day rows of three clusters");
}

#[tokio::test]
async fn clusters_are_backfilled_then_written_on_sqlite() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    clusters_are_backfilled_then_written(db).await;
}

#[tokio::test]
async fn clusters_are_backfilled_then_written_on_postgres() {
    support::on_new_postgres("clusters", clusters_are_backfilled_then_written).await;
}

/// The `top` biggest users, biggest first, each with all its buckets, when there are more
/// users than `top`: ranked over the whole period, ties by requests then by id, and usage
/// without a user (the master key's, whose key hash is empty) ranked like any other; from
/// the hourly rows and from the daily ones. Run on SQLite and PostgreSQL, which bind user ids
/// differently.
async fn the_top_users_come_with_all_their_buckets(db: sea_orm::DatabaseConnection) {
    use entity::usage_rollup::{self as rollup};

    Migrator::up(&db, None).await.unwrap();
    let today = Utc::now().duration_trunc(TimeDelta::days(1)).unwrap();
    let user = |n: u128| Some(Uuid::from_u128(n));
    // (user, days ago, requests, cost): user 1 spends most in total but little on any day;
    // users 2 and 3 tie on spend and 3 made more requests; 4 ties 3 exactly and sorts after
    // it by id; the master key (no user) is second; 5 and 6 are below the top.
    let rows = [
        (user(1), 0, 1, 400),
        (user(1), 1, 1, 400),
        (user(1), 2, 1, 400),
        (None, 0, 9, 1_000),
        (user(2), 0, 1, 500),
        (user(3), 1, 2, 500),
        (user(4), 2, 2, 500),
        (user(5), 0, 9, 100),
        (user(6), 1, 9, 90),
    ];
    for (i, (user, days_ago, requests, cost)) in rows.into_iter().enumerate() {
        let day = today - TimeDelta::days(days_ago);
        // The hour's row and the day's, as the ledger writes them.
        for (span, hour) in [
            (rollup::SPAN_HOUR, day + TimeDelta::hours(1)),
            (rollup::SPAN_DAY, day),
        ] {
            rollup::ActiveModel {
                span: Set(span.into()),
                hour: Set(hour),
                key_hash: Set(if user.is_some() {
                    format!("k{i}")
                } else {
                    String::new()
                }),
                model_name: Set("granite".into()),
                user_id: Set(user),
                requests: Set(requests),
                errors: Set(0),
                prompt_tokens: Set(0),
                completion_tokens: Set(0),
                cost_nanos: Set(cost),
                duration_ms_sum: Set(0),
                ..Default::default()
            }
            .insert(&db)
            .await
            .unwrap();
        }
    }
    let usage = UsageService::new(db);
    let whole_days = UsageFilter {
        from: today - TimeDelta::days(3),
        to: today + TimeDelta::days(1),
        ..UsageFilter::default()
    };
    let hours = UsageFilter {
        to: whole_days.to - TimeDelta::hours(1),
        ..whole_days.clone()
    };
    assert!(whole_days.whole_days() && !hours.whole_days());
    let ranked = |series: &[schema::usage::Series]| -> Vec<(Option<Uuid>, usize, i64)> {
        series
            .iter()
            .map(|s| {
                let id = s.group.as_deref().map(|g| Uuid::parse_str(g).unwrap());
                (id, s.points.len(), s.totals.cost_nanos)
            })
            .collect()
    };
    for filter in [&hours, &whole_days] {
        let top = usage
            .series(filter, Granularity::Day, GroupBy::User, 5)
            .await
            .unwrap();
        assert_eq!(
            ranked(&top),
            [
                (user(1), 3, 1_200),
                (None, 1, 1_000),
                (user(3), 1, 500),
                (user(4), 1, 500),
                (user(2), 1, 500),
            ],
            "{filter:?}"
        );
        // Asking for every user (or exactly as many as there are) gives the same first
        // five, then the rest.
        for every in [7, 100] {
            let all = usage
                .series(filter, Granularity::Day, GroupBy::User, every)
                .await
                .unwrap();
            assert_eq!(all.len(), 7);
            assert_eq!(all[..5], top[..]);
            assert_eq!(ranked(&all[5..]), [(user(5), 1, 100), (user(6), 1, 90)]);
        }
    }
    // Keys rank the same way, the master key's empty hash among them: it spent most, then k5
    // beats k4 on requests and k6 by name.
    let keys = usage
        .series(&hours, Granularity::Hour, GroupBy::Key, 2)
        .await
        .unwrap();
    let keys: Vec<_> = keys.iter().map(|s| s.group.as_deref()).collect();
    assert_eq!(keys, [Some(""), Some("k5")]);
}

#[tokio::test]
async fn the_top_users_come_with_all_their_buckets_on_sqlite() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    the_top_users_come_with_all_their_buckets(db).await;
}

#[tokio::test]
async fn the_top_users_come_with_all_their_buckets_on_postgres() {
    support::on_new_postgres("top_users", the_top_users_come_with_all_their_buckets).await;
}

/// A thousand users out of 1,200 (the most the CSV export asks for): SQLite reads them in one
/// statement, which a chain of a thousand `OR`s would be too deep for.
#[tokio::test]
async fn a_thousand_top_users_on_sqlite() {
    use entity::usage_rollup::{self as rollup};
    use sea_orm::EntityTrait;

    let db = Database::connect("sqlite::memory:").await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let hour = Utc::now().duration_trunc(TimeDelta::days(1)).unwrap() + TimeDelta::hours(1);
    let rows: Vec<_> = (1..=1_200_i64)
        .map(|n| rollup::ActiveModel {
            hour: Set(hour),
            key_hash: Set(format!("k{n}")),
            model_name: Set("granite".into()),
            user_id: Set(Some(Uuid::from_u128(n as u128))),
            requests: Set(1),
            errors: Set(0),
            prompt_tokens: Set(0),
            completion_tokens: Set(0),
            cost_nanos: Set(n),
            duration_ms_sum: Set(0),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(500) {
        rollup::Entity::insert_many(chunk.to_vec())
            .exec(&db)
            .await
            .unwrap();
    }
    let filter = UsageFilter {
        from: hour - TimeDelta::hours(2),
        to: hour + TimeDelta::hours(2),
        ..UsageFilter::default()
    };
    let top = UsageService::new(db)
        .series(&filter, Granularity::Hour, GroupBy::User, 1_000)
        .await
        .unwrap();
    assert_eq!(top.len(), 1_000);
    assert_eq!(top[0].totals.cost_nanos, 1_200, "the biggest first");
    assert_eq!(top[999].totals.cost_nanos, 201, "the smallest 200 left out");
}
