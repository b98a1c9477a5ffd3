//! Lists through GraphQL take a constant number of SQL statements however long they are:
//! children (a key's models, its owner; a subscription's model) are loaded in batches, never
//! one query per parent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Utc;
use migration::{Migrator, MigratorTrait};
use schema::identity::{Caller, IdentityServices};
use schema::keys::{LiteLlmKey, LiteLlmKeys};
use sea_orm::{ActiveModelTrait, Database, EntityTrait, Set};
use serde_json::json;

async fn counted_schema() -> (
    schema::AppSchema,
    sea_orm::DatabaseConnection,
    Arc<AtomicUsize>,
) {
    let mut db = Database::connect("sqlite::memory:").await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let schema = schema::build_schema(schema::Deps {
        db: db.clone(),
        version: "test",
        identity: IdentityServices::new(db.clone(), Default::default()).unwrap(),
        health: None,
        live: schema::live::LiveHub::new(),
        model_servers: None,
        guardrails: None,
    });
    (schema, db, statements)
}

async fn add_model(db: &sea_orm::DatabaseConnection, name: &str) {
    let now = Utc::now();
    entity::model::ActiveModel {
        id: Set(uuid::Uuid::new_v4()),
        name: Set(name.into()),
        provider: Set("openai".into()),
        capabilities: Set(json!(["chat"])),
        input_price_nanos: Set(0),
        output_price_nanos: Set(0),
        second_price_nanos: Set(0),
        restricted: Set(false),
        active: Set(true),
        source: Set("test".into()),
        metadata: Set(json!({})),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
}

/// Statements taken by listing every key with its models and owner, with `count` keys.
async fn statements_for(count: usize) -> usize {
    let (schema, db, statements) = counted_schema().await;
    add_model(&db, "a").await;
    add_model(&db, "b").await;
    let keys = LiteLlmKeys::new(db.clone());
    for i in 0..count {
        keys.generate(LiteLlmKey {
            models: vec!["a".into(), "b".into()],
            user_id: Some(format!("user-{i}@example.com")),
            ..LiteLlmKey::default()
        })
        .await
        .unwrap();
    }
    statements.store(0, Ordering::Relaxed);
    let request = async_graphql::Request::new(
        "{ keys(first: 200) { edges { node { id models owner spend } } } }",
    )
    .data(Caller::master_key());
    let response = schema.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    let edges = data["keys"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), count);
    assert!(
        edges
            .iter()
            .all(|e| e["node"]["models"] == json!(["a", "b"]))
    );
    assert!(edges.iter().all(|e| e["node"]["owner"].is_string()));
    statements.load(Ordering::Relaxed)
}

#[tokio::test]
async fn listing_keys_with_models_and_owners_takes_constant_statements() {
    let ten = statements_for(10).await;
    let hundred = statements_for(100).await;
    assert_eq!(ten, hundred, "statements grew with the number of keys");
    assert!(hundred <= 5, "{hundred} statements for one list");
}

/// Statements taken by the admin queue of `count` subscriptions with their models and
/// histories.
async fn queue_statements_for(count: usize) -> usize {
    let (schema, db, statements) = counted_schema().await;
    add_model(&db, "a").await;
    let users = schema::users::UserService::new(db.clone());
    let subscriptions = schema::subscriptions::SubscriptionService::new(db.clone());
    let model = entity::model::Entity::find()
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    for i in 0..count {
        let user = users
            .create(schema::users::NewUser {
                external_id: format!("u{i}@example.com"),
                role: "user".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        subscriptions
            .subscribe(user.id, model.id, None)
            .await
            .unwrap();
    }
    statements.store(0, Ordering::Relaxed);
    let request = async_graphql::Request::new(
        "{ subscriptionQueue(first: 200) { edges { node { id status model { name } history { toStatus } } } } }",
    )
    .data(Caller::master_key());
    let response = schema.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    let edges = data["subscriptionQueue"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), count);
    assert!(edges.iter().all(|e| e["node"]["model"]["name"] == "a"));
    assert!(
        edges
            .iter()
            .all(|e| e["node"]["history"].as_array().unwrap().len() == 1)
    );
    statements.load(Ordering::Relaxed)
}

#[tokio::test]
async fn the_subscription_queue_with_models_and_histories_takes_constant_statements() {
    let ten = queue_statements_for(10).await;
    let hundred = queue_statements_for(100).await;
    assert_eq!(
        ten, hundred,
        "statements grew with the number of subscriptions"
    );
    assert!(hundred <= 5, "{hundred} statements for one list");
}
