#!/usr/bin/env bash
# Long run of the coherence checks of package cache (docs/CACHE.md,
# "Coherence"): the porcupine linearizability check on every backend, the
# two-instance stale-set experiments (writes and refresh-ahead) and the
# Memcached pause experiment.
#
#   scripts/coherence.sh [OPS [ROUNDS]]
#
# OPS is the number of operations per backend (default 100000), ROUNDS the
# stale-set rounds per case (default 1000). Needs Redis and Memcached on
# loopback (PRODREADY_TEST_REDIS_URL, PRODREADY_TEST_MEMCACHED_ADDR) and the
# memcached binary for the pause experiment.
set -euo pipefail
cd "$(dirname "$0")/.."
ops=${1:-100000}
rounds=${2:-1000}
log=$(mktemp)
set +e
PRODREADY_REQUIRE_SERVERS=1 PRODREADY_COHERENCE_OPS=$ops PRODREADY_COHERENCE_ROUNDS=$rounds \
	go test ./cache/ -count=1 -timeout 60m -v \
	-run '^(TestLinearizable|TestStaleSetAtRest|TestStaleRefreshAtRest|TestLoadDoesNotOverwriteSetInFlight|TestFailedWriteDoesNotComeBack)$' >"$log" 2>&1
status=$?
set -e
grep -vE '^\s*$|WARN cache: backend error' "$log" | grep -E -e '--- |^(ok|FAIL|PASS)|linearizable|stale at rest|around the first|^\s+[ *] \[|visualization' || true
echo "full log: $log"
exit $status
