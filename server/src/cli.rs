//! The command line: `switchyard [serve|migrate|reseal-credentials|import]` and the flags that
//! override configuration.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::Overrides;

/// Switchyard: one endpoint, one key, every model.
#[derive(Debug, Parser)]
#[command(name = "switchyard", version, about, long_about = None)]
pub struct Cli {
    /// Configuration file (TOML). Without it, ./switchyard.toml is read when present.
    #[arg(long, short = 'c', env = "SWITCHYARD_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Directory for the embedded database and other local state (created if missing).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on, such as 0.0.0.0:4000.
    #[arg(long, global = true)]
    pub listen: Option<SocketAddr>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the portal, GraphQL and the APIs (the default).
    Serve {
        /// Do not apply database migrations at start (for operators who run `migrate` apart).
        #[arg(long)]
        no_migrate: bool,
    },
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Re-seal stored model-server credentials with this configuration's credentials key,
    /// then exit. The old key is the one earlier versions derived from the master key
    /// (`--from-master-key`), or the one in the environment variable
    /// SWITCHYARD_OLD_CREDENTIALS_KEY (base64 of 32 bytes; not a flag, so it stays out of
    /// process lists).
    ResealCredentials {
        /// The credentials were sealed with the key derived from the master key.
        #[arg(long)]
        from_master_key: bool,
    },
    /// Bring another system's users, keys and models into this configuration's database,
    /// then exit.
    #[command(subcommand)]
    Import(ImportSource),
}

/// Where an import reads from.
#[derive(Debug, Clone, Subcommand)]
pub enum ImportSource {
    /// A LiteLLM proxy's PostgreSQL database: its users, virtual keys (which keep working
    /// with the plaintext their holders have), their budgets and spend, and the models
    /// registered through its admin API. Credentials LiteLLM sealed are opened with the
    /// environment's LITELLM_SALT_KEY (else LITELLM_MASTER_KEY), as LiteLLM itself does.
    Litellm {
        /// The LiteLLM database's URL (LiteLLM's DATABASE_URL), or the environment variable
        /// LITELLM_DATABASE_URL, which keeps its password out of process lists.
        #[arg(long = "from", env = "LITELLM_DATABASE_URL", hide_env_values = true)]
        from: String,
        /// Report what an import would add; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also bring LiteLLM's spend logs into the request log and the usage analytics
        /// (the spend they add up to is carried on keys and users either way).
        #[arg(long)]
        spend_logs: bool,
    },
}

impl Default for Command {
    fn default() -> Self {
        Self::Serve { no_migrate: false }
    }
}

impl Cli {
    /// The configuration overrides given on the command line.
    pub fn config_overrides(&self) -> Overrides {
        Overrides {
            file: self.config.clone(),
            data_dir: self.data_dir.clone(),
            listen: self.listen,
        }
    }
}
