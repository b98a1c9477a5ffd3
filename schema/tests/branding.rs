//! Branding through the GraphQL schema on the embedded default (SQLite), migrated for real.

// Test code: a failed assumption should fail the test loudly, helpers included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use migration::{Migrator, MigratorTrait};
use sea_orm::{ActiveModelTrait, Database, EntityTrait, IntoActiveModel, Set};

async fn schema_on_fresh_sqlite() -> (schema::AppSchema, sea_orm::DatabaseConnection) {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let schema = schema::build_schema(schema::Deps {
        db: db.clone(),
        version: "9.9.9-test",
        identity: schema::identity::IdentityServices::new(db.clone(), Default::default()).unwrap(),
        health: None,
        live: schema::live::LiveHub::new(),
        model_servers: None,
        guardrails: None,
    });
    (schema, db)
}

#[tokio::test]
async fn branding_is_seeded_and_read_from_the_database() {
    let (schema, db) = schema_on_fresh_sqlite().await;
    let response = schema
        .execute("{ version branding { title subtitle } }")
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    assert_eq!(data["version"], "9.9.9-test");
    assert_eq!(data["branding"]["title"], "Switchyard");

    let mut row = entity::branding::Entity::find_by_id(entity::BRANDING_ROW_ID)
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    row.title = Set("Acme AI".into());
    row.update(&db).await.unwrap();

    let response = schema.execute("{ branding { title } }").await;
    let data = response.data.into_json().unwrap();
    assert_eq!(data["branding"]["title"], "Acme AI");
}

#[tokio::test]
async fn a_missing_branding_row_is_not_found_with_a_code() {
    let (schema, db) = schema_on_fresh_sqlite().await;
    entity::branding::Entity::delete_by_id(entity::BRANDING_ROW_ID)
        .exec(&db)
        .await
        .unwrap();
    let response = schema.execute("{ branding { title } }").await;
    let error = &response.errors[0];
    assert_eq!(error.message, "branding has not been initialised");
    let code = error
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .cloned();
    assert_eq!(code, Some(async_graphql::Value::from("NOT_FOUND")));
}

/// The introspection query GraphiQL and code generators send (graphql-js's
/// `getIntrospectionQuery`, with its seven levels of `ofType`).
const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}
"#;

#[tokio::test]
async fn the_standard_introspection_query_fits_the_limits() {
    let (schema, _db) = schema_on_fresh_sqlite().await;
    let response = schema.execute(INTROSPECTION).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");
    assert_eq!(data["__schema"]["subscriptionType"]["name"], "Subscription");
}

#[tokio::test]
async fn banners_from_before_translations_have_none_and_the_column_comes_and_goes() {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

    let db = Database::connect("sqlite::memory:").await.unwrap();
    // Every migration before the translations one (the last).
    let before = u32::try_from(Migrator::migrations().len() - 1).unwrap();
    Migrator::up(&db, Some(before)).await.unwrap();
    db.execute(Statement::from_sql_and_values(
        DatabaseBackend::Sqlite,
        "INSERT INTO banners (id, message_markdown, variant, audience, active, dismissible, \
         created_at, updated_at) VALUES (?, 'Hello', 'info', '[]', 1, 1, \
         '2026-12-01T00:00:00+00:00', '2026-12-01T00:00:00+00:00')",
        [uuid::Uuid::new_v4().into()],
    ))
    .await
    .unwrap();
    Migrator::up(&db, None).await.unwrap();
    let banner = entity::banner::Entity::find()
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(banner.translations, serde_json::json!({}));
    assert!(schema::banners::translations(&banner).is_empty());

    Migrator::down(&db, Some(1)).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let again = entity::banner::Entity::find()
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.message_markdown, "Hello");
}
