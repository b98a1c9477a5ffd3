#!/usr/bin/env bash
# Where the machine's CPU goes at keyed saturation on PostgreSQL + Redis: the gateway, Redis,
# PostgreSQL (every backend), the mock model server and the rest (mostly the load generator),
# each as CPU µs per request, and Redis's own account of the commands it ran (calls and µs per
# request, from INFO commandstats). The question it answers: which process to make cheaper
# for the keyed throughput to rise, when all of them share two cores.
#   bash tests/bench/cpu_split.sh
#   RUNS=3 SECONDS_PER_RUN=10 GATEWAY_BIN=/path/to/switchyard bash tests/bench/cpu_split.sh
# The setup is `MODE=keyed tests/bench/gateway.sh`'s: a virtual key with RPM, TPM, parallel
# and budget limits, a fresh PostgreSQL database and Redis database 15. Not a test: it prints
# a table for BENCHMARKS.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=tests/bench/common.sh
source tests/bench/common.sh
runs="${RUNS:-3}"
seconds="${SECONDS_PER_RUN:-10}"
mock_port="${MOCK_PORT:-18001}"
gw_port=18012
master="sk-bench-0123456789abcdef0123456789abcdef"
redis_db=15

[ -n "${NO_BUILD:-}" ] || cargo build --release --locked -p switchyard-server -p switchyard-tests --bins >&2
work="$(mktemp -d)"
pids=()
db="sy_split_$$"
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT

target/release/mock-upstream --listen "127.0.0.1:$mock_port" --name aws --models granite \
  --completion-tokens 16 >/dev/null &
mock_pid=$!
pids+=("$mock_pid")
write_config aws "http://127.0.0.1:$mock_port/v1"
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
redis-cli -n "$redis_db" flushdb >/dev/null
export SWITCHYARD_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
export SWITCHYARD_REDIS_URL="redis://127.0.0.1:6379/$redis_db"
start_switchyard
key="$(new_key '{"models":["granite"],"user_id":"bench","rpm_limit":1000000000,
  "tpm_limit":1000000000000,"max_parallel_requests":100000,"max_budget":1000000,
  "budget_duration":"monthly"}')"
chat='{"model":"granite","messages":[{"role":"user","content":"benchmark prompt of a few words"}]}'

redis_pid="$(pgrep -x redis-server | head -1)"
# Busy jiffies of the machine, then user + system jiffies of: the gateway, Redis, every
# PostgreSQL process, the mock.
jiffies() {
  local postgres=0 pid
  for pid in $(pgrep -x postgres); do
    postgres=$((postgres + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$(awk '/^cpu /{ t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6 }' /proc/stat)" \
    "$(awk '{ print $14 + $15 }' "/proc/$gw_pid/stat")" \
    "$(awk '{ print $14 + $15 }' "/proc/$redis_pid/stat")" \
    "$postgres" \
    "$(awk '{ print $14 + $15 }' "/proc/$mock_pid/stat")"
}
load() { # seconds → loadgen's JSON
  target/release/loadgen --seconds "$1" --warmup 0 --label split --rate 0 --concurrency 64 \
    --url "http://127.0.0.1:$gw_port/v1/chat/completions" --key "$key" --body "$chat"
}
load 3 >/dev/null

for run in $(seq 1 "$runs"); do
  redis-cli config resetstat >/dev/null
  before="$(jiffies)"
  load "$seconds" >"$work/run.json"
  after="$(jiffies)"
  redis-cli info commandstats >"$work/commandstats"
  python3 - "$work/run.json" "$work/commandstats" "$(getconf CLK_TCK)" $before $after <<'PY' | tee -a "$work/results"
import json, re, sys
run = json.load(open(sys.argv[1]))
if run["errors"]:
    sys.exit(f"errors: {run['errors']}")
hz = int(sys.argv[3])
before, after = list(map(int, sys.argv[4:9])), list(map(int, sys.argv[9:14]))
n = run["requests"]
us = [(a - b) / hz * 1e6 / n for a, b in zip(after, before)]
machine, gateway, redis, postgres, mock = us
commands = {}
for line in open(sys.argv[2]):
    m = re.match(r"cmdstat_(\w+):calls=(\d+),usec=(\d+)", line)
    if m:
        commands[m[1]] = (int(m[2]) / n, int(m[3]) / n)
print(json.dumps({"rps": run["throughput_rps"], "machine": machine, "gateway": gateway,
                  "redis": redis, "postgres": postgres, "mock": mock,
                  "rest": machine - gateway - redis - postgres - mock, "commands": commands}))
PY
done

# Admissions per call to Redis (builds that batch them export the histogram).
curl -fs -H "Authorization: Bearer $master" "http://127.0.0.1:$gw_port/metrics" \
  | awk '/^switchyard_quota_admissions_per_call_(sum|count)/ { v[$1] = $2 }
         END { if (v["switchyard_quota_admissions_per_call_count"] > 0)
                 printf "admissions per Redis call: %.2f\n",
                   v["switchyard_quota_admissions_per_call_sum"] / v["switchyard_quota_admissions_per_call_count"] }'

python3 - "$work/results" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
med = lambda f: statistics.median(f(r) for r in runs)
print("\n| | CPU µs per request (median of %d runs) |" % len(runs))
print("|---|---|")
print(f"| throughput | {med(lambda r: r['rps']) / 1000:.2f}k req/s |")
for part in ("machine", "gateway", "redis", "postgres", "mock", "rest"):
    print(f"| {part} | {med(lambda r: r[part]):.1f} |")
names = sorted({c for r in runs for c in r["commands"]},
               key=lambda c: -statistics.median(r["commands"].get(c, (0, 0))[1] for r in runs))
print("\n| Redis command | calls per request | µs per request (Redis's own count) |")
print("|---|---|---|")
for c in names:
    calls = med(lambda r: r["commands"].get(c, (0, 0))[0])
    usec = med(lambda r: r["commands"].get(c, (0, 0))[1])
    print(f"| {c} | {calls:.2f} | {usec:.2f} |")
PY
