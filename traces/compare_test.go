package traces

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func compareEvents() []Event {
	return []Event{
		{T: 6 * time.Second, Kind: Fault, Target: "statestore", Change: "stop"},
		{T: 6*time.Second + time.Millisecond, Kind: Call, App: "a", Iteration: 5, Step: 1, Target: "statestore", Op: "save", Attempt: 1, Outcome: Error, Error: "connect: connection refused"},
		{T: 6*time.Second + time.Millisecond, Kind: Retry, App: "a", Iteration: 5, Step: 1, Target: "statestore", Op: "save", Operation: "component[statestore] output", Attempt: 1, Delay: 5 * time.Second, Notice: true},
		{T: 26 * time.Second, Kind: Breaker, Name: "cb-statestore", From: "closed", To: "open"},
		{T: 31 * time.Second, Kind: Breaker, Name: "cb-statestore", From: "open", To: "half-open"},
		{T: 36 * time.Second, Kind: Recovered, App: "a", Iteration: 5, Step: 1, Target: "statestore", Op: "save", Operation: "component[statestore] output", Attempts: 7},
		{T: 36 * time.Second, Kind: Op, App: "a", Iteration: 5, Step: 1, Target: "statestore", Op: "save", Attempts: 7, Outcome: OK, Took: 30 * time.Second, Log: "saved 5"},
	}
}

func TestCompare(t *testing.T) {
	base := compareEvents()
	edit := func(f func(e []Event) []Event) []Event {
		return f(append([]Event(nil), base...))
	}
	for _, tc := range []struct {
		name      string
		want, got []Event
		index     int // -1: identical
		fields    []string
		headline  string
		nContext  int
	}{
		{name: "identical", want: base, got: base, index: -1},
		{name: "empty", index: -1},
		{name: "time", want: edit(func(e []Event) []Event { e[3].T++; return e }), got: base, index: 3,
			fields: []string{"t: 26.000000001s, 26s"}, headline: "replay: diverged at event #4 (t=26.000000001s)\n", nContext: 3},
		{name: "first event", want: edit(func(e []Event) []Event { e[0].Change = "start"; return e }), got: base, index: 0,
			fields: []string{`change: "start", "stop"`}, nContext: 0},
		{name: "swapped", want: edit(func(e []Event) []Event { e[1], e[2] = e[2], e[1]; return e }), got: base, index: 1, nContext: 1,
			fields: []string{"kind: retry, call", `operation: "component[statestore] output", ""`, "outcome: (none), error",
				`error: "", "connect: connection refused"`, "delay: 5s, 0s", "notice: true, false"}},
		{name: "trace cut short", want: base[:5], got: base, index: 5, nContext: 3,
			headline: "replay: diverged at event #6 (t=36s): the trace ends here, the replay goes on\n"},
		{name: "extra recorded", want: base, got: base[:6], index: 6, nContext: 3,
			headline: "replay: diverged at event #7 (t=36s): the replay ends here, the trace goes on\n"},
		{name: "replay's unwritten fields are ignored", want: base,
			got: edit(func(e []Event) []Event { e[3].Worker, e[6].Operation, e[0].Worker = 7, "y", 3; return e }), index: -1},
		{name: "a recorded field its kind does not write is caught", want: edit(func(e []Event) []Event { e[3].Delay = time.Second; return e }),
			got: base, index: 3, nContext: 3, fields: []string{"delay: 1s, 0s"}},
	} {
		d := Compare(tc.want, tc.got)
		if tc.index < 0 {
			if d != nil {
				t.Errorf("%s: got a divergence:\n%s", tc.name, d)
			}
			continue
		}
		if d == nil {
			t.Errorf("%s: no divergence, want one at %d", tc.name, tc.index)
			continue
		}
		if d.Index != tc.index || len(d.Context) != tc.nContext {
			t.Errorf("%s: index %d with %d context events, want %d with %d:\n%s", tc.name, d.Index, len(d.Context), tc.index, tc.nContext, d)
		}
		if tc.fields != nil {
			if diff := cmp.Diff(tc.fields, d.Fields); diff != "" {
				t.Errorf("%s: fields (-want +got):\n%s", tc.name, diff)
			}
		}
		if tc.headline != "" && !strings.HasPrefix(d.String(), tc.headline) {
			t.Errorf("%s: report starts %q, want %q", tc.name, strings.SplitAfter(d.String(), "\n")[0], tc.headline)
		}
	}
}

// The report shows the context in the trace's own line form.
func TestDivergenceReport(t *testing.T) {
	base := compareEvents()
	want := append([]Event(nil), base...)
	want[4].To = "closed"
	got := Compare(want, base).String()
	wantText := `replay: diverged at event #5 (t=31s)
  #2 {t: 6.001s, kind: call, app: a, worker: 0, iteration: 5, step: 1, target: statestore, op: save, attempt: 1, outcome: error, error: "connect: connection refused"}
  #3 {t: 6.001s, kind: retry, app: a, worker: 0, iteration: 5, step: 1, target: statestore, op: save, operation: "component[statestore] output", attempt: 1, delay: 5s, notice: true}
  #4 {t: 26s, kind: breaker, name: cb-statestore, from: closed, to: open}
- #5 {t: 31s, kind: breaker, name: cb-statestore, from: open, to: closed}
+ #5 {t: 31s, kind: breaker, name: cb-statestore, from: open, to: half-open}
fields (recorded, replayed):
  to: "closed", "half-open"
`
	if diff := cmp.Diff(wantText, got); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

// Recorded keeps exactly what a trace line keeps: an event with every field
// set, written and read back in either form, equals Recorded of it.
func TestRecordedMatchesTheWriters(t *testing.T) {
	for k := Fault; k <= Redeliver; k++ {
		full := Event{T: 1500 * time.Millisecond, Kind: k, App: "a", Worker: 2, Iteration: 3, Step: 4, Target: "t", Op: "get",
			Operation: "component[t] output", Attempt: 5, Try: 2, Command: "GET", Attempts: 6, Outcome: Error, Error: "boom", Took: time.Second, Log: "l",
			Stale: true, Delay: 2 * time.Second, Notice: true, Name: "n", From: "closed", To: "open", Change: "stop", Detail: "d",
			Topic: "orders", Message: "946684806000-0", EventID: "e1", Status: 500, Answer: "RETRY", Body: "b", Result: ResultDeadLetter,
			Deliveries: 3, DeadLetter: "poison"}
		for _, jsonl := range []bool{false, true} {
			got := roundTrip(t, jsonl, []Event{full})
			if diff := cmp.Diff([]Event{Recorded(full)}, got); diff != "" {
				t.Errorf("%s (jsonl %v): Recorded differs from the trace (-Recorded +read):\n%s", k, jsonl, diff)
			}
		}
	}
}

func roundTrip(t *testing.T, jsonl bool, events []Event) []Event {
	t.Helper()
	var buf bytes.Buffer
	newWriter := NewTraceWriter
	if jsonl {
		newWriter = NewJSONLWriter
	}
	tw, err := newWriter(&buf, Header{Sim: "test", Name: "round trip", Dapr: "1.16", Seed: 7, Scenario: map[string]string{"a": "b"}, Spec: map[string]int{"n": 1}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range events {
		if err := tw.Record(&events[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("read back: %v\n%s", err, buf.String())
	}
	if got.JSONL != jsonl {
		t.Errorf("read as JSONL %v, written as %v", got.JSONL, jsonl)
	}
	return got.Events
}

// Every JSONL line is a JSON object encoding/json reads, with the same
// strings the YAML form keeps.
func TestJSONLRoundTrip(t *testing.T) {
	tricky := []string{"", "yes", "null", "1.8", "- dash", "a: b", "{i}", `quote"s`, `back\slash`, "new\nline", "tab\there", "cr\r", "ünïcødé …", "\x00\x7f", "</script>"}
	var events []Event
	for i, s := range tricky {
		events = append(events,
			Event{T: time.Duration(i) * 1001 * time.Microsecond, Kind: Op, App: s, Worker: i, Iteration: i + 1, Step: 2, Target: s, Op: "save", Attempts: 3, Outcome: Error, Error: s, Took: 5*time.Second + time.Nanosecond, Log: s},
			Event{T: time.Duration(i) * time.Second, Kind: Breaker, Name: s, From: "closed", To: "half-open"},
			Event{T: time.Duration(i) * time.Second, Kind: Fault, Target: s, Change: "slow", Detail: s},
		)
	}
	if diff := cmp.Diff(events, roundTrip(t, true, events)); diff != "" {
		t.Errorf("JSONL round trip (-wrote +read):\n%s", diff)
	}
	for i := range events {
		line := appendEvent(nil, &events[i], jsonObject)
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("%s is not JSON: %v", line, err)
		}
	}
	// The header line is one JSON object keeping the YAML header's order.
	var buf bytes.Buffer
	tw, err := NewJSONLWriter(&buf, Header{Sim: "s", Dapr: "1.8", Seed: -3, Scenario: map[string]any{"x": 1.5, "y": []string{}, "z": nil, "b": true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	const want = `{"format":1,"sim":"s","name":"","dapr":"1.8","seed":-3,"scenario":{"b":true,"x":1.5,"y":[],"z":null},"spec":null}`
	if got := strings.TrimSuffix(buf.String(), "\n"); got != want {
		t.Errorf("header line:\n got %s\nwant %s", got, want)
	}
}

func TestReadRejects(t *testing.T) {
	const head = "format: 1\ndapr: \"1.8\"\nscenario: {}\nspec: {}\n"
	for _, tc := range []struct{ name, data, want string }{
		{"empty", "", "empty file: not a sim trace"},
		{"no format", "name: x\n", "not a sim trace: no `format:` field"},
		{"not a mapping", "- 1\n", "not a sim trace: want a header mapping"},
		{"no events", head, "events: required"},
		{"no spec", "format: 1\ndapr: \"1.8\"\nscenario: {}\nevents: []\n", "spec: required"},
		{"unknown header field", head + "extra: 1\nevents: []\n", "extra: unknown header field"},
		{"unknown event field", head + "events:\n  - {t: 1s, kind: fault, target: s, change: stop, colour: red}\n", "colour: unknown event field"},
		{"bad number", head + "events:\n  - {t: 1s, kind: call, worker: 1x}\n", `worker: want a whole number, got "1x"`},
		{"bad kind", head + "events:\n  - {t: 1s, kind: party}\n", `kind: unknown "party"`},
		{"bad bool", head + "events:\n  - {t: 1s, kind: retry, notice: perhaps}\n", `notice: want true or false`},
		{"nested value", head + "events:\n  - {t: 1s, kind: fault, target: {a: b}}\n", "want a single value"},
		{"duplicate key", head + "events:\n  - {t: 1s, t: 2s, kind: fault}\n", "events[0].t: given twice"},
		{"cut", head + "events:\n  - {t: 1s, kind: fau", "not a readable trace"},
		{"jsonl cut", `{"format":1,"dapr":"1.8","scenario":{},"spec":{}}` + "\n" + `{"t":"1s","kind":"fa`, "trace:2: events[0]: not a JSON object"},
		{"jsonl nested", `{"format":1,"dapr":"1.8","scenario":{},"spec":{}}` + "\n" + `{"t":"1s","kind":"fault","target":[1]}`, "target: want a string, number or boolean"},
		{"jsonl events in header", `{"format":1,"dapr":"1.8","scenario":{},"spec":{},"events":[]}`, "events: unknown header field"},
		{"jsonl header cut", `{"format":1,"dapr":"1.8","scen`, "header line is not a JSON object"},
	} {
		_, err := Read(strings.NewReader(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// Replay compares the delivery events field by field, under their trace
// names (EventID is `event`).
func TestCompareDeliveries(t *testing.T) {
	dv := Event{T: 7 * time.Second, Kind: Deliver, App: "b", Target: "pubsub", Op: "deliver", Topic: "orders", Message: "1-0",
		EventID: "e-1", Attempts: 2, Outcome: OK, Result: ResultAck}
	rd := Event{T: 8 * time.Second, Kind: Redeliver, App: "b", Target: "pubsub", Topic: "orders", Message: "1-0", EventID: "e-1", Deliveries: 2}
	want := []Event{dv, rd}
	got := []Event{dv, rd}
	if d := Compare(want, got); d != nil {
		t.Fatalf("identical: %s", d)
	}
	got[0].EventID, got[0].Result, got[0].DeadLetter = "e-2", ResultDeadLetter, "poison"
	d := Compare(want, got)
	if d == nil || d.Index != 0 {
		t.Fatalf("got %v, want a divergence at the deliver event", d)
	}
	wantFields := []string{`event: "e-1", "e-2"`, `result: "ack", "deadletter"`, `deadLetter: "", "poison"`}
	if diff := cmp.Diff(wantFields, d.Fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	got = []Event{dv, rd}
	got[1].Deliveries = 3
	if d := Compare(want, got); d == nil || d.Index != 1 || !slices.Equal(d.Fields, []string{"deliveries: 2, 3"}) {
		t.Errorf("redeliver: got %v", d)
	}
}
