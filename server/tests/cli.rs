//! The command line of the real binary: help, version, and refusing bad configuration.

use std::process::Command;

fn switchyard() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    command
}

#[test]
fn version_and_help_name_the_commands() {
    let version = switchyard().arg("--version").output().unwrap();
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("switchyard {}", env!("CARGO_PKG_VERSION"))
    );
    let help = switchyard().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for word in ["serve", "migrate", "--config", "--data-dir"] {
        assert!(help.contains(word), "--help lacks {word}:\n{help}");
    }
}

#[test]
fn a_malformed_value_stops_start_up_naming_the_key() {
    let output = switchyard()
        .env("SWITCHYARD_LISTEN", "four-thousand")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("LISTEN") && stderr.contains("socket address"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_key_in_the_file_stops_start_up_naming_it_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let file = dir.join("switchyard.toml");
    std::fs::write(&file, "lissten = \"0.0.0.0:4000\"\n").unwrap();
    let output = switchyard().arg("--config").arg(&file).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("lissten"), "{stderr}");
    assert!(stderr.contains("switchyard.toml"), "{stderr}");
}

#[test]
fn a_missing_config_file_is_named() {
    let output = switchyard()
        .env("SWITCHYARD_CONFIG", "/nonexistent/switchyard.toml")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/switchyard.toml"), "{stderr}");
}

#[test]
fn an_unusable_data_directory_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let file = dir.join("occupied");
    std::fs::write(&file, b"not a directory").unwrap();
    let output = switchyard()
        .arg("migrate")
        .env("SWITCHYARD_DATA_DIR", file.join("data"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot use data directory"), "{stderr}");
    assert!(stderr.contains("SWITCHYARD_DATA_DIR"), "{stderr}");
}

#[test]
fn migrate_on_an_unreachable_database_fails_without_leaking_the_password() {
    let output = switchyard()
        .arg("migrate")
        .env(
            "SWITCHYARD_DATABASE_URL",
            "postgres://u:hunter2@127.0.0.1:1/none",
        )
        .env("SWITCHYARD_DATABASE__CONNECT_TIMEOUT_SECONDS", "2")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("postgres://127.0.0.1:1/none"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_embedded_default_migrates_into_a_new_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let data = dir.join("deep/new/data");
    let output = switchyard()
        .arg("migrate")
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(data.join("switchyard.sqlite").is_file());
    // A second run has nothing to do and still succeeds.
    let again = switchyard()
        .arg("migrate")
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert!(again.status.success());
}
