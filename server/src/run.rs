//! Start-up and shutdown: build the state once, serve until a signal, drain, exit.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::Context;
use schema::identity::{
    AuthSettings, Bootstrap, CookiePolicy, IdentityOptions, IdentityServices, LoginStateService,
    LoginThrottle, SessionLifetime,
};
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;
use tokio::net::TcpListener;

use crate::cache::Cache;
use crate::cli::{Command, ImportSource};
use crate::config::{Config, Overrides};
use crate::db::{self, Location};
use crate::gateway::registry::Registry;
use crate::gateway::servers::GatewayModelServers;
use crate::gateway::{Gateway, GatewayParts};
use crate::identity::Identity;
use crate::identity::provider::SingleSignOn;
use crate::identity::sso::Relying;
use crate::periodic::spawn_every;
use crate::quota::{Quotas, RedisLimiter};
use crate::secrets::CredentialCipher;
use crate::spend::Ledger;
use crate::state::{App, AppState};

/// Runs `command` on a multi-threaded runtime.
pub fn block_on(command: Command, config: Config, overrides: Overrides) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        match command {
            Command::Serve { no_migrate } => serve(config, overrides, !no_migrate).await,
            Command::Migrate => migrate(config).await,
            Command::ResealCredentials { from_master_key } => {
                reseal_credentials(config, from_master_key).await
            }
            Command::Import(ImportSource::Litellm {
                from,
                dry_run,
                spend_logs,
            }) => {
                let options = crate::import::Options {
                    from: secrecy::SecretString::from(from),
                    dry_run,
                    spend_logs,
                };
                import_litellm(config, options).await
            }
        }
    })
}

/// `switchyard migrate`: apply migrations and exit; an unreachable database is an error.
async fn migrate(config: Config) -> anyhow::Result<()> {
    let (db, location) = db::connect(&config).await?;
    let applied = db::migrate(&db, &location).await?;
    tracing::info!(database = %location, applied, "migrations applied");
    Ok(())
}

/// Connections the metrics listener holds at once (Prometheus and the kubelet's probes).
const METRICS_CONNECTIONS: usize = 64;

/// `switchyard reseal-credentials`: moves stored credentials from an old key to the
/// configured one.
async fn reseal_credentials(config: Config, from_master_key: bool) -> anyhow::Result<()> {
    let (db, location) = db::connect(&config).await?;
    if config.gateway.credentials_key.is_none() && !matches!(location, Location::Sqlite(_)) {
        anyhow::bail!(
            "set gateway.credentials_key first: on a shared database every replica needs it"
        );
    }
    let current =
        CredentialCipher::from_config(config.gateway.credentials_key.as_ref(), &config.data_dir)?;
    let old = if from_master_key {
        let master = config
            .master_key
            .as_ref()
            .context("--from-master-key needs the master key in the configuration")?;
        CredentialCipher::legacy_from_master(master)
    } else {
        let text = std::env::var("SWITCHYARD_OLD_CREDENTIALS_KEY").context(
            "set SWITCHYARD_OLD_CREDENTIALS_KEY to the key the credentials were sealed with \
             (base64 of 32 bytes), or pass --from-master-key",
        )?;
        CredentialCipher::from_base64(&text)?
    };
    let catalog = schema::catalog::CatalogService::new(db);
    let (resealed, current_already) = crate::secrets::reseal(&catalog, &old, &current).await?;
    tracing::info!(
        "re-sealed {resealed} credential(s); {current_already} already opened with the current key"
    );
    Ok(())
}

/// `switchyard import litellm`: imports, prints what it did, and fails when a row could not
/// be imported (after importing the rest).
async fn import_litellm(config: Config, options: crate::import::Options) -> anyhow::Result<()> {
    let summary = crate::import::litellm(&config, &options).await?;
    #[allow(clippy::print_stdout)]
    {
        print!("{summary}");
    }
    match summary.failures() {
        0 => Ok(()),
        n => anyhow::bail!("{n} row(s) could not be imported (listed above)"),
    }
}

/// `switchyard serve`: serve until SIGTERM or ctrl-c, then drain.
async fn serve(config: Config, overrides: Overrides, migrate: bool) -> anyhow::Result<()> {
    let migrate = migrate && config.migrate_on_start;
    let (db, location) = db::connect(&config).await?;
    let cache = config.redis_url.as_ref().map(Cache::new).transpose()?;
    let identity = identity(&config, &db)?;
    let hub = schema::live::LiveHub::new();
    let live = crate::spend::LiveFeed::start(hub.clone(), cache.as_ref().map(Cache::client));
    let cipher =
        CredentialCipher::from_config(config.gateway.credentials_key.as_ref(), &config.data_dir)?;
    let may_seal =
        config.gateway.credentials_key.is_some() || matches!(location, Location::Sqlite(_));
    let registry = Arc::new(Registry::new(
        schema::catalog::CatalogService::new(db.clone()),
        cipher,
        may_seal,
        config.gateway.clone(),
    ));
    let guardrails = Arc::new(
        crate::guardrail::GuardrailSet::new(
            config.guardrails.clone(),
            schema::guardrails::GuardrailService::new(db.clone()),
        )
        .context("cannot build the gateway")?,
    );
    let schema = schema::build_schema(schema::Deps {
        db: db.clone(),
        version: crate::VERSION,
        identity: identity.services.clone(),
        health: Some(registry.clone()),
        live: hub.clone(),
        model_servers: Some(Arc::new(GatewayModelServers::new(
            registry.clone(),
            Gateway::http_client(&config.gateway).context("cannot build the gateway")?,
            overrides.clone(),
        ))),
        guardrails: Some(guardrails.clone()),
    });
    let (ledger_db, _) = db::connect_ledger(&config).await?;
    let metrics = Arc::new(crate::metrics::Metrics::with_per_key_labels(
        config.metrics.per_key_labels,
    ));
    let (ledger, ledger_writer) =
        Ledger::start(ledger_db, metrics.clone(), &config.ledger, &config.data_dir)
            .context("cannot start the spend ledger")?;
    let quotas = quotas(&config, cache.as_ref(), metrics.clone())?;
    quotas.set_live(live.clone());
    let parts = GatewayParts {
        registry,
        ledger,
        live,
        quotas,
        metrics,
        keys: schema::keys::KeyService::new(db.clone()),
        guardrails,
    };
    let gateway = Gateway::new(&config, parts).context("cannot build the gateway")?;
    let usage = schema::usage::UsageService::new(db.clone());
    let audit = schema::audit::AuditService::new(db.clone());
    let clients = Arc::new(crate::clients::Clients::new(&config.http));
    let state = AppState(Arc::new(App {
        config,
        db_location: location,
        db_ready: AtomicBool::new(false),
        draining: AtomicBool::new(false),
        cache,
        schema,
        gateway,
        usage,
        audit,
        keys: schema::keys::LiteLlmKeys::new(db.clone()),
        users: schema::users::UserService::new(db.clone()),
        spend: schema::spend::SpendService::new(db.clone()),
        db,
        identity,
        clients,
        overrides,
    }));

    prepare_database(&state, migrate).await?;
    spawn_reload_on_sighup(state.clone());
    spawn_reload_on_file_change(state.clone());
    if let Some(cache) = &state.cache {
        match cache.ping().await {
            Ok(()) => tracing::info!(redis = %cache.display(), "redis connected"),
            Err(error) => {
                tracing::error!(%error, "redis unreachable; readiness reports 503 until it answers")
            }
        }
    }

    crate::listener::raise_descriptor_limit();
    let listener = TcpListener::bind(state.config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", state.config.listen))?;
    let address = listener
        .local_addr()
        .context("cannot read the bound address")?;
    tracing::info!(version = crate::VERSION, %address, "switchyard listening on http://{address}");

    let metrics_listener = match state.config.metrics.listen {
        Some(address) => {
            let bound = TcpListener::bind(address)
                .await
                .with_context(|| format!("cannot listen on {address} (metrics.listen)"))?;
            tracing::info!(%address, "metrics and health probes on http://{address}");
            Some(bound)
        }
        None => None,
    };

    let grace = crate::router::grace(state.config.shutdown_grace_seconds);
    let delay = Duration::from_secs(state.config.shutdown_delay_seconds);
    let limits = state.config.http.clone();
    let metrics = state.gateway.metrics.clone();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut stop_rx = stop_rx.clone();
        async move {
            // An error means the sender is gone, which only happens when we are stopping.
            let _ = stop_rx.wait_for(|stop| *stop).await;
        }
    };
    if let Some(listener) = metrics_listener {
        // Scrapers and probes: a few connections at a time.
        let limits = crate::config::HttpConfig {
            max_connections: METRICS_CONNECTIONS,
            ..limits.clone()
        };
        let app = crate::router::build_metrics(state.clone());
        let (metrics, stop) = (metrics.clone(), stopped());
        tokio::spawn(async move {
            crate::listener::serve(listener, app, &limits, metrics, stop).await;
        });
    }
    let app = crate::router::build(state.clone());
    let stop = stopped();
    let server = tokio::spawn(async move {
        crate::listener::serve(listener, app, &limits, metrics, stop).await;
    });

    shutdown_signal().await;
    state.begin_draining();
    if !delay.is_zero() {
        tracing::info!(
            ?delay,
            "shutting down: readiness answers 503; still serving"
        );
        tokio::time::sleep(delay).await;
    }
    tracing::info!(?grace, "shutting down: draining open requests");
    // The receiver lives inside the server task; if it already ended, there is nothing to stop.
    let _ = stop_tx.send(true);
    match tokio::time::timeout(grace, server).await {
        Ok(joined) => joined.context("the server task failed")?,
        Err(_) => tracing::warn!("grace period over; closing the remaining connections"),
    }
    ledger_writer.finish(grace).await;
    tracing::info!("stopped");
    Ok(())
}

/// Sign-in: accounts, sessions and tokens, plus single sign-on when `[auth.oidc]` or
/// `[auth.openshift]` is set.
fn identity(config: &Config, db: &DatabaseConnection) -> anyhow::Result<Arc<Identity>> {
    let auth = &config.auth;
    let minutes = |m: u64| Duration::from_secs(m.saturating_mul(60));
    if auth.local_accounts_enabled() && !auth.https() {
        tracing::warn!(
            "local accounts are on without an https auth.public_url: session cookies are \
             neither Secure nor __Host- named, and passwords travel as the network carries \
             them; set auth.public_url to the portal's https address (on a laptop, ignore this)"
        );
    }
    let options = IdentityOptions {
        lifetime: SessionLifetime {
            idle: minutes(auth.session_idle_minutes),
            absolute: minutes(auth.session_max_hours.saturating_mul(60)),
        },
        cookies: CookiePolicy {
            secure: auth.https(),
        },
        settings: AuthSettings {
            local_login: auth.local_accounts_enabled(),
            single_sign_on: auth.single_sign_on().is_some(),
            provider_name: auth
                .single_sign_on()
                .map(|(kind, sso)| sso.display_name(kind)),
        },
        end_session: None,
        throttle: LoginThrottle::new(
            auth.login_max_failures,
            auth.login_client_max_failures,
            minutes(auth.login_lockout_minutes),
        ),
    };
    let mut services =
        IdentityServices::new(db.clone(), options).context("cannot set up password hashing")?;
    let sso = match (auth.single_sign_on(), auth.public_base()) {
        (Some((kind, config)), Some(base)) => {
            let sso = Relying::new(
                config,
                base,
                LoginStateService::new(db.clone()),
                services.accounts.clone(),
            )
            .and_then(|relying| SingleSignOn::new(kind, config, relying))
            .with_context(|| format!("invalid [{}] settings", kind.section()))?;
            services.end_session = sso.end_session();
            Some(Arc::new(sso))
        }
        _ => None,
    };
    Ok(Arc::new(Identity::new(
        services,
        sso,
        config.master_key.as_ref(),
        auth.public_base(),
    )))
}

/// Creates the bootstrap administrator at first start (local accounts only); a generated
/// password is printed once, to the terminal, never to the log.
async fn bootstrap_admin(state: &AppState) -> anyhow::Result<()> {
    let auth = &state.config.auth;
    if !auth.local_accounts_enabled() {
        return Ok(());
    }
    let admin = Bootstrap {
        name: auth.bootstrap_admin.clone(),
        password: auth
            .bootstrap_password
            .as_ref()
            .map(|p| p.expose_secret().to_owned()),
    };
    let generated = state
        .identity
        .services
        .accounts
        .bootstrap(admin)
        .await
        .context("cannot create the bootstrap administrator")?;
    if let Some(password) = generated {
        tracing::warn!(
            admin = %auth.bootstrap_admin,
            "created the bootstrap administrator; its generated password is printed once on stderr"
        );
        eprintln!(
            "\n  Switchyard bootstrap administrator\n    user:     {}\n    password: {password}\n               Shown once: sign in and keep it safe.\n",
            auth.bootstrap_admin
        );
    }
    Ok(())
}

/// The quota engine: shared through Redis when one is configured, else in this process.
fn quotas(
    config: &Config,
    cache: Option<&Cache>,
    metrics: Arc<crate::metrics::Metrics>,
) -> anyhow::Result<Arc<Quotas>> {
    let quota = &config.quota;
    let redis = match cache {
        Some(cache) => {
            let timeout = Duration::from_millis(quota.redis_timeout_ms.max(1));
            let connection = cache
                .manager(timeout)
                .context("cannot set up the redis connection")?;
            let lease_ms =
                i64::try_from(quota.lease_seconds.saturating_mul(1_000)).unwrap_or(i64::MAX);
            Some(RedisLimiter::new(connection, timeout, lease_ms))
        }
        None => None,
    };
    Ok(Quotas::new(
        quota,
        redis,
        metrics,
        Arc::new(chrono::Utc::now),
    ))
}

/// Creates the bootstrap administrator, applies the configured models and starts the
/// catalog's background work, once the database is ready.
async fn on_database_ready(state: &AppState) -> anyhow::Result<()> {
    bootstrap_admin(state).await?;
    let gateway = &state.gateway;
    // Before anything is sealed: credentials stored with another key are not overwritten.
    let legacy = state
        .config
        .master_key
        .as_ref()
        .map(CredentialCipher::legacy_from_master);
    crate::secrets::check_stored(
        gateway.registry.catalog(),
        gateway.registry.cipher(),
        state.config.gateway.credentials_key.is_some(),
        matches!(state.db_location, Location::Sqlite(_)),
        legacy.as_ref(),
    )
    .await?;
    gateway
        .registry
        .apply_config(&state.config.models)
        .await
        .context("cannot apply the configured models")?;
    // The managed guardrails are in force before the first request is served.
    gateway.guardrails.reload().await;
    let registry = gateway.registry.clone();
    let poll = Duration::from_secs(state.config.gateway.registry_poll_seconds);
    spawn_every(poll, move || {
        let registry = registry.clone();
        async move { registry.refresh_if_changed().await }
    });
    let registry = gateway.registry.clone();
    spawn_every(Duration::from_secs(15), move || {
        registry.close_idle_connections();
        std::future::ready(())
    });
    let guardrails = gateway.guardrails.clone();
    spawn_every(poll, move || {
        let guardrails = guardrails.clone();
        async move { guardrails.refresh_if_changed().await }
    });
    let quotas = gateway.quotas.clone();
    spawn_every(quotas.renew_every(), move || {
        let quotas = quotas.clone();
        async move { quotas.renew_leases().await }
    });
    let auth = gateway.auth.clone();
    spawn_every(Duration::from_secs(1), move || {
        let auth = auth.clone();
        async move { auth.refresh_if_changed().await }
    });
    let (registry, client, metrics) = (
        gateway.registry.clone(),
        gateway.client.clone(),
        gateway.metrics.clone(),
    );
    let every = Duration::from_secs(state.config.gateway.health_check_interval_seconds);
    spawn_every(every, move || {
        let (registry, client, metrics) = (registry.clone(), client.clone(), metrics.clone());
        async move { crate::gateway::health::probe_all(&registry, &client, &metrics).await }
    });
    // The first run waits one interval: start-up (the bootstrap administrator, the catalog)
    // has the database to itself.
    let (db, retention) = (state.db.clone(), state.config.retention.clone());
    tokio::spawn(async move {
        tokio::time::sleep(retention.every()).await;
        spawn_every(retention.every(), move || {
            let (db, policy) = (db.clone(), retention.policy());
            async move { prune(&db, &policy).await }
        });
    });
    Ok(())
}

/// One run of the retention pruner: logged when it deleted something or failed.
async fn prune(db: &sea_orm::DatabaseConnection, policy: &schema::retention::Policy) {
    match schema::retention::prune(db, policy, chrono::Utc::now()).await {
        Ok(Some(pruned)) if pruned.total() > 0 => tracing::info!(
            spend_logs = pruned.spend_logs,
            audit_log = pruned.audit_log,
            sessions = pruned.sessions,
            access_tokens = pruned.access_tokens,
            login_states = pruned.login_states,
            "deleted data past its retention period"
        ),
        Ok(Some(_)) => {}
        Ok(None) => tracing::debug!("another replica is pruning"),
        Err(error) => tracing::warn!(%error, "pruning old data failed; trying again next run"),
    }
}

#[cfg(unix)]
fn spawn_reload_on_sighup(state: AppState) {
    use tokio::signal::unix::{SignalKind, signal};
    tokio::spawn(async move {
        let Ok(mut hangup) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP; reload with POST /admin/reload");
            return;
        };
        while hangup.recv().await.is_some() {
            if let Err(error) = state.reload_models().await {
                tracing::error!("reload on SIGHUP failed: {error:#}");
            }
        }
    });
}

#[cfg(not(unix))]
fn spawn_reload_on_sighup(_state: AppState) {}

/// Applies the configuration file's models whenever its contents change. The file is read
/// again on every tick rather than watched: a Kubernetes ConfigMap volume updates by swapping
/// a symbolic link, which file-change notifications on the old target never see.
fn spawn_reload_on_file_change(state: AppState) {
    let Some(file) = Config::file_in_use(&state.overrides) else {
        return;
    };
    let every = Duration::from_secs(state.config.gateway.config_watch_seconds);
    let seen = Arc::new(std::sync::Mutex::new(std::fs::read(&file).ok()));
    spawn_every(every, move || {
        let (state, file, seen) = (state.clone(), file.clone(), seen.clone());
        async move {
            let now = tokio::fs::read(&file).await.ok();
            let changed = match seen.lock() {
                Ok(mut seen) if *seen != now => {
                    *seen = now;
                    true
                }
                _ => false,
            };
            if changed {
                tracing::info!(file = %file.display(), "configuration file changed");
                if let Err(error) = state.reload_models().await {
                    tracing::error!(
                        "reload after the configuration file changed failed: {error:#}"
                    );
                }
            }
        }
    });
}

/// Migrates (or, with `--no-migrate`, checks migrations) before serving. A SQLite failure is
/// fatal; a server database that is not reachable or not migrated yet is retried in the
/// background while the server answers liveness and reports not-ready.
async fn prepare_database(state: &AppState, migrate: bool) -> anyhow::Result<()> {
    match db::prepare(&state.db, &state.db_location, migrate).await {
        Ok(()) => {
            tracing::info!(database = %state.db_location, migrated = migrate, "database ready");
            on_database_ready(state).await?;
            state.mark_schema_ready();
            Ok(())
        }
        Err(error) if matches!(state.db_location, Location::Sqlite(_)) => Err(error.into()),
        Err(error) => {
            tracing::error!(%error, "database not ready; serving as not ready and retrying every 5s");
            let state = state.clone();
            tokio::spawn(async move { retry_database(state, migrate).await });
            Ok(())
        }
    }
}

async fn retry_database(state: AppState, migrate: bool) {
    loop {
        tokio::time::sleep(Duration::from_secs(5)).await;
        match db::prepare(&state.db, &state.db_location, migrate).await {
            Ok(()) => {
                tracing::info!(database = %state.db_location, "database ready");
                match on_database_ready(&state).await {
                    Ok(()) => state.mark_schema_ready(),
                    // Never ready (so never sent traffic) until restarted with that mended.
                    Err(error) => tracing::error!("not ready: {error:#}"),
                }
                return;
            }
            Err(error) => tracing::warn!(%error, "database still not ready"),
        }
    }
}

/// Resolves on ctrl-c or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
