package sim

import (
	"bytes"
	"iter"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
	"github.com/google/go-cmp/cmp"
)

// sliceOpen streams events from memory, for StateAtStream.
func sliceOpen(events []traces.Event) func() (iter.Seq2[traces.Event, error], error) {
	return func() (iter.Seq2[traces.Event, error], error) {
		return func(yield func(traces.Event, error) bool) {
			for _, e := range events {
				if !yield(e, nil) {
					return
				}
			}
		}, nil
	}
}

// instantsOf lists every event's instant and the nanosecond before it,
// thinned to about n, plus 0 and a time after the end.
func instantsOf(events []traces.Event, n int) []time.Duration {
	set := map[time.Duration]bool{0: true}
	for _, ev := range events {
		set[ev.T] = true
		if ev.T > 0 {
			set[ev.T-1] = true
		}
		set[ev.T+time.Hour] = false
	}
	var list []time.Duration
	for at, ok := range set {
		if ok {
			list = append(list, at)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i] < list[j] })
	if len(list) > n {
		step := len(list) / n
		var thin []time.Duration
		for i := 0; i < len(list); i += step {
			thin = append(thin, list[i])
		}
		list = thin
	}
	if len(events) > 0 {
		list = append(list, events[len(events)-1].T+time.Hour)
	}
	return list
}

func sameState(t *testing.T, what string, setup *Setup, events []traces.Event, at time.Duration) {
	t.Helper()
	want := StateAt(setup, events, at)
	got, err := StateAtStream(setup, sliceOpen(events), at)
	if err != nil {
		t.Fatalf("%s at %s: %v", what, at, err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("%s at %s: StateAtStream differs from StateAt (-StateAt +StateAtStream):\n%s", what, at, d)
	}
}

// The streaming fold gives StateAt's snapshot for every scenario at every
// instant an event happens (and just before it).
func TestStateAtStreamMatchesStateAt(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	files = append(files, "../examples/quickstart/scenario.yaml")
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			setup, ok := scenarioSetup(t, file)
			if !ok {
				t.Skip("a scenario that does not run has no trace")
			}
			var all traces.Collector
			e := NewEngine(setup, &all, Options{})
			if err := e.Run(); err != nil {
				t.Skipf("a run that fails has no complete trace: %v", err)
			}
			e.Close()
			events := make([]traces.Event, len(all.Events))
			for i, ev := range all.Events {
				events[i] = traces.Recorded(ev)
			}
			seq, _ := sliceOpen(events)()
			if _, ok, _ := scanTrace(seq); !ok && len(events) > 0 {
				// Not a failure of the fold, but then the streaming path
				// is not what this test exercises.
				t.Errorf("a run's own trace is not in a run's shape")
			}
			for _, at := range instantsOf(events, 150) {
				sameState(t, "run", setup, events, at)
			}
		})
	}
}

// Tampered event lists: out of time order, a step's op missing or given
// twice, an event of a step after its op (all folded by StateAt in memory),
// and in-shape edits that make the machine disagree with the trace (notes).
func TestStateAtStreamTampered(t *testing.T) {
	setup, ok := scenarioSetup(t, "../examples/quickstart/scenario.yaml")
	if !ok {
		t.Fatal("the quickstart does not run")
	}
	var all traces.Collector
	e := NewEngine(setup, &all, Options{})
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	e.Close()
	base := make([]traces.Event, len(all.Events))
	for i, ev := range all.Events {
		base[i] = traces.Recorded(ev)
	}
	find := func(f func(e *traces.Event) bool) int {
		for i := range base {
			if f(&base[i]) {
				return i
			}
		}
		t.Fatal("no such event")
		return -1
	}
	trip := find(func(e *traces.Event) bool { return e.Kind == traces.Breaker })
	longOp := find(func(e *traces.Event) bool { return e.Kind == traces.Op && e.Attempts > 1 })
	firstCall := find(func(e *traces.Event) bool { return e.Kind == traces.Call && e.Outcome == traces.Error })
	edit := func(f func(e []traces.Event) []traces.Event) []traces.Event {
		return f(append([]traces.Event(nil), base...))
	}
	cases := map[string][]traces.Event{
		"swapped":        edit(func(e []traces.Event) []traces.Event { e[trip-1], e[trip] = e[trip], e[trip-1]; return e }),
		"time backwards": edit(func(e []traces.Event) []traces.Event { e[10].T = 0; return e }),
		"op missing":     edit(func(e []traces.Event) []traces.Event { return append(e[:longOp:longOp], e[longOp+1:]...) }),
		"op twice": edit(func(e []traces.Event) []traces.Event {
			return append(e[:longOp+1:longOp+1], append([]traces.Event{e[longOp]}, e[longOp+1:]...)...)
		}),
		"event after op": edit(func(e []traces.Event) []traces.Event {
			c := e[firstCall]
			c.T = e[longOp].T
			return append(e[:longOp+1:longOp+1], append([]traces.Event{c}, e[longOp+1:]...)...)
		}),
		"breaker edited":  edit(func(e []traces.Event) []traces.Event { e[trip].To = "half-open"; return e }),
		"breaker removed": edit(func(e []traces.Event) []traces.Event { return append(e[:trip:trip], e[trip+1:]...) }),
		"breaker added": edit(func(e []traces.Event) []traces.Event {
			b := e[trip]
			b.T = e[5].T
			return append(e[:6:6], append([]traces.Event{b}, e[6:]...)...)
		}),
		"outcome edited": edit(func(e []traces.Event) []traces.Event { e[firstCall].Outcome = traces.OK; return e }),
		"rejected":       edit(func(e []traces.Event) []traces.Event { e[firstCall].Outcome = traces.Rejected; return e }),
		"negative took":  edit(func(e []traces.Event) []traces.Event { e[longOp].Took = -time.Second; return e }),
		"took too long":  edit(func(e []traces.Event) []traces.Event { e[longOp].Took = e[longOp].T + time.Hour; return e }),
		"empty":          nil,
	}
	for name, events := range cases {
		noted := false
		for _, at := range instantsOf(events, 60) {
			sameState(t, name, setup, events, at)
			noted = noted || len(StateAt(setup, events, at).Notes) > 0
		}
		seq, _ := sliceOpen(events)()
		_, shaped, _ := scanTrace(seq)
		t.Logf("%s: in a run's shape %v, notes %v", name, shaped, noted)
	}
}

// StateAtStream over a trace file's reader, both forms, folds as StateAt
// over the events read whole.
func TestStateAtStreamFromReader(t *testing.T) {
	for _, jsonl := range []bool{false, true} {
		data := writeTrace(t, "../examples/quickstart/scenario.yaml", jsonl)
		tr, err := traces.Read(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		setup, err := PrepareTrace("trace", tr)
		if err != nil {
			t.Fatal(err)
		}
		open := func() (iter.Seq2[traces.Event, error], error) {
			r, err := traces.NewReader("trace", bytes.NewReader(data))
			if err != nil {
				return nil, err
			}
			return r.Events(), nil
		}
		for _, at := range []time.Duration{0, 20 * time.Second, 26500 * time.Millisecond, 31013013 * time.Microsecond, time.Hour} {
			want := StateAt(setup, tr.Events, at)
			got, err := StateAtStream(setup, open, at)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("jsonl %v at %s (-StateAt +StateAtStream):\n%s", jsonl, at, d)
			}
		}
	}
}
