//! Session and token lifetimes on the embedded default (SQLite), with lifetimes short enough
//! to watch them end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use schema::identity::{NewSession, SessionLifetime, SessionService, TokenService};
use schema::users::{NewUser, UserService};
use sea_orm::Database;

async fn fresh() -> (sea_orm::DatabaseConnection, uuid::Uuid) {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let user = UserService::new(db.clone())
        .create(NewUser {
            external_id: "ana@example.com".into(),
            role: "user".into(),
            ..NewUser::default()
        })
        .await
        .unwrap();
    (db, user.id)
}

fn lifetime(idle_ms: u64, absolute_ms: u64) -> SessionLifetime {
    SessionLifetime {
        idle: Duration::from_millis(idle_ms),
        absolute: Duration::from_millis(absolute_ms),
    }
}

async fn start(sessions: &SessionService, user: uuid::Uuid) -> String {
    let new = NewSession {
        user_id: user,
        ..NewSession::default()
    };
    sessions.create(new).await.unwrap().session_id
}

#[tokio::test]
async fn sessions_end_when_idle_at_their_absolute_limit_and_when_revoked() {
    let (db, user) = fresh().await;

    let idle = SessionService::new(db.clone(), lifetime(800, 60_000));
    let id = start(&idle, user).await;
    assert!(idle.resolve(&id).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert!(idle.resolve(&id).await.unwrap().is_none(), "idle too long");

    let short = SessionService::new(db.clone(), lifetime(60_000, 800));
    let id = start(&short, user).await;
    assert!(short.resolve(&id).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert!(
        short.resolve(&id).await.unwrap().is_none(),
        "past the absolute limit"
    );

    let long = SessionService::new(db.clone(), lifetime(60_000, 60_000));
    let id = start(&long, user).await;
    let (row, _) = long.resolve(&id).await.unwrap().unwrap();
    assert_eq!(
        long.list(user).await.unwrap().len(),
        1,
        "ended sessions are not listed"
    );
    long.revoke(user, &row.id_hash).await.unwrap();
    assert!(long.resolve(&id).await.unwrap().is_none(), "revoked");
    assert!(long.resolve("not-a-session").await.unwrap().is_none());
}

#[tokio::test]
async fn tokens_expire_and_bad_input_is_refused() {
    let (db, user) = fresh().await;
    let tokens = TokenService::new(db);
    let (_, secret) = tokens
        .create(user, "short", false, Some("1s"))
        .await
        .unwrap();
    assert!(tokens.verify(&secret).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert!(tokens.verify(&secret).await.unwrap().is_none(), "expired");

    let unnamed = tokens.create(user, "  ", false, None).await.unwrap_err();
    assert!(unnamed.to_string().contains("name"), "{unnamed}");
    let bad = tokens
        .create(user, "x", false, Some("soon"))
        .await
        .unwrap_err();
    assert_eq!(bad.code(), "BAD_USER_INPUT", "{bad}");
}
