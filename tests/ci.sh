#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this). From a fresh machine of
# this kind it installs what is missing, makes sure PostgreSQL and Redis are up, then checks
# formatting and lints, builds the SPA, and runs every test: PostgreSQL and Redis
# integration, the embedded SQLite default, and headless Chromium.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=tests/tools.sh
source "$root/tests/tools.sh"

ensure_build_tools
ensure_browser
ensure_sdk_venv
ensure_manifest_tools
ensure_oidc_provider
ensure_image_tools
ensure_services

log "cargo fmt --check"
cargo fmt --all --check

log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

build_spa

log "building the binaries under test"
cargo build --workspace --bins --locked
# The image test (tests/tests/image.rs) builds the image from this static server.
build_static_server >/dev/null

log "dropping databases left by earlier runs"
psql -h 127.0.0.1 -U postgres -d postgres -Atc \
  "SELECT datname FROM pg_database WHERE datname LIKE 'sy_test_%' OR datname LIKE 'sy_template_%'" |
  while read -r db; do
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
  done

log "running the tests"
cargo nextest run --workspace --locked --no-fail-fast
