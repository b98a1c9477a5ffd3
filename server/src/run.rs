//! Start-up and shutdown: build the state once, serve until a signal, drain, exit.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::cache::Cache;
use crate::cli::Command;
use crate::config::Config;
use crate::db::{self, Location};
use crate::state::{App, AppState};

/// Runs `command` on a multi-threaded runtime.
pub fn block_on(command: Command, config: Config) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        match command {
            Command::Serve { no_migrate } => serve(config, !no_migrate).await,
            Command::Migrate => migrate(config).await,
        }
    })
}

/// `switchyard migrate`: apply migrations and exit; an unreachable database is an error.
async fn migrate(config: Config) -> anyhow::Result<()> {
    let (db, location) = db::connect(&config).await?;
    db::migrate(&db, &location).await?;
    tracing::info!(database = %location, "migrations applied");
    Ok(())
}

/// `switchyard serve`: serve until SIGTERM or ctrl-c, then drain.
async fn serve(config: Config, migrate: bool) -> anyhow::Result<()> {
    let migrate = migrate && config.migrate_on_start;
    let (db, location) = db::connect(&config).await?;
    let cache = config.redis_url.as_ref().map(Cache::new).transpose()?;
    let schema = schema::build_schema(schema::Deps {
        db: db.clone(),
        version: crate::VERSION,
    });
    let state = AppState(Arc::new(App {
        config,
        db,
        db_location: location,
        db_ready: AtomicBool::new(false),
        cache,
        schema,
    }));

    prepare_database(&state, migrate).await?;
    if let Some(cache) = &state.cache {
        match cache.ping().await {
            Ok(()) => tracing::info!(redis = %cache.display(), "redis connected"),
            Err(error) => {
                tracing::error!(%error, "redis unreachable; readiness reports 503 until it answers")
            }
        }
    }

    let listener = TcpListener::bind(state.config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", state.config.listen))?;
    let address = listener
        .local_addr()
        .context("cannot read the bound address")?;
    tracing::info!(version = crate::VERSION, %address, "switchyard listening on http://{address}");

    let grace = crate::router::grace(state.config.shutdown_grace_seconds);
    let app = crate::router::build(state);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        let mut stop_rx = stop_rx;
        // An error means the sender is gone, which only happens when we are stopping anyway.
        let _ = stop_rx.wait_for(|stop| *stop).await;
    });
    let server = tokio::spawn(async move { server.await });

    shutdown_signal().await;
    tracing::info!(?grace, "shutting down: draining open requests");
    // The receiver lives inside the server task; if it already ended, there is nothing to stop.
    let _ = stop_tx.send(true);
    match tokio::time::timeout(grace, server).await {
        Ok(joined) => joined
            .context("the server task failed")?
            .context("the server failed")?,
        Err(_) => tracing::warn!("grace period over; closing the remaining connections"),
    }
    tracing::info!("stopped");
    Ok(())
}

/// Migrates (or, with `--no-migrate`, checks migrations) before serving. A SQLite failure is
/// fatal; a server database that is not reachable or not migrated yet is retried in the
/// background while the server answers liveness and reports not-ready.
async fn prepare_database(state: &AppState, migrate: bool) -> anyhow::Result<()> {
    match db::prepare(&state.db, &state.db_location, migrate).await {
        Ok(()) => {
            tracing::info!(database = %state.db_location, migrated = migrate, "database ready");
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
                state.mark_schema_ready();
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
