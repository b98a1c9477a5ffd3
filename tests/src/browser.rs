//! A real headless Chromium, driven through chromedriver (WebDriver) with fantoccini.

use std::process::Stdio;

use fantoccini::{Client, ClientBuilder};
use serde_json::json;
use tokio::process::Command;

use crate::process::{Spawned, spawn_announcing};

/// Flags that make Debian's Chromium run headless as root on a machine without a network.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,800",
];

/// A browser session; dropping it ends chromedriver (and with it the browser).
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    _driver: Spawned,
    _profile: tempfile::TempDir,
}

fn chromedriver_port(line: &str) -> Option<String> {
    let port = line.split("started successfully on port ").nth(1)?;
    let port: String = port.chars().take_while(char::is_ascii_digit).collect();
    (!port.is_empty()).then(|| format!("http://127.0.0.1:{port}"))
}

impl Browser {
    /// Starts chromedriver and a fresh Chromium profile.
    pub async fn start() -> Self {
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let mut command = Command::new(chromedriver);
        command.arg("--port=0").stdin(Stdio::null());
        let driver = spawn_announcing(command, chromedriver_port).await;
        let profile = tempfile::tempdir().expect("browser profile dir");
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| (*s).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = json!({
            "goog:chromeOptions": { "binary": chromium, "args": args }
        });
        let capabilities = capabilities
            .as_object()
            .cloned()
            .expect("capabilities object");
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&driver.base)
            .await
            .expect("start a Chromium session through chromedriver");
        Self {
            client,
            _driver: driver,
            _profile: profile,
        }
    }
}
