#!/usr/bin/env bash
# Instructions per request on the keyed gateway path, counted by valgrind's callgrind: unlike
# throughput, the count does not move with what else the machine is doing, so a change to the
# hot path can be measured on a busy two-core machine. The gateway (release build, embedded
# default, ledger on) runs under callgrind in front of an nginx stand-in answering one fixed
# chat completion; a key with rpm/tpm limits and a budget sends WARMUP requests, the counters
# are zeroed, then REQUESTS requests over 4 keep-alive connections are counted.
#   bash tests/bench/instructions.sh            (prints the total and per-request count, and
#                                                the heaviest functions, inclusive)
#   REQUESTS=4000 WARMUP=400 bash tests/bench/instructions.sh
#   NO_BUILD=1 GATEWAY_BIN=/elsewhere/switchyard bash tests/bench/instructions.sh
#                                                (another build, this tree not built)
#   DUMP=/tmp/out.callgrind bash tests/bench/instructions.sh   (keeps callgrind's dump, for
#                                                               callgrind_annotate)
#   SDK_HEADERS=1 bash tests/bench/instructions.sh     (each request with the headers the
#                                                       OpenAI Python SDK sends, gzip asked)
#   LONG_PROMPT=1 bash tests/bench/instructions.sh     (a 20 KB conversation per request
#                                                       instead of a few words)
#   EMBEDDINGS=1 bash tests/bench/instructions.sh      (embeddings of a sentence instead of
#                                                       chat: a 19 KB answer of 1,536 numbers)
#   BACKEND_MODEL=ibm/granite-3-8b bash tests/bench/instructions.sh   (the deployment knows
#                                                       the model by another name, which
#                                                       the gateway writes into each body)
#   STORES=postgres bash tests/bench/instructions.sh   (PostgreSQL + Redis instead of the
#                                                       embedded default: a fresh database,
#                                                       Redis database 13)
# Installs valgrind and nginx from Debian's packages when they are missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=tests/bench/common.sh
source tests/bench/common.sh
requests="${REQUESTS:-4000}"
warmup="${WARMUP:-400}"
stand_in_port="${STAND_IN_PORT:-18201}"
gw_port="${GATEWAY_PORT:-18200}"
master="sk-bench-0123456789abcdef0123456789abcdef"

install_missing valgrind:valgrind nginx:nginx-light
[ -n "${NO_BUILD:-}" ] || cargo build --release --locked -p switchyard-server --bins >&2

work="$(mktemp -d)"
gw_pid=""
cleanup() {
  [ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 1
  drop_bench_db
  rm -rf "$work"
}
trap cleanup EXIT
use_stores "sy_instr_$$" 13

start_stand_in "$stand_in_port"
write_config local "http://127.0.0.1:$stand_in_port/v1"
[ -z "${BACKEND_MODEL:-}" ] || echo "backend_model = \"$BACKEND_MODEL\"" >>"$work/switchyard.toml"
SWITCHYARD_LISTEN="127.0.0.1:$gw_port" SWITCHYARD_DATA_DIR="$work/data" \
  valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
  "${GATEWAY_BIN:-target/release/switchyard}" --config "$work/switchyard.toml" serve 2>"$work/server.log" &
gw_pid=$!
for _ in $(seq 1 240); do
  curl -fs "http://127.0.0.1:$gw_port/health/readiness" >/dev/null && break
  sleep 0.5
done
key="$(curl -fs "http://127.0.0.1:$gw_port/key/generate" -H "Authorization: Bearer $master" \
  -H 'Content-Type: application/json' \
  -d '{"models":["granite"],"user_id":"bench","rpm_limit":1000000000,"tpm_limit":1000000000000,"max_budget":1000000,"budget_duration":"monthly"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')"

# N requests over 4 keep-alive connections; fails on any answer but 200.
load() {
  BENCH_KEY="$key" PORT="$gw_port" SDK_HEADERS="${SDK_HEADERS:-}" LONG_PROMPT="${LONG_PROMPT:-}" EMBEDDINGS="${EMBEDDINGS:-}" python3 - "$1" <<'PY'
import http.client, json, os, sys, threading
n, key, port = int(sys.argv[1]), os.environ["BENCH_KEY"], int(os.environ["PORT"])
messages = [{"role": "user", "content": "benchmark prompt of a few words"}]
if os.environ.get("LONG_PROMPT"):
    # A conversation as chat clients send it, about 20 KB: a system prompt and 24 turns.
    messages = [{"role": "system", "content": "You are a helpful assistant. " * 40}] + [
        {"role": "user" if i % 2 == 0 else "assistant",
         "content": "A turn of a longer conversation, with a few sentences in it about the weather and the code. " * 8}
        for i in range(24)]
body = json.dumps({"model": "granite", "messages": messages})
path = "/v1/chat/completions"
if os.environ.get("EMBEDDINGS"):
    # An embedding of a sentence: the answer is 1,536 numbers (about 19 KB).
    path, body = "/v1/embeddings", json.dumps({"model": "granite", "input": "a sentence to embed"})
headers = {"Content-Type": "application/json", "Authorization": "Bearer " + key}
if os.environ.get("SDK_HEADERS"):
    # What the OpenAI Python SDK 3.57 sends besides (captured from its client).
    headers.update({
        "Accept-Encoding": "gzip, deflate", "accept": "application/json",
        "user-agent": "OpenAI/Python 3.57.0", "x-stainless-lang": "python",
        "x-stainless-package-version": "3.57.0", "x-stainless-os": "Linux",
        "x-stainless-arch": "x64", "x-stainless-runtime": "CPython",
        "x-stainless-runtime-version": "3.11.7", "x-stainless-async": "false",
        "x-stainless-retry-count": "0", "x-stainless-read-timeout": "600"})
bad = []
def work(count):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for _ in range(count):
        connection.request("POST", path, body, headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            bad.append(response.status)
threads = [threading.Thread(target=work, args=(n // 4,)) for _ in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
sys.exit(f"{len(bad)} answers were not 200: {bad[:5]}" if bad else 0)
PY
}

load "$warmup"
callgrind_control -z "$gw_pid" >/dev/null
load "$requests"
sleep 2 # the ledger's last batch
callgrind_control -d "$gw_pid" >/dev/null
dump="$(ls "$work"/callgrind.out.* | head -1)"
[ -n "${DUMP:-}" ] && cp "$dump" "$DUMP"
total="$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')"
echo "instructions: $total for $requests requests, $((total / requests)) per request"
echo
echo "heaviest Switchyard functions (inclusive, per request):"
callgrind_annotate --inclusive=yes --threshold=100 "$dump" 2>/dev/null |
  grep -E 'switchyard_server::|schema::' | head -"${TOP:-25}" |
  awk -v n="$requests" '{
    count = $1; gsub(",", "", count); line = $0
    sub(/^ *[0-9,]+ *\( *[0-9.]+%\) +(\?\?\?:)?/, "", line); sub(/ \[[^]]*\]$/, "", line)
    printf "%9d  %s\n", count / n, line
  }'
