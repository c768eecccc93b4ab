#!/usr/bin/env bash
# Runs every fuzz target in the module for FUZZTIME each (default 1m) and
# prints one line per target: package, target, committed seeds, executions,
# time, result. (`make fuzz FUZZTIME=...` runs it; plain `go test` runs
# every target on its committed seeds only, as .ci/run does.)
#
#   scripts/fuzz.sh                      # every target, 1 minute each
#   FUZZTIME=10m scripts/fuzz.sh         # the figure docs/SECURITY.md reports
#   FUZZTIME=30s scripts/fuzz.sh ./paginate FuzzParseCursor   # one target
#
# Each run uses FUZZPARALLEL workers (default 1, so two lanes fit on a
# two-core machine: LANE=0/1 of LANES=2 splits the list). New crashers are
# written by go test under the package's testdata/fuzz/<Target>/ (the
# result line names the file) and then run as seeds by every plain
# `go test`; commit them with their fix.
# -timeout=0: go test's default 10m timeout would kill a long session.
# Logs go to FUZZLOG (default ./fuzz-logs, ignored by git).
set -uo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-1m}"
parallel="${FUZZPARALLEL:-1}"
lanes="${LANES:-1}"
lane="${LANE:-0}"
logdir="${FUZZLOG:-fuzz-logs}"
mkdir -p "$logdir"

# The targets: every `func FuzzX(` in a _test.go file of this module,
# found with grep rather than by building every test binary (bench/ is a
# module of its own).
targets=()
if [ $# -eq 2 ]; then
	targets=("$1 $2")
else
	while IFS=: read -r file line; do
		t="${line#func }"
		targets+=("$(dirname "$file") ${t%%(*}")
	done < <(grep -rEH --include='*_test.go' --exclude-dir=bench --exclude-dir=testdata --exclude-dir=.git \
		'^func Fuzz[A-Za-z0-9_]*\(' . | sort)
fi
if [ "${#targets[@]}" -eq 0 ]; then
	echo "no fuzz targets found" >&2
	exit 1
fi

status=0
i=0
for entry in "${targets[@]}"; do
	if [ $((i % lanes)) -ne "$lane" ]; then i=$((i + 1)); continue; fi
	i=$((i + 1))
	read -r dir target <<<"$entry"
	log="$logdir/$(echo "$dir" | tr '/.' '__')_$target.log"
	start=$(date +%s)
	go test -timeout=0 -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" -parallel="$parallel" "$dir" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	seeds=$(find "$dir/testdata/fuzz/$target" -type f 2>/dev/null | wc -l)
	if [ $rc -eq 0 ]; then
		result=ok
	else
		status=1
		result="FAIL (see $log)"
		crasher=$(grep -o 'testdata/fuzz/[^ ]*' "$log" | tail -1)
		if [ -n "$crasher" ]; then result="FAIL: reproducer $dir/$crasher (see $log)"; fi
	fi
	printf '%-22s %-20s %4s seeds %12s execs %5ss  %s\n' "$dir" "$target" "$seeds" "${execs:-?}" "$secs" "$result"
done
exit $status
