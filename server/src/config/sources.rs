//! Where settings come from and which wins: defaults < file < `LITELLM_MASTER_KEY` <
//! `SWITCHYARD_…` < command-line flags. Kept apart from the sections so the precedence is
//! stated once, in one function.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};

/// Settings given on the command line, which win over every other source.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// The configuration file to read.
    pub file: Option<PathBuf>,
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--listen`.
    pub listen: Option<SocketAddr>,
}

/// The layered sources: defaults < file < `LITELLM_MASTER_KEY` < `SWITCHYARD_…` < flags.
pub(super) fn figment(file: Option<&Path>, overrides: &Overrides) -> Figment {
    let mut figment = Figment::new();
    if let Some(file) = file {
        figment = figment.merge(Toml::file_exact(file));
    }
    figment = figment
        .merge(
            Env::raw()
                .only(&["LITELLM_MASTER_KEY"])
                .map(|_| "master_key".into()),
        )
        // SWITCHYARD_OLD_CREDENTIALS_KEY is read by `reseal-credentials`, not configuration.
        .merge(
            Env::prefixed("SWITCHYARD_")
                .ignore(&["CONFIG", "OLD_CREDENTIALS_KEY"])
                .split("__"),
        );
    if let Some(dir) = &overrides.data_dir {
        figment = figment.merge(Serialized::default("data_dir", dir));
    }
    if let Some(listen) = &overrides.listen {
        figment = figment.merge(Serialized::default("listen", listen));
    }
    figment
}
