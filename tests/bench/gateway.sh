#!/usr/bin/env bash
# Gateway benchmark: the latency Switchyard adds over calling mock-upstream directly, at a
# fixed rate and at saturation, streaming included, and the gateway's peak RSS.
# Everything runs on this machine: load generator, gateway and mock share its cores.
#   bash tests/bench/gateway.sh            (results as JSON lines and a summary table)
#   MODE=keyed bash tests/bench/gateway.sh (PostgreSQL + Redis, through a virtual key with
#                                           RPM, TPM, parallel and budget limits)
#   JOURNAL=false bash tests/bench/gateway.sh (without the spend journal, to see its cost)
#   GATEWAY_BIN=/elsewhere/switchyard JOURNAL=omit bash tests/bench/gateway.sh
#                                          (another build, one from before the journal existed
#                                           with JOURNAL=omit: no [ledger] section at all)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=tests/bench/common.sh
source tests/bench/common.sh
rate="${RATE:-1000}"
seconds="${SECONDS_PER_RUN:-20}"
mock_port="${MOCK_PORT:-18001}"
gw_port="${GATEWAY_PORT:-18000}"
master="sk-bench-0123456789abcdef0123456789abcdef"
mode="${MODE:-embedded}"

cargo build --release --locked -p switchyard-server -p switchyard-tests --bins >&2
work="$(mktemp -d)"
pids=()
bench_db="sy_bench_$$"
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
  if [ "$mode" = keyed ]; then
    sleep 1
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $bench_db WITH (FORCE)" || true
  fi
}
trap cleanup EXIT

target/release/mock-upstream --listen "127.0.0.1:$mock_port" --name aws --models granite \
  --completion-tokens 16 >/dev/null &
pids+=($!)
write_config aws "http://127.0.0.1:$mock_port/v1" \
  "$([ "${JOURNAL:-true}" = omit ] || printf '[ledger]\njournal = %s' "${JOURNAL:-true}")"
if [ "$mode" = keyed ]; then
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $bench_db"
  export SWITCHYARD_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$bench_db"
  if [ "${NO_REDIS:-0}" != 1 ]; then
    export SWITCHYARD_REDIS_URL="redis://127.0.0.1:6379/15"
    redis-cli -n 15 flushdb >/dev/null
  fi
fi
start_switchyard

caller="$master"
if [ "$mode" = keyed ]; then
  # Limits high enough never to refuse, so every one is checked on every request.
  limits='"rpm_limit":1000000000,"tpm_limit":1000000000000,"max_parallel_requests":100000,
          "max_budget":1000000,"budget_duration":"monthly"'
  caller="$(new_key "{\"models\":[\"granite\"],\"user_id\":\"bench\",${KEY_LIMITS:-$limits}}")"
fi

chat='{"model":"granite","messages":[{"role":"user","content":"benchmark prompt of a few words"}]}'
stream='{"model":"granite","stream":true,"messages":[{"role":"user","content":"benchmark prompt of a few words"}]}'
direct="http://127.0.0.1:$mock_port/v1/chat/completions"
gateway="http://127.0.0.1:$gw_port/v1/chat/completions"
lg() { target/release/loadgen --seconds "$seconds" "$@"; }

results="$work/results.jsonl"
{
  lg --label "direct ${rate}/s" --url "$direct" --body "$chat" --rate "$rate"
  lg --label "gateway ${rate}/s" --url "$gateway" --key "$caller" --body "$chat" --rate "$rate"
  lg --label "direct saturation" --url "$direct" --body "$chat" --rate 0 --concurrency 64
  lg --label "gateway saturation" --url "$gateway" --key "$caller" --body "$chat" --rate 0 --concurrency 64
  lg --label "direct stream 200/s" --url "$direct" --body "$stream" --rate 200 --stream
  lg --label "gateway stream 200/s" --url "$gateway" --key "$caller" --body "$stream" --rate 200 --stream
} | tee "$results"

rss_kb="$(awk '/VmHWM/ {print $2}' "/proc/$gw_pid/status")"
if [ "$mode" = keyed ]; then
  echo "quota check in Redis (cumulative histogram, seconds):" >&2
  curl -fs -H "Authorization: Bearer $master" "http://127.0.0.1:$gw_port/metrics" | grep '^switchyard_quota_check_seconds' >&2 || true
fi
python3 - "$results" "$rss_kb" <<'PY'
import json, sys
rows = {r["label"]: r for r in map(json.loads, open(sys.argv[1]))}
def pair(kind):
    d = next(v for k, v in rows.items() if k.startswith("direct") and kind in k)
    g = next(v for k, v in rows.items() if k.startswith("gateway") and kind in k)
    return d, g
print("\n| run | requests | errors | throughput | p50 ms | p99 ms | TTFB p50 ms | TTFB p99 ms |")
print("|---|---|---|---|---|---|---|---|")
for r in rows.values():
    print(f"| {r['label']} | {r['requests']} | {r['errors']} | {r['throughput_rps']} | {r['p50_ms']:.3f} | "
          f"{r['p99_ms']:.3f} | {r['ttfb_p50_ms']:.3f} | {r['ttfb_p99_ms']:.3f} |")
d, g = pair("/s")
d = next(v for k, v in rows.items() if k.startswith("direct") and "/s" in k and "stream" not in k)
g = next(v for k, v in rows.items() if k.startswith("gateway") and "/s" in k and "stream" not in k)
print(f"\nadded latency at fixed rate: p50 {g['p50_ms'] - d['p50_ms']:.3f} ms, p99 {g['p99_ms'] - d['p99_ms']:.3f} ms")
d, g = pair("saturation")
print(f"throughput at saturation: {g['throughput_rps']} vs {d['throughput_rps']} req/s direct "
      f"({100 * g['throughput_rps'] / d['throughput_rps']:.0f}%)")
d, g = pair("stream")
print(f"added time to first byte, streaming: p50 {g['ttfb_p50_ms'] - d['ttfb_p50_ms']:.3f} ms, "
      f"p99 {g['ttfb_p99_ms'] - d['ttfb_p99_ms']:.3f} ms")
print(f"gateway peak RSS: {int(sys.argv[2]) / 1024:.1f} MiB")
PY
