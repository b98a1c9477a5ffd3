//! The command line: `switchyard [serve|migrate|reseal-credentials]` and the flags that
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
