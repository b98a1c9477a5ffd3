#!/usr/bin/env bash
# Runs a local Switchyard demo: installs what is missing, builds the SPA and the server,
# starts two mock model servers as the clusters "aws" and "gaudi", and serves the portal and
# APIs on the embedded default (SQLite in ./data). Ctrl-C stops everything.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=tests/tools.sh
source "$root/tests/tools.sh"

listen="${SWITCHYARD_LISTEN:-127.0.0.1:4000}"
aws_port="${DEMO_AWS_PORT:-8001}"
gaudi_port="${DEMO_GAUDI_PORT:-8002}"

ensure_build_tools
build_spa
log "building switchyard and mock-upstream (release)"
cargo build --release --locked -p switchyard-server -p switchyard-tests --bins

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

log "starting mock model servers: aws on :$aws_port, gaudi on :$gaudi_port"
target/release/mock-upstream --listen "127.0.0.1:$aws_port" --name aws --token-ms 20 \
  --models granite-3-2-8b-instruct,nomic-embed-text-v1-5,docling &
pids+=($!)
target/release/mock-upstream --listen "127.0.0.1:$gaudi_port" --name gaudi --token-ms 20 \
  --models granite-3-2-8b-instruct,llama-3-1-8b-instruct &
pids+=($!)

demo_user="${DEMO_USER:-demo}"
demo_password="${DEMO_PASSWORD:-demo-password}"
master_key="${SWITCHYARD_MASTER_KEY:-sk-demo-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
config="$root/data/demo.toml"
mkdir -p "$root/data"
# The demo's models, declared as an operator would keep them in Git: granite on both clusters.
cat > "$config" <<TOML
[[models]]
name = "granite-3-2-8b-instruct"
description = "IBM Granite 3.2 8B Instruct"
provider = "hosted_vllm"
capabilities = ["chat", "completion", "tools"]
context_length = 131072
input_cost_per_token = 2.0e-7
output_cost_per_token = 6.0e-7
[[models.deployments]]
cluster = "aws"
api_base = "http://127.0.0.1:$aws_port/v1"
[[models.deployments]]
cluster = "gaudi"
api_base = "http://127.0.0.1:$gaudi_port/v1"

[[models]]
name = "llama-3-1-8b-instruct"
provider = "hosted_vllm"
capabilities = ["chat", "completion"]
input_cost_per_token = 1.5e-7
output_cost_per_token = 4.5e-7
[[models.deployments]]
cluster = "gaudi"
api_base = "http://127.0.0.1:$gaudi_port/v1"

[[models]]
name = "nomic-embed-text-v1-5"
provider = "hosted_vllm"
capabilities = ["embeddings"]
input_cost_per_token = 1.0e-8
[[models.deployments]]
cluster = "aws"
api_base = "http://127.0.0.1:$aws_port/v1"

[[models]]
name = "docling"
provider = "docling"
capabilities = ["document_conversion"]
[[models.deployments]]
cluster = "aws"
api_base = "http://127.0.0.1:$aws_port"
TOML
cat <<MSG

  Switchyard demo
  ---------------
  Portal:     http://$listen/
  GraphiQL:   http://$listen/graphql
  Readiness:  http://$listen/health/readiness
  Master key: $master_key   (admin API and GraphQL administration)
  Clusters:   aws   http://127.0.0.1:$aws_port   (granite-3-2-8b-instruct, nomic-embed-text-v1-5, docling)
              gaudi http://127.0.0.1:$gaudi_port   (granite-3-2-8b-instruct, llama-3-1-8b-instruct)
  Try it:     curl http://$listen/v1/chat/completions -H "Authorization: Bearer $master_key" \\
                -d '{"model": "granite-3-2-8b-instruct", "messages": [{"role": "user", "content": "hi"}]}'
  Sign-in:    http://$listen/login as "$demo_user" with the password "$demo_password" (a
              user with a week of synthetic usage, marked as demo data), or as "admin"
              with the password printed below at the first start (set
              auth.bootstrap_password to choose it). Data lives in ./data (delete it to
              start over); models in $config.

MSG
SWITCHYARD_LISTEN="$listen" SWITCHYARD_MASTER_KEY="$master_key" \
  target/release/switchyard --config "$config" serve &
pids+=($!)
server=$!

# Once the server has migrated the database and loaded the catalog, give the demo user a
# week of usage so the portal's charts show something (only here: demo data, marked so).
for _ in $(seq 1 120); do
  curl -fsS "http://$listen/health/readiness" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || exit 1
  sleep 0.5
done
target/release/demo-seed --database-url "sqlite://$root/data/switchyard.sqlite?mode=rwc" \
  --user "$demo_user" --password "$demo_password" ||
  log "demo-seed failed: the portal works, without the demo user's history"
wait "$server"
