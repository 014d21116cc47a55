package expect

import (
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/internal/ynode"
	"github.com/dapr-sim/sim/traces"
)

const s = time.Second

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// timeline is a small made-up run of the quickstart's shape: a breaker that
// opens at 26s, half-opens and reopens at 31s (two events at one instant),
// half-opens at 36s and closes at 36.001s.
func timeline() *Timeline {
	op := func(t time.Duration, k traces.Kind, target, opName string, o traces.Outcome) traces.Event {
		return traces.Event{T: t, Kind: k, App: "order-processor", Target: target, Op: opName, Outcome: o, Attempt: 1, Attempts: 1}
	}
	br := func(t time.Duration, from, to string) traces.Event {
		return traces.Event{T: t, Kind: traces.Breaker, Name: "cb-statestore", From: from, To: to}
	}
	events := []traces.Event{
		op(2*s, traces.Call, "statestore", "save", traces.OK),
		{T: 2 * s, Kind: traces.Op, App: "order-processor", Target: "statestore", Op: "save", Outcome: traces.OK, Attempts: 1, Log: "Saving Order: { orderId: '1' }"},
		{T: 6 * s, Kind: traces.Fault, Target: "statestore", Change: "stop"},
		op(6*s+ms(1), traces.Call, "statestore", "save", traces.Error),
		{T: 6*s + ms(1), Kind: traces.Retry, App: "order-processor", Target: "statestore", Op: "save", Operation: "component[statestore] output", Attempt: 1, Delay: 5 * s, Notice: true},
		op(11*s, traces.Call, "statestore", "save", traces.Error),
		{T: 11 * s, Kind: traces.Retry, App: "order-processor", Target: "statestore", Op: "save", Operation: "component[statestore] output", Attempt: 2, Delay: 5 * s},
		br(26*s, "closed", "open"),
		op(26*s, traces.Call, "statestore", "save", traces.Error),
		op(27*s, traces.Call, "statestore", "get", traces.Rejected),
		op(27*s, traces.Op, "statestore", "get", traces.Error),
		br(31*s, "open", "half-open"),
		br(31*s, "half-open", "open"),
		op(31*s, traces.Call, "statestore", "save", traces.Error),
		br(36*s, "open", "half-open"),
		br(36*s+ms(1), "half-open", "closed"),
		op(36*s+ms(1), traces.Call, "statestore", "save", traces.OK),
		{T: 36*s + ms(1), Kind: traces.Recovered, App: "order-processor", Target: "statestore", Op: "save", Operation: "component[statestore] output", Attempts: 5},
		{T: 36*s + ms(1), Kind: traces.Op, App: "order-processor", Target: "statestore", Op: "save", Outcome: traces.OK, Attempts: 5, Log: "Saving Order: { orderId: '2' }"},
		op(40*s, traces.Call, "checkout", "invoke", traces.OK),
	}
	w, err := traces.WordingFor("1.8")
	if err != nil {
		panic(err)
	}
	return NewTimeline(events, w)
}

func parseOne(t *testing.T, item string) (Assertion, error) {
	t.Helper()
	docs, err := ynode.Documents("s.yaml", []byte("expect:\n  - "+item+"\n"))
	if err != nil {
		t.Fatalf("%s: %v", item, err)
	}
	as, err := Parse("s.yaml", docs[0].Content[1])
	if err != nil {
		return Assertion{}, err
	}
	if len(as) != 1 {
		t.Fatalf("%s: %d assertions", item, len(as))
	}
	return as[0], nil
}

// Each row is one `expect:` item over timeline(): does it hold, and what
// does its report say.
func TestEval(t *testing.T) {
	tests := []struct {
		item   string
		ok     bool
		actual string // substring of Result.Actual
	}{
		// State at an instant, at the exact transition times.
		{"{breaker: cb-statestore, state: closed, at: 0s}", true, "closed (no transition before)"},
		{"{breaker: cb-statestore, state: closed, at: 25.999999999s}", true, "closed"},
		{"{breaker: cb-statestore, state: open, at: 26s}", true, "open (since closed->open at 26s)"},
		{"{breaker: cb-statestore, state: closed, at: 26s}", false, "open at 26s"},
		{"{breaker: cb-statestore, state: open, at: 31s}", true, "since half-open->open at 31s"}, // last of two at one instant
		{"{breaker: cb-statestore, state: half-open, at: 31s}", false, "open at 31s"},
		{"{breaker: cb-statestore, state: half-open, at: 36s}", true, "half-open"},
		{"{breaker: cb-statestore, state: half-open, at: 36.000999999s}", true, "half-open"},
		{"{breaker: cb-statestore, state: closed, at: 36.001s}", true, "closed"},
		{"{breaker: cb-statestore, state: closed, at: 1h}", true, "closed"},
		{"{breaker: other, state: closed, at: 30s}", true, "no transition before"},
		{"{breaker: other, state: open, at: 30s}", false, "closed at 30s"},
		// State throughout a window: both ends held, momentary states count.
		{"{breaker: cb-statestore, state: closed, from: 0s, to: 25.999999999s}", true, "closed throughout"},
		{"{breaker: cb-statestore, state: closed, from: 0s, to: 26s}", false, "closed at 0s, then open at 26s"},
		{"{breaker: cb-statestore, state: open, from: 26s, to: 30s}", true, "open throughout"},
		{"{breaker: cb-statestore, state: open, from: 27s, to: 31s}", false, "then half-open at 31s"},
		{"{breaker: cb-statestore, state: open, from: 31s, to: 35s}", true, "open throughout"},
		{"{breaker: cb-statestore, state: open, from: 25s, to: 27s}", false, "closed at 25s"},
		{"{breaker: cb-statestore, state: open, from: 30s, to: 30s}", true, "open throughout"},
		// Transitions.
		{"{breaker: cb-statestore, transition: closed->open}", true, "once in the run"},
		{"{breaker: cb-statestore, transition: closed -> open, within: [26s, 26s]}", true, "once within [26s, 26s]"},
		{"{breaker: cb-statestore, transition: closed->open, within: [20s, 25.999s]}", false, "0 times within [20s, 25.999s]; outside it at 26s"},
		{"{breaker: cb-statestore, transition: closed->open, within: [26.000000001s, 30s]}", false, "outside it at 26s"},
		{"{breaker: cb-statestore, transition: open->half-open, times: 2}", true, "2 times"},
		{"{breaker: cb-statestore, transition: open->half-open, times: 1}", false, "2 times in the run"},
		{"{breaker: cb-statestore, transition: open->half-open, within: [30s, 40s], times: 2}", true, "2 times"},
		{"{breaker: cb-statestore, transition: open->closed, never: true}", true, "0 times"},
		{"{breaker: cb-statestore, transition: half-open->open, never: true}", false, "once in the run"},
		{"{breaker: cb-statestore, transition: half-open->open, times: 0}", false, "once"},
		{"{breaker: cb-statestore, transition: half-open->open, never: false}", true, "once"},
		// Log lines, in the 1.8 wording, with the event's time.
		{`{log: "Recovered processing operation component[statestore] output.", within: [36s, 37s]}`, true, "once within"},
		{`{log: "Recovered", within: [35s, 36s]}`, false, "0 times within [35s, 36s]; once outside it"},
		{`{log: "Recovered", within: [36.001s, 36.001s]}`, true, "once"},
		{`{log: "INFO[0006] Error processing operation component[statestore] output. Retrying...", times: 1}`, true, "once"},
		{`{log: "== APP == Saving Order: { orderId: '2' }", within: [36s, 37s]}`, true, "once"},
		{`{log: "Saving Order", times: 2}`, true, "2 times"},
		{`{log: "Saving Order", within: [0s, 10s], times: 2}`, false, "once within [0s, 10s]; once outside it"},
		{`{log: "/Retrying in \\d+s/", never: true}`, true, "0 times"},
		{`{log: "/Retrying\\.\\.\\.$/"}`, true, "once"},
		{`{log: "/changed state from (open|closed) to half-open/", times: 2}`, true, "2 times"},
		{`{log: "Retrying", never: true}`, false, "once in the run"},
		{`{log: "no such line"}`, false, "0 times in the run"},
		// Counts, filters and windows.
		{"{count: failedOps, equals: 1}", true, "1"},
		{"{count: failedOps, target: statestore, op: get, equals: 1}", true, "1"},
		{"{count: failedOps, op: save, equals: 0}", true, "0"},
		{"{count: ops, equals: 3}", true, "3"},
		{"{count: succeededOps, equals: 2}", true, "2"},
		{"{count: attempts, equals: 8}", true, "8"},
		{"{count: attempts, app: order-processor, target: statestore, equals: 7}", true, "7"},
		{"{count: attempts, target: checkout, op: invoke, equals: 1}", true, "1"},
		{"{count: attempts, within: [6s, 31s], equals: 5}", true, "5"},
		{"{count: attempts, within: [6.001s, 26s], atLeast: 3, atMost: 3}", true, "3"},
		{"{count: attempts, within: [6.0011s, 26s], atLeast: 3}", false, "2"},
		{"{count: failedAttempts, equals: 4}", true, "4"},
		{"{count: shed, atMost: 1}", true, "1"},
		{"{count: shed, atMost: 0}", false, "1"},
		{"{count: shed, atLeast: 2}", false, "1"},
		{"{count: retries, equals: 2}", true, "2"},
		{"{count: timeouts, equals: 0}", true, "0"},
		{"{count: recoveries, equals: 1}", true, "1"},
	}
	tl := timeline()
	for _, tt := range tests {
		a, err := parseOne(t, tt.item)
		if err != nil {
			t.Errorf("%s: %v", tt.item, err)
			continue
		}
		r := a.Check.Eval(tl)
		if r.OK != tt.ok || !strings.Contains(r.Actual, tt.actual) {
			t.Errorf("%s\n  got ok=%v actual %q\n  want ok=%v actual containing %q", tt.item, r.OK, r.Actual, tt.ok, tt.actual)
		}
		if !r.OK && (r.Expected == "" || r.Actual == "") {
			t.Errorf("%s: a failure must say what was expected and what happened: %+v", tt.item, r)
		}
	}
}

// messageTimeline is a pub/sub run in brief: m1 published at 1s and taken
// at once; m2 published at 2s, left pending by a failing handler,
// redelivered at 62s and taken, then taken again after an XACK that failed
// (a duplicate); m3 dead-lettered; m4 dropped; and an input binding's
// event, which has no publish to measure a delay from.
func messageTimeline() *Timeline {
	const m1, m2, m3, m4 = "946684801000-0", "946684802000-0", "946684803000-0", "946684804000-0"
	pub := func(t time.Duration, o traces.Outcome) traces.Event {
		return traces.Event{T: t, Kind: traces.Op, App: "checkout", Target: "pubsub", Op: "publish", Outcome: o}
	}
	del := func(t time.Duration, msg, result string) traces.Event {
		return traces.Event{T: t, Kind: traces.Deliver, App: "sub", Target: "pubsub", Op: "deliver", Topic: "orders", Message: msg, Result: result}
	}
	return &Timeline{Events: []traces.Event{
		pub(1*s, traces.OK),
		del(1*s+ms(2), m1, traces.ResultAck),
		pub(2*s, traces.OK),
		del(2*s+ms(2), m2, traces.ResultPending),
		pub(3*s, traces.OK),
		del(3*s+ms(2), m3, traces.ResultDeadLetter),
		pub(4*s, traces.OK),
		del(4*s+ms(2), m4, traces.ResultDropped),
		pub(5*s, traces.Error),
		{T: 10 * s, Kind: traces.Deliver, App: "batch", Target: "cron", Op: "trigger", Result: traces.ResultAck},
		{T: 62 * s, Kind: traces.Redeliver, App: "sub", Target: "pubsub", Topic: "orders", Message: m2, Deliveries: 2},
		del(62*s+ms(2), m2, traces.ResultAckFailed),
		{T: 122 * s, Kind: traces.Redeliver, App: "sub", Target: "pubsub", Topic: "orders", Message: m2, Deliveries: 3},
		del(122*s+ms(2), m2, traces.ResultAck),
	}}
}

// The message counters count as traces.Metrics does; maxDelay bounds the
// end-to-end delay of each message's first take.
func TestMessageChecks(t *testing.T) {
	tests := []struct {
		item   string
		ok     bool
		actual string
	}{
		{"{count: published, equals: 4}", true, "4"},
		{"{count: ops, op: publish, equals: 5}", true, "5"},
		{"{count: delivered, equals: 3}", true, "3"}, // m1, m2 and the binding's event
		{"{count: delivered, op: deliver, equals: 2}", true, "2"},
		{"{count: delivered, target: cron, op: trigger, equals: 1}", true, "1"},
		{"{count: delivered, within: [0s, 60s], equals: 2}", true, "2"},
		{"{count: redelivered, equals: 2}", true, "2"},
		{"{count: deadLettered, equals: 0}", false, "1"},
		{"{count: duplicates, equals: 1}", true, "1"},
		{"{count: duplicates, within: [0s, 100s], equals: 0}", true, "0"},
		{"{count: deliveries, equals: 7}", true, "7"},
		{"{count: deliveries, result: dropped, atMost: 0}", false, "1"},
		{"{count: deliveries, result: pending, app: sub, equals: 1}", true, "1"},
		{"{maxDelay: 61s, app: sub}", true, "worst 1m0.002s of 2 delivered: message 946684802000-0 to sub, published at 2s, delivered at 1m2.002s"},
		{"{maxDelay: 59s}", false, "worst 1m0.002s of 2 delivered: message 946684802000-0 to sub, published at 2s, delivered at 1m2.002s; 1 over 59s"},
		{"{maxDelay: 1ms, within: [0s, 10s]}", false, "worst 2ms of 1 delivered: message 946684801000-0 to sub, published at 1s, delivered at 1.002s; 1 over 1ms"},
		{"{maxDelay: 1ms, target: cron}", true, "no message delivered"},
	}
	tl := messageTimeline()
	for _, tt := range tests {
		a, err := parseOne(t, tt.item)
		if err != nil {
			t.Errorf("%s: %v", tt.item, err)
			continue
		}
		r := a.Check.Eval(tl)
		if r.OK != tt.ok || r.Actual != tt.actual {
			t.Errorf("%s\n  got ok=%v actual %q\n  want ok=%v actual %q", tt.item, r.OK, r.Actual, tt.ok, tt.actual)
		}
		if err := Validate(a.Check); err != nil {
			t.Errorf("%s: %v", tt.item, err)
		}
	}
	a, _ := parseOne(t, "{maxDelay: 59s, app: sub}")
	if got, want := a.Label(), "every message delivered (app sub) at most 59s after its publish"; got != want {
		t.Errorf("label %q, want %q", got, want)
	}
	if got := a.Check.Eval(tl).Nearest; len(got) != 1 || !strings.Contains(got[0], `message: "946684802000-0"`) {
		t.Errorf("nearest %q, want m2's late delivery", got)
	}
}

// Failures show the relevant events nearest the instant or window.
func TestNearest(t *testing.T) {
	tests := []struct {
		item string
		want []string
	}{
		{"{breaker: cb-statestore, state: closed, at: 27s}", []string{
			"{t: 26s, kind: breaker, name: cb-statestore, from: closed, to: open}",
			"{t: 31s, kind: breaker, name: cb-statestore, from: open, to: half-open}",
			"{t: 31s, kind: breaker, name: cb-statestore, from: half-open, to: open}",
		}},
		{"{breaker: cb-statestore, state: closed, at: 40s}", nil}, // holds
		{"{breaker: cb-statestore, state: open, from: 27s, to: 35s}", []string{
			"{t: 26s, kind: breaker, name: cb-statestore, from: closed, to: open}",
			"{t: 31s, kind: breaker, name: cb-statestore, from: open, to: half-open}",
			"{t: 31s, kind: breaker, name: cb-statestore, from: half-open, to: open}",
			"{t: 36s, kind: breaker, name: cb-statestore, from: open, to: half-open}",
		}},
		{"{breaker: cb-statestore, transition: closed->open, within: [30s, 40s]}", []string{
			"{t: 26s, kind: breaker, name: cb-statestore, from: closed, to: open}",
		}},
		{"{breaker: cb-statestore, transition: closed->half-open, within: [30s, 40s]}", []string{
			"{t: 26s, kind: breaker, name: cb-statestore, from: closed, to: open}",
			"{t: 31s, kind: breaker, name: cb-statestore, from: open, to: half-open}",
			"{t: 31s, kind: breaker, name: cb-statestore, from: half-open, to: open}",
			"{t: 36s, kind: breaker, name: cb-statestore, from: open, to: half-open}",
			"{t: 36.001s, kind: breaker, name: cb-statestore, from: half-open, to: closed}",
		}},
		{`{log: "Recovered", within: [0s, 10s]}`, []string{
			"36.001s  INFO[0036] Recovered processing operation component[statestore] output.",
		}},
		{`{log: "Retrying", never: true}`, []string{
			"6.001s  INFO[0006] Error processing operation component[statestore] output. Retrying...",
		}},
		{`{log: "Retrying in 5s", within: [5s, 7s]}`, []string{ // a wording mismatch: the sidecar's lines nearby
			"6.001s  INFO[0006] Error processing operation component[statestore] output. Retrying...",
			"26s  INFO[0026] Circuit breaker \"cb-statestore\" changed state from closed to open",
			"31s  INFO[0031] Circuit breaker \"cb-statestore\" changed state from open to half-open",
			"31s  INFO[0031] Circuit breaker \"cb-statestore\" changed state from half-open to open",
		}},
		{"{count: shed, equals: 0}", []string{
			"{t: 27s, kind: call, app: order-processor, worker: 0, iteration: 0, step: 0, target: statestore, op: get, attempt: 1, outcome: rejected}",
		}},
	}
	tl := timeline()
	for _, tt := range tests {
		a, err := parseOne(t, tt.item)
		if err != nil {
			t.Fatalf("%s: %v", tt.item, err)
		}
		got := a.Check.Eval(tl).Nearest
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s: nearest\n%s\nwant\n%s", tt.item, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
		}
	}
}

// Notes catch names no event carries, even when the assertion holds.
func TestNotes(t *testing.T) {
	tl := timeline()
	for item, want := range map[string]string{
		"{breaker: cb-statestor, state: closed, at: 1s}":                 `breaker "cb-statestor" never changed state in this run (breakers that did: cb-statestore)`,
		"{breaker: cb-statestor, transition: open->closed, never: true}": `breaker "cb-statestor" never changed state`,
		"{count: failedOps, target: statestor, equals: 0}":               `no event of the run names target "statestor"`,
		"{count: failedOps, app: x, op: delete, equals: 0}":              `no event of the run names app "x" or op "delete"`,
		"{breaker: cb-statestore, state: closed, at: 1s}":                "",
		"{count: failedOps, target: statestore, equals: 1}":              "",
	} {
		a, err := parseOne(t, item)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Check.Eval(tl).Note; !strings.HasPrefix(got, want) || (want == "" && got != "") {
			t.Errorf("%s: note %q, want %q", item, got, want)
		}
	}
}

// Every bad item is reported at its line, with its field, all together.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		item string
		want string // the whole error, at line 2
	}{
		{"{breaker: b, state: opn, at: 27s}", `s.yaml:2: expect[0].state: want a breaker state, one of closed, open, half-open, got "opn"`},
		{"{breaker: b, state: open, at: 27}", `s.yaml:2: expect[0].at: want a duration such as "1.5s", got "27" (add a unit: "27s")`},
		{"{breaker: b, state: open, at: -1s}", `s.yaml:2: expect[0].at: want a time of 0s or more since the run started, got "-1s"`},
		{"{breaker: b, state: open, at: soon}", `s.yaml:2: expect[0].at: want a duration such as "1.5s", got "soon"`},
		{"{breaker: b, state: open, from: 40s, to: 30s}", `s.yaml:2: expect[0].to: to (30s) is before from (40s)`},
		{"{breaker: b, state: open, from: 40s}", `s.yaml:2: expect[0]: from needs to: the state holds from one time to another`},
		{"{breaker: b, state: open, to: 40s}", `s.yaml:2: expect[0]: to needs from: the state holds from one time to another`},
		{"{breaker: b, state: open, at: 1s, from: 0s, to: 2s}", `s.yaml:2: expect[0].at: give at (an instant) or from and to (a window), not both`},
		{"{breaker: b, state: open}", `s.yaml:2: expect[0]: say when: at: 27s, or from: 40s and to: 60s`},
		{"{breaker: b, state: open, within: [1s, 2s]}", `s.yaml:2: expect[0].within: unknown field: a state throughout a window is written from: and to:`},
		{"{breaker: b, state: open, at: 1s, tmes: 1}", `s.yaml:2: expect[0].tmes: unknown field here (known: at, breaker, from, name, state, to)`},
		{"{breaker: b, state: open, transition: closed->open}", `s.yaml:2: expect[0].transition: give state or transition, not both: one assertion per item`},
		{"{breaker: b}", `s.yaml:2: expect[0]: a breaker assertion needs state (with at, or from and to) or transition (such as closed->open)`},
		{"{breaker: '', state: open, at: 1s}", `s.yaml:2: expect[0].breaker: want a value, got an empty string`},
		{"{breaker: [a], state: open, at: 1s}", `s.yaml:2: expect[0].breaker: want a single value, got a list`},
		{"{breaker: b, transition: closed-open}", `s.yaml:2: expect[0].transition: want FROM->TO such as closed->open, got "closed-open"`},
		{"{breaker: b, transition: closed->shut}", `s.yaml:2: expect[0].transition: want FROM->TO with states closed, open, half-open, got "closed->shut"`},
		{"{breaker: b, transition: open->open}", `s.yaml:2: expect[0].transition: a transition changes the state, got "open->open"`},
		{"{breaker: b, transition: closed->open, within: [27s, 25s]}", `s.yaml:2: expect[0].within: from (27s) is after to (25s)`},
		{"{breaker: b, transition: closed->open, within: [25s]}", `s.yaml:2: expect[0].within: want [from, to], two times such as [25s, 27s], got a list`},
		{"{breaker: b, transition: closed->open, within: 25s}", `s.yaml:2: expect[0].within: want [from, to], two times such as [25s, 27s], got "25s"`},
		{"{breaker: b, transition: closed->open, within: [25s, 2]}", `s.yaml:2: expect[0].within[1]: want a duration such as "1.5s", got "2" (add a unit: "2s")`},
		{"{breaker: b, transition: closed->open, at: 26s}", `s.yaml:2: expect[0].at: unknown field: only a breaker state is checked at an instant; write within: [from, to]`},
		{"{breaker: b, transition: closed->open, times: -1}", `s.yaml:2: expect[0].times: want a count of 0 or more, got -1`},
		{"{breaker: b, transition: closed->open, times: two}", `s.yaml:2: expect[0].times: want a whole number, got "two"`},
		{"{breaker: b, transition: closed->open, times: 1, never: true}", `s.yaml:2: expect[0].times: give times or never: true, not both`},
		{"{log: x, tmes: 2}", `s.yaml:2: expect[0].tmes: unknown field (did you mean "times"?)`},
		{"{log: x, from: 1s}", `s.yaml:2: expect[0].from: unknown field: write the window as within: [from, to]`},
		{"{log: '/a(/'}", "s.yaml:2: expect[0].log: bad regular expression: missing closing ): `a(`"},
		{"{log: ''}", `s.yaml:2: expect[0].log: want a value, got an empty string`},
		{"{log: x, never: yes}", `s.yaml:2: expect[0].never: want true or false, got "yes"`},
		{"{log: x, never: 'true'}", `s.yaml:2: expect[0].never: want true or false, got "true"`},
		// The lists below grew with pub/sub (issue 14): message counters,
		// the publish, binding, deliver and trigger ops, the result filter
		// and the maxDelay assertion.
		{"{count: failedOp, equals: 0}", `s.yaml:2: expect[0].count: unknown count "failedOp" (did you mean "failedOps"?): want one of ops, failedOps, succeededOps, attempts, failedAttempts, shed, retries, timeouts, recoveries, published, delivered, redelivered, deadLettered, duplicates, deliveries`},
		{"{count: shed, equals: -1}", `s.yaml:2: expect[0].equals: want a count of 0 or more, got -1`},
		{"{count: shed, atLeast: 3, atMost: 1}", `s.yaml:2: expect[0].atMost: atMost (1) is below atLeast (3)`},
		{"{count: shed}", `s.yaml:2: expect[0]: say how many: equals, atLeast or atMost`},
		{"{count: shed, equals: 1, atMost: 2}", `s.yaml:2: expect[0].equals: give equals, or atLeast and/or atMost, not both`},
		{"{count: shed, op: sav, equals: 1}", `s.yaml:2: expect[0].op: want one of save, get, delete, invoke, actor, publish, binding, deliver, trigger, got "sav"`},
		{"{count: deliveries, result: nack, equals: 1}", `s.yaml:2: expect[0].result: want a deliver event's result, one of ack, pending, deadletter, dropped, notfound, unimplemented, lost, unrouted, ackfailed, failed, got "nack"`},
		{"{maxDelay: 5, app: a}", `s.yaml:2: expect[0].maxDelay: want a duration such as "1.5s", got "5" (add a unit: "5s")`},
		{"{maxDelay: 5s, result: ack}", `s.yaml:2: expect[0].result: unknown field here (known: app, maxDelay, name, target, within)`},
		{"{count: shed, equals: 1, within: [2s, 1s]}", `s.yaml:2: expect[0].within: from (2s) is after to (1s)`},
		{"{count: shed, equals: 1, breaker: b}", `s.yaml:2: expect[0].breaker: unknown field here (known: app, atLeast, atMost, count, equals, name, op, result, target, within)`},
		{"{count: shed, equals: 1, equals: 2}", `s.yaml:2: expect[0].equals: given twice`},
		{"{state: open}", `s.yaml:2: expect[0]: want an assertion starting with breaker, log, count or maxDelay, got keys state`},
		{"{}", `s.yaml:2: expect[0]: want an assertion starting with breaker, log, count or maxDelay, got keys none`},
		{"open at 27s", `s.yaml:2: expect[0]: want an assertion such as {breaker: NAME, state: open, at: 27s}, got "open at 27s"`},
		{"{log: x, name: [a]}", `s.yaml:2: expect[0].name: want a single value, got a list`},
	}
	for _, tt := range tests {
		_, err := parseOne(t, tt.item)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s\n  got  %v\n  want %s", tt.item, err, tt.want)
		}
	}
}

// Several problems are reported together, in line order; a block that is
// not a list is refused; an absent or empty one has no assertions.
func TestParseBlock(t *testing.T) {
	src := "expect:\n  - {count: shed, equals: 0}\n  - {log: x, within: [2s, 1s]}\n  - name: opens\n    breaker: b\n    state: opn\n    at: 1\n"
	docs, err := ynode.Documents("s.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse("s.yaml", docs[0].Content[1])
	want := "s.yaml:3: expect[1].within: from (2s) is after to (1s)\n" +
		`s.yaml:6: expect[2].state: want a breaker state, one of closed, open, half-open, got "opn"` + "\n" +
		`s.yaml:7: expect[2].at: want a duration such as "1.5s", got "1" (add a unit: "1s")`
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}

	for src, want := range map[string]string{
		"expect: {log: x}": `s.yaml:1: expect: want a list of assertions, got a mapping`,
		"expect: yes":      `s.yaml:1: expect: want a list of assertions, got "yes"`,
		"expect:":          "",
		"expect: []":       "",
		"expect: ~":        "",
	} {
		docs, err := ynode.Documents("s.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		as, err := Parse("s.yaml", docs[0].Content[1])
		if got := errText(err); got != want || len(as) != 0 {
			t.Errorf("%s: got %q (%d assertions), want %q", src, got, len(as), want)
		}
	}
	if as, err := Parse("s.yaml", nil); err != nil || as != nil {
		t.Errorf("nil node: %v, %v", as, err)
	}

	// Names and lines are kept.
	docs, _ = ynode.Documents("s.yaml", []byte("expect:\n  - {count: shed, equals: 0}\n  - name: no shedding\n    count: shed\n    equals: 0\n"))
	as, err := Parse("s.yaml", docs[0].Content[1])
	if err != nil || len(as) != 2 || as[0].Line != 2 || as[1].Line != 3 || as[1].Name != "no shedding" ||
		as[0].Label() != "count shed equals 0" || as[1].Label() != "no shedding" {
		t.Errorf("got %+v, %v", as, err)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// The report: one line per assertion, details under failures, a summary.
func TestReport(t *testing.T) {
	docs, _ := ynode.Documents("s.yaml", []byte("expect:\n  - {breaker: cb-statestore, state: open, at: 27s}\n  - {breaker: cb-statestore, state: closed, at: 27s}\n  - {breaker: cb, state: closed, at: 1s}\n"))
	as, err := Parse("s.yaml", docs[0].Content[1])
	if err != nil {
		t.Fatal(err)
	}
	r := Evaluate(as, timeline())
	var b strings.Builder
	if _, err := r.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	want := `ok   s.yaml:2: breaker cb-statestore is open at 27s
FAIL s.yaml:3: breaker cb-statestore is closed at 27s
     expected: closed at 27s
     actual:   open at 27s (since closed->open at 26s)
     nearest:
       {t: 26s, kind: breaker, name: cb-statestore, from: closed, to: open}
       {t: 31s, kind: breaker, name: cb-statestore, from: open, to: half-open}
       {t: 31s, kind: breaker, name: cb-statestore, from: half-open, to: open}
ok   s.yaml:4: breaker cb is closed at 1s
     note: breaker "cb" never changed state in this run (breakers that did: cb-statestore)
2 passed, 1 failed
`
	if b.String() != want || r.OK() || r.Passed != 2 || r.Failed != 1 {
		t.Errorf("report:\n%s\nwant:\n%s", b.String(), want)
	}
}

// Checks built in Go are validated as Parse validates YAML.
func TestValidate(t *testing.T) {
	w := &Window{From: 2 * s, To: s}
	for c, want := range map[Check]string{
		&BreakerState{Breaker: "b", State: "open"}:                                            "",
		&BreakerState{State: "opn", At: -s}:                                                   `breaker: want a name such as simpleCB-statestore; state: want one of closed, open, half-open, got "opn"; at: want 0s or later, got -1s`,
		&BreakerState{Breaker: "b", State: "open", Throughout: w}:                             "window [2s, 1s]: want 0s <= from <= to",
		&Transition{Breaker: "b", From: "open", To: "open"}:                                   "transition open->open: a transition changes the state",
		&Transition{Breaker: "b", From: "closed", To: "open", Times: Bound{Min: -1, Max: -1}}: "bound: want 0 <= at least <= at most, got -1 and -1",
		&Log{}:                                 "log: want a text or a regular expression",
		&Count{What: Shed, Bound: Bound{2, 1}}: "bound: want 0 <= at least <= at most, got 2 and 1",
		&Count{Bound: Exactly(0)}:              "count: want one of ops, failedOps, succeededOps, attempts, failedAttempts, shed, retries, timeouts, recoveries, published, delivered, redelivered, deadLettered, duplicates, deliveries, got counter(0)",
		&Count{What: Shed, Op: "x"}:            `op: want one of save, get, delete, invoke, actor, publish, binding, deliver, trigger, got "x"`,
		&Count{What: Deliveries, Result: "x"}:  `result: want one of ack, pending, deadletter, dropped, notfound, unimplemented, lost, unrouted, ackfailed, failed, got "x"`,
		&Delay{Max: -s}:                        "maxDelay: want 0s or more, got -1s",
	} {
		if got := errText(Validate(c)); got != want {
			t.Errorf("%s: got %q, want %q", c.Describe(), got, want)
		}
	}
}

// An event that prints two lines (a delivery attempt the app answered with
// an error status, issue 14) gives the timeline two lines at its instant.
func TestTimelineSplitsTwoLines(t *testing.T) {
	w, err := traces.WordingFor("1.14")
	if err != nil {
		t.Fatal(err)
	}
	tl := NewTimeline([]traces.Event{{T: 6 * s, Kind: traces.Call, App: "checkout", Target: "pubsub", Op: "deliver", Attempt: 1,
		Outcome: traces.Error, Topic: "orders", EventID: "e-1", Status: 500, Body: "busy"}}, w)
	want := []string{
		"WARN[0006] retriable error returned from app while processing pub/sub event e-1, topic: orders, body: busy. status code returned: 500",
		"WARN[0006] encountered a retriable error while publishing a subscribed message to topic orders, err: retriable error returned from app while processing pub/sub event e-1, topic: orders, body: busy. status code returned: 500",
	}
	if len(tl.Lines) != len(want) {
		t.Fatalf("got %d lines %v, want %d", len(tl.Lines), tl.Lines, len(want))
	}
	for i, l := range tl.Lines {
		if l.T != 6*s || l.Text != want[i] {
			t.Errorf("line %d: got %v %q, want 6s %q", i, l.T, l.Text, want[i])
		}
	}
}
