//! The core tables of DESIGN.md ("Data"): identity, catalog, keys, accounting, portal content.
//!
//! Money columns are `BIGINT` nano-units so sums are exact on both databases.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `created_at` and `updated_at`, which most tables carry.
fn stamps(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
}

/// A foreign key from `table.column` to `target.id` that cascades on delete.
fn cascade(
    table: &'static str,
    column: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// Limits and budget columns shared by users and keys.
fn limits(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(big_integer_null("max_budget_nanos"))
        .col(big_integer_null("soft_budget_nanos"))
        .col(string_null("budget_duration"))
        .col(timestamp_with_time_zone_null("budget_reset_at"))
        .col(big_integer("spend_nanos").default(0))
        .col(big_integer_null("tpm_limit"))
        .col(big_integer_null("rpm_limit"))
        .col(big_integer_null("max_parallel_requests"))
}

fn index(name: &str, table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(*column);
    }
    index.to_owned()
}

fn tables() -> Vec<TableCreateStatement> {
    let mut users = Table::create();
    users
        .table("users")
        .col(pk_uuid("id"))
        .col(string_uniq("external_id"))
        .col(string_null("email"))
        .col(string_null("display_name"))
        .col(string_null("oidc_issuer"))
        .col(string_null("oidc_subject"))
        .col(string_null("password_hash"))
        .col(json("roles"))
        .col(boolean("active").default(true));
    limits(&mut users)
        .col(json("metadata"))
        .col(timestamp_with_time_zone_null("last_login_at"));
    stamps(&mut users);

    let mut models = Table::create();
    models
        .table("models")
        .col(pk_uuid("id"))
        .col(string_uniq("name"))
        .col(text_null("description"))
        .col(string("provider"))
        .col(json("capabilities"))
        .col(big_integer_null("context_length"))
        .col(big_integer("input_price_nanos").default(0))
        .col(big_integer("output_price_nanos").default(0))
        .col(boolean("restricted").default(false))
        .col(boolean("active").default(true))
        .col(string("source"))
        .col(json("metadata"));
    stamps(&mut models);

    let mut deployments = Table::create();
    deployments
        .table("deployments")
        .col(pk_uuid("id"))
        .col(uuid("model_id"))
        .col(string("cluster"))
        .col(string("api_base"))
        .col(string("backend_model"))
        .col(text_null("credentials_encrypted"))
        .col(string_null("api_version"))
        .col(integer("weight").default(1))
        .col(big_integer_null("first_byte_timeout_ms"))
        .col(big_integer("timeout_ms"))
        .col(big_integer_null("rpm_limit"))
        .col(big_integer_null("tpm_limit"))
        .col(big_integer_null("max_parallel_requests"))
        .col(boolean("enabled").default(true))
        .foreign_key(&mut cascade("deployments", "model_id", "models"));
    stamps(&mut deployments);

    let mut subscriptions = Table::create();
    subscriptions
        .table("subscriptions")
        .col(pk_uuid("id"))
        .col(uuid("user_id"))
        .col(uuid("model_id"))
        .col(string("status"))
        .col(text_null("reason"))
        .foreign_key(&mut cascade("subscriptions", "user_id", "users"))
        .foreign_key(&mut cascade("subscriptions", "model_id", "models"));
    stamps(&mut subscriptions);

    let mut subscription_events = Table::create();
    subscription_events
        .table("subscription_events")
        .col(big_integer("id").auto_increment().primary_key())
        .col(uuid("subscription_id"))
        .col(string_null("from_status"))
        .col(string("to_status"))
        .col(uuid_null("actor_user_id"))
        .col(text_null("reason"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut cascade(
            "subscription_events",
            "subscription_id",
            "subscriptions",
        ));

    let mut api_keys = Table::create();
    api_keys
        .table("api_keys")
        .col(pk_uuid("id"))
        .col(string_uniq("token_hash"))
        .col(string("key_name"))
        .col(string_null("alias").unique_key())
        .col(uuid_null("user_id"))
        .col(string("origin"))
        .col(boolean("all_models").default(false))
        .col(boolean("blocked").default(false))
        .col(timestamp_with_time_zone_null("expires_at"));
    limits(&mut api_keys)
        .col(json_null("model_rpm_limit"))
        .col(json_null("model_tpm_limit"))
        .col(string_null("team_id"))
        .col(json("tags"))
        .col(json("metadata"))
        .col(timestamp_with_time_zone_null("last_used_at"))
        .foreign_key(&mut cascade("api_keys", "user_id", "users"));
    stamps(&mut api_keys);

    let mut api_key_models = Table::create();
    api_key_models
        .table("api_key_models")
        .col(uuid("api_key_id"))
        .col(uuid("model_id"))
        .primary_key(Index::create().col("api_key_id").col("model_id"))
        .foreign_key(&mut cascade("api_key_models", "api_key_id", "api_keys"))
        .foreign_key(&mut cascade("api_key_models", "model_id", "models"));

    let mut spend_logs = Table::create();
    spend_logs
        .table("spend_logs")
        .col(big_integer("id").auto_increment().primary_key())
        .col(string_uniq("request_id"))
        .col(string_null("key_hash"))
        .col(uuid_null("user_id"))
        .col(string("model_name"))
        .col(uuid_null("deployment_id"))
        .col(string_null("cluster"))
        .col(string("call_type"))
        .col(big_integer("prompt_tokens"))
        .col(big_integer("completion_tokens"))
        .col(boolean("estimated"))
        .col(big_integer("cost_nanos"))
        .col(string("status"))
        .col(integer("http_status"))
        .col(timestamp_with_time_zone("started_at"))
        .col(timestamp_with_time_zone("ended_at"))
        .col(big_integer_null("ttft_ms"))
        .col(big_integer("duration_ms"));

    let mut usage_rollups = Table::create();
    usage_rollups
        .table("usage_rollups")
        .col(big_integer("id").auto_increment().primary_key())
        .col(timestamp_with_time_zone("hour"))
        .col(string("key_hash"))
        .col(string("model_name"))
        .col(uuid_null("user_id"))
        .col(big_integer("requests").default(0))
        .col(big_integer("errors").default(0))
        .col(big_integer("prompt_tokens").default(0))
        .col(big_integer("completion_tokens").default(0))
        .col(big_integer("cost_nanos").default(0))
        .col(big_integer("duration_ms_sum").default(0))
        .col(json("latency_buckets"));

    let mut branding = Table::create();
    branding
        .table("branding")
        .col(integer("id").primary_key())
        .col(string("title"))
        .col(string("subtitle"))
        .col(string_null("primary_color"))
        .col(string_null("accent_color"))
        .col(string_null("login_title"))
        .col(text_null("login_text"))
        .col(text_null("footer_text"))
        .col(timestamp_with_time_zone("updated_at"));

    let mut branding_assets = Table::create();
    branding_assets
        .table("branding_assets")
        .col(string("slot").primary_key())
        .col(string("content_type"))
        .col(blob("bytes"))
        .col(string("sha256"))
        .col(timestamp_with_time_zone("updated_at"));

    let mut banners = Table::create();
    banners
        .table("banners")
        .col(pk_uuid("id"))
        .col(text("message_markdown"))
        .col(string("variant"))
        .col(json("audience"))
        .col(timestamp_with_time_zone_null("starts_at"))
        .col(timestamp_with_time_zone_null("ends_at"))
        .col(boolean("active").default(true))
        .col(boolean("dismissible").default(true));
    stamps(&mut banners);

    let mut banner_dismissals = Table::create();
    banner_dismissals
        .table("banner_dismissals")
        .col(uuid("banner_id"))
        .col(uuid("user_id"))
        .col(timestamp_with_time_zone("dismissed_at"))
        .primary_key(Index::create().col("banner_id").col("user_id"))
        .foreign_key(&mut cascade("banner_dismissals", "banner_id", "banners"))
        .foreign_key(&mut cascade("banner_dismissals", "user_id", "users"));

    let mut settings = Table::create();
    settings
        .table("settings")
        .col(string("key").primary_key())
        .col(json("value"))
        .col(timestamp_with_time_zone("updated_at"));

    let mut audit_log = Table::create();
    audit_log
        .table("audit_log")
        .col(big_integer("id").auto_increment().primary_key())
        .col(uuid_null("actor_user_id"))
        .col(string("actor"))
        .col(string("action"))
        .col(string("target_type"))
        .col(string_null("target_id"))
        .col(json_null("before"))
        .col(json_null("after"))
        .col(string_null("request_id"))
        .col(timestamp_with_time_zone("created_at"));

    let mut sessions = Table::create();
    sessions
        .table("sessions")
        .col(string("id_hash").primary_key())
        .col(uuid("user_id"))
        .col(string("csrf_hash"))
        .col(string_null("user_agent"))
        .col(string_null("ip"))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("last_seen_at"))
        .col(timestamp_with_time_zone("idle_expires_at"))
        .col(timestamp_with_time_zone("expires_at"))
        .col(timestamp_with_time_zone_null("revoked_at"))
        .col(text_null("id_token_hint"))
        .foreign_key(&mut cascade("sessions", "user_id", "users"));

    let mut login_states = Table::create();
    login_states
        .table("login_states")
        .col(string("state_hash").primary_key())
        .col(string("pkce_verifier"))
        .col(string("nonce"))
        .col(text_null("redirect_to"))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("expires_at"));

    let mut tokens = Table::create();
    tokens
        .table("personal_access_tokens")
        .col(pk_uuid("id"))
        .col(uuid("user_id"))
        .col(string("name"))
        .col(string_uniq("token_hash"))
        .col(string("scope"))
        .col(timestamp_with_time_zone_null("expires_at"))
        .col(timestamp_with_time_zone_null("last_used_at"))
        .col(timestamp_with_time_zone_null("revoked_at"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut cascade("personal_access_tokens", "user_id", "users"));

    // Parents before children, so foreign keys resolve.
    [
        users,
        models,
        deployments,
        subscriptions,
        subscription_events,
        api_keys,
        api_key_models,
        spend_logs,
        usage_rollups,
        branding,
        branding_assets,
        banners,
        banner_dismissals,
        settings,
        audit_log,
        sessions,
        login_states,
        tokens,
    ]
    .into_iter()
    .map(|mut table| table.if_not_exists().to_owned())
    .collect()
}

fn indexes() -> Vec<IndexCreateStatement> {
    let mut unique = vec![
        index(
            "ux_deployments_model_api_base",
            "deployments",
            &["model_id", "api_base"],
        ),
        index(
            "ux_subscriptions_user_model",
            "subscriptions",
            &["user_id", "model_id"],
        ),
        index(
            "ux_usage_rollups_hour_key_model",
            "usage_rollups",
            &["hour", "key_hash", "model_name"],
        ),
    ];
    for index in &mut unique {
        index.unique();
    }
    unique.extend([
        index("ix_users_oidc", "users", &["oidc_issuer", "oidc_subject"]),
        index("ix_api_keys_user", "api_keys", &["user_id"]),
        index("ix_subscriptions_status", "subscriptions", &["status"]),
        index("ix_spend_logs_started", "spend_logs", &["started_at"]),
        index(
            "ix_spend_logs_key_started",
            "spend_logs",
            &["key_hash", "started_at"],
        ),
        index(
            "ix_spend_logs_user_started",
            "spend_logs",
            &["user_id", "started_at"],
        ),
        index(
            "ix_usage_rollups_user_hour",
            "usage_rollups",
            &["user_id", "hour"],
        ),
        index(
            "ix_usage_rollups_model_hour",
            "usage_rollups",
            &["model_name", "hour"],
        ),
        index("ix_audit_log_created", "audit_log", &["created_at"]),
        index("ix_sessions_user", "sessions", &["user_id"]),
        index("ix_tokens_user", "personal_access_tokens", &["user_id"]),
    ]);
    unique
}

/// Table names in the order they are dropped (children first).
const DROP_ORDER: [&str; 18] = [
    "personal_access_tokens",
    "login_states",
    "sessions",
    "audit_log",
    "settings",
    "banner_dismissals",
    "banners",
    "branding_assets",
    "branding",
    "usage_rollups",
    "spend_logs",
    "api_key_models",
    "api_keys",
    "subscription_events",
    "subscriptions",
    "deployments",
    "models",
    "users",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in DROP_ORDER {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
