#!/usr/bin/env bash
# Rolling restart under load: three replicas on PostgreSQL and Redis behind HAProxy (health
# checks on readiness), a keyed client at a steady rate with streaming and whole answers; each
# replica in turn gets SIGTERM and is started again, then one is killed with SIGKILL and
# started again. Reports failed requests per phase and checks that every successful request
# is in spend_requests exactly once and that the key's spend matches the ledger.
#   bash tests/bench/rolling_restart.sh          (release build; PROFILE=debug to skip it)
# Needs haproxy (apt-get install haproxy), PostgreSQL and Redis on this machine.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
profile="${PROFILE:-release}"
command -v haproxy >/dev/null || { echo "haproxy is missing: apt-get install haproxy" >&2; exit 1; }
if [ "$profile" = release ]; then
  cargo build --release --locked -p switchyard-server -p switchyard-tests --bins >&2
else
  cargo build --locked -p switchyard-server -p switchyard-tests --bins >&2
fi
exec python3 tests/bench/rolling_restart.py --bin-dir "target/$profile" "$@"
