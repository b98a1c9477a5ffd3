//! `switchyard import litellm --from <url>`: brings a running LiteLLM installation's users,
//! virtual keys and registered models into Switchyard, so that a cut-over re-issues nothing.
//! LiteLLM stores each key as the SHA-256 hex of its plaintext, as Switchyard does, so an
//! imported key authenticates with the plaintext its holder already has. Each row is added
//! unless one like it is here already (a user by id, a key by hash, a deployment by model
//! and address, a spend log by request id): a second run changes nothing, and a dry run
//! reports what a run would do. Spend logs, asked for, become request records and rollups.

mod sealed;
mod source;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

use anyhow::Context;
use chrono::{DateTime, Utc};
use schema::catalog::CatalogService;
use schema::keys::{ImportedKey, KeyFilter, LiteLlmKey, LiteLlmKeys, hash_key};
use schema::limits::LimitValues;
use schema::spend::{Outcome, SpendEvent};
use schema::users::{NewUser, UserService, role_from_litellm};
use secrecy::SecretString;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use self::sealed::{Reading, SaltKey, looks_sealed};
use self::source::{Source, SourceKey, SourceModel, SourceSpend, SourceUser};
use crate::config::Config;
use crate::db::{self, Location};
use crate::gateway::registry::Registry;
use crate::routes::litellm::models::registration;
use crate::secrets::CredentialCipher;

/// What to import and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The LiteLLM database's URL.
    pub from: SecretString,
    /// Report what would be done; write nothing.
    pub dry_run: bool,
    /// Also bring LiteLLM's spend logs, into the request log and the usage rollups.
    pub spend_logs: bool,
}

/// How one kind of row fared.
#[derive(Debug, Default)]
pub struct Tally {
    pub added: usize,
    pub present: usize,
    /// Rows that could not be imported, each with its reason.
    pub failed: Vec<String>,
}

/// What an import did (or, dry, would do).
#[derive(Debug, Default)]
pub struct Summary {
    pub dry_run: bool,
    pub users: Tally,
    pub keys: Tally,
    pub deployments: Tally,
    /// Spend logs, when asked for.
    pub spend_logs: Option<Tally>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run { "would add" } else { "added" };
        let spend_logs = self.spend_logs.as_ref().map(|tally| ("spend logs", tally));
        let tallies = [
            ("users", &self.users),
            ("keys", &self.keys),
            ("model deployments", &self.deployments),
        ];
        for (what, tally) in tallies.into_iter().chain(spend_logs) {
            writeln!(
                f,
                "{what}: {verb} {}, {} already here, {} not imported",
                tally.added,
                tally.present,
                tally.failed.len()
            )?;
            for reason in &tally.failed {
                writeln!(f, "  not imported: {reason}")?;
            }
        }
        Ok(())
    }
}

impl Summary {
    /// Rows that could not be imported.
    pub fn failures(&self) -> usize {
        self.users.failed.len()
            + self.keys.failed.len()
            + self.deployments.failed.len()
            + self.spend_logs.as_ref().map_or(0, |t| t.failed.len())
    }
}

/// Imports from the LiteLLM database `options.from` into the configured database.
pub async fn litellm(config: &Config, options: &Options) -> anyhow::Result<Summary> {
    use secrecy::ExposeSecret;
    let source = Source::open(options.from.expose_secret()).await?;
    let (db, location) = db::connect(config).await?;
    if config.migrate_on_start && !options.dry_run {
        db::migrate(&db, &location).await?;
    }
    let cipher =
        CredentialCipher::from_config(config.gateway.credentials_key.as_ref(), &config.data_dir)?;
    let may_seal =
        config.gateway.credentials_key.is_some() || matches!(location, Location::Sqlite(_));
    let registry = Registry::new(
        CatalogService::new(db.clone()),
        cipher,
        may_seal,
        config.gateway.clone(),
    );
    // LiteLLM's own variables: its salt key, else its master key, sealed its credentials.
    let salt = ["LITELLM_SALT_KEY", "LITELLM_MASTER_KEY"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .map(|text| SaltKey::new(&SecretString::from(text)));
    let mut summary = Summary {
        dry_run: options.dry_run,
        ..Summary::default()
    };
    let users = UserService::new(db.clone());
    for user in source.users().await? {
        let id = user.user_id.clone();
        match import_user(&users, user, options.dry_run).await {
            Ok(true) => summary.users.added += 1,
            Ok(false) => summary.users.present += 1,
            Err(error) => summary.users.failed.push(format!("user `{id}`: {error}")),
        }
    }
    let keys = LiteLlmKeys::new(db.clone());
    for key in source.keys().await? {
        let shown = key
            .alias
            .clone()
            .or_else(|| key.key_name.clone())
            .unwrap_or_else(|| "a key without a name".into());
        match import_key(&keys, key, options.dry_run).await {
            Ok(true) => summary.keys.added += 1,
            Ok(false) => summary.keys.present += 1,
            Err(error) => summary.keys.failed.push(format!("key `{shown}`: {error}")),
        }
    }
    let mut here: HashSet<(String, String)> = registry
        .catalog()
        .models_with_deployments()
        .await?
        .into_iter()
        .flat_map(|m| {
            let name = m.model.name.clone();
            m.deployments
                .into_iter()
                .map(move |d| (name.clone(), d.api_base))
        })
        .collect();
    for model in source.models().await? {
        let name = format!("{} ({})", model.model_name, model.model_id);
        match import_model(&registry, salt.as_ref(), model, &mut here, options.dry_run).await {
            Ok(true) => summary.deployments.added += 1,
            Ok(false) => summary.deployments.present += 1,
            Err(error) => summary
                .deployments
                .failed
                .push(format!("model `{name}`: {error}")),
        }
    }
    if options.spend_logs {
        summary.spend_logs = Some(import_spend(&source, &db, &keys, options.dry_run).await?);
    }
    Ok(summary)
}

/// Spend logs read and written at a time.
const SPEND_PAGE: u64 = 1_000;

/// LiteLLM's spend logs as request records and rollups, page by page in the order they
/// started; the spend they add up to is on the keys and users already, and is not added again.
async fn import_spend(
    source: &Source,
    db: &sea_orm::DatabaseConnection,
    keys: &LiteLlmKeys,
    dry: bool,
) -> anyhow::Result<Tally> {
    let owners: HashMap<String, Uuid> = keys
        .list(&KeyFilter::default())
        .await?
        .into_iter()
        .filter_map(|record| Some((record.key.token_hash, record.key.user_id?)))
        .collect();
    let mut tally = Tally::default();
    let mut cursor = None;
    loop {
        let page = source.spend_logs(cursor.as_ref(), SPEND_PAGE).await?;
        let Some(last) = page.last() else {
            break;
        };
        cursor = Some((last.start, last.request_id.clone()));
        let read = page.len();
        let events: Vec<SpendEvent> = page
            .into_iter()
            .map(|row| spend_event(row, &owners))
            .collect();
        let new = if dry {
            schema::spend::unrecorded(db, events).await?.len()
        } else {
            schema::spend::write_history(db, events).await?
        };
        tally.added += new;
        tally.present += read - new;
    }
    Ok(tally)
}

/// Our call type for LiteLLM's (`acompletion`, `aembedding`, …).
fn call_type(litellm: &str) -> Cow<'static, str> {
    let name = litellm.strip_prefix('a').filter(|rest| {
        [
            "completion",
            "text_completion",
            "embedding",
            "transcription",
            "rerank",
            "responses",
        ]
        .contains(rest)
    });
    match name.unwrap_or(litellm) {
        "completion" => Cow::Borrowed("chat"),
        "text_completion" => Cow::Borrowed("completion"),
        "embedding" => Cow::Borrowed("embeddings"),
        "transcription" => Cow::Borrowed("transcription"),
        "rerank" => Cow::Borrowed("rerank"),
        "responses" => Cow::Borrowed("responses"),
        "anthropic_messages" => Cow::Borrowed("messages"),
        other => Cow::Owned(other.to_owned()),
    }
}

fn spend_event(row: SourceSpend, owners: &HashMap<String, Uuid>) -> SpendEvent {
    let key_hash = token_hash(&row.api_key).ok();
    let millis = |d: chrono::TimeDelta| u64::try_from(d.num_milliseconds()).unwrap_or(0);
    let success = row.status.as_deref().is_none_or(|s| s == "success");
    SpendEvent {
        request_id: row.request_id,
        key_id: None,
        user_id: key_hash.as_ref().and_then(|hash| owners.get(hash).copied()),
        key_hash,
        model: row
            .model_group
            .filter(|group| !group.is_empty())
            .unwrap_or(row.model),
        deployment_id: None,
        cluster: None,
        call_type: call_type(&row.call_type),
        prompt_tokens: u64::try_from(row.prompt_tokens).unwrap_or(0),
        completion_tokens: u64::try_from(row.completion_tokens).unwrap_or(0),
        estimated: false,
        cost_nanos: nanos(row.spend),
        outcome: if success {
            Outcome::Success
        } else {
            Outcome::Failure
        },
        http_status: if success { 200 } else { 500 },
        started_at: row.start,
        ended_at: row.end,
        ttft_ms: row.first_token.map(|first| millis(first - row.start)),
        duration_ms: row
            .duration_ms
            .and_then(|ms| u64::try_from(ms).ok())
            .unwrap_or_else(|| millis(row.end - row.start)),
        guardrail: None,
    }
}

/// Dollars as LiteLLM stores them, in nano-dollars.
fn nanos(dollars: f64) -> i64 {
    (dollars * 1e9).round() as i64
}

/// When the budget window the spend so far belongs to ends: LiteLLM's own date, or, where its
/// reset job has not set one yet, a whole window from now (the spend counts in the current
/// window rather than being forgotten).
fn window_end(reset_at: Option<DateTime<Utc>>, duration: Option<&str>) -> Option<DateTime<Utc>> {
    reset_at.or_else(|| {
        let span = schema::duration::parse(duration?).ok()?;
        span.end_after(Utc::now())
    })
}

async fn import_user(users: &UserService, user: SourceUser, dry: bool) -> anyhow::Result<bool> {
    let new = NewUser {
        external_id: user.user_id,
        email: user.email,
        display_name: user.alias,
        role: role_from_litellm(user.role.as_deref()).to_owned(),
        limits: LimitValues {
            rpm_limit: user.rpm_limit,
            tpm_limit: user.tpm_limit,
            max_parallel_requests: user.max_parallel_requests,
            max_budget_nanos: user.max_budget.map(nanos),
            budget_duration: user.budget_duration,
            ..LimitValues::default()
        },
    };
    new.limits.check()?;
    if dry {
        return Ok(users.find(&new.external_id).await?.is_none());
    }
    let reset_at = window_end(user.budget_reset_at, new.limits.budget_duration.as_deref());
    Ok(users.import(new, nanos(user.spend), reset_at).await?)
}

/// The key's hash as Switchyard stores it: LiteLLM's SHA-256 hex (a very old LiteLLM that
/// kept plaintext `sk-` keys has them hashed here).
fn token_hash(token: &str) -> anyhow::Result<String> {
    if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(token.to_ascii_lowercase())
    } else if token.starts_with("sk-") {
        Ok(hash_key(token))
    } else {
        anyhow::bail!("its token is neither a SHA-256 hex nor an `sk-` key")
    }
}

async fn import_key(keys: &LiteLlmKeys, key: SourceKey, dry: bool) -> anyhow::Result<bool> {
    let token_hash = token_hash(&key.token)?;
    let field = |name: &str| key.metadata.get(name).filter(|v| !v.is_null()).cloned();
    let tags = field("tags")
        .and_then(|tags| serde_json::from_value::<Vec<String>>(tags).ok())
        .unwrap_or_default();
    let imported = ImportedKey {
        key_name: key
            .key_name
            .clone()
            .unwrap_or_else(|| format!("sk-...{}", &token_hash[60..])),
        key: LiteLlmKey {
            models: key.models.clone(),
            duration: None,
            user_id: key.user_id.clone(),
            alias: key.alias.clone(),
            model_rpm_limit: field("model_rpm_limit"),
            model_tpm_limit: field("model_tpm_limit"),
            metadata: Some(key.metadata.clone()),
            limits: LimitValues {
                rpm_limit: key.rpm_limit,
                tpm_limit: key.tpm_limit,
                max_parallel_requests: key.max_parallel_requests,
                max_budget_nanos: key.max_budget.map(nanos),
                soft_budget_nanos: key.soft_budget.map(nanos),
                budget_duration: key.budget_duration.clone(),
                ..LimitValues::default()
            },
            blocked: key.blocked,
            team_id: key.team_id.clone(),
            tags,
        },
        token_hash,
        expires_at: key.expires,
        spend_nanos: nanos(key.spend),
        budget_reset_at: window_end(key.budget_reset_at, key.budget_duration.as_deref()),
    };
    imported.key.limits.check()?;
    if dry {
        return Ok(!keys.has_hash(&imported.token_hash).await?);
    }
    Ok(keys.import(imported).await?)
}

/// `litellm_params` with every sealed string opened.
fn opened(salt: Option<&SaltKey>, params: &Value) -> anyhow::Result<Map<String, Value>> {
    let mut out = params.as_object().cloned().unwrap_or_default();
    for (name, value) in out.iter_mut() {
        let Value::String(text) = value else {
            continue;
        };
        match salt.map(|salt| salt.open(text)) {
            Some(Reading::Opened(plain)) => *text = plain,
            Some(Reading::Plain) => {}
            None if !looks_sealed(text) => {}
            None => anyhow::bail!(
                "`litellm_params.{name}` is sealed: set LITELLM_SALT_KEY (or \
                 LITELLM_MASTER_KEY) to the key LiteLLM ran with"
            ),
            Some(Reading::WrongKey) => anyhow::bail!(
                "`litellm_params.{name}` does not open with the LITELLM_SALT_KEY (or \
                 LITELLM_MASTER_KEY) given: set the one LiteLLM ran with"
            ),
        }
    }
    Ok(out)
}

async fn import_model(
    registry: &Registry,
    salt: Option<&SaltKey>,
    model: SourceModel,
    here: &mut HashSet<(String, String)>,
    dry: bool,
) -> anyhow::Result<bool> {
    let params = opened(salt, &model.litellm_params)?;
    let body = json!({
        "model_name": model.model_name,
        "litellm_params": params,
        "model_info": model.model_info,
    });
    let body = body.as_object().context("a model is an object")?;
    let registration = registration(registry, body).map_err(|error| anyhow::anyhow!("{error}"))?;
    let place = (
        registration.model.name.clone(),
        registration.deployment.api_base.clone(),
    );
    if here.contains(&place) {
        return Ok(false);
    }
    if !dry {
        registry.catalog().register(registration).await?;
    }
    here.insert(place);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_become_nanos_and_tokens_become_hashes() {
        assert_eq!(nanos(12.5), 12_500_000_000);
        assert_eq!(nanos(0.000_000_001), 1);
        let hex = "A".repeat(64);
        assert_eq!(token_hash(&hex).unwrap(), "a".repeat(64));
        assert_eq!(token_hash("sk-plain").unwrap(), hash_key("sk-plain"));
        assert!(token_hash("something else").is_err());
    }

    #[test]
    fn a_budget_window_without_an_end_gets_a_whole_one_from_now() {
        let set = Utc::now() + chrono::Duration::days(3);
        assert_eq!(window_end(Some(set), Some("30d")), Some(set));
        let fresh = window_end(None, Some("30d")).unwrap();
        let days = (fresh - Utc::now()).num_days();
        assert!((29..=30).contains(&days), "{days}");
        assert_eq!(window_end(None, None), None);
        assert_eq!(window_end(None, Some("nonsense")), None);
    }

    #[test]
    fn litellm_call_types_become_ours() {
        assert_eq!(call_type("acompletion"), "chat");
        assert_eq!(call_type("completion"), "chat");
        assert_eq!(call_type("atext_completion"), "completion");
        assert_eq!(call_type("aembedding"), "embeddings");
        assert_eq!(call_type("anthropic_messages"), "messages");
        assert_eq!(call_type("aimage_generation"), "aimage_generation");
    }

    #[test]
    fn sealed_parameters_need_the_salt_key() {
        let params = json!({"model": "openai/granite", "api_base": "http://vllm:8000/v1",
                            "api_key": "c2VhbGVkIHZhbHVlIHRoYXQgaXMgbG9uZyBlbm91Z2ggdG8gYmUgYSBib3g=",
                            "rpm": 10});
        let error = opened(None, &params).unwrap_err().to_string();
        assert!(
            error.contains("api_key") && error.contains("LITELLM_SALT_KEY"),
            "{error}"
        );
        let salt = SaltKey::new(&SecretString::from("sk-salt"));
        let error = opened(Some(&salt), &params).unwrap_err().to_string();
        assert!(error.contains("does not open"), "{error}");
        let plain = json!({"model": "openai/granite", "api_base": "http://vllm:8000/v1"});
        assert_eq!(opened(None, &plain).unwrap(), *plain.as_object().unwrap());
    }

    #[test]
    fn the_summary_says_what_was_done() {
        let summary = Summary {
            dry_run: true,
            keys: Tally {
                added: 2,
                present: 1,
                failed: vec!["key `x`: why".into()],
            },
            ..Summary::default()
        };
        let text = summary.to_string();
        assert!(
            text.contains("keys: would add 2, 1 already here, 1 not imported"),
            "{text}"
        );
        assert!(text.contains("  not imported: key `x`: why"), "{text}");
        assert_eq!(summary.failures(), 1);
    }
}
