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
