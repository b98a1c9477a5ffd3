#!/usr/bin/env bash
# Portal benchmark: the first page load's compressed transfer, the catalog with 200 models
# and the usage page over 30 days of data, rendered in headless Chromium on this machine
# against the release server (tests/tests/portal_bench.rs, an ignored test).
#   bash tests/bench/portal.sh
# Not a test: it prints numbers for BENCHMARKS.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=tests/tools.sh
source "$root/tests/tools.sh"
ensure_build_tools
ensure_browser
ensure_services
build_spa
cargo build --release --locked -p switchyard-server -p switchyard-tests --bins >&2
cargo test --release --locked -p switchyard-tests --test portal_bench -- --ignored --nocapture
