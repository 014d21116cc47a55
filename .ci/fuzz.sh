#!/usr/bin/env bash
# usage: .ci/fuzz.sh FUZZTIME PKG:TARGET...  (make fuzz)
#
# Runs each fuzz target for FUZZTIME. A finding — a failing input written to
# the package's testdata/fuzz/, a panic, a failed check — fails at once:
# commit the input with its fix, it is a regression test from then on.
#
# Go 1.26's fuzz coordinator can also fail a target with a bare "context
# deadline exceeded" as -fuzztime ends, when a loaded machine's worker is
# still mid-input (go.dev/issue/75804, fixed in Go 1.27). Nothing was found
# then, so that alone is retried once and, if it happens again, reported as
# a warning.
set -uo pipefail
fuzztime=$1; shift
go=${GO:-go}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

flake() { # the last run failed with the coordinator's deadline and nothing else
  grep -q 'context deadline exceeded' "$log" &&
    ! grep -qE 'Failing input written|panic:|^[[:space:]]+[^[:space:]]+\.go:[0-9]+:' "$log"
}

for t in "$@"; do
  pkg=${t%%:*} name=${t##*:}
  for attempt in 1 2; do
    again=""
    [ "$attempt" -eq 2 ] && again=", again"
    echo "fuzz $pkg $name ($fuzztime$again)"
    "$go" test -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" -fuzzminimizetime 2s "$pkg" 2>&1 | tee "$log"
    if [ "${PIPESTATUS[0]}" -eq 0 ]; then
      break
    fi
    if ! flake; then
      echo "fuzz $pkg $name: FAILED" >&2
      exit 1
    fi
    if [ "$attempt" -eq 2 ]; then
      echo "warning: fuzz $pkg $name: stopped twice by the fuzz coordinator's deadline with nothing found (go.dev/issue/75804); not a finding" >&2
    else
      echo "fuzz $pkg $name: the coordinator's deadline stopped it with nothing found (go.dev/issue/75804); once more" >&2
    fi
  done
done
