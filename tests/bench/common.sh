# Shared by the gateway benchmarks (sourced, not run): start the release Switchyard and make
# virtual keys on it. The sourcing script sets `work` (a scratch directory holding
# `switchyard.toml`), `gw_port`, `master` (the master key) and a `pids` array its cleanup kills.

# Starts target/release/switchyard (or $GATEWAY_BIN, another build to compare with; not a
# SWITCHYARD_ variable, which the server would read as configuration) with
# $work/switchyard.toml on $gw_port, its data in $work/data and its log in $work/server.log;
# sets `gw_pid` and returns once it is ready.
start_switchyard() {
  SWITCHYARD_LISTEN="127.0.0.1:$gw_port" SWITCHYARD_DATA_DIR="$work/data" \
    "${GATEWAY_BIN:-target/release/switchyard}" --config "$work/switchyard.toml" serve 2>"$work/server.log" &
  gw_pid=$!
  pids+=("$gw_pid")
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$gw_port/health/readiness" >/dev/null && return 0
    sleep 0.1
  done
  echo "Switchyard did not become ready:" >&2
  cat "$work/server.log" >&2
  return 1
}

# Prints a new virtual key made by `/key/generate` with the JSON body $1.
new_key() {
  curl -fs "http://127.0.0.1:$gw_port/key/generate" -H "Authorization: Bearer $master" \
    -H 'Content-Type: application/json' -d "$1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])'
}

# Writes $work/switchyard.toml: the master key, warnings only, the TOML text $3 (other
# sections, may be empty), and one model `granite` priced per token, served by cluster $1 at
# the OpenAI base URL $2.
write_config() {
  cat > "$work/switchyard.toml" <<TOML
master_key = "$master"
[log]
level = "warn"
${3:-}
[[models]]
name = "granite"
input_cost_per_token = 2e-7
output_cost_per_token = 6e-7
[[models.deployments]]
cluster = "$1"
api_base = "$2"
TOML
}

# With STORES=postgres, points the Switchyard about to start at a fresh PostgreSQL database
# named $1 and Redis database $2 (emptied first); sets `bench_db`, which the sourcing script's
# cleanup drops with drop_bench_db. Otherwise (the embedded default) does nothing.
use_stores() {
  bench_db=""
  [ "${STORES:-embedded}" = postgres ] || return 0
  bench_db="$1"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $bench_db"
  redis-cli -n "$2" flushdb >/dev/null
  export SWITCHYARD_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$bench_db"
  export SWITCHYARD_REDIS_URL="redis://127.0.0.1:6379/$2"
}

# Drops the database use_stores made, if any.
drop_bench_db() {
  [ -n "${bench_db:-}" ] || return 0
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $bench_db WITH (FORCE)" || true
}

# Installs from Debian's packages each command named as `command:package` that is missing.
install_missing() {
  local missing=() pair
  for pair in "$@"; do command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}"); done
  [ "${#missing[@]}" -gt 0 ] || return 0
  echo "installing ${missing[*]} (apt)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Starts nginx on 127.0.0.1:$1 as a stand-in for a vLLM model server: every chat completion
# gets one fixed answer, and every embedding request one embedding of 1,536 numbers, so what
# a benchmark measures is the gateway, not a mock. Its files live in $work; the sourcing
# script's cleanup stops it (`kill "$(cat "$work/nginx.pid")"`).
start_stand_in() {
  # An embedding as a 1,536-dimension model answers it: 1,536 numbers, about 19 KB.
  python3 -c 'import json, random; random.seed(1); print(json.dumps({"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [round(random.uniform(-0.1, 0.1), 9) for _ in range(1536)]}], "model": "granite", "usage": {"prompt_tokens": 8, "total_tokens": 8}}, separators=(",", ":")))' >"$work/embedding.json"
  # nginx's workers run as another user: they must reach the file (mktemp makes $work 0700).
  chmod go+x "$work" && chmod go+r "$work/embedding.json"
  local answer='{"id":"chatcmpl-standin","object":"chat.completion","created":1700000000,"model":"granite","choices":[{"index":0,"message":{"role":"assistant","content":"a fixed answer of a few words from the stand-in"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":11,"total_tokens":23}}'
  cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
daemon on;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/body;
  server {
    listen 127.0.0.1:$1;
    keepalive_requests 1000000;
    location = /v1/chat/completions { default_type application/json; return 200 '$answer'; }
    # Too long for a string in the configuration: a file, which nginx serves a POST only
    # through an error page (the redirect turns it into a GET).
    location = /v1/embeddings { error_page 405 =200 /embedding.json; return 405; }
    location = /embedding.json { internal; root $work; default_type application/json; }
    location = /v1/models { default_type application/json; return 200 '{"object":"list","data":[{"id":"granite","object":"model"}]}'; }
    location / { default_type text/plain; return 200 'ok'; }
  }
}
NGINX
  nginx -c "$work/nginx.conf" -p "$work"
}

# Writes $work/post.lua, wrk's request: a short chat completion for `granite`, with the bearer
# key $BENCH_KEY and the extra headers $BENCH_HEADERS (`name:value;name:value`) when set.
write_post_lua() {
  cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"model":"granite","messages":[{"role":"user","content":"benchmark prompt of a few words"}]}'
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("BENCH_KEY")
if key and key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end
local extra = os.getenv("BENCH_HEADERS")
if extra and extra ~= "" then
  for name, value in string.gmatch(extra, "([^:;]+):([^;]+)") do wrk.headers[name] = value end
end
LUA
}
