package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
)

// runTo runs a fresh engine for setup until every event at or before at has
// been dispatched (Run's loop, stopped early) and returns the events and the
// engine, whose machines then hold what a snapshot must show.
func runTo(t *testing.T, setup *Setup, at time.Duration) *Engine {
	t.Helper()
	var c traces.Collector
	e := NewEngine(setup, &c, Options{})
	// What a run starts with, then the queue by hand: no Snapshotter, no
	// RunUntil bookkeeping.
	e.begin()
	for e.err == nil {
		ev, _, ok := e.q.Pop(min(at, e.sc.Duration))
		if !ok {
			break
		}
		e.dispatch(ev)
	}
	if e.err != nil {
		t.Fatalf("run to %s: %v", at, e.err)
	}
	return e
}

// engineBreakers lists the engine's started breaker instances by name.
func engineBreakers(e *Engine) map[string][]traces.BreakerState {
	out := map[string][]traces.BreakerState{}
	add := func(b *breakerInst) {
		if b == nil || !b.started {
			return
		}
		s := b.state
		app := e.sidecarOf(b)
		st := traces.BreakerState{App: app, Name: b.settings.Name}
		out[st.Label()] = append(out[st.Label()], traces.BreakerState{
			App: app, Name: b.settings.Name, State: s.State.String(), Generation: s.Generation, Requests: s.Counts.Requests,
			TotalSuccesses: s.Counts.TotalSuccesses, ConsecutiveSuccesses: s.Counts.ConsecutiveSuccesses,
			TotalFailures: s.Counts.TotalFailures, ConsecutiveFailures: s.Counts.ConsecutiveFailures,
			Expiry: s.Expiry, Expires: s.Expires,
		})
	}
	seen := map[*breakerInst]bool{}
	for _, p := range e.pipes {
		for _, l := range p.layers {
			if l.breaker != nil && !seen[l.breaker] {
				seen[l.breaker] = true
				add(l.breaker)
			}
		}
	}
	for _, m := range []map[string]*breakerLRU{e.appBreakers, e.actorBreakers} {
		for _, c := range m {
			for _, it := range c.items {
				add(it.b)
			}
		}
	}
	return out
}

func scenarioSetup(t *testing.T, file string) (*Setup, bool) {
	t.Helper()
	path := file
	if strings.HasSuffix(file, ".txtar") {
		dir := t.TempDir()
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			p := filepath.Join(dir, f.Name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		path = filepath.Join(dir, "scenario.yaml")
	}
	sc, err := LoadScenario(path)
	if err != nil {
		return nil, false
	}
	setup, err := Prepare(sc, Overrides{})
	if err != nil {
		return nil, false
	}
	return setup, true
}

// A snapshot taken while replaying once (RunUntil at each instant in turn)
// agrees with a fresh engine run to that instant, at every instant an event
// happens (and just before it), for every scenario: breaker states, counts,
// generations and expiries, with no note. Breakers the engine has evicted
// from an LRU cache are not compared. Where the run has messages
// (examples/pubsub, examples/bindings and the scenarios with subscribers or
// input bindings), the consumers' and bindings' state agrees too — the
// deliveries in hand and their runners, the queues, the reclaim ticks —
// and agrees with the trace (messagesAgreeWithTrace).
func TestSnapshotAgreesWithFreshRun(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	files = append(files, "../examples/quickstart/scenario.yaml", "../examples/pubsub/scenario.yaml", "../examples/bindings/scenario.yaml")
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		if strings.HasSuffix(file, ".yaml") {
			name = filepath.Base(filepath.Dir(file)) // an example
		}
		t.Run(name, func(t *testing.T) {
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
			instants := map[time.Duration]bool{}
			for _, ev := range all.Events {
				instants[ev.T] = true
				if ev.T > 0 {
					instants[ev.T-1] = true
				}
			}
			list := make([]time.Duration, 0, len(instants))
			for at := range instants {
				list = append(list, at)
			}
			sort.Slice(list, func(i, j int) bool { return list[i] < list[j] })
			if len(list) > 120 {
				step := len(list) / 120
				var thin []time.Duration
				for i := 0; i < len(list); i += step {
					thin = append(thin, list[i])
				}
				list = thin
			}
			inc := NewEngine(setup, discard{}, Options{})
			defer inc.Close()
			for _, at := range list {
				if err := inc.RunUntil(at); err != nil {
					t.Fatalf("run until %s: %v", at, err)
				}
				snap := inc.Snapshot()
				if len(snap.Notes) > 0 {
					t.Fatalf("at %s the snapshot notes: %v", at, snap.Notes)
				}
				eng := runTo(t, setup, at)
				want := engineBreakers(eng)
				eng.live.at = at
				fresh := eng.Snapshot()
				eng.Close()
				if diff := cmp.Diff(fresh.Consumers, snap.Consumers); diff != "" {
					t.Fatalf("at %s the consumers (-fresh +snapshot):\n%s", at, diff)
				}
				if diff := cmp.Diff(fresh.Triggers, snap.Triggers); diff != "" {
					t.Fatalf("at %s the input bindings (-fresh +snapshot):\n%s", at, diff)
				}
				if err := messagesAgreeWithTrace(snap, all.Events); err != nil {
					t.Fatalf("at %s: %v", at, err)
				}
				got := map[string][]traces.BreakerState{}
				for _, b := range snap.Breakers {
					got[b.Label()] = append(got[b.Label()], b)
				}
				for name, ws := range want {
					gs := got[name]
					if len(ws) != 1 || len(gs) != 1 {
						continue // same name on several instances, or evicted: not comparable one to one
					}
					if gs[0] != ws[0] {
						t.Fatalf("at %s breaker %s:\n snapshot %+v\n fresh    %+v", at, name, gs[0], ws[0])
					}
				}
			}
		})
	}
}

// messagesAgreeWithTrace checks snap's messages against the run's events,
// which the engine's live state does not read: a delivery is in flight at
// the instant exactly when its deliver event (matched by sidecar, target,
// worker and iteration) ends after the instant and began at or before it,
// with the same message, event id and start; one the trace never ends is
// in flight to the end. An entry's deliveries begin in the order of their
// numbers, so a delivery's number is its rank among the entry's deliver
// events by start; a message queued or held has not begun that delivery,
// and one reclaimed (a redeliver event at or before the instant) whose
// delivery has not begun is queued or held.
func messagesAgreeWithTrace(snap *traces.Snapshot, events []traces.Event) error {
	type key struct {
		app, target       string
		worker, iteration int
	}
	ends := map[key]*traces.Event{}
	for i := range events {
		if e := &events[i]; e.Kind == traces.Deliver {
			ends[key{e.App, e.Target, e.Worker, e.Iteration}] = e
		}
	}
	shown := map[key]bool{}
	for _, c := range snap.Consumers {
		// An entry's deliveries begin in the order of their numbers (the
		// queue is first in, first out, and a read loop's hand is drained
		// before a reclaim pass's): the n-th deliver event by start is
		// delivery n.
		type entry struct{ topic, message string }
		starts := map[entry][]time.Duration{}
		for i := range events {
			if e := &events[i]; e.Kind == traces.Deliver && e.App == c.App && e.Target == c.Pubsub {
				k := entry{e.Topic, e.Message}
				starts[k] = append(starts[k], e.T-e.Took)
			}
		}
		for _, s := range starts {
			sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		}
		for _, d := range c.Deliveries {
			k := key{c.App, c.Pubsub, d.Worker, d.Iteration}
			shown[k] = true
			e, ok := ends[k]
			if !ok {
				continue // the run ended with it in flight
			}
			if e.T <= snap.At || e.T-e.Took != d.Started || d.Started > snap.At || e.Message != d.Message || e.EventID != d.EventID || e.Topic != d.Topic {
				return fmt.Errorf("%s worker %d shows %s (event %s) since %s, but the trace ends it at %s: %s",
					c.App, d.Worker, d.Message, d.EventID, d.Started, e.T, traces.Describe(e))
			}
			if s := starts[entry{d.Topic, d.Message}]; len(s) < d.Delivery || s[d.Delivery-1] != d.Started {
				return fmt.Errorf("%s worker %d shows %s as delivery %d since %s; the trace's deliveries of it begin at %v", c.App, d.Worker, d.Message, d.Delivery, d.Started, s)
			}
		}
		queued := map[entry]map[int]bool{}
		for _, q := range c.Queue {
			k := entry{q.Topic, q.Message}
			if s := starts[k]; len(s) >= q.Delivery && s[q.Delivery-1] <= snap.At {
				return fmt.Errorf("%s shows %s delivery %d queued, but it began at %s", c.App, q.Message, q.Delivery, s[q.Delivery-1])
			}
			if queued[k] == nil {
				queued[k] = map[int]bool{}
			}
			queued[k][q.Delivery] = true
		}
		// A reclaimed entry whose delivery has not begun waits in the
		// queue (or a blocked pass holds it).
		for i := range events {
			r := &events[i]
			if r.Kind != traces.Redeliver || r.App != c.App || r.Target != c.Pubsub || r.T > snap.At {
				continue
			}
			k := entry{r.Topic, r.Message}
			if s := starts[k]; (len(s) < r.Deliveries || s[r.Deliveries-1] > snap.At) && !queued[k][r.Deliveries] {
				return fmt.Errorf("%s reclaimed %s for delivery %d at %s, which has not begun, but the queue does not show it", c.App, r.Message, r.Deliveries, r.T)
			}
		}
	}
	for _, tg := range snap.Triggers {
		k := key{tg.App, tg.Binding, tg.Worker, tg.Fire}
		shown[k] = true
		if e, ok := ends[k]; ok && (e.T <= snap.At || e.T-e.Took != tg.Started || tg.Started > snap.At) {
			return fmt.Errorf("%s %s worker %d shows fire %d since %s, but the trace ends it at %s: %s",
				tg.App, tg.Binding, tg.Worker, tg.Fire, tg.Started, e.T, traces.Describe(e))
		}
	}
	for k, e := range ends {
		if e.T-e.Took <= snap.At && snap.At < e.T && e.Result != traces.ResultUnrouted && !shown[k] {
			return fmt.Errorf("the trace has a delivery in flight the snapshot does not show: %s", traces.Describe(e))
		}
	}
	return nil
}

// The quickstart at the instants learners ask about.
func TestStateAtQuickstart(t *testing.T) {
	setup, ok := scenarioSetup(t, "../examples/quickstart/scenario.yaml")
	if !ok {
		t.Fatal("the quickstart does not run")
	}
	var c traces.Collector
	e := NewEngine(setup, &c, Options{})
	defer e.Close()
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	s := func(v string) time.Duration {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	type req struct {
		iteration, step, attempt int
		issued                   string
		phase                    traces.Phase
		since, until             string
	}
	tests := []struct {
		at      string
		breaker traces.BreakerState
		req     *req
		up      bool
	}{
		{"5.5s", traces.BreakerState{State: "closed", Generation: 1, Requests: 8, TotalSuccesses: 8, ConsecutiveSuccesses: 8}, nil, true},
		{"6.0085s", traces.BreakerState{State: "closed", Generation: 1, Requests: 9, TotalSuccesses: 8, ConsecutiveSuccesses: 8}, &req{5, 1, 1, "6.008008s", traces.Answering, "6.008009s", ""}, false},
		// The client's tries make each failed attempt last 40-110ms on 1.8
		// (go-redis's jitter, seeded 1: conformance/REDIS-CLIENT.md §5.2).
		{"20s", traces.BreakerState{State: "closed", Generation: 1, Requests: 11, TotalSuccesses: 8, TotalFailures: 3, ConsecutiveFailures: 3}, &req{5, 1, 4, "6.008008s", traces.Backoff, "16.263244212s", "21.263245212s"}, false},
		{"22s", traces.BreakerState{State: "closed", Generation: 1, Requests: 12, TotalSuccesses: 8, TotalFailures: 4, ConsecutiveFailures: 4}, &req{5, 1, 5, "6.008008s", traces.Backoff, "21.307592032s", "26.307593032s"}, false},
		{"26.5s", traces.BreakerState{State: "open", Generation: 2, Expiry: s("31.405988957s"), Expires: true}, &req{5, 1, 6, "6.008008s", traces.Backoff, "26.405988957s", "31.405989957s"}, false},
		// At the expiry itself the breaker is still open (gobreaker's strict <).
		{"31.405988957s", traces.BreakerState{State: "open", Generation: 2, Expiry: s("31.405988957s"), Expires: true}, &req{5, 1, 6, "6.008008s", traces.Backoff, "26.405988957s", "31.405989957s"}, false},
		{"31.405989957s", traces.BreakerState{State: "half-open", Generation: 3, Requests: 1}, &req{5, 1, 6, "6.008008s", traces.Answering, "31.405989957s", ""}, false},
		{"31.5s", traces.BreakerState{State: "open", Generation: 4, Expiry: s("36.495401889s"), Expires: true}, &req{5, 1, 7, "6.008008s", traces.Backoff, "31.495401889s", "36.495402889s"}, false},
		// Closed again, counts cleared; get(5) is admitted and waits for its answer.
		{"36.497s", traces.BreakerState{State: "closed", Generation: 6, Requests: 1}, &req{5, 2, 1, "36.496402889s", traces.Answering, "36.496403889s", ""}, true},
		// get(5) was admitted and answered in the closed breaker's new generation.
		{"36.5s", traces.BreakerState{State: "closed", Generation: 6, Requests: 1, TotalSuccesses: 1, ConsecutiveSuccesses: 1}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			snap := stateAt(setup, c.Events, s(tt.at))
			if len(snap.Notes) != 0 {
				t.Errorf("notes: %v", snap.Notes)
			}
			if len(snap.Breakers) != 1 {
				t.Fatalf("breakers: %+v", snap.Breakers)
			}
			want := tt.breaker
			want.Name = "simpleCB-statestore"
			if snap.Breakers[0] != want {
				t.Errorf("breaker:\n got  %+v\n want %+v", snap.Breakers[0], want)
			}
			if tt.req == nil {
				if len(snap.Requests) != 0 {
					t.Errorf("in flight: %+v, want none", snap.Requests)
				}
			} else {
				if len(snap.Requests) != 1 {
					t.Fatalf("in flight: %+v, want one", snap.Requests)
				}
				r := snap.Requests[0]
				var until time.Duration
				if tt.req.until != "" {
					until = s(tt.req.until)
				}
				if r.Iteration != tt.req.iteration || r.Step != tt.req.step || r.Attempt != tt.req.attempt ||
					r.Phase != tt.req.phase || r.Since != s(tt.req.since) || r.Until != until ||
					r.Issued != s(tt.req.issued) || !r.IssuedKnown || r.Breaker != "simpleCB-statestore" {
					t.Errorf("request: %+v, want %+v", r, *tt.req)
				}
			}
			if len(snap.Targets) != 1 || snap.Targets[0].Up != tt.up {
				t.Errorf("targets: %+v, want statestore up=%v", snap.Targets, tt.up)
			}
		})
	}
}

// Snapshots, which reads from the recorded events which steps the trace
// never ends, agrees with snapshots settled by the engine's own list of the
// steps in flight when the run ended, for every scenario.
func TestSnapshotsSettleAsTheEngine(t *testing.T) {
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
			var list []time.Duration
			for _, ev := range all.Events {
				if n := len(list); n == 0 || list[n-1] != ev.T {
					list = append(list, ev.T)
				}
			}
			got := Snapshots(setup, all.Events, list)
			ref := NewEngine(setup, discard{}, Options{})
			defer ref.Close()
			want := make([]*traces.Snapshot, len(list))
			for i, at := range list {
				ref.RunUntil(at)
				want[i] = ref.Snapshot()
				want[i].Total = len(all.Events)
			}
			ref.Run()
			for i := range want {
				Settle(want[i], ref.Unfinished())
				if d := cmp.Diff(want[i], got[i]); d != "" {
					t.Fatalf("at %s: -engine +events\n%s", list[i], d)
				}
			}
		})
	}
}

// stateAt replays setup's run to at and returns the engine's snapshot then
// (Snapshots at one instant).
func stateAt(setup *Setup, events []traces.Event, at time.Duration) *traces.Snapshot {
	return Snapshots(setup, events, []time.Duration{at})[0]
}

// A Snapshotter fed the events as they stream past, each snapshot taken
// when the stream reaches its instant, words the snapshots as Snapshots
// does with every event at hand: for a run's own events, and for events
// that are not the run's (a step's op event recorded before the step
// began), where it reads the events again.
func TestSnapshotterStreamsAsSnapshots(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	files = append(files, "../examples/quickstart/scenario.yaml")
	againSeen := false
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
			var list []time.Duration
			for _, ev := range all.Events {
				if n := len(list); n == 0 || list[n-1] != ev.T {
					list = append(list, ev.T)
				}
			}
			check := func(name string, events []traces.Event, wantAgain bool) {
				want := Snapshots(setup, events, list)
				got, again := streamSnapshots(setup, events, list)
				if again != wantAgain {
					t.Errorf("%s: read the events again: %v, want %v", name, again, wantAgain)
				}
				againSeen = againSeen || again
				for i := range want {
					if d := cmp.Diff(want[i], got[i]); d != "" {
						t.Fatalf("%s: at %s: -Snapshots +streamed\n%s", name, list[i], d)
					}
				}
			}
			check("the run's events", all.Events, false)
			// A step in flight at an instant that the events never end, and a
			// later step of its worker ended first, at 0s: the events that
			// streamed past cannot tell the first step's first event.
			for _, s := range Snapshots(setup, all.Events, list) {
				for _, r := range s.Requests {
					var tampered []traces.Event
					var later *traces.Event
					for i, ev := range all.Events {
						same := ev.App == r.App && ev.Worker == r.Worker
						if same && ev.Kind == traces.Op && ev.Iteration == r.Iteration && ev.Step == r.Step {
							continue
						}
						if same && ev.Kind == traces.Op && later == nil && (ev.Iteration > r.Iteration || ev.Iteration == r.Iteration && ev.Step > r.Step) {
							later = &all.Events[i]
						}
						tampered = append(tampered, ev)
					}
					if later == nil {
						continue
					}
					first := *later
					first.T = 0
					check("a later step ended first", append([]traces.Event{first}, tampered...), true)
					return
				}
			}
		})
	}
	if !againSeen {
		t.Error("no scenario made the Snapshotter read the events again")
	}
}

// streamSnapshots takes the snapshots at list with a Snapshotter, each when
// the events reach its instant, and reports whether Finish read the events
// again.
func streamSnapshots(setup *Setup, events []traces.Event, list []time.Duration) ([]*traces.Snapshot, bool) {
	s := NewSnapshotter(setup)
	defer s.Close()
	out := make([]*traces.Snapshot, len(list))
	i := 0
	for j := range events {
		for ; i < len(list) && events[j].T > list[i]; i++ {
			out[i] = s.Take(list[i])
		}
		s.Record(&events[j])
	}
	for ; i < len(list); i++ {
		out[i] = s.Take(list[i])
	}
	again := false
	s.Finish(func(sink traces.Sink) error {
		again = true
		for i := range events {
			if err := sink.Record(&events[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, again
}

// Snapshotter.Breakers names the breakers of Take at the run's end, from
// any point of the replay; for the quickstart (one store, its breaker
// listed with the first step) without replaying the rest.
func TestSnapshotterBreakersAsAtTheEnd(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	files = append(files, "../examples/quickstart/scenario.yaml")
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			setup, ok := scenarioSetup(t, file)
			if !ok {
				t.Skip("a scenario that does not run")
			}
			end := setup.Scenario.Duration
			for _, at := range []time.Duration{0, end / 3, end / 2, end} {
				ref := NewSnapshotter(setup)
				ref.Take(at)
				var want []string
				for _, b := range ref.Take(end).Breakers {
					want = append(want, b.Name)
				}
				ref.Close()
				s := NewSnapshotter(setup)
				s.Take(at)
				got := s.Breakers(end)
				ran := s.eng.Now()
				s.Close()
				if len(got) == 0 {
					got = nil
				}
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("from %s: -Take(end) +Breakers\n%s", at, d)
				}
				if strings.HasSuffix(file, "quickstart/scenario.yaml") && at == end/2 && ran > at {
					t.Errorf("from %s: the replay ran on to %s", at, ran)
				}
			}
		})
	}
}

// A delivery whose inbound runner gave up is shown publishing to its
// subscription's dead-letter topic: in subscribers.txtar, order 2's third
// attempt fails at 4.003004s and the publish to poison starts 1µs later.
func TestSnapshotDeadLetterInFlight(t *testing.T) {
	setup, ok := scenarioSetup(t, "testdata/scenarios/subscribers.txtar")
	if !ok {
		t.Fatal("subscribers.txtar does not run")
	}
	e := NewEngine(setup, discard{}, Options{})
	defer e.Close()
	if err := e.RunUntil(4003500 * time.Microsecond); err != nil {
		t.Fatal(err)
	}
	var got *traces.DeliveryState
	for _, c := range e.Snapshot().Consumers {
		for i, d := range c.Deliveries {
			if c.App == "order-processor" && d.Message == "946684802000-0" {
				got = &c.Deliveries[i]
			}
		}
	}
	want := traces.DeliveryState{Worker: 1, Iteration: 1, Topic: "orders", Message: "946684802000-0", EventID: "e39829d3-8ff2-4c0e-ac8c-b372540cd2dd",
		Route: "/orders", Delivery: 1, Started: 2000001 * time.Microsecond, DeadLetter: "poison",
		Progress: traces.Progress{Attempt: 1, Phase: traces.Answering, Since: 4003005 * time.Microsecond}}
	if got == nil {
		t.Fatal("order 2 is not in flight at 4.0035s")
	}
	if diff := cmp.Diff(want, *got); diff != "" {
		t.Errorf("order 2 at 4.0035s (-want +got):\n%s", diff)
	}
}
