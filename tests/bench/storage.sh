#!/usr/bin/env bash
# Storage benchmark: bytes on disk per recorded request. A million chat requests (REQUESTS)
# go through the release Switchyard with the ledger on, spread over KEYS virtual keys of
# USERS users, on the embedded SQLite default and on PostgreSQL; then the spend log's table
# (`spend_requests`), each of its indexes and the `spend_subjects` it refers to are measured
# (SQLite's dbstat; PostgreSQL's relation sizes summed over the monthly partitions) and
# divided by its rows.
#   bash tests/bench/storage.sh               (both databases)
#   DATABASES=sqlite bash tests/bench/storage.sh
#   REQUESTS=100000 KEYS=20 USERS=5 bash tests/bench/storage.sh
# Not a test: it prints a table for BENCHMARKS.md. About two minutes per database once built.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=tests/bench/common.sh
source tests/bench/common.sh
requests="${REQUESTS:-1000000}"
keys="${KEYS:-20}"
users="${USERS:-5}"
databases="${DATABASES:-sqlite postgres}"
mock_port="${MOCK_PORT:-18201}"
gw_port="${GATEWAY_PORT:-18200}"
master="sk-bench-0123456789abcdef0123456789abcdef"

cargo build --release --locked -p switchyard-server -p switchyard-tests --bins >&2
work=""
pids=()
bench_db="sy_bench_storage_$$"
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "$work" ] && rm -rf "$work"
  sleep 1
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $bench_db WITH (FORCE)" || true
}
trap cleanup EXIT

target/release/mock-upstream --listen "127.0.0.1:$mock_port" --name aws --models granite \
  --completion-tokens 16 >/dev/null &
pids+=($!)
chat='{"model":"granite","messages":[{"role":"user","content":"benchmark prompt of a few words"}]}'

# The rows the spend log holds now.
count_rows() {
  if [ "$1" = sqlite ]; then
    python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from spend_requests").fetchone()[0])' \
      "$work/data/switchyard.sqlite"
  else
    psql -h 127.0.0.1 -U postgres -d "$bench_db" -tAc "SELECT count(*) FROM spend_requests"
  fi
}

measure() {
  local db=$1
  work="$(mktemp -d)"
  write_config aws "http://127.0.0.1:$mock_port/v1"
  unset SWITCHYARD_DATABASE_URL
  if [ "$db" = postgres ]; then
    psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $bench_db"
    export SWITCHYARD_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$bench_db"
  fi
  start_switchyard
  local callers=()
  for i in $(seq 1 "$keys"); do
    callers+=("$(new_key "{\"models\":[\"granite\"],\"user_id\":\"bench-user-$((i % users))\"}")")
  done
  echo "$db: sending $requests requests through $keys keys of $users users" >&2
  local rows=0 turn=0
  while [ "$rows" -lt "$requests" ]; do
    local left=$((requests - rows))
    local caller="${callers[$((turn % keys))]}"
    turn=$((turn + 1))
    # A second per 20,000 requests left, at most 5 s a turn, so the last turns come close.
    local secs=$(((left + 19999) / 20000))
    [ "$secs" -gt 5 ] && secs=5
    target/release/loadgen --url "http://127.0.0.1:$gw_port/v1/chat/completions" --key "$caller" \
      --body "$chat" --rate 0 --concurrency 32 --warmup 0 --seconds "$secs" --label "$db" >/dev/null
    sleep 0.5
    rows="$(count_rows "$db")"
    echo "  $rows rows" >&2
  done
  # A clean stop flushes the ledger; the SQLite file is checkpointed.
  kill -TERM "$gw_pid"
  wait "$gw_pid" 2>/dev/null || true
  rows="$(count_rows "$db")"
  if [ "$db" = sqlite ]; then
    python3 - "$work/data/switchyard.sqlite" "$rows" <<'PY'
import os, sqlite3, sys
path, rows = sys.argv[1], int(sys.argv[2])
con = sqlite3.connect(path)
names = [r[0] for r in con.execute(
    "select name from sqlite_master where tbl_name in ('spend_requests', 'spend_subjects') "
    "order by tbl_name, type desc, name")]
sizes = dict(con.execute("select name, sum(pgsize) from dbstat group by name"))
print(f"\nSQLite: {rows:,} spend rows; file {os.path.getsize(path) / 2**20:.1f} MiB\n")
print("| relation | MiB | bytes per request |")
print("|---|---|---|")
total = 0
for name in names:
    size = sizes.get(name, 0)
    total += size
    print(f"| {name} | {size / 2**20:.1f} | {size / rows:.0f} |")
print(f"| **spend log in all** | {total / 2**20:.1f} | **{total / rows:.0f}** |")
PY
  else
    psql -h 127.0.0.1 -U postgres -d "$bench_db" -qc "VACUUM ANALYZE spend_requests, spend_subjects" >/dev/null
    psql -h 127.0.0.1 -U postgres -d "$bench_db" -tA -F ' ' -c "
      WITH parts AS (
        SELECT inhrelid AS rel FROM pg_inherits WHERE inhparent = 'spend_requests'::regclass
        UNION SELECT 'spend_subjects'::regclass)
      SELECT CASE WHEN c.relname = 'spend_subjects' THEN 'spend_subjects' ELSE 'table' END,
             sum(pg_relation_size(rel) + pg_relation_size(rel, 'fsm')
                          + pg_relation_size(rel, 'vm')
                          + coalesce(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0))
        FROM parts JOIN pg_class c ON c.oid = parts.rel GROUP BY 1
      UNION ALL
      SELECT regexp_replace(i.relname, '^spend_requests_(p[0-9_]+|default)_', ''),
             sum(pg_relation_size(x.indexrelid))
        FROM parts JOIN pg_index x ON x.indrelid = parts.rel
        JOIN pg_class i ON i.oid = x.indexrelid
        GROUP BY 1" | python3 -c '
import sys
rows = int(sys.argv[1])
print(f"\nPostgreSQL: {rows:,} spend rows\n")
print("| relation | MiB | bytes per request |")
print("|---|---|---|")
total = 0
for line in sys.stdin:
    if not line.strip():
        continue
    name, size = line.rsplit(" ", 1)
    size = int(size)
    total += size
    print(f"| {name} | {size / 2**20:.1f} | {size / rows:.0f} |")
print(f"| **spend log in all** | {total / 2**20:.1f} | **{total / rows:.0f}** |")
' "$rows"
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $bench_db WITH (FORCE)"
  fi
  rm -rf "$work"
  work=""
}

for db in $databases; do
  measure "$db"
done
