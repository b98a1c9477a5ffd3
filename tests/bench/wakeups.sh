#!/usr/bin/env bash
# Thread wake-ups and system calls per request on the keyed path. On two cores a thread that
# sleeps and is woken costs a context switch each way, and the gateway, the model server and
# the client share the cores: a lock or a channel that makes a thread wait shows here long
# before it shows in throughput, which moves by ±10% from run to run on this machine.
# The gateway (release build, embedded default, ledger and journal on, or STORES=postgres)
# runs in front of an nginx stand-in answering one fixed chat completion; wrk (one thread,
# CONNECTIONS connections) sends a key with rpm/tpm limits and a budget for SECONDS_PER_RUN
# after a 2-second warm-up. Printed per request: each thread kind's voluntary (it waited) and
# involuntary (it was preempted) context switches, read from /proc/<pid>/task/*/status before
# and after, and with perf (Debian's linux-perf; skipped with a message when it is missing or
# not allowed) the gateway's futex, write, writev, recvfrom and epoll_wait calls.
#   bash tests/bench/wakeups.sh
#   NO_BUILD=1 GATEWAY_BIN=/elsewhere/switchyard SECONDS_PER_RUN=10 bash tests/bench/wakeups.sh
# Installs wrk and nginx from Debian's packages when they are missing. Not a test.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=tests/bench/common.sh
source tests/bench/common.sh
seconds="${SECONDS_PER_RUN:-10}"
connections="${CONNECTIONS:-16}"
stand_in_port="${STAND_IN_PORT:-18401}"
gw_port="${GATEWAY_PORT:-18400}"
master="sk-bench-0123456789abcdef0123456789abcdef"

install_missing wrk:wrk nginx:nginx-light
[ -n "${NO_BUILD:-}" ] || cargo build --release --locked -p switchyard-server --bins >&2

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 1
  drop_bench_db
  rm -rf "$work"
}
trap cleanup EXIT

start_stand_in "$stand_in_port"
write_config local "http://127.0.0.1:$stand_in_port/v1"
use_stores "sy_wake_$$" 11
start_switchyard
key="$(new_key '{"models":["granite"],"user_id":"bench","rpm_limit":1000000000,"tpm_limit":1000000000000,"max_budget":1000000,"budget_duration":"monthly"}')"
write_post_lua
url="http://127.0.0.1:$gw_port/v1/chat/completions"
BENCH_KEY="$key" wrk -t1 -c"$connections" -d2s -s "$work/post.lua" "$url" >/dev/null

# One line per thread: id, name, voluntary and involuntary context switches so far.
threads() {
  for task in /proc/"$gw_pid"/task/*; do
    printf '%s %s %s\n' "${task##*/}" "$(tr -d ' ' <"$task/comm")" \
      "$(awk '/^voluntary_ctxt/ {v = $2} /^nonvoluntary_ctxt/ {n = $2} END {print v, n}' "$task/status")"
  done | sort
}

calls="syscalls:sys_enter_futex,syscalls:sys_enter_write,syscalls:sys_enter_writev"
calls="$calls,syscalls:sys_enter_recvfrom,syscalls:sys_enter_epoll_wait"
perf_pid=""
if ! command -v perf >/dev/null; then
  echo "system calls skipped: perf is not installed (apt-get install linux-perf)" >&2
elif ! perf stat -e "$calls" -x, -o /dev/null true 2>/dev/null; then
  echo "system calls skipped: perf may not read syscall tracepoints here (run as root)" >&2
else
  perf stat -e "$calls" -x, -p "$gw_pid" -o "$work/perf.csv" -- sleep $((seconds + 1)) &
  perf_pid=$!
  sleep 0.5
fi
threads >"$work/before"
out="$(BENCH_KEY="$key" wrk -t1 -c"$connections" -d"${seconds}s" --latency -s "$work/post.lua" "$url")"
threads >"$work/after"
[ -z "$perf_pid" ] || wait "$perf_pid"
requests="$(awk '/requests in/ {print $1}' <<<"$out")"
rps="$(awk '/^Requests\/sec:/ {printf "%d", $2}' <<<"$out")"
errors="$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")"

echo "Switchyard on ${STORES:-embedded} stores, limited key; wrk 1 thread, $connections connections, ${seconds} s: $requests requests, $rps req/s, non-2xx ${errors:-0}"
echo
echo "| thread | voluntary switches per request | involuntary per request |"
echo "|---|---|---|"
# Threads that started during the run (none should) count from zero.
join -a 2 -e 0 -o 2.2,1.3,1.4,2.3,2.4 "$work/before" "$work/after" |
  awk -v r="$requests" '{v[$1] += $4 - $2; n[$1] += $5 - $3}
    END {for (t in v) {tv += v[t]; tn += n[t]; printf "| %s | %.3f | %.3f |\n", t, v[t] / r, n[t] / r}
         printf "| all | %.3f | %.3f |\n", tv / r, tn / r}'
if [ -n "$perf_pid" ]; then
  echo
  echo "| system call | per request |"
  echo "|---|---|"
  awk -F, -v r="$requests" '$3 ~ /^syscalls:/ {sub("syscalls:sys_enter_", "", $3); printf "| %s | %.3f |\n", $3, $1 / r}' "$work/perf.csv"
fi
