#!/usr/bin/env bash
# Usage analytics benchmark: 30 days of 10 million spend rows (and the hourly rollups the
# ledger would have written for them) in PostgreSQL, then the GraphQL `usage` report timed.
#   bash tests/bench/usage.sh       (ROWS, USERS, KEYS_PER_USER, MODELS, QUERIES override)
# Not a test: it prints timings for BENCHMARKS.md. Generating the data takes a few minutes.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
rows="${ROWS:-10000000}"
users="${USERS:-200}"
keys_per_user="${KEYS_PER_USER:-2}"
models="${MODELS:-5}"
queries="${QUERIES:-30}"
port="${USAGE_PORT:-18100}"
master="sk-bench-0123456789abcdef0123456789abcdef"
db="sy_bench_usage_$$"
url="postgres://postgres@127.0.0.1:5432/$db"
psql_db() { psql -h 127.0.0.1 -U postgres -d "$db" -v ON_ERROR_STOP=1 -q "$@"; }

cargo build --release --locked -p switchyard-server >&2
work="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
  sleep 1
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
}
trap cleanup EXIT

psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
SWITCHYARD_DATABASE_URL="$url" target/release/switchyard migrate >&2

echo "generating $users users, $((users * keys_per_user)) keys, $models models, $rows spend rows over 30 days" >&2
start=$(date +%s)
psql_db <<SQL
INSERT INTO users (id, external_id, email, roles, active, spend_nanos, metadata, created_at, updated_at)
SELECT md5('u' || u)::uuid, 'user' || u || '@example.com', 'user' || u || '@example.com',
       '["user"]', true, 0, '{}', now(), now()
FROM generate_series(1, $users) AS u;

INSERT INTO api_keys (id, token_hash, key_name, user_id, origin, all_models, blocked, spend_nanos,
                      tags, metadata, created_at, updated_at)
SELECT md5('k' || k)::uuid, md5('key' || k) || md5('hash' || k), 'sk-...' || k,
       md5('u' || (1 + (k - 1) / $keys_per_user))::uuid, 'portal', false, false, 0,
       '[]', json_build_object('name', 'key ' || k), now(), now()
FROM generate_series(1, $users * $keys_per_user) AS k;

-- Who made the requests: one subject per key, numbered as the keys are.
INSERT INTO spend_subjects (id, key_hash, user_id)
SELECT k, md5('key' || k) || md5('hash' || k), md5('u' || (1 + (k - 1) / $keys_per_user))::uuid
FROM generate_series(1, $users * $keys_per_user) AS k;
SELECT setval('spend_subjects_id_seq', max(id)) FROM spend_subjects;

-- Each key calls one or two models; requests spread evenly over the last 30 days.
INSERT INTO spend_requests (request_id, subject_id, model_name, call_type, prompt_tokens,
                            completion_tokens, estimated, cost_nanos, status, http_status,
                            started_us, duration_ms)
SELECT 'req-' || g, k,
       'model-' || ((k + (g % 2)) % $models),
       'chat', 100 + g % 400, 10 + g % 200, false, (100 + g % 400) * 200 + (10 + g % 200) * 600,
       CASE WHEN g % 50 = 0 THEN 'failure' ELSE 'success' END,
       CASE WHEN g % 50 = 0 THEN 502 ELSE 200 END,
       (extract(epoch FROM now() - interval '30 days') * 1e6)::bigint
         + (g::double precision / $rows * 30 * 86400e6)::bigint,
       20 + g % 3000
FROM (SELECT g, 1 + (g * 7919) % ($users * $keys_per_user) AS k
      FROM generate_series(1::bigint, $rows::bigint) AS g) AS spread;

-- The hourly rollups the ledger keeps, computed from those rows.
INSERT INTO usage_rollups (hour, key_hash, model_name, user_id, requests, errors, prompt_tokens,
  completion_tokens, cost_nanos, duration_ms_sum, latency_le_50, latency_le_100, latency_le_250,
  latency_le_500, latency_le_1000, latency_le_2500, latency_le_5000, latency_le_10000,
  latency_le_30000, latency_le_inf)
SELECT date_trunc('hour', to_timestamp(started_us / 1e6)), key_hash, model_name, user_id, count(*),
       count(*) FILTER (WHERE status <> 'success'), sum(prompt_tokens), sum(completion_tokens),
       sum(cost_nanos), sum(duration_ms),
       count(*) FILTER (WHERE duration_ms <= 50),
       count(*) FILTER (WHERE duration_ms > 50 AND duration_ms <= 100),
       count(*) FILTER (WHERE duration_ms > 100 AND duration_ms <= 250),
       count(*) FILTER (WHERE duration_ms > 250 AND duration_ms <= 500),
       count(*) FILTER (WHERE duration_ms > 500 AND duration_ms <= 1000),
       count(*) FILTER (WHERE duration_ms > 1000 AND duration_ms <= 2500),
       count(*) FILTER (WHERE duration_ms > 2500 AND duration_ms <= 5000),
       count(*) FILTER (WHERE duration_ms > 5000 AND duration_ms <= 10000),
       count(*) FILTER (WHERE duration_ms > 10000 AND duration_ms <= 30000),
       count(*) FILTER (WHERE duration_ms > 30000)
FROM spend_requests JOIN spend_subjects ON spend_subjects.id = subject_id GROUP BY 1, 2, 3, 4;
-- And the daily rows beside them.
INSERT INTO usage_rollups (span, hour, key_hash, model_name, user_id, requests, errors,
  prompt_tokens, completion_tokens, cost_nanos, duration_ms_sum, latency_le_50, latency_le_100,
  latency_le_250, latency_le_500, latency_le_1000, latency_le_2500, latency_le_5000,
  latency_le_10000, latency_le_30000, latency_le_inf)
SELECT 'day', date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', key_hash,
       model_name, (array_agg(user_id))[1], sum(requests), sum(errors), sum(prompt_tokens),
       sum(completion_tokens), sum(cost_nanos), sum(duration_ms_sum), sum(latency_le_50),
       sum(latency_le_100), sum(latency_le_250), sum(latency_le_500), sum(latency_le_1000),
       sum(latency_le_2500), sum(latency_le_5000), sum(latency_le_10000),
       sum(latency_le_30000), sum(latency_le_inf)
FROM usage_rollups WHERE span = 'hour' GROUP BY 2, 3, 4;
ANALYZE;
SQL
echo "generated in $(( $(date +%s) - start )) s: $(psql_db -Atc 'SELECT count(*) FROM spend_requests') spend rows, $(psql_db -Atc 'SELECT count(*) FROM usage_rollups') rollup rows" >&2

printf 'master_key = "%s"\n[log]\nlevel = "warn"\n' "$master" > "$work/switchyard.toml"
SWITCHYARD_DATABASE_URL="$url" SWITCHYARD_LISTEN="127.0.0.1:$port" SWITCHYARD_DATA_DIR="$work/data" \
  target/release/switchyard --config "$work/switchyard.toml" serve 2>"$work/server.log" &
server=$!
# The generated rows went to the spend log's default partition; the first start makes this
# month's partition and moves this month's rows into it, which takes a while at 10 M rows.
for _ in $(seq 1 3000); do
  curl -fs "http://127.0.0.1:$port/health/readiness" >/dev/null && break
  sleep 0.1
done
# Moving those rows left dead ones behind: vacuum now, or autovacuum runs during the timings.
psql_db -c "VACUUM ANALYZE"

python3 - "$port" "$master" "$queries" "$(psql_db -Atc "SELECT md5('u1')::uuid")" <<'PY'
import json, statistics, sys, time, urllib.request
from datetime import datetime, timedelta, timezone
port, master, n, user = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
now = datetime.now(timezone.utc)
midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
# The last 30 days as whole days (what the portal asks for), ending at tomorrow's midnight.
period = {"from": (midnight - timedelta(days=29)).isoformat(), "to": (midnight + timedelta(days=1)).isoformat()}
query = """query($i: UsageInput!, $g: UsageGroupBy!, $gr: Granularity!) { usage(input: $i) {
  totals { requests spend errorRate latencyP50Ms latencyP95Ms } previousTotals { requests } change { spend }
  series(groupBy: $g, granularity: $gr, top: 10) { label totals { requests spend } points { start requests spend } } } }"""
cases = [
    ("everyone, by day, split by model", {**period, "allUsers": True}, "MODEL", "DAY"),
    ("everyone, by day, top 10 users", {**period, "allUsers": True}, "USER", "DAY"),
    ("one user, by hour, split by key", {**period, "userId": user}, "KEY", "HOUR"),
]
print("\n| question (30 days) | requests covered | p50 ms | p95 ms | max ms |")
print("|---|---|---|---|---|")
for label, usage_input, group, granularity in cases:
    body = json.dumps({"query": query, "variables": {"i": usage_input, "g": group, "gr": granularity}}).encode()
    times, covered = [], None
    for i in range(n + 3):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=body,
            headers={"content-type": "application/json", "authorization": f"Bearer {master}"})
        started = time.perf_counter()
        answer = json.load(urllib.request.urlopen(request))
        elapsed = (time.perf_counter() - started) * 1000
        if "errors" in answer:
            sys.exit(f"{label}: {answer['errors']}")
        covered = answer["data"]["usage"]["totals"]["requests"]
        if i >= 3:  # three warm-up queries
            times.append(elapsed)
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"| {label} | {covered} | {statistics.median(times):.1f} | {p95:.1f} | {times[-1]:.1f} |")
PY
