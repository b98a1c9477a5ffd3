#!/usr/bin/env bash
# Side by side: the same chat completion through Switchyard (master key, a virtual key without
# limits, one with rpm/tpm limits and a budget) and straight to the model server, on the
# embedded default with the ledger on; optionally through LiteLLM and Portkey's gateway.
# The model server is an nginx stand-in answering one fixed chat completion, so what is
# measured is the gateway, not a mock. wrk, one thread, CONNECTIONS connections (16), each
# phase SECONDS_PER_RUN (10) after a 2-second warm-up. The limited key is measured twice: as
# wrk asks (no Accept-Encoding) and as the OpenAI SDK asks (gzip, deflate). Prints a Markdown
# table.
#   bash tests/bench/side_by_side.sh
#   PEERS=1 bash tests/bench/side_by_side.sh   (also LiteLLM if `litellm` is on PATH, installed
#                                                with pip install 'litellm[proxy]', and Portkey's
#                                                gateway through npx; each skipped with a message
#                                                when it is not there)
#   STORES=postgres bash tests/bench/side_by_side.sh  (Switchyard on PostgreSQL + Redis: a fresh
#                                                     database and Redis database 12)
#   NO_BUILD=1 GATEWAY_BIN=path ...                   (another build of Switchyard)
# Installs wrk and nginx from Debian's packages when they are missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=tests/bench/common.sh
source tests/bench/common.sh
seconds="${SECONDS_PER_RUN:-10}"
connections="${CONNECTIONS:-16}"
stand_in_port="${STAND_IN_PORT:-18101}"
gw_port="${GATEWAY_PORT:-18100}"
litellm_port="${LITELLM_PORT:-18102}"
portkey_port="${PORTKEY_PORT:-18787}"
master="sk-bench-0123456789abcdef0123456789abcdef"

install_missing wrk:wrk nginx:nginx-light
[ -n "${NO_BUILD:-}" ] || cargo build --release --locked -p switchyard-server --bins >&2

work="$(mktemp -d)"
pids=()
cleanup() {
  # Peers run in process groups of their own (npx and the servers it starts).
  for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 1
  drop_bench_db
  rm -rf "$work"
}
trap cleanup EXIT

start_stand_in "$stand_in_port"

write_config local "http://127.0.0.1:$stand_in_port/v1"
use_stores "sy_side_$$" 12
start_switchyard
key_with() { new_key "{\"models\":[\"granite\"],\"user_id\":\"bench\"$1}"; }
plain_key="$(key_with '')"
limited_key="$(key_with ',"rpm_limit":1000000000,"tpm_limit":1000000000000,"max_budget":1000000,"budget_duration":"monthly"')"

write_post_lua

rows=()
# ready URL SECONDS: whether URL answers within SECONDS.
ready() {
  for _ in $(seq 1 $(($2 * 5))); do
    curl -s -o /dev/null -m 1 "$1" && return 0
    sleep 0.2
  done
  return 1
}
# run NAME URL KEY [HEADERS]: a warm-up, then the measured phase; a row of the table.
run() {
  local name="$1" url="$2" key="$3" headers="${4:-}"
  BENCH_KEY="$key" BENCH_HEADERS="$headers" wrk -t1 -c"$connections" -d2s -s "$work/post.lua" "$url" \
    >/dev/null || true
  local out
  if ! out="$(BENCH_KEY="$key" BENCH_HEADERS="$headers" wrk -t1 -c"$connections" -d"${seconds}s" \
    --latency -s "$work/post.lua" "$url")"; then
    echo "$name: wrk failed" >&2
    return
  fi
  local rps p50 p99 errors
  rps="$(awk '/^Requests\/sec:/ {printf "%d", $2}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  errors="$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")"
  rows+=("| $name | $rps | $p50 | $p99 | ${errors:-0} |")
  echo "$name: $rps req/s, p50 $p50, p99 $p99, non-2xx ${errors:-0}" >&2
}

run "straight to the stand-in" "http://127.0.0.1:$stand_in_port/v1/chat/completions" ""
run "Switchyard, master key" "http://127.0.0.1:$gw_port/v1/chat/completions" "$master"
run "Switchyard, virtual key without limits" "http://127.0.0.1:$gw_port/v1/chat/completions" "$plain_key"
run "Switchyard, virtual key with rpm/tpm limits and a budget" \
  "http://127.0.0.1:$gw_port/v1/chat/completions" "$limited_key"
# The same key asking for gzip, as the OpenAI Python SDK (httpx) does on every request.
run "Switchyard, the same key, with the OpenAI SDK's Accept-Encoding: gzip, deflate" \
  "http://127.0.0.1:$gw_port/v1/chat/completions" "$limited_key" "Accept-Encoding:gzip, deflate"
rss_kib="$(awk '/^VmHWM:/ {print $2}' "/proc/$gw_pid/status")"

if [ "${PEERS:-0}" = 1 ]; then
  if command -v litellm >/dev/null; then
    cat > "$work/litellm.yaml" <<YAML
model_list:
  - model_name: granite
    litellm_params:
      model: openai/granite
      api_base: http://127.0.0.1:$stand_in_port/v1
      api_key: none
general_settings:
  master_key: $master
YAML
    setsid litellm --config "$work/litellm.yaml" --port "$litellm_port" --num_workers 2 \
      >"$work/litellm.log" 2>&1 &
    pids+=($!)
    if ready "http://127.0.0.1:$litellm_port/health/liveliness" 60; then
      version="$(litellm --version 2>/dev/null | grep -o '[0-9][0-9.]*' | tail -1)"
      run "LiteLLM $version, master key, no database, 2 workers" \
        "http://127.0.0.1:$litellm_port/v1/chat/completions" "$master"
    else
      echo "LiteLLM skipped: it did not start (its log: $(tail -3 "$work/litellm.log"))" >&2
    fi
  else
    echo "LiteLLM skipped: \`litellm\` is not on PATH (pip install 'litellm[proxy]')" >&2
  fi
  if command -v npx >/dev/null; then
    setsid npx --yes @portkey-ai/gateway "--port=$portkey_port" --headless \
      >"$work/portkey.log" 2>&1 &
    pids+=($!)
    if ready "http://127.0.0.1:$portkey_port/" 120; then
      run "Portkey gateway (Node), no keys" "http://127.0.0.1:$portkey_port/v1/chat/completions" \
        "none" "x-portkey-provider:openai;x-portkey-custom-host:http://127.0.0.1:$stand_in_port/v1"
    else
      echo "Portkey skipped: it did not start (its log: $(tail -3 "$work/portkey.log"))" >&2
    fi
  else
    echo "Portkey skipped: npx is not installed" >&2
  fi
fi

echo
echo "Switchyard on ${STORES:-embedded} stores; wrk, 1 thread, $connections connections, ${seconds} s per phase; $(nproc) cores shared by all"
echo
echo "| path | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Switchyard peak RSS: $((rss_kib / 1024)) MiB"
