# Entry points for development; CI runs `make ci` (that is, .ci/run).
#
#   make test                  the README's test command
#   make lint                  gofmt -l, go vet, staticcheck, govulncheck (.ci/static.sh)
#   make fuzz FUZZTIME=10m     every fuzz target for FUZZTIME each (scripts/fuzz.sh)
#   make ci                    everything CI runs

FUZZTIME ?= 1m

.PHONY: test lint fuzz ci

test:
	go test -race ./...

lint:
	bash .ci/static.sh

fuzz:
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

ci:
	bash .ci/run
