#!/usr/bin/env bash
# Issue 16's speed table, measured as the issue asks: every benchmark of a
# row built once as a test binary, then ROUNDS rounds run interleaved (one
# op batch of each benchmark per round, so a busy spell of a shared machine
# falls on all of them alike), medians compared as ratios. `make speed`
# runs it; ROUNDS (default 8) and MONTH=0 (leave out the two 30-day
# benchmarks, about a minute a round) are read from the environment. The
# raw lines are kept in $OUT/raw.txt for benchstat; RAW=FILE skips the runs
# and makes the table from FILE's lines (what scripts/speed_test.go does).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-8}
MONTH=${MONTH:-1}
# measure builds the test binaries and runs the rounds into $RAW.
measure() {
	local root=$PWD
	echo "building test binaries into $OUT" >&2
	go test -c -o "$OUT/sim.test" ./sim
	go test -c -o "$OUT/cmd.test" ./cmd/sim
	go test -c -o "$OUT/whatif.test" ./whatif
	(cd conformance/dapr1.14 && go test -c -o "$OUT/oracle.test" .)

	# package directory, binary, benchmark, benchtime
	runs=(
		"conformance/dapr1.14 oracle OracleDay 2x"
		"cmd/sim cmd RunDay 2x"
		"sim sim Day 2x"
		"sim sim DayNullStore 2x"
		"sim sim StoreDay 2x"
		"sim sim ProposedKeyLayout 2x"
		"sim sim EngineNullStore 2x"
		"sim sim FloorDay 2x"
		"sim sim MachinesDay 2x"
		"cmd/sim cmd ReplayDay 1x"
		"cmd/sim cmd ReplayAtDay 1x"
		"cmd/sim cmd RenderDayMinute 1x"
		"cmd/sim cmd RenderDayWindow 1x"
		"cmd/sim cmd RenderDayPageLimit 1x"
		"cmd/sim cmd CheckDay 1x"
		"cmd/sim cmd TimelineDay 1x"
		"cmd/sim cmd RenderDaySVG 1x"
		"whatif whatif SweepQuickstartHour 2x"
	)
	if [ "$MONTH" != 0 ]; then
		runs+=("sim sim Month 1x" "sim sim MonthNullStore 1x")
	fi

	: >"$RAW"
	for round in $(seq "$ROUNDS"); do
		echo "round $round of $ROUNDS ($(uptime | sed 's/.*load/load/'))" >&2
		for r in "${runs[@]}"; do
			read -r dir bin name benchtime <<<"$r"
			# A benchmark that fails is said and left out of the table (n/a).
			if ! out=$(cd "$root/$dir" && "$OUT/$bin.test" -test.run '^$' -test.bench "^Benchmark$name\$" \
				-test.benchtime "$benchtime" -test.benchmem 2>&1); then
				echo "Benchmark$name failed:" >&2
				tail -5 <<<"$out" >&2
			fi
			grep -E '^(Benchmark|goos|goarch|pkg|cpu)' <<<"$out" >>"$RAW" || true
		done
	done
	echo "raw figures: $RAW (benchstat $RAW)" >&2
}

if [ -z "${RAW:-}" ]; then
	OUT=${OUT:-$(mktemp -d)}
	mkdir -p "$OUT"
	RAW=$OUT/raw.txt
	measure
fi

# Medians of every benchmark's figures, then the table's ratios.
awk '
/^Benchmark/ {
	name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i += 2) { k = name SUBSEP $(i + 1); v[k, ++n[k]] = $i }
}
function median(name, unit,   k, m, a, i, j, t) {
	k = name SUBSEP unit; m = n[k]
	if (!m) return ""
	for (i = 1; i <= m; i++) a[i] = v[k, i]
	for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "n/a" : sprintf("%.2f", a / b) }
function times(a, b,   r) { r = ratio(a, b); return r == "n/a" ? r : r "x" }
function show(label, x) { printf "%-58s %s\n", label, (x == "" ? "n/a" : x) }
END {
	oracle = median("OracleDay", "ns/op")
	show("day: Dapr v1.14 oracle / sim run (trace to a file)", times(oracle, median("RunDay", "ns/op")))
	show("day: Dapr v1.14 oracle / BenchmarkDay", times(oracle, median("Day", "ns/op")))
	show("day: Dapr v1.14 oracle / sim without miniredis", times(oracle, median("DayNullStore", "ns/op")))
	show("day: miniredis alone / BenchmarkDay", ratio(median("StoreDay", "ns/op"), median("Day", "ns/op")))
	show("day: sim run peak RSS, MiB", median("RunDay", "peak-RSS-MiB"))
	show("day: oracle peak RSS, MiB", median("OracleDay", "peak-RSS-MiB"))
	show("day: miniredis held, MiB (StoreDay live-MiB)", median("StoreDay", "live-MiB"))
	show("per stored key: miniredis v2.40, bytes", median("StoreDay", "live-B/key"))
	show("per stored key: the layout proposed to miniredis, bytes", median("ProposedKeyLayout", "live-B/key"))
	show("month / day, ns per event", ratio(median("Month", "ns/event"), median("Day", "ns/event")))
	show("month / day without miniredis, ns per event", ratio(median("MonthNullStore", "ns/event"), median("DayNullStore", "ns/event")))
	show("month peak RSS, MiB", median("Month", "peak-RSS-MiB"))
	show("month without miniredis peak RSS, MiB", median("MonthNullStore", "peak-RSS-MiB"))
	replay = median("ReplayDay", "ns/op")
	show("render HTML 1-minute window / replay of the day", ratio(median("RenderDayMinute", "ns/op"), replay))
	show("render HTML 40-minute window / replay of the day", ratio(median("RenderDayWindow", "ns/op"), replay))
	show("render HTML page-limit window / replay of the day", ratio(median("RenderDayPageLimit", "ns/op"), replay))
	at = median("ReplayAtDay", "peak-RSS-MiB")
	show("replay --at peak RSS, MiB", at)
	show("check of the day: peak RSS / replay --at", ratio(median("CheckDay", "peak-RSS-MiB"), at))
	show("timeline of the day: peak RSS / replay --at", ratio(median("TimelineDay", "peak-RSS-MiB"), at))
	show("render SVG of the day: peak RSS / replay --at", ratio(median("RenderDaySVG", "peak-RSS-MiB"), at))
	show("sweep: points/s", median("SweepQuickstartHour", "points/s"))
	show("sweep: cpu/wall", median("SweepQuickstartHour", "cpu/wall"))
	show("engine without miniredis / event-heap floor", times(median("EngineNullStore", "ns/op"), median("FloorDay", "ns/op")))
	# Processor time: on a shared machine wall time per op also counts the
	# time other processes held the cores, and moves 40-90% between rounds.
	floor = median("FloorDay", "cpu-ns/op")
	show("engine / floor, processor time", times(median("EngineNullStore", "cpu-ns/op"), floor))
	show("policy machines alone / floor, processor time", times(median("MachinesDay", "cpu-ns/op"), floor))
	# The bound proposed for the engine row (docs/speed.md): an engine that
	# keeps its machines pure pays for their steps on top of the floor.
	machines = median("MachinesDay", "cpu-ns/op")
	show("engine / (floor + machines), processor time", times(median("EngineNullStore", "cpu-ns/op"), (floor == "" || machines == "") ? "" : floor + machines))
}' "$RAW"
