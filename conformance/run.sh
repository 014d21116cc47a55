#!/usr/bin/env bash
# Runs the conformance suite: the harness's own tests, then every Dapr
# release module. The first run downloads and compiles Dapr's dependencies
# (about 2 minutes per release on a 2-core machine); later runs take seconds.
set -euo pipefail
cd "$(dirname "$0")"
fmt=$(gofmt -l .)
if [ -n "$fmt" ]; then echo "gofmt: $fmt" >&2; exit 1; fi
for m in . dapr1.14 dapr1.16; do
	(cd "$m" && go vet ./... && go test -count=1 "$@" ./...)
done
