#!/usr/bin/env bash
# Runs the config-loading benchmark and prints each loader's ratio to the
# hand-written loader. Usage: cd bench && ./run.sh
# COUNT (default 5) is the -count of go test; the table uses medians.
set -euo pipefail
cd "$(dirname "$0")"

count="${COUNT:-5}"
raw="$(mktemp)"
trap 'rm -f "$raw"' EXIT

echo "== go version: $(go version); nproc: $(nproc); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || echo unknown)"

rev="$(git -C .. rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C .. status --porcelain -- . ':!bench' 2>/dev/null)" ]; then
	rev="$rev + uncommitted changes"
fi
echo "== prodready at $rev; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== go test ./... (the loaders must agree before they are timed)"
go test -count=1 ./...

echo "== go test -run='^\$' -bench=BenchmarkLoad -benchmem -count=$count ."
go test -run='^$' -bench=BenchmarkLoad -benchmem -count="$count" . | tee "$raw"

echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
go run ./cmd/ratios <"$raw"
