//! Rendering the Kustomize trees under `deploy/kubernetes` (and `deploy/gitops`) offline and
//! reading them back as JSON, for the manifest, observability and GitOps tests: `kubectl kustomize` renders, and
//! `tests/manifests/validate.py` (in the venv `ensure_manifest_tools` makes) validates or just
//! converts, since nothing in this crate reads YAML.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn python() -> PathBuf {
    let python = crate::workspace_root().join("target/manifests-venv/bin/python");
    assert!(
        python.exists(),
        "kubernetes-validate is missing: run tests/ci.sh (or `source tests/tools.sh && \
         ensure_manifest_tools`)"
    );
    python
}

/// Renders `tree` (a directory under `deploy/kubernetes`) into a YAML file in `dir`.
pub fn render(tree: &str, dir: &Path) -> PathBuf {
    render_in("deploy/kubernetes", tree, dir)
}

/// Renders `tree`, a directory under `layout` (such as `deploy/gitops`), into a YAML file in
/// `dir`.
pub fn render_in(layout: &str, tree: &str, dir: &Path) -> PathBuf {
    let output = Command::new("kubectl")
        .arg("kustomize")
        .arg(crate::workspace_root().join(layout).join(tree))
        .output()
        .expect("kubectl (this machine kind ships it at /usr/bin/kubectl)");
    assert!(
        output.status.success(),
        "kubectl kustomize {tree}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let file = dir.join(format!("{}.yaml", tree.replace('/', "-")));
    std::fs::write(&file, &output.stdout).unwrap();
    file
}

/// Runs the validator over rendered files with `extra` arguments: `{file: [object, ...]}`,
/// or `Err(stderr)` when it refuses any object.
pub fn validate(files: &[PathBuf], extra: &[&str]) -> Result<Value, String> {
    let output = Command::new(python())
        .arg(crate::workspace_root().join("tests/manifests/validate.py"))
        .args(extra)
        .args(files)
        .output()
        .unwrap();
    if output.status.success() {
        Ok(serde_json::from_slice(&output.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// The objects `tree` renders to, not validated.
pub fn objects(tree: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let file = render(tree, dir.path());
    let json = validate(std::slice::from_ref(&file), &["--json-only"]).unwrap();
    json[file.display().to_string()].as_array().unwrap().clone()
}

/// Loads `toml` in the real server as a pod with `container` would (its plain environment
/// variables; secrets stay out, the server's defaults stand in for them): `switchyard migrate`
/// reads the whole configuration (an unknown or malformed key stops it) and migrates an
/// embedded database in a temporary directory. `Err(stderr)` when it refuses.
pub fn server_accepts(toml: &str, container: &Value) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("switchyard.toml");
    std::fs::write(&file, toml).unwrap();
    let env: Vec<(String, String)> = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["name"] != "SWITCHYARD_CONFIG")
        .filter_map(|e| Some((e["name"].as_str()?.into(), e["value"].as_str()?.into())))
        .collect();
    let output = Command::new(crate::switchyard_bin())
        .env_clear()
        .envs(env)
        .env("SWITCHYARD_DATA_DIR", dir.path().join("data"))
        .arg("--config")
        .arg(&file)
        .arg("migrate")
        .output()
        .unwrap();
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}
