//! The database: where it is (embedded SQLite or PostgreSQL), connecting, and migrating.
//!
//! Connection problems are errors with a message that names the database without its
//! password; they never panic. PostgreSQL is connected lazily so a server can start (live,
//! not ready) while the database is still coming up.

use std::path::{Path, PathBuf};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr,
    TransactionTrait,
};
use secrecy::ExposeSecret;

use crate::config::Config;

/// Where the data lives, as resolved from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The embedded default: a SQLite file (created when missing).
    Sqlite(PathBuf),
    /// A server database; `display` is the URL without credentials.
    Server { display: String },
}

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The data directory is missing and could not be created, or is not a directory.
    #[error("cannot use data directory {path}: {reason} (set SWITCHYARD_DATA_DIR or --data-dir)")]
    DataDir { path: PathBuf, reason: String },
    /// Connecting failed.
    #[error("cannot connect to database {location}: {source}")]
    Connect {
        location: String,
        #[source]
        source: DbErr,
    },
    /// Migrations are pending and this server was told not to apply them.
    #[error("database {location} has {count} pending migration(s); run `switchyard migrate`")]
    Pending { location: String, count: usize },
    /// Applying migrations failed.
    #[error("cannot migrate database {location}: {source}")]
    Migrate {
        location: String,
        #[source]
        source: DbErr,
    },
}

/// The file name of the embedded database inside the data directory.
pub const SQLITE_FILE: &str = "switchyard.sqlite";

impl Location {
    /// Resolves the configured location.
    pub fn from_config(config: &Config) -> Self {
        match &config.database_url {
            Some(url) => {
                let url = url.expose_secret();
                match url.strip_prefix("sqlite://") {
                    Some(path) if !path.starts_with(':') => {
                        Self::Sqlite(PathBuf::from(path.split('?').next().unwrap_or(path)))
                    }
                    _ => Self::Server {
                        display: redact_url(url),
                    },
                }
            }
            None => Self::Sqlite(config.data_dir.join(SQLITE_FILE)),
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite:{}", path.display()),
            Self::Server { display } => display.clone(),
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// `scheme://user:password@host/db` without the user info: safe to log and print.
pub fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host_and_path = rest.rsplit_once('@').map_or(rest, |(_, after)| after);
            let host_and_path = host_and_path.split('?').next().unwrap_or(host_and_path);
            format!("{scheme}://{host_and_path}")
        }
        None => "<unparseable URL>".into(),
    }
}

/// Creates `dir` (and its parents) when missing; explains what is wrong otherwise.
pub fn ensure_data_dir(dir: &Path) -> Result<bool, DbError> {
    let error = |reason: String| DbError::DataDir {
        path: dir.to_path_buf(),
        reason,
    };
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(false),
        Ok(_) => Err(error("it exists but is not a directory".into())),
        Err(_) => std::fs::create_dir_all(dir)
            .map(|()| true)
            .map_err(|e| error(format!("it is missing and could not be created: {e}"))),
    }
}

/// Opens a connection pool. SQLite files (and their directory) are created when missing;
/// server databases are connected lazily, so this only fails on a malformed URL.
pub async fn connect(config: &Config) -> Result<(DatabaseConnection, Location), DbError> {
    connect_pool(config, config.database.max_connections, false).await
}

/// The spend ledger's own pool: one connection, so its large batch statements are prepared
/// once; on SQLite with an 8 MB page cache (SQLite's default is 2 MB), which keeps the spend
/// log's index pages in memory instead of re-reading them. (16 MB gave +5% at saturation
/// while request ids were random; since they are time-ordered, 8 MB does as well and keeps
/// peak RSS under 64 MB.)
pub async fn connect_ledger(config: &Config) -> Result<(DatabaseConnection, Location), DbError> {
    connect_pool(config, 1, true).await
}

async fn connect_pool(
    config: &Config,
    size: u32,
    large_cache: bool,
) -> Result<(DatabaseConnection, Location), DbError> {
    let location = Location::from_config(config);
    let url = match (&location, &config.database_url) {
        (Location::Sqlite(path), _) => {
            let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
            if let Some(dir) = dir
                && ensure_data_dir(dir)?
            {
                tracing::info!(path = %dir.display(), "created the data directory");
            }
            format!("sqlite://{}?mode=rwc", path.display())
        }
        (Location::Server { .. }, Some(url)) => url.expose_secret().to_owned(),
        (Location::Server { .. }, None) => String::from("sqlite::memory:"),
    };
    let timeout = Duration::from_secs(config.database.connect_timeout_seconds);
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(size)
        .connect_timeout(timeout)
        .acquire_timeout(timeout)
        .sqlx_logging(false);
    if let Location::Sqlite(_) = location {
        // One writer at a time with WAL; waiting writers queue instead of failing. With WAL,
        // `synchronous = NORMAL` is durable against a crash of this process and syncs at
        // checkpoints rather than every commit (only a power loss can undo recent commits).
        options.map_sqlx_sqlite_opts(move |opts| {
            let opts = opts
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            if large_cache {
                opts.pragma("cache_size", "-8000")
            } else {
                opts
            }
        });
    } else {
        options.connect_lazy(true);
    }
    let db = Database::connect(options)
        .await
        .map_err(|source| DbError::Connect {
            location: location.describe(),
            source,
        })?;
    Ok((db, location))
}

/// The key of the PostgreSQL advisory lock that lets one replica at a time migrate
/// ("SyMigrat").
const MIGRATION_LOCK: i64 = 0x5379_4d69_6772_6174;

/// Applies every pending migration and says how many there were. On PostgreSQL, replicas
/// starting together take turns under a transaction-scoped advisory lock: the first applies
/// the migrations (sea-orm-migration runs them in its own transaction, here a savepoint of
/// this one), the others then wait for it and find none pending. A replica that dies
/// mid-way ends its transaction, which releases the lock and undoes its half-applied work.
pub async fn migrate(db: &DatabaseConnection, location: &Location) -> Result<usize, DbError> {
    let failed = |source| DbError::Migrate {
        location: location.describe(),
        source,
    };
    if db.get_database_backend() != DbBackend::Postgres {
        incremental_vacuum_when_new(db).await.map_err(failed)?;
        let pending = Migrator::get_pending_migrations(db).await.map_err(failed)?;
        Migrator::up(db, None).await.map_err(failed)?;
        return Ok(pending.len());
    }
    let txn = db.begin().await.map_err(failed)?;
    txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        .await
        .map_err(failed)?;
    let pending = Migrator::get_pending_migrations(&txn)
        .await
        .map_err(failed)?;
    if !pending.is_empty() {
        Migrator::up(&txn, None).await.map_err(failed)?;
    }
    txn.commit().await.map_err(failed)?;
    Ok(pending.len())
}

/// A new SQLite file (no tables yet) gets incremental auto-vacuum, so the retention pruner
/// can give deleted rows' pages back to the file system. It can only be chosen before the
/// first table (an existing file needs a `VACUUM` to switch, which OPERATIONS.md describes);
/// set once here, never on each pooled connection, where it made concurrent writers fail.
async fn incremental_vacuum_when_new(db: &DatabaseConnection) -> Result<(), DbErr> {
    let tables = db
        .query_one(sea_orm::Statement::from_string(
            DbBackend::Sqlite,
            "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'",
        ))
        .await?
        .map(|row| row.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    if tables == 0 {
        // One statement string, so both run on the same pooled connection.
        db.execute_unprepared("PRAGMA auto_vacuum = INCREMENTAL; VACUUM")
            .await?;
    }
    Ok(())
}

/// Succeeds when every migration is applied (for `serve --no-migrate`).
pub async fn check_migrated(db: &DatabaseConnection, location: &Location) -> Result<(), DbError> {
    let pending = Migrator::get_pending_migrations(db)
        .await
        .map_err(|source| DbError::Connect {
            location: location.describe(),
            source,
        })?;
    if pending.is_empty() {
        Ok(())
    } else {
        Err(DbError::Pending {
            location: location.describe(),
            count: pending.len(),
        })
    }
}

/// Applies migrations when `migrate` is set, else checks none are pending.
pub async fn prepare(
    db: &DatabaseConnection,
    location: &Location,
    migrate: bool,
) -> Result<(), DbError> {
    if migrate {
        let applied = self::migrate(db, location).await?;
        tracing::info!(database = %location, applied, "migrations applied");
    } else {
        check_migrated(db, location).await?;
    }
    // The spend log's coming months on PostgreSQL; rows of a month not made yet wait in the
    // default partition, so a failure here costs nothing but a warning.
    match schema::spend::partitions::prepare(db, chrono::Utc::now()).await {
        Ok(0) => {}
        Ok(made) => tracing::info!(made, "made the spend log's monthly partitions"),
        Err(error) => tracing::warn!(%error, "cannot make the spend log's monthly partitions"),
    }
    Ok(())
}

/// True when the database answers a trivial query.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(
            redact_url("postgres://admin:s3cret@db.internal:5432/switchyard?sslmode=require"),
            "postgres://db.internal:5432/switchyard"
        );
        assert_eq!(
            redact_url("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
        assert_eq!(redact_url("garbage"), "<unparseable URL>");
    }

    #[test]
    fn a_file_in_place_of_the_data_directory_is_explained() {
        let file = std::env::temp_dir().join(format!("switchyard-notadir-{}", std::process::id()));
        std::fs::write(&file, b"x").unwrap();
        let error = ensure_data_dir(&file).unwrap_err().to_string();
        assert!(error.contains("not a directory"), "{error}");
        std::fs::remove_file(file).unwrap();
    }
}
