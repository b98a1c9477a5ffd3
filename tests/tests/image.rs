//! The container image that `deploy/build-image.sh` builds offline with buildah, checked
//! from its own filesystem: the test builds it, mounts it and runs its entrypoint there with
//! `chroot` (containers cannot run on these machines, but a mounted image can), as
//! OpenShift's arbitrary user id in group 0. `--version` answers, `serve` on the embedded
//! SQLite in `/data` answers readiness and the portal, and nothing outside `/data` is
//! written. The image's metadata (non-root user, entrypoint, ports, annotations), the static
//! binary and the group-0 permissions are asserted beside.
//!
//! `tests/ci.sh` installs buildah and builds the static server before the suite, so the test
//! only assembles the image. It is skipped, with the reason printed, where buildah is missing
//! or the test is not root (`chroot` needs it). The Containerfile check runs everywhere.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use harness::process::{listening_on, spawn_announcing, terminate};
use serde_json::Value;

/// The user OpenShift's restricted profile picks: an arbitrary high id, always in group 0.
const ARBITRARY_USER: &str = "1000770000:0";

/// Why the test cannot run on this machine, if it cannot.
fn missing_prerequisite() -> Option<&'static str> {
    let runs = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
    };
    if runs("buildah", &["--version"]).is_none() {
        return Some("buildah is not installed (tests/ci.sh installs it: apt-get install buildah)");
    }
    match runs("id", &["-u"]) {
        Some(out) if String::from_utf8_lossy(&out.stdout).trim() == "0" => None,
        _ => Some("not root: mounting an image and chroot into it need root"),
    }
}

fn run(program: &str, args: &[&str]) -> Output {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A built image, mounted through a working container; all three are removed on drop.
struct MountedImage {
    tag: String,
    container: String,
    root: PathBuf,
}

impl MountedImage {
    /// Builds the image with the script (the SPA is already built) and mounts it.
    fn build(tag: &str) -> Self {
        harness::spa_dist();
        let script = harness::workspace_root().join("deploy/build-image.sh");
        // Only what a shell would have: cargo's variables for this test process must not
        // reach the cargo inside the script.
        let mut command = Command::new("bash");
        command
            .args([&script.to_string_lossy(), "--no-spa-build", "--tag", tag])
            .env_clear()
            .envs(std::env::vars().filter(|(name, _)| {
                ["PATH", "HOME", "CARGO_HOME", "RUSTUP_HOME"].contains(&name.as_str())
            }));
        let out = command.output().unwrap();
        assert!(
            out.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let last = stdout(&out);
        assert!(
            last.starts_with(tag),
            "the script ends by printing the tag and the size: {last}"
        );
        eprintln!("built {last}");
        let container = stdout(&run("buildah", &["from", "--quiet", tag]));
        let root = PathBuf::from(stdout(&run("buildah", &["mount", &container])));
        Self {
            tag: tag.to_owned(),
            container,
            root,
        }
    }

    /// The image's OCI configuration (`config` of the image config blob).
    fn config(&self) -> Value {
        let out = run("buildah", &["inspect", "--type", "image", &self.tag]);
        let inspect: Value = serde_json::from_slice(&out.stdout).unwrap();
        inspect["OCIv1"]["config"].clone()
    }

    /// The manifest's annotations.
    fn annotations(&self) -> Value {
        let out = run("buildah", &["inspect", "--type", "image", &self.tag]);
        let inspect: Value = serde_json::from_slice(&out.stdout).unwrap();
        inspect["ImageAnnotations"].clone()
    }

    /// `chroot` into the image as `user`, with the image's environment and nothing else.
    fn chroot(&self, user: &str, argv: &[String], env: &[(String, String)]) -> Command {
        let mut command = Command::new("/usr/sbin/chroot");
        command
            .arg(format!("--userspec={user}"))
            .arg(&self.root)
            .args(argv)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)));
        command
    }
}

impl Drop for MountedImage {
    fn drop(&mut self) {
        for args in [
            vec!["umount", &self.container],
            vec!["rm", &self.container],
            vec!["rmi", &self.tag],
        ] {
            let _ = Command::new("buildah").args(&args).output();
        }
    }
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// `NAME=value` pairs of the image's `Env`.
fn image_env(config: &Value) -> Vec<(String, String)> {
    strings(&config["Env"])
        .iter()
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// The ELF program header types of a 64-bit little-endian executable.
fn program_header_types(elf: &[u8]) -> Vec<u32> {
    assert_eq!(&elf[..4], b"\x7fELF", "not an ELF file");
    assert_eq!((elf[4], elf[5]), (2, 1), "not 64-bit little-endian");
    let u16_at = |at: usize| u16::from_le_bytes([elf[at], elf[at + 1]]) as usize;
    let phoff = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let (size, count) = (u16_at(0x36), u16_at(0x38));
    (0..count)
        .map(|i| {
            let at = phoff + i * size;
            u32::from_le_bytes(elf[at..at + 4].try_into().unwrap())
        })
        .collect()
}

/// Every path under `root` (relative) with its metadata.
fn walk(root: &Path) -> BTreeMap<PathBuf, std::fs::Metadata> {
    let mut found = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                pending.push(path.clone());
            }
            found.insert(path.strip_prefix(root).unwrap().to_path_buf(), meta);
        }
    }
    found
}

/// Size and modification time of everything outside `/data`.
fn outside_data(root: &Path) -> BTreeMap<PathBuf, (u64, SystemTime)> {
    walk(root)
        .into_iter()
        .filter(|(path, _)| !path.starts_with("data"))
        .map(|(path, meta)| (path, (meta.len(), meta.modified().unwrap())))
        .collect()
}

#[tokio::test]
async fn the_image_runs_its_entrypoint_from_its_own_filesystem() {
    if let Some(reason) = missing_prerequisite() {
        eprintln!("SKIPPED the image test: {reason}");
        return;
    }
    let image = MountedImage::build(&format!("localhost/switchyard-test:{}", std::process::id()));
    let version = env!("CARGO_PKG_VERSION");

    // The metadata: non-root, the binary as entrypoint with `serve` by default, ports, labels.
    let config = image.config();
    assert_eq!(config["User"], "1001:0", "{config}");
    assert_eq!(
        strings(&config["Entrypoint"]),
        ["/app/switchyard"],
        "{config}"
    );
    assert_eq!(strings(&config["Cmd"]), ["serve"], "{config}");
    assert!(config["ExposedPorts"].get("4000/tcp").is_some(), "{config}");
    assert!(config["Volumes"].get("/data").is_some(), "{config}");
    let annotations = image.annotations();
    for value in [&config["Labels"], &annotations] {
        assert_eq!(value["org.opencontainers.image.title"], "switchyard");
        assert_eq!(value["org.opencontainers.image.version"], version);
    }

    // From scratch: the binary, the SPA, passwd/group and the /data mount point, nothing else.
    let files = walk(&image.root);
    let top: Vec<_> = files
        .keys()
        .filter(|p| p.components().count() == 1)
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(top, ["app", "data", "etc"], "the image's top level");
    assert!(image.root.join("app/dist/index.html").is_file());

    // One static executable: no ELF interpreter, so no shared library can be asked for.
    let binary = std::fs::read(image.root.join("app/switchyard")).unwrap();
    const PT_INTERP: u32 = 3;
    assert!(
        !program_header_types(&binary).contains(&PT_INTERP),
        "the binary names an ELF interpreter: it is not static"
    );

    // Group 0 reads everything (OpenShift's arbitrary user is in group 0); only /data, the
    // volume's mount point, is writable, and only by group 0.
    for (path, meta) in &files {
        let mode = meta.mode() & 0o7777;
        assert_eq!(meta.gid(), 0, "{} is not in group 0", path.display());
        let wanted = if meta.is_dir() { 0o050 } else { 0o040 };
        assert_eq!(mode & wanted, wanted, "{} mode {mode:o}", path.display());
        assert_eq!(mode & 0o002, 0, "{} is world-writable", path.display());
        if path != Path::new("data") {
            assert_eq!(mode & 0o020, 0, "{} is group-writable", path.display());
        }
    }

    // The entrypoint, from the image's filesystem, as an arbitrary user in group 0.
    let entrypoint = strings(&config["Entrypoint"]);
    let env = image_env(&config);
    let mut argv = entrypoint.clone();
    argv.push("--version".into());
    let out = image.chroot(ARBITRARY_USER, &argv, &env).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out), format!("switchyard {version}"));

    // `serve` (the default command) on the embedded SQLite in /data.
    let before = outside_data(&image.root);
    let mut argv = entrypoint;
    argv.extend(strings(&config["Cmd"]));
    let mut env = env;
    env.extend(
        [
            ("SWITCHYARD_LISTEN", "127.0.0.1:0"),
            ("SWITCHYARD_MASTER_KEY", harness::MASTER_KEY),
            ("SWITCHYARD_SHUTDOWN_GRACE_SECONDS", "2"),
            ("RUST_LOG", "info"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    let command = tokio::process::Command::from(image.chroot(ARBITRARY_USER, &argv, &env));
    let mut server = spawn_announcing(command, listening_on).await;
    let client = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let readiness = loop {
        let response = client
            .get(format!("{}/health/readiness", server.base))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        if status == 200 || tokio::time::Instant::now() > deadline {
            break (status, body);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(readiness.0, 200, "{}", readiness.1);
    assert_eq!(readiness.1["status"], "healthy");
    assert_eq!(readiness.1["db"], "connected");
    assert_eq!(readiness.1["switchyard_version"], version);
    // As a browser asks for it (other clients get the API's JSON 404 for unknown paths).
    let portal = client
        .get(&server.base)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(portal.status(), 200);
    let index = portal.text().await.unwrap();
    assert!(index.contains("<title>Switchyard</title>"), "{index}");

    terminate(&server.child);
    let status = tokio::time::timeout(Duration::from_secs(20), server.child.wait())
        .await
        .expect("the server stops after SIGTERM")
        .unwrap();
    let printed = server.output.lock().unwrap().join("\n");
    assert!(status.success(), "{status}: {printed}");

    // It wrote its database and key under /data, as that user, and nothing anywhere else.
    let data = std::fs::metadata(image.root.join("data/credentials.key")).unwrap();
    assert_eq!(data.uid(), 1_000_770_000, "{printed}");
    assert_eq!(
        outside_data(&image.root),
        before,
        "serve wrote outside /data"
    );
}

/// deploy/Containerfile, for builders with registry access, makes the layout the script
/// makes: the script's image is the one tested above; this keeps the Containerfile's
/// metadata from drifting from it.
#[test]
fn the_containerfile_makes_the_same_layout_as_the_script() {
    let read = |path: &str| std::fs::read_to_string(harness::workspace_root().join(path)).unwrap();
    let containerfile = read("deploy/Containerfile");
    let script = read("deploy/build-image.sh");
    let version = env!("CARGO_PKG_VERSION");
    for line in [
        "FROM scratch".to_owned(),
        format!("ARG VERSION={version}"),
        "ENV SWITCHYARD_STATIC_DIR=/app/dist SWITCHYARD_DATA_DIR=/data".into(),
        "USER 1001:0".into(),
        "EXPOSE 4000 9090".into(),
        "VOLUME /data".into(),
        r#"ENTRYPOINT ["/app/switchyard"]"#.into(),
        r#"CMD ["serve"]"#.into(),
    ] {
        assert!(
            containerfile.lines().any(|l| l == line),
            "Containerfile: no `{line}`"
        );
    }
    for flag in [
        "--user 1001:0",
        "--env SWITCHYARD_STATIC_DIR=/app/dist",
        "--env SWITCHYARD_DATA_DIR=/data",
        "--port 4000/tcp --port 9090/tcp",
        "--volume /data",
        r#"--entrypoint '["/app/switchyard"]'"#,
        "--cmd serve",
    ] {
        assert!(script.contains(flag), "build-image.sh: no `{flag}`");
    }
    // The files themselves are laid out by one function both call.
    for text in [&script, &containerfile] {
        assert!(text.contains("stage_image_root "), "{text}");
        assert!(text.contains("build_static_server"), "{text}");
    }
}
