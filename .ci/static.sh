#!/usr/bin/env bash
# Static analysis for both modules (the root and bench/), each step failing
# the build: gofmt -l (must print nothing), go vet, staticcheck, govulncheck.
# Called by .ci/run; can be run alone: `bash .ci/static.sh`.
#
# The tools are installed with `go install pkg@version` at the pins below
# into a cache keyed by Go version and pin, so reruns skip the build.
#
# govulncheck: vuln.go.dev may not be reachable (no DNS on CI). Then the
# database is built offline, in a temp dir, from the pinned module
# golang.org/x/vulndb (its data/osv/*.json) with that module's own
# cmd/indexdb, in the v1 layout `govulncheck -db file://...` reads. If
# vuln.go.dev answers, the live database is used instead. Before the repo
# is scanned, a canary module that calls a known-vulnerable function is
# scanned, and the run fails unless that vulnerability is reported, so a
# broken or empty database cannot pass silently.
#
# Policy: fail on every vulnerability our code reaches (symbol level), in a
# module we require or in the standard library: the fix is a go.mod bump or
# a newer Go release (CI and the README pin GOTOOLCHAIN to one that has the
# fixes; bump it there). Print, without failing, those in code we import or
# require but never call (govulncheck's own exit code ignores those too).
set -euo pipefail
cd "$(dirname "$0")/.."
# The Go release CI uses (see .ci/run); run alone, the script picks it too.
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"

STATICCHECK_PIN="honnef.co/go/tools/cmd/staticcheck@v0.8.2"
GOVULNCHECK_PIN="golang.org/x/vuln/cmd/govulncheck@v1.9.0"
VULNDB_MOD="golang.org/x/vulndb"
VULNDB_VERSION="v0.0.0-20261105234957-e22db6528018"
VULNDB_LIVE="${PRODREADY_VULNDB_URL:-https://vuln.go.dev}" # a mirror may be given
# The canary: golang.org/x/text v0.3.5's language.Parse is GO-2021-0113.
CANARY_ID="GO-2021-0113"

tools_root="${PRODREADY_TOOLS_DIR:-$HOME/.cache/prodready-tools}/$(go env GOVERSION)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() { echo "static analysis failed: $*" >&2; exit 1; }

need_cmd() { # need_cmd COMMAND PACKAGE: apt-get install PACKAGE when COMMAND is missing
	command -v "$1" >/dev/null 2>&1 && return 0
	local sudo=""
	if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
	echo "== installing $2"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >/dev/null
}

# tool PKG@VERSION: prints the path of the installed binary, installing it
# first when this Go version and pin have not been built before.
tool() {
	local pin="$1" name bin dir
	name="$(basename "${pin%@*}")"
	dir="$tools_root/${pin//\//_}"
	bin="$dir/$name"
	if [ ! -x "$bin" ]; then
		echo "== go install $pin" >&2
		# Outside the repo and without the repo's GOFLAGS (-mod=readonly
		# does not apply to pkg@version installs).
		(cd "$work" && GOFLAGS= GOBIN="$dir" go install "$pin") >&2 ||
			fail "could not install $pin; check that the module proxy serves it and that it builds with $(go env GOVERSION)"
	fi
	echo "$bin"
}

need_cmd jq jq
staticcheck="$(tool "$STATICCHECK_PIN")"
govulncheck="$(tool "$GOVULNCHECK_PIN")"

echo "== gofmt -l (root and bench)"
unformatted="$(gofmt -l .)"
if [ -n "$unformatted" ]; then
	echo "$unformatted"
	fail "gofmt would change the files above; run 'gofmt -w' on them"
fi

echo "== go vet (root and bench)"
go vet ./... || fail "go vet found problems in the root module"
(cd bench && go vet ./...) || fail "go vet found problems in the bench module"

echo "== staticcheck $("$staticcheck" -version | cut -d' ' -f2-) (root and bench)"
# staticcheck warns and exits 0 when ./... loads nothing (a go.mod that
# needs updating, say); that must not pass as clean.
run_staticcheck() { # run_staticcheck DIR LABEL
	local out rc=0
	out="$(cd "$1" && "$staticcheck" ./... 2>&1)" || rc=$?
	[ -z "$out" ] || echo "$out"
	if grep -q 'matched no packages' <<<"$out"; then
		fail "staticcheck checked no packages in the $2 module; run 'go list ./...' in $1 to see why"
	fi
	[ "$rc" = 0 ] || fail "staticcheck found problems in the $2 module (see above)"
}
run_staticcheck . root
run_staticcheck bench bench

# --- govulncheck database: live when it answers, else built offline.
if curl -fsS --max-time 15 -o /dev/null "$VULNDB_LIVE/index/db.json.gz" 2>/dev/null; then
	db="$VULNDB_LIVE"
	echo "== govulncheck database: live $VULNDB_LIVE"
else
	echo "== govulncheck database: $VULNDB_LIVE does not answer; building it offline from $VULNDB_MOD@$VULNDB_VERSION"
	start=$SECONDS
	indexdb="$(tool "$VULNDB_MOD/cmd/indexdb@$VULNDB_VERSION")"
	src="$(cd "$work" && GOFLAGS= go mod download -json "$VULNDB_MOD@$VULNDB_VERSION" | jq -r .Dir)"
	[ -d "$src/data/osv" ] || fail "$VULNDB_MOD@$VULNDB_VERSION has no data/osv directory at $src"
	# Built once per pin and kept beside the tools (5 min on two cores).
	db_dir="$tools_root/vulndb-${VULNDB_VERSION##*-}"
	if [ -s "$db_dir/index/db.json.gz" ]; then
		echo "   reusing the database built earlier at $db_dir"
	else
		rm -rf "$db_dir.tmp"
		"$indexdb" -vulns "$src/data/osv" -out "$db_dir.tmp" || fail "indexdb could not build the database from $src/data/osv"
		mv "$db_dir.tmp" "$db_dir"
	fi
	# The entries in the repository carry no modified dates (those are set
	# when vuln.go.dev is published), so index/db.json says year 1. Stamp
	# it with the pinned commit's date from the pseudo-version instead, so
	# govulncheck reports the real age of the data.
	stamp="${VULNDB_VERSION#v0.0.0-}"
	stamp="${stamp%%-*}"
	db_date="${stamp:0:4}-${stamp:4:2}-${stamp:6:2}T${stamp:8:2}:${stamp:10:2}:${stamp:12:2}Z"
	printf '{"modified":"%s"}' "$db_date" >"$db_dir/index/db.json"
	gzip -nc "$db_dir/index/db.json" >"$db_dir/index/db.json.gz"
	entries=$(find "$db_dir/ID" -name '*.json' | wc -l)
	db="file://$db_dir"
	echo "   offline database: $entries entries, vulndb commit ${VULNDB_VERSION##*-} of $db_date ($(du -sh "$db_dir" | cut -f1), built in $((SECONDS - start))s)"
	echo "   findings published after $db_date are NOT checked; bump VULNDB_VERSION in .ci/static.sh to refresh"
fi

# vulnscan DIR LABEL: runs govulncheck on DIR's module, writes its JSON to
# $work/LABEL.json, prints a summary, and returns 1 when a finding fails
# the policy above.
vulnscan() {
	local dir="$1" label="$2" out="$work/$2.json" rc=0
	(cd "$dir" && "$govulncheck" -db "$db" -format json ./...) >"$out" ||
		fail "govulncheck could not scan $label (exit $?); its output: $(tail -c 2000 "$out")"
	jq -r -s --arg name "$label" '
		(map(select(.osv) | {key: .osv.id, value: .osv.summary}) | from_entries) as $summary
		| map(select(.finding) | .finding) as $f
		| ($f | map(select(.trace[0].function != null))) as $called
		| ($called | unique_by(.osv)) as $fail
		| ($called | map(.osv)) as $called_ids
		| ($f | map(select(.trace[0].function == null)) | unique_by(.osv)
		   | map(select(.osv | IN($called_ids[]) | not))) as $info
		| def line: "  \(.osv) \(.trace[0].module)@\(.trace[0].version // "?") fixed in \(.fixed_version // "none"): \($summary[.osv] // "")";
		  def where: "      called from " + ([.trace[] | select(.position) | "\(.package).\(.function) (\(.position.filename):\(.position.line))"] | join(" <- "));
		  "govulncheck \($name): \($fail | length) reachable (failing), \($info | length) imported or required but not called",
		  (if ($fail | length) > 0 then "FAIL: reached by our code; upgrade the module in go.mod, or GOTOOLCHAIN in .ci/run, the Makefile and README.md for the standard library:", ($fail[] | line, where) else empty end),
		  (if ($info | length) > 0 then "note: in code imported or required but never called (does not fail):", ($info[] | line) else empty end)
	' "$out"
	jq -e -s 'map(select(.finding) | .finding | select(.trace[0].function != null)) | length == 0' "$out" >/dev/null || rc=1
	return $rc
}

echo "== govulncheck $GOVULNCHECK_PIN: canary (must report $CANARY_ID)"
canary="$work/canary"
mkdir -p "$canary"
cat >"$canary/go.mod" <<'EOF'
module canary.invalid/vulncanary

go 1.26

require golang.org/x/text v0.3.5
EOF
cat >"$canary/go.sum" <<'EOF'
golang.org/x/text v0.3.5 h1:i6eZZ+zk0SOf0xgBpEpPD18qWcJda6q1sxt3S0kzyUQ=
golang.org/x/text v0.3.5/go.mod h1:5Zoc/QRtKVWzQhOtBMvqHzDpF6irO9z98xDceosuGiQ=
EOF
cat >"$canary/main.go" <<'EOF'
package main

import (
	"fmt"

	"golang.org/x/text/language"
)

func main() { fmt.Println(language.Parse("en-US")) }
EOF
(cd "$canary" && GOFLAGS= go mod download golang.org/x/text) || fail "could not download the canary's golang.org/x/text v0.3.5 from the module proxy"
if vulnscan "$canary" canary >"$work/canary.txt"; then
	cat "$work/canary.txt"
	fail "the canary calls golang.org/x/text v0.3.5 language.Parse ($CANARY_ID) but govulncheck did not fail on it; the database ($db) is empty or unreadable"
fi
grep -q "^  $CANARY_ID " "$work/canary.txt" ||
	{ cat "$work/canary.txt"; fail "govulncheck did not report $CANARY_ID for the canary; the database ($db) is empty or unreadable"; }
echo "   ok: $(grep "^  $CANARY_ID " "$work/canary.txt" | head -1 | sed 's/^ *//')"
echo "   database $db, last modified $(jq -r 'select(.config) | .config.db_last_modified' "$work/canary.json")"

echo "== govulncheck (root and bench)"
vulnscan . root || fail "govulncheck: the root module reaches a vulnerable function (see FAIL above)"
vulnscan bench bench || fail "govulncheck: the bench module reaches a vulnerable function (see FAIL above)"
