# Entry points for development; CI runs `make ci` (that is, .ci/run).
#
#   make test                  the README's test command
#   make lint                  gofmt -l, go vet, staticcheck, govulncheck (.ci/static.sh)
#   make fuzz FUZZTIME=10m     every fuzz target for FUZZTIME each (scripts/fuzz.sh)
#   make ci                    everything CI runs

FUZZTIME ?= 1m
# The Go release the README and CI use (it fixes the standard-library
# vulnerabilities our code reaches); the go command fetches it once.
export GOTOOLCHAIN ?= go1.27.3

.PHONY: test lint fuzz ci

test:
	go test -race ./...

lint:
	bash .ci/static.sh

fuzz:
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

ci:
	bash .ci/run
