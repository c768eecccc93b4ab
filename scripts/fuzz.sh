#!/usr/bin/env bash
# Runs every fuzz target in the module for FUZZTIME each (default 1m) and
# prints one line per target: package, target, executions, result.
#
#   scripts/fuzz.sh                      # every target, 1 minute each
#   FUZZTIME=10m scripts/fuzz.sh         # the figure docs/SECURITY.md reports
#   FUZZTIME=30s scripts/fuzz.sh ./paginate FuzzParseCursor   # one target
#
# Each run uses FUZZPARALLEL workers (default 1, so two lanes fit on a
# two-core machine: LANE=0/1 of LANES=2 splits the list). New crashers are
# written by go test under the package's testdata/fuzz/<Target>/ and then
# run as seeds by every plain `go test`; commit them with their fix.
# Logs go to FUZZLOG (default ./fuzz-logs, ignored by git).
set -uo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-1m}"
parallel="${FUZZPARALLEL:-1}"
lanes="${LANES:-1}"
lane="${LANE:-0}"
logdir="${FUZZLOG:-fuzz-logs}"
mkdir -p "$logdir"

targets=()
if [ $# -eq 2 ]; then
	targets=("$1 $2")
else
	for pkg in $(go list ./...); do
		dir=".${pkg#github.com/prodready/prodready}"
		for t in $(go test -list '^Fuzz' "$dir" 2>/dev/null | grep '^Fuzz' || true); do
			targets+=("$dir $t")
		done
	done
fi

status=0
i=0
for entry in "${targets[@]}"; do
	if [ $((i % lanes)) -ne "$lane" ]; then i=$((i + 1)); continue; fi
	i=$((i + 1))
	read -r dir target <<<"$entry"
	log="$logdir/$(echo "$dir" | tr '/.' '__')_$target.log"
	start=$(date +%s)
	go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" -parallel="$parallel" "$dir" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	if [ $rc -eq 0 ]; then result=ok; else result="FAIL (see $log)"; status=1; fi
	printf '%-28s %-22s %12s execs %5ss  %s\n' "$dir" "$target" "${execs:-?}" "$secs" "$result"
done
exit $status
