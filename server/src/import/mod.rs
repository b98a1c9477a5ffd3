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
use schema::keys::{Imported, ImportedKey, KeyFilter, LiteLlmKey, LiteLlmKeys, hash_key};
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
use crate::routes::litellm::models::{PROVIDERS, registration};
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
    /// Of those here already, how many were made stricter as LiteLLM has since made them.
    pub tightened: usize,
    /// Rows that could not be imported, each with its reason.
    pub failed: Vec<String>,
    /// What imported rows left behind (what Switchyard cannot hold).
    pub notes: Vec<String>,
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
    /// Keys made through the admin API here that LiteLLM does not have (deleted there since
    /// an import, or made here).
    pub keys_not_in_litellm: Vec<String>,
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
            if tally.tightened > 0 {
                writeln!(
                    f,
                    "  made stricter as LiteLLM has them now (blocked, or expiring sooner): {}",
                    tally.tightened
                )?;
            }
            for reason in &tally.failed {
                writeln!(f, "  not imported: {reason}")?;
            }
            for note in &tally.notes {
                writeln!(f, "  note: {note}")?;
            }
        }
        if !self.keys_not_in_litellm.is_empty() {
            writeln!(
                f,
                "keys here that LiteLLM does not have (deleted there since an import, or made \
                 here; delete or block them if they should not work): {}",
                self.keys_not_in_litellm.join(", ")
            )?;
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
    let mut users_failed = HashSet::new();
    for user in source.users().await? {
        let id = user.user_id.clone();
        if user.role.as_deref() == Some("internal_user_viewer") {
            summary.users.notes.push(format!(
                "user `{id}` was LiteLLM's read-only internal user; here a user, who may make keys"
            ));
        }
        match import_user(&users, user, options.dry_run).await {
            Ok(true) => summary.users.added += 1,
            Ok(false) => summary.users.present += 1,
            Err(error) => {
                summary.users.failed.push(format!("user `{id}`: {error}"));
                users_failed.insert(id);
            }
        }
    }
    let keys = LiteLlmKeys::new(db.clone());
    let mut in_litellm = HashSet::new();
    for key in source.keys().await? {
        let shown = key
            .alias
            .clone()
            .or_else(|| key.key_name.clone())
            .unwrap_or_else(|| "a key without a name".into());
        if let Ok(hash) = token_hash(&key.token) {
            in_litellm.insert(hash);
        }
        let tally = &mut summary.keys;
        match import_key(&keys, key, &users_failed, options.dry_run).await {
            Ok((imported, notes)) => {
                match imported {
                    Imported::Added => tally.added += 1,
                    Imported::Unchanged => tally.present += 1,
                    Imported::Tightened => {
                        tally.present += 1;
                        tally.tightened += 1;
                    }
                }
                tally.notes.extend(
                    notes
                        .into_iter()
                        .map(|note| format!("key `{shown}`: {note}")),
                );
            }
            Err(error) => tally.failed.push(format!("key `{shown}`: {error}")),
        }
    }
    summary.keys_not_in_litellm = keys
        .admin_api_keys()
        .await?
        .into_iter()
        .filter(|(hash, _)| !in_litellm.contains(hash))
        .map(|(hash, alias)| {
            alias.unwrap_or_else(|| format!("hash {}…", &hash[..hash.len().min(12)]))
        })
        .collect();
    let mut here: HashMap<(String, String), String> = registry
        .catalog()
        .models_with_deployments()
        .await?
        .into_iter()
        .flat_map(|m| {
            let name = m.model.name.clone();
            m.deployments
                .into_iter()
                .map(move |d| ((name.clone(), d.api_base), d.backend_model))
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

/// The models a LiteLLM key may call, as one list: its own, with `all-team-models` and an
/// empty list standing for its team's (or, without a team, its owner's), narrowed to what the
/// team (or the owner) may call, as LiteLLM checks both. `None`: the lists have nothing in
/// common.
fn effective_models(
    key: &[String],
    team: Option<&[String]>,
    owner: &[String],
) -> Option<Vec<String>> {
    let every = |list: &[String]| {
        list.is_empty() || list.iter().any(|m| m == "*" || m == "all-proxy-models")
    };
    let parent = team.unwrap_or(owner);
    let own: Vec<String> = key
        .iter()
        .flat_map(|m| {
            if m == "all-team-models" {
                parent.to_vec()
            } else {
                vec![m.clone()]
            }
        })
        .collect();
    if every(parent) {
        return Some(own);
    }
    if every(&own) {
        return Some(parent.to_vec());
    }
    let narrowed: Vec<String> = own.into_iter().filter(|m| parent.contains(m)).collect();
    (!narrowed.is_empty()).then_some(narrowed)
}

/// Whether a JSON value holds anything (not null, not an empty object or list).
fn holds(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => true,
    }
}

/// Imports one key; what it did, and what the key had that Switchyard does not hold.
async fn import_key(
    keys: &LiteLlmKeys,
    key: SourceKey,
    users_failed: &HashSet<String>,
    dry: bool,
) -> anyhow::Result<(Imported, Vec<String>)> {
    let token_hash = token_hash(&key.token)?;
    if key.team_id.as_deref() == Some("litellm-dashboard") {
        anyhow::bail!("a session key of LiteLLM's admin UI, not one a client holds");
    }
    // LiteLLM stores an "LLM API" key as `allowed_routes = ["llm_api_routes"]`: any key
    // limited to the model-calling routes is an ordinary client key here.
    let calls_models_only = key.allowed_routes.iter().all(|route| {
        ["llm_api_routes", "openai_routes", "anthropic_routes"].contains(&route.as_str())
    });
    if matches!(key.key_type.as_deref(), Some("management" | "read_only")) || !calls_models_only {
        anyhow::bail!(
            "it may call only some of LiteLLM's routes (`key_type`, `allowed_routes`), which \
             Switchyard keys cannot express"
        );
    }
    if let Some(user) = key.user_id.as_ref().filter(|u| users_failed.contains(*u)) {
        anyhow::bail!("its user `{user}` could not be imported");
    }
    let team_models = key.team.as_ref().map(|team| team.models.as_slice());
    let models = effective_models(&key.models, team_models, &key.user_models).ok_or_else(|| {
        anyhow::anyhow!("its models and its team's (or its user's) have none in common")
    })?;
    let mut notes = Vec::new();
    if holds(&key.model_max_budget) || holds(&key.budget_limits) {
        notes.push("its per-model budgets are not carried".to_owned());
    }
    if holds(&key.aliases) {
        notes.push("its model aliases are not carried".to_owned());
    }
    if let Some(budget) = key.team.as_ref().and_then(|team| team.max_budget) {
        notes.push(format!(
            "its team's shared budget of {budget} is not carried"
        ));
    }
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
            models,
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
            // A blocked team blocks its keys.
            blocked: key.blocked || key.team.as_ref().is_some_and(|team| team.blocked),
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
        let here = keys.has_hash(&imported.token_hash).await?;
        return Ok((
            if here {
                Imported::Unchanged
            } else {
                Imported::Added
            },
            notes,
        ));
    }
    Ok((keys.import(imported).await?, notes))
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

/// Why a deployment's `litellm_params` cannot be served here, if they cannot.
fn unservable(params: &Map<String, Value>) -> Option<String> {
    if let Some((name, value)) = params.iter().find_map(|(name, v)| {
        Some((name, v.as_str()?)).filter(|(_, v)| v.starts_with("os.environ/"))
    }) {
        return Some(format!(
            "`litellm_params.{name}` is read from LiteLLM's environment ({value}): declare this \
             model in [[models]] with its credential"
        ));
    }
    if let Some(credential) = params
        .get("litellm_credential_name")
        .and_then(Value::as_str)
    {
        return Some(format!(
            "it uses LiteLLM's stored credential `{credential}`: declare this model in \
             [[models]] with its credential"
        ));
    }
    let provider = params
        .get("custom_llm_provider")
        .and_then(Value::as_str)
        .or_else(|| {
            params
                .get("model")
                .and_then(Value::as_str)
                .and_then(|m| m.split_once('/'))
                .map(|(provider, _)| provider)
        });
    match provider {
        Some(provider) if !PROVIDERS.contains(&provider) => Some(format!(
            "its provider `{provider}` is not one Switchyard routes to (OpenAI-compatible model \
             servers: openai/, hosted_vllm/)"
        )),
        _ => None,
    }
}

async fn import_model(
    registry: &Registry,
    salt: Option<&SaltKey>,
    model: SourceModel,
    here: &mut HashMap<(String, String), String>,
    dry: bool,
) -> anyhow::Result<bool> {
    if model.blocked {
        anyhow::bail!("it is switched off in LiteLLM (blocked)");
    }
    let params = opened(salt, &model.litellm_params)?;
    if let Some(reason) = unservable(&params) {
        anyhow::bail!(reason);
    }
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
    let backend = registration.deployment.backend_model.clone();
    match here.get(&place) {
        Some(serves) if *serves == backend => return Ok(false),
        Some(serves) => anyhow::bail!(
            "another deployment of `{}` at {} serves `{serves}`: one model has one deployment \
             per address here",
            place.0,
            place.1
        ),
        None => {}
    }
    if !dry {
        registry.catalog().register(registration).await?;
    }
    here.insert(place, backend);
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
    fn a_key_may_call_what_it_and_its_team_or_user_both_allow() {
        let list = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let team = list(&["mini", "large"]);
        // An empty list, `*` and `all-team-models` stand for the team's models.
        assert_eq!(effective_models(&[], Some(&team), &[]), Some(team.clone()));
        assert_eq!(
            effective_models(&list(&["*"]), Some(&team), &[]),
            Some(team.clone())
        );
        assert_eq!(
            effective_models(&list(&["all-team-models"]), Some(&team), &[]),
            Some(team.clone())
        );
        // A key's own list is narrowed to its team's.
        assert_eq!(
            effective_models(&list(&["mini", "other"]), Some(&team), &[]),
            Some(list(&["mini"]))
        );
        assert_eq!(effective_models(&list(&["other"]), Some(&team), &[]), None);
        // A team of every model leaves the key's list as it is; without a team, the user's.
        assert_eq!(
            effective_models(&list(&["other"]), Some(&[]), &list(&["x"])),
            Some(list(&["other"]))
        );
        assert_eq!(
            effective_models(&[], None, &list(&["x"])),
            Some(list(&["x"]))
        );
        assert_eq!(effective_models(&[], None, &[]), Some(Vec::new()));
    }

    #[test]
    fn deployments_only_of_servers_switchyard_routes_to() {
        let params = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(
            unservable(&params(json!({"model": "hosted_vllm/granite"}))),
            None
        );
        assert_eq!(unservable(&params(json!({"model": "granite"}))), None);
        for bad in [
            json!({"model": "azure/gpt-4o"}),
            json!({"model": "gpt-4o", "custom_llm_provider": "anthropic"}),
            json!({"model": "openai/x", "api_key": "os.environ/OPENAI_API_KEY"}),
            json!({"model": "openai/x", "litellm_credential_name": "shared"}),
        ] {
            assert!(unservable(&params(bad.clone())).is_some(), "{bad}");
        }
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
                ..Tally::default()
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
