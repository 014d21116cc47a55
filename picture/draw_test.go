package picture

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
)

// reused records events through one Event value, overwritten with
// nonsense as soon as the sink has it, so a picture that kept a pointer to
// one would draw nonsense; it counts the passes the picture asked for.
type reused struct {
	events []traces.Event
	passes int
}

func (r *reused) source(sink traces.Sink) error {
	r.passes++
	var e traces.Event
	for i := range r.events {
		e = r.events[i]
		if err := sink.Record(&e); err != nil {
			return err
		}
		e = traces.Event{T: -time.Hour, Kind: traces.Fault, Target: "garbage", Name: "garbage", App: "garbage", Change: "stop"}
	}
	return nil
}

// The timeline and the SVG streamed from a source that reuses its one
// event draw what they draw from the events held in a slice, in one pass.
func TestPicturesStreamInOnePass(t *testing.T) {
	events, horizon := quickstart(t)
	for _, o := range []TimelineOptions{
		{Horizon: horizon},
		{Horizon: horizon, From: 25 * time.Second, To: 37 * time.Second, Width: 120},
		{Horizon: horizon, Width: 20, Color: true},
	} {
		var want, got bytes.Buffer
		if err := WriteTimeline(&want, events, o); err != nil {
			t.Fatal(err)
		}
		src := &reused{events: events}
		if err := WriteTimelineFrom(&got, src.source, o); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%+v: streamed timeline differs:\n%s\nwant:\n%s", o, got.String(), want.String())
		}
		if src.passes != 1 {
			t.Errorf("%+v: %d passes over the events, want 1", o, src.passes)
		}
	}
	var want, got bytes.Buffer
	if err := WriteSVG(&want, events, SVGOptions{Horizon: horizon, Title: "q"}); err != nil {
		t.Fatal(err)
	}
	src := &reused{events: events}
	if err := WriteSVGFrom(&got, src.source, SVGOptions{Horizon: horizon, Title: "q"}); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() || src.passes != 1 {
		t.Errorf("streamed SVG differs or took %d passes", src.passes)
	}
}

// A last event later than the horizon (a trace edited by hand) extends
// the run, which only the end of the events tells: the events are read a
// second time, and the picture is BuildLanes' with the horizon extended.
func TestPicturesPastTheHorizon(t *testing.T) {
	events, _ := quickstart(t)
	src := &reused{events: events}
	d, err := draw(src.source, 30*time.Second, 0, 0, func(int) int { return 80 }, true, topology{})
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1].T
	if src.passes != 2 || d.to != last {
		t.Fatalf("%d passes, window to %s; want 2 and the last event's %s", src.passes, d.to, last)
	}
	checkDrawing(t, "past the horizon", events, 30*time.Second, 0, 0, topology{}, d)
}

// The columns folded from the spans as they pass are the ones Lane.Cells
// samples from the whole lane, and each column's extent (the SVG's
// tooltips) the one found from every span of the lane — whichever layout
// the widest label leaves, on random runs whose lanes (some with long
// names, some appearing late) come and go.
func TestDrawMatchesWholeLanes(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 1))
	for run := range 200 {
		events, horizon, top := randomRun(rng)
		from, to := time.Duration(0), time.Duration(0)
		switch run % 3 {
		case 1:
			from = time.Duration(rng.Int64N(int64(horizon)))
		case 2:
			from = time.Duration(rng.Int64N(int64(horizon)))
			to = from + time.Duration(rng.Int64N(int64(horizon)))
		}
		columns := func(label int) int { return 130 - 3*label } // a layout per width
		src := &reused{events: events}
		d, err := draw(src.source, horizon, from, to, columns, run%2 == 0, top)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if d.n != columns(d.label) {
			t.Fatalf("run %d: %d columns, want %d for label width %d", run, d.n, columns(d.label), d.label)
		}
		checkDrawing(t, fmt.Sprintf("run %d", run), events, horizon, from, to, top, d)
	}
}

// checkDrawing compares d with the lanes of BuildLanes sampled whole.
func checkDrawing(t *testing.T, name string, events []traces.Event, horizon, from, to time.Duration, top topology, d *drawing) {
	t.Helper()
	lanes := buildLanes(events, horizon, top)
	if n := len(events); n > 0 {
		horizon = max(horizon, events[n-1].T)
	}
	if to == 0 {
		to = horizon
	}
	label := minLabelWidth
	for i := range lanes {
		label = max(label, 2+len([]rune(termLabel(&lanes[i]))))
	}
	if label = min(label, maxLabelWidth); d.label != label || d.from != from || d.to != to || len(d.lanes) != len(lanes) {
		t.Fatalf("%s: label %d, window %s-%s, %d lanes; want %d, %s-%s, %d", name, d.label, d.from, d.to, len(d.lanes), label, from, to, len(lanes))
	}
	for i := range lanes {
		l, got := &lanes[i], d.lanes[i]
		if got.Label() != l.Label() || !reflect.DeepEqual(got.Marks, l.Marks) {
			t.Errorf("%s: lane %d is %q with %d marks, want %q with %d", name, i, got.Label(), len(got.Marks), l.Label(), len(l.Marks))
			continue
		}
		if want := l.Cells(from, to, d.n); !reflect.DeepEqual(got.cells, want) {
			t.Errorf("%s: lane %s columns\n got %v\nwant %v", name, l.Label(), got.cells, want)
		}
		if got.ext == nil {
			continue
		}
		if want := wholeExtents(l, from, to, d.n); !reflect.DeepEqual(got.ext, want) {
			t.Errorf("%s: lane %s extents\n got %+v\nwant %+v", name, l.Label(), got.ext, want)
		}
	}
}

// wholeExtents is each column's extent found from every span of the lane,
// as the SVG found them before its columns were folded.
func wholeExtents(l *Lane, from, to time.Duration, n int) []extent {
	cells := l.Cells(from, to, n)
	ext := make([]extent, n)
	for _, s := range l.Spans {
		c0, c1, ok := spanColumns(s, from, to, n)
		if !ok {
			continue
		}
		for c := c0; c <= c1; c++ {
			if cells[c] != s.State {
				continue
			}
			e := &ext[c]
			if !e.set {
				*e = extent{from: s.From, to: s.To, detail: s.Detail, set: true}
				continue
			}
			e.from, e.to, e.several = min(e.from, s.From), max(e.to, s.To), true
		}
	}
	return ext
}

// randomRun is a made-up run: targets stopped, started and in fault
// windows; breakers with names short and long changing state; workers
// whose steps fail, retry and succeed; deliveries. Times only grow, but
// a lane may first appear at any of them.
func randomRun(rng *rand.Rand) ([]traces.Event, time.Duration, topology) {
	horizon := time.Duration(1+rng.IntN(120)) * time.Second
	name := func(prefix string) string {
		return prefix + strings.Repeat("x", rng.IntN(40))
	}
	// The third target is an actor type the first hosts: its lane
	// follows the first's faults.
	targets := []string{name("s"), name("t"), name("Cart")}
	hosts := map[string]string{targets[2]: targets[0]}
	breakers := []string{name("cb"), name("cb-long-")}
	apps := []string{name("a"), name("b")}
	states := []string{"closed", "open", "half-open"}
	var events []traces.Event
	var t time.Duration
	iteration := map[string]int{}
	for len(events) < 300 && t < horizon {
		t += time.Duration(rng.Int64N(int64(horizon) / 40))
		switch rng.IntN(6) {
		case 0:
			changes := []string{"stop", "start", "slow", "error", "flaky", "end", "flapping", "down", "up"}
			events = append(events, traces.Event{T: t, Kind: traces.Fault, Target: targets[rng.IntN(2)], Change: changes[rng.IntN(len(changes))], Detail: "d"})
		case 1:
			events = append(events, traces.Event{T: t, Kind: traces.Breaker, Name: breakers[rng.IntN(2)], From: states[rng.IntN(3)], To: states[rng.IntN(3)]})
		case 2:
			sub := traces.Event{T: t, Kind: traces.Deliver, App: apps[rng.IntN(2)], Topic: "orders", Message: "1-0", Took: time.Duration(rng.Int64N(int64(time.Second)))}
			sub.Result = []string{traces.ResultAck, traces.ResultPending, traces.ResultDeadLetter}[rng.IntN(3)]
			events = append(events, sub)
		default:
			app, w := apps[rng.IntN(2)], rng.IntN(2)
			key := fmt.Sprintf("%s/%d", app, w)
			iteration[key]++
			who := traces.Event{App: app, Worker: w, Iteration: iteration[key], Step: 1, Target: targets[rng.IntN(3)], Op: "get"}
			attempts := 1 + rng.IntN(3)
			for a := 1; a <= attempts; a++ {
				call := who
				call.T, call.Kind, call.Attempt, call.Outcome = t, traces.Call, a, traces.Error
				if a == attempts && rng.IntN(2) == 0 {
					call.Outcome = traces.OK
				}
				events = append(events, call)
				if a < attempts {
					retry := who
					retry.T, retry.Kind, retry.Attempt, retry.Delay = t, traces.Retry, a, time.Duration(rng.Int64N(int64(time.Second)))
					events = append(events, retry)
					t += retry.Delay + time.Duration(rng.Int64N(int64(time.Second)))
				}
			}
			if rng.IntN(5) > 0 { // else the trace ends, or moves on, inside the step
				op := who
				op.T, op.Kind, op.Attempts, op.Outcome, op.Took = t, traces.Op, attempts, events[len(events)-1].Outcome, time.Duration(rng.Int64N(int64(2*time.Second)))
				events = append(events, op)
			}
		}
	}
	if rng.IntN(4) == 0 && len(events) > 0 {
		events[len(events)-1].T = horizon + time.Second // past the horizon
	}
	// Calls to the second target go through the first breaker, which
	// its lane shows closed from the first of them.
	breakerOf := func(e *traces.Event) string {
		if e.Target == targets[1] {
			return breakers[0]
		}
		return ""
	}
	return events, horizon, topology{hosts, breakerOf}
}
