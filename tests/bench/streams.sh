#!/usr/bin/env bash
# Many live streams: STREAMS (8,000) streaming chat requests held open at once through one
# Switchyard on the embedded default with the ledger on, the mock streaming a token every
# TOKEN_MS (50) for TOKENS tokens (1,200: a minute), while a keyed client asks for whole
# answers at KEYED_RATE (200/s) through a virtual key with rpm, tpm and budget limits. Then
# EXTRA (200) streams more than `gateway.max_streams` allows are opened alongside, and must be
# refused with 503. Reports: streams completed and refused, every completed stream recorded in
# the ledger once, the keyed client's latency meanwhile, the gateway's peak RSS and descriptors.
#   bash tests/bench/streams.sh
#   STREAMS=2000 TOKENS=200 bash tests/bench/streams.sh   (a shorter run)
#   NO_BUILD=1 GATEWAY_BIN=/tmp/before/switchyard ...       (another build of the gateway)
# Load generator, gateway and both mocks share this machine's cores and its open-file limit:
# each process raises its soft limit to the hard one; the gateway needs two descriptors per
# stream, so STREAMS above about 9,000 needs a hard limit above 20,000.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=tests/bench/common.sh
source tests/bench/common.sh
streams="${STREAMS:-8000}"
extra="${EXTRA:-200}"
token_ms="${TOKEN_MS:-50}"
tokens="${TOKENS:-1200}"
keyed_rate="${KEYED_RATE:-200}"
stream_port="${STREAM_MOCK_PORT:-18101}"
whole_port="${WHOLE_MOCK_PORT:-18102}"
gw_port="${GATEWAY_PORT:-18100}"
master="sk-bench-0123456789abcdef0123456789abcdef"
ulimit -n "$(ulimit -Hn)"

[ -n "${NO_BUILD:-}" ] || cargo build --release --locked -p switchyard-server -p switchyard-tests --bins >&2
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

target/release/mock-upstream --listen "127.0.0.1:$stream_port" --name streams --models llama \
  --token-ms "$token_ms" --completion-tokens "$tokens" >/dev/null &
mock_pid=$!
pids+=($mock_pid)
target/release/mock-upstream --listen "127.0.0.1:$whole_port" --name whole --models granite \
  --completion-tokens 16 >/dev/null &
pids+=($!)
cat > "$work/switchyard.toml" <<TOML
master_key = "$master"
[log]
level = "warn"
[http]
max_connections = $((streams + extra + 1000))
[gateway]
max_streams = $streams
# A minute-long stream is the point here.
total_timeout_ms = 3600000
[[models]]
name = "llama"
input_cost_per_token = 2e-7
output_cost_per_token = 6e-7
[[models.deployments]]
cluster = "streams"
api_base = "http://127.0.0.1:$stream_port/v1"
[[models]]
name = "granite"
input_cost_per_token = 2e-7
output_cost_per_token = 6e-7
[[models.deployments]]
cluster = "whole"
api_base = "http://127.0.0.1:$whole_port/v1"
TOML
start_switchyard

streamer="$(new_key '{"models":["llama"],"user_id":"streams"}')"
# Limits high enough never to refuse, so every one is checked on every request.
keyed="$(new_key '{"models":["granite"],"user_id":"keyed","rpm_limit":1000000000,
  "tpm_limit":1000000000000,"max_budget":1000000,"budget_duration":"monthly"}')"

stream='{"model":"llama","stream":true,"messages":[{"role":"user","content":"a long answer please"}]}'
chat='{"model":"granite","messages":[{"role":"user","content":"benchmark prompt of a few words"}]}'
gateway="http://127.0.0.1:$gw_port/v1/chat/completions"
stream_seconds=$(( (tokens * token_ms + 999) / 1000 ))
# The streams open over `ramp` seconds (10 for minute-long streams); the extra ones a few
# seconds after, while all are held; then the keyed client runs until about 10 s before the
# first streams end.
ramp=$(( stream_seconds / 6 < 10 ? stream_seconds / 6 : 10 ))
keyed_seconds=$(( stream_seconds - ramp - 13 > 5 ? stream_seconds - ramp - 13 : 5 ))

# Peak descriptors of the gateway, sampled every second while the streams run.
( peak=0; while kill -0 "$gw_pid" 2>/dev/null; do
    n="$(ls "/proc/$gw_pid/fd" 2>/dev/null | wc -l)"; [ "$n" -gt "$peak" ] && peak="$n"
    echo "$peak" > "$work/fd_peak"; sleep 1
  done ) &
pids+=($!)

target/release/loadgen --label "streams" --url "$gateway" --key "$streamer" --body "$stream" \
  --rate 0 --once --concurrency "$streams" --ramp-seconds "$ramp" --stream > "$work/streams.json" &
held=$!
sleep $(( ramp + 3 ))
target/release/loadgen --label "beyond the cap" --url "$gateway" --key "$streamer" \
  --body "$stream" --rate 0 --once --concurrency "$extra" --stream > "$work/extra.json"
target/release/loadgen --label "keyed whole answers" --url "$gateway" --key "$keyed" \
  --body "$chat" --rate "$keyed_rate" --warmup 1 --seconds "$keyed_seconds" > "$work/keyed.json"
wait "$held"
rss_kb="$(awk '/VmHWM/ {print $2}' "/proc/$gw_pid/status")"
# CPU seconds (user + system) each process spent, to see which one the machine's two cores
# were busy with.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$1/stat"; }
gateway_cpu="$(cpu "$gw_pid")"
cpu_line="gateway $gateway_cpu s, streaming mock $(cpu "$mock_pid") s"
# Every accepted request is recorded within a second; give the ledger two.
sleep 2
recorded="$(python3 - "$work/data/switchyard.sqlite" <<'PY'
import sqlite3, sys
print(*sqlite3.connect(sys.argv[1]).execute(
    "SELECT COUNT(*), COUNT(DISTINCT request_id), SUM(status = 'success') "
    "FROM spend_requests WHERE model_name = 'llama'").fetchone())
PY
)"

python3 - "$work" "$rss_kb" "$recorded" "$streams" "$extra" "$cpu_line" "$gateway_cpu" "$tokens" <<'PY'
import json, sys
work, rss_kb, recorded, streams, extra, cpu = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
gateway_cpu, tokens = float(sys.argv[7]), int(sys.argv[8])
held, beyond, keyed = (json.load(open(f"{work}/{name}.json")) for name in ("streams", "extra", "keyed"))
rows, distinct, success = map(int, recorded)
fd_peak = open(f"{work}/fd_peak").read().strip()
print("| measure | value |")
print("|---|---|")
print(f"| streams completed | {held['requests']} of {streams} ({held['errors']} failed: {held['error_statuses']}) |")
print(f"| stream total time p50 / max | {held['p50_ms'] / 1000:.1f} s / {held['max_ms'] / 1000:.1f} s |")
print(f"| stream time to first byte p50 / p99 | {held['ttfb_p50_ms']:.1f} / {held['ttfb_p99_ms']:.1f} ms |")
print(f"| streams beyond the cap | {beyond['requests']} completed, refused {beyond['error_statuses']} of {extra} |")
print(f"| ledger rows for the streams | {rows} ({distinct} distinct requests, {success} successful) |")
print(f"| keyed whole answers | {keyed['requests']} at {keyed['throughput_rps']}/s, {keyed['errors']} errors |")
print(f"| keyed p50 / p99 / max | {keyed['p50_ms']:.2f} / {keyed['p99_ms']:.2f} / {keyed['max_ms']:.2f} ms |")
print(f"| gateway peak RSS | {rss_kb / 1024:.1f} MiB |")
print(f"| gateway peak open descriptors | {fd_peak} |")
print(f"| CPU time | {cpu} |")
# Everything the gateway did (the keyed client's requests and the refusals included) over
# the tokens it relayed: one event each, plus a few per stream (role, finish, usage, done).
relayed = held['requests'] * tokens
if relayed:
    print(f"| gateway CPU per token relayed | {gateway_cpu * 1e6 / relayed:.1f} µs |")
PY
