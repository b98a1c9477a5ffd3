#!/usr/bin/env bash
# Installs what building and testing Switchyard needs, skipping whatever is already there.
# Versions come from one place: Trunk.toml (trunk-version, [tools] wasm_bindgen).
# Sourced by deploy/demo.sh, deploy/build-image.sh and tests/ci.sh; safe to run on its own.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The version string inside `key = "..."` in Trunk.toml (a leading `=` is dropped).
trunk_toml_value() {
  sed -n "s/^$1 *= *\"=\{0,1\}\([^\"]*\)\".*/\1/p" "$root/Trunk.toml" | head -n 1
}

ensure_apt() {
  local missing=()
  for spec in "$@"; do
    local bin="${spec%%:*}" pkg="${spec##*:}"
    command -v "$bin" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_rust_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_cargo_tool() { # binary, crate, version, extra cargo-install flags...
  local bin="$1" crate="$2" version="$3"; shift 3
  if "$bin" --version 2>/dev/null | grep -q " $version\$\| $version "; then
    return
  fi
  log "installing $crate $version (cargo install; this takes several minutes once)"
  cargo install "$crate" --version "$version" "$@"
}

ensure_frontend_assets() {
  local dir="$root/frontend"
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "installing front-end assets (npm ci: PatternFly, GraphiQL)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The test OpenID provider (node-oidc-provider), pinned in tests/oidc/package-lock.json.
ensure_oidc_provider() {
  local dir="$root/tests/oidc"
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "installing the test OpenID provider (npm ci in tests/oidc)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

ensure_build_tools() {
  ensure_apt node:nodejs npm:npm
  ensure_rust_target
  # trunk's own lock file builds on this toolchain; wasm-bindgen-cli's names a crate version
  # this registry lacks, so it is resolved afresh.
  ensure_cargo_tool trunk trunk "$(trunk_toml_value trunk-version)" --locked
  ensure_cargo_tool wasm-bindgen wasm-bindgen-cli "$(trunk_toml_value wasm_bindgen)"
  ensure_frontend_assets
}

ensure_browser() {
  ensure_apt chromium:chromium chromedriver:chromium-driver
}

# PostgreSQL and Redis run on this kind of machine; start them if they are down.
ensure_services() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    log "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 30); do redis-cli ping >/dev/null 2>&1 && break; sleep 1; done
  fi
  pg_isready -h 127.0.0.1 -p 5432 >/dev/null || { echo "PostgreSQL is not running" >&2; exit 1; }
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis is not running" >&2; exit 1; }
}

# The OpenAI Python SDK, pinned in tests/clients/requirements.txt, for the client tests.
ensure_sdk_venv() {
  local venv="$root/target/sdk-venv" requirements="$root/tests/clients/requirements.txt"
  if [ ! -x "$venv/bin/python" ] || [ "$requirements" -nt "$venv/.installed" ]; then
    log "installing the OpenAI and Anthropic Python SDKs into target/sdk-venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    touch "$venv/.installed"
  fi
}

# The manifest test's tools: kubectl (it renders Kustomize offline; this machine kind ships it)
# and kubernetes-validate, pinned in tests/manifests/requirements.txt, whose package carries
# the Kubernetes JSON schemas, so validation needs no network.
ensure_manifest_tools() {
  local venv="$root/target/manifests-venv" requirements="$root/tests/manifests/requirements.txt"
  command -v kubectl >/dev/null 2>&1 || { echo "kubectl is missing: the manifest test renders with it" >&2; exit 1; }
  if [ ! -x "$venv/bin/python" ] || [ "$requirements" -nt "$venv/.installed" ]; then
    log "installing kubernetes-validate into target/manifests-venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    touch "$venv/.installed"
  fi
}

# A static server: the musl target, and musl-gcc for the C inside it (ring, the bundled
# SQLite, jemalloc).
ensure_musl_tools() {
  if ! rustup target list --installed | grep -qx x86_64-unknown-linux-musl; then
    log "adding the x86_64-unknown-linux-musl target"
    rustup target add x86_64-unknown-linux-musl
  fi
  ensure_apt musl-gcc:musl-tools
}

# The image (deploy/build-image.sh): a static server, and buildah to assemble the image.
ensure_image_tools() {
  ensure_musl_tools
  ensure_apt buildah:buildah
}

# Builds the server as one static musl binary (the `image` profile) and prints its path.
build_static_server() {
  log "building the static server (x86_64-unknown-linux-musl, profile image)"
  (cd "$root" && cargo build --locked --profile image --target x86_64-unknown-linux-musl \
    -p switchyard-server --bin switchyard) >&2
  echo "$root/target/x86_64-unknown-linux-musl/image/switchyard"
}

# Lays out the image's files in $1 with the modes they keep in the image: the static
# server $2 as /app/switchyard, the built SPA as /app/dist, a passwd/group naming user 1001,
# and the empty /data mount point. Everything is readable by group 0 (OpenShift's arbitrary
# user id is in it); only /data is writable, by group 0. deploy/build-image.sh and
# deploy/Containerfile both build from this.
stage_image_root() {
  local stage="$1" binary="$2"
  rm -rf "$stage"
  mkdir -p "$stage/app" "$stage/data" "$stage/etc"
  install -m 0755 "$binary" "$stage/app/switchyard"
  cp -R "$root/frontend/dist" "$stage/app/dist"
  printf 'root:x:0:0:root:/:/sbin/nologin\nswitchyard:x:1001:0:Switchyard:/app:/sbin/nologin\n' \
    >"$stage/etc/passwd"
  printf 'root:x:0:\n' >"$stage/etc/group"
  find "$stage" -type d -exec chmod 0755 {} +
  find "$stage" -type f ! -path "$stage/app/switchyard" -exec chmod 0644 {} +
  chmod 0775 "$stage/data"
}

build_spa() {
  log "building the SPA (trunk build --release)"
  (cd "$root" && trunk build --release)
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ensure_build_tools
  ensure_browser
fi
