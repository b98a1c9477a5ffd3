//! Spawning a child process whose output announces the address it listens on, and keeping
//! its output for assertions and for failure messages.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

/// A running child and everything it printed so far.
pub struct Spawned {
    /// The child process (killed on drop).
    pub child: Child,
    /// Lines from stdout and stderr, in arrival order per stream.
    pub output: Arc<Mutex<Vec<String>>>,
    /// `http://host:port` from the announcement line.
    pub base: String,
}

fn collect<R: AsyncRead + Unpin + Send + 'static>(
    reader: R,
    output: Arc<Mutex<Vec<String>>>,
    tx: tokio::sync::mpsc::UnboundedSender<String>,
) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(reader).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            output.lock().unwrap().push(line.clone());
            let _ = tx.send(line);
        }
    });
}

/// Finds `http://…` after `marker` in `line`.
pub fn address_after(line: &str, marker: &str) -> Option<String> {
    let rest = &line[line.find(marker)? + marker.len()..];
    let start = rest.find("http://").or_else(|| rest.find("https://"))?;
    let url: String = rest[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"')
        .collect();
    Some(url)
}

/// The URL in a "… listening on http://…" line.
pub fn listening_on(line: &str) -> Option<String> {
    address_after(line, "listening on")
}

/// Spawns `command` and waits (up to 60 s) for a line from which `announce` reads the base
/// URL. Panics with everything the child printed if it exits or stays silent.
pub async fn spawn_announcing(
    command: Command,
    announce: impl Fn(&str) -> Option<String>,
) -> Spawned {
    match try_spawn_announcing(command, announce).await {
        Ok(spawned) => spawned,
        Err(failure) => panic!("{failure}"),
    }
}

/// [`spawn_announcing`], with a child that exits or stays silent as an error that says what
/// it printed (the child is killed), for a caller that can try again.
pub async fn try_spawn_announcing(
    mut command: Command,
    announce: impl Fn(&str) -> Option<String>,
) -> Result<Spawned, String> {
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let mut child = command.spawn().expect("spawn child process");
    let output = Arc::new(Mutex::new(Vec::new()));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    collect(
        child.stdout.take().expect("stdout"),
        output.clone(),
        tx.clone(),
    );
    collect(child.stderr.take().expect("stderr"), output.clone(), tx);
    let wait = async {
        while let Some(line) = rx.recv().await {
            if let Some(base) = announce(&line) {
                return Some(base);
            }
        }
        None
    };
    match tokio::time::timeout(Duration::from_secs(60), wait).await {
        Ok(Some(base)) => Ok(Spawned {
            child,
            output,
            base,
        }),
        _ => {
            let _ = child.start_kill();
            let printed = output.lock().unwrap().join("\n");
            Err(format!(
                "{command:?} did not announce its address; it printed:\n{printed}"
            ))
        }
    }
}

/// Sends SIGTERM to `child`.
pub fn terminate(child: &Child) {
    signal(child, "TERM");
}

/// Sends the signal `name` (`TERM`, `HUP`, `KILL`, ...) to `child`.
pub fn signal(child: &Child, name: &str) {
    if let Some(pid) = child.id() {
        let status = std::process::Command::new("kill")
            .args([&format!("-{name}"), &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} {pid} failed");
    }
}

#[cfg(test)]
mod tests {
    use super::address_after;

    #[test]
    fn the_address_is_read_from_text_and_json_logs() {
        let text = "2026 INFO switchyard_server::run: switchyard listening on http://127.0.0.1:4123 version=\"0.1\"";
        assert_eq!(
            address_after(text, "listening on").as_deref(),
            Some("http://127.0.0.1:4123")
        );
        let json = r#"{"message":"switchyard listening on http://127.0.0.1:9","address":"x"}"#;
        assert_eq!(
            address_after(json, "listening on").as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(address_after("nothing here", "listening on"), None);
    }
}
