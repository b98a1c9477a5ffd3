#!/usr/bin/env bash
# Two gateway builds, A and B, compared at keyed saturation in interleaved runs: the question
# "is B slower than A, beyond the machine's noise?" answered with many short paired runs
# instead of a few long ones.
#   bash tests/bench/ab_keyed.sh <switchyard A> <switchyard B>
#   PAIRS=12 SECONDS_PER_RUN=8 NO_REDIS=1 bash tests/bench/ab_keyed.sh …
# Both gateways run side by side, each on its own PostgreSQL database and Redis database, in
# front of one mock, with the keyed setup of `MODE=keyed tests/bench/gateway.sh` (a virtual key
# with RPM, TPM, parallel and budget limits). Runs go A B B A A B … so a slow drift of the
# machine falls on both sides alike. Neither side gets a spend journal section, so builds from
# before the journal existed compare fairly. Each run also reads how busy the whole machine was
# (/proc/stat) and the gateway's own CPU time per request (/proc/<pid>/stat), so a gap can be
# told apart as more work per request or as more waiting. Not a test: it prints a table for
# BENCHMARKS.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=tests/bench/common.sh
source tests/bench/common.sh
[ $# -eq 2 ] || { echo "usage: $0 <switchyard A> <switchyard B>" >&2; exit 2; }
bins=("$(realpath "$1")" "$(realpath "$2")")
pairs="${PAIRS:-10}"
seconds="${SECONDS_PER_RUN:-8}"
mock_port="${MOCK_PORT:-18001}"
ports=(18010 18011)
master="sk-bench-0123456789abcdef0123456789abcdef"

cargo build --release --locked -p switchyard-server -p switchyard-tests --bins >&2
scratch="$(mktemp -d)"
pids=()
dbs=("sy_ab_a_$$" "sy_ab_b_$$")
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for db in "${dbs[@]}"; do
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  done
  rm -rf "$scratch"
}
trap cleanup EXIT

target/release/mock-upstream --listen "127.0.0.1:$mock_port" --name aws --models granite \
  --completion-tokens 16 >/dev/null &
pids+=($!)

limits='"rpm_limit":1000000000,"tpm_limit":1000000000000,"max_parallel_requests":100000,
        "max_budget":1000000,"budget_duration":"monthly"'
keys=()
gw_pids=()
for side in 0 1; do
  work="$scratch/$side"
  mkdir -p "$work"
  gw_port="${ports[$side]}"
  write_config aws "http://127.0.0.1:$mock_port/v1"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE ${dbs[$side]}"
  redis_db=$((14 + side))
  redis-cli -n "$redis_db" flushdb >/dev/null
  export SWITCHYARD_DATABASE_URL="postgres://postgres@127.0.0.1:5432/${dbs[$side]}"
  if [ "${NO_REDIS:-0}" != 1 ]; then export SWITCHYARD_REDIS_URL="redis://127.0.0.1:6379/$redis_db"; fi
  GATEWAY_BIN="${bins[$side]}" start_switchyard
  gw_pids+=("$gw_pid")
  keys+=("$(new_key "{\"models\":[\"granite\"],\"user_id\":\"bench\",$limits}")")
done

chat='{"model":"granite","messages":[{"role":"user","content":"benchmark prompt of a few words"}]}'
# The machine's busy and total jiffies, and a process's user + system jiffies.
machine_jiffies() { awk '/^cpu /{ t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }
process_jiffies() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
saturate() { # side, seconds → requests per second, the machine's busy share, the gateway's CPU µs per request
  local before_machine before_gw after_machine after_gw
  before_machine="$(machine_jiffies)"
  before_gw="$(process_jiffies "${gw_pids[$1]}")"
  target/release/loadgen --seconds "$2" --label "side $1" --rate 0 --concurrency 64 \
    --url "http://127.0.0.1:${ports[$1]}/v1/chat/completions" --key "${keys[$1]}" --body "$chat" \
    >"$scratch/run.json"
  after_machine="$(machine_jiffies)"
  after_gw="$(process_jiffies "${gw_pids[$1]}")"
  python3 - "$scratch/run.json" $before_machine $after_machine "$before_gw" "$after_gw" "$(getconf CLK_TCK)" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
busy0, total0, busy1, total1, gw0, gw1, hz, seconds = map(int, sys.argv[2:])
if r["errors"]:
    print("errors")
else:
    busy = (busy1 - busy0) / max(total1 - total0, 1)
    # The CPU window also holds loadgen's uncounted 2 s warm-up, at about the same rate.
    requests = r["requests"] * (seconds + 2) / seconds
    print(r["throughput_rps"], f"{busy:.3f}", f"{(gw1 - gw0) / hz * 1e6 / max(requests, 1):.1f}")
PY
}
saturate 0 3 >/dev/null
saturate 1 3 >/dev/null

results="$scratch/results"
for pair in $(seq 1 "$pairs"); do
  order=(0 1)
  [ $((pair % 2)) -eq 0 ] && order=(1 0)
  for side in "${order[@]}"; do
    echo "$pair $side $(saturate "$side" "$seconds")" | tee -a "$results" >&2
  done
done

python3 - "$results" "${bins[@]}" <<'PY'
import statistics, sys
runs = [line.split() for line in open(sys.argv[1])]
if any(r[2] == "errors" for r in runs):
    sys.exit("a run had errors: " + repr([r for r in runs if r[2] == "errors"]))
by = {"0": {}, "1": {}}
busy = {"0": [], "1": []}
cpu = {"0": [], "1": []}
for pair, side, rps, machine_busy, gateway_us in runs:
    by[side][pair] = float(rps)
    busy[side].append(float(machine_busy))
    cpu[side].append(float(gateway_us))
a, b = by["0"], by["1"]
ratios = sorted(b[p] / a[p] for p in a)
lower = sum(1 for p in a if b[p] < a[p])
print(f"\nA: {sys.argv[2]}\nB: {sys.argv[3]}\n")
print("| | runs (req/s) | median | machine busy, median | gateway CPU µs per request, median |")
print("|---|---|---|---|---|")
for name, key, side in (("A", "0", a), ("B", "1", b)):
    values = [side[p] for p in sorted(side, key=int)]
    print(f"| {name} | {', '.join(f'{v / 1000:.1f}k' for v in values)} | {statistics.median(values) / 1000:.2f}k "
          f"| {statistics.median(busy[key]):.1%} | {statistics.median(cpu[key]):.1f} |")
print(f"\nB / A per pair: median {statistics.median(ratios):.3f}, "
      f"range {ratios[0]:.3f} – {ratios[-1]:.3f}; B lower in {lower} of {len(ratios)} pairs")
PY
