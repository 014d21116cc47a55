# sim — see README.md. `make run` plays the quickstart; `make test` is what CI runs.
GO          ?= go
STATICCHECK ?= $(shell command -v staticcheck 2>/dev/null || echo $(shell $(GO) env GOPATH)/bin/staticcheck)
STATICCHECK_VERSION := v0.8.2
BENCHTIME   ?= 1s
FUZZTIME    ?= 20s

.PHONY: build test lint vet staticcheck race bench speed run golden schema docs tools contract conformance fuzz playground

build:
	$(GO) build -o bin/sim ./cmd/sim

run:
	$(GO) run ./cmd/sim run examples/quickstart/scenario.yaml

# The browser playground (docs/playground.md): $(PLAYGROUND)/index.html, one
# self-contained page carrying sim's engine compiled to WebAssembly; open it
# from the file or put it on any static host. The same tree builds the same
# bytes.
PLAYGROUND ?= dist/playground
playground:
	GO=$(GO) $(GO) run ./cmd/playground -o $(PLAYGROUND)

test: vet staticcheck race

vet:
	@test -z "$$(gofmt -l . | tee /dev/stderr)" || (echo "gofmt: the files above need formatting" && exit 1)
	$(GO) vet ./...

staticcheck: tools
	$(STATICCHECK) ./...

# cmd/sim's tests (every script, doc and example under the race detector)
# take 8-9 minutes on a loaded 2-core machine, near go test's default
# 10-minute limit per package; the limit is for a hung test, not a slow one.
race:
	$(GO) test -race -count=1 -timeout 30m ./...

lint: vet staticcheck

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

# Issue 16's speed table: the rows' benchmarks (sim's, and Dapr v1.14's own
# code over the same day from conformance/dapr1.14) run interleaved for
# ROUNDS rounds (default 8), medians as ratios (docs/speed.md).
speed:
	./scripts/speed.sh

# Every input reader under go test -fuzz for FUZZTIME each (default 20s); a
# crasher is written to the package's testdata/fuzz/ and fails the target —
# commit it with its fix, it is a regression test from then on. .ci/fuzz.sh
# tells a finding from Go 1.26's deadline race at the end of -fuzztime.
FUZZ_TARGETS := \
	./internal/ynode:FuzzDocuments \
	./sim:FuzzScenario \
	./policies:FuzzParseFile \
	./policies:FuzzTrip \
	./daprlog:FuzzRead \
	./traces:FuzzStreamMatchesFullDecode \
	./internal/escape:FuzzText \
	./internal/input:FuzzReadFile \
	./traces:FuzzLineLimit \
	./daprlog:FuzzReadLineLimit \
	./internal/ynode:FuzzNumbers \
	./policies:FuzzWhatIfValue \
	./sim:FuzzEventFields \
	./sim:FuzzCloudEventMatchesMap \
	./sim:FuzzRemarshal
fuzz:
	GO=$(GO) .ci/fuzz.sh $(FUZZTIME) $(FUZZ_TARGETS)

# Rewrites golden files from the code; review the diff like code.
golden:
	SIM_UPDATE_GOLDEN=1 $(GO) test -count=1 ./...

# Rewrites docs/schema/scenario.schema.json, the scenario file's JSON Schema,
# from the decoders' key tables (sim/schema.go, expect/schema.go); `make
# test` fails while the committed file is stale. Review the diff like code.
schema:
	SIM_UPDATE_GOLDEN=1 $(GO) test -count=1 -run '^TestSchemaFile$$' ./cmd/sim

# Regenerates docs/cli, the per-command reference, from the commands
# (cobra's doc generator); TestCLIDocs fails while it is stale.
docs:
	SIM_UPDATE_GOLDEN=1 $(GO) test -count=1 -run '^TestCLIDocs$$' ./cmd/sim

# Dapr's own resiliency code (v1.14.0, v1.16.0) under testing/synctest, side by
# side with the engine; a separate module per release (conformance/README.md).
conformance:
	cd conformance && ./run.sh

contract: build
	../shared/checks/contract

tools:
	@test -x "$(STATICCHECK)" || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
