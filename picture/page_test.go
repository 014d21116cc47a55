package picture

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/picture/page"
	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/traces"
	"github.com/google/go-cmp/cmp"
)

// fakeSnapshots stands in for the engine: a snapshot tells where it was
// taken and how many takes came before.
type fakeSnapshots struct {
	takes    int
	recorded int
	finished bool
}

func (f *fakeSnapshots) Take(at time.Duration) *traces.Snapshot {
	f.takes++
	return &traces.Snapshot{At: at, Folded: f.takes, Notes: []string{fmt.Sprintf("taken at %s after %d events", at, f.recorded)}}
}
func (f *fakeSnapshots) Breakers(time.Duration) []string            { return nil }
func (f *fakeSnapshots) Record(*traces.Event) error                 { f.recorded++; return nil }
func (f *fakeSnapshots) Finish(again func(traces.Sink) error) error { f.finished = true; return nil }
func (f *fakeSnapshots) Close()                                     {}

// wholePage is the page's rule over every event at hand (what `sim render`
// did before it streamed): the instants of the window, the events at each,
// the log up to the first event after the window.
func wholePage(events []traces.Event, run PageRun, wording traces.Wording) (instants []time.Duration, happened [][]string, log []page.LogLine, err error) {
	end := run.Horizon
	if n := len(events); n > 0 {
		end = max(end, events[n-1].T)
	}
	from, to := run.From, end
	if run.HasTo {
		to = run.To
	}
	if from >= to {
		return nil, nil, nil, pageWindowError(fmt.Sprintf("--from %s is not before the end of the run (%s)", from, to))
	}
	instants = []time.Duration{from}
	for i := range events {
		if t := events[i].T; t > from && t <= to && t != instants[len(instants)-1] {
			instants = append(instants, t)
		}
	}
	if len(instants) > MaxPageInstants {
		return nil, nil, nil, pageWindowError(fmt.Sprintf("%d event instants between %s and %s; a page draws at most %d: choose a window with --from and --to",
			len(instants), from, to, MaxPageInstants))
	}
	next := 0
	for _, t := range instants {
		h := []string{}
		for ; next < len(events) && events[next].T <= t; next++ {
			if events[next].T == t {
				h = append(h, traces.Describe(&events[next]))
			}
		}
		happened = append(happened, h)
	}
	lw := traces.NewLogWriter(io.Discard, wording)
	log = []page.LogLine{}
	for i := range events {
		e := &events[i]
		if e.T > to {
			break
		}
		if line, ok := lw.Line(e); ok {
			log = append(log, page.LogLine{T: int64(e.T), Text: strings.TrimSuffix(line, "\n")})
		}
	}
	return instants, happened, log, nil
}

// BuildPage, folding the events as they stream past, draws what the rule
// over every event at hand draws: in time order, and out of it (an event
// after the window or after the run's last one, an event earlier than the
// one before), over the whole run and windows of it; each snapshot is
// taken once every event before its instant has passed and none after it.
func TestBuildPageAsWholeEvents(t *testing.T) {
	events, horizon := quickstart(t)
	wording, err := traces.WordingFor("1.8")
	if err != nil {
		t.Fatal(err)
	}
	at := func(t time.Duration) []traces.Event {
		for i := range events {
			if events[i].T >= t {
				return events[i : i+1]
			}
		}
		return nil
	}
	with := func(i int, extra []traces.Event, tt time.Duration) []traces.Event {
		e := append([]traces.Event{}, extra...)
		e[0].T = tt
		return append(append(append([]traces.Event{}, events[:i]...), e...), events[i:]...)
	}
	runs := map[string][]traces.Event{
		"in order":                    events,
		"one after the run, early on": with(40, at(27*time.Second), 100*time.Second),
		"one after the window":        with(40, at(27*time.Second), 45*time.Second),
		"one earlier than before":     with(80, at(3*time.Second), 21*time.Second),
		"one before the window, late": with(len(events)-5, at(2*time.Second), 3*time.Second),
		"none":                        nil,
	}
	windows := []struct {
		from, to time.Duration
		hasTo    bool
	}{{0, 0, false}, {20 * time.Second, 40 * time.Second, true}, {26 * time.Second, 0, false}, {30 * time.Second, 2 * time.Hour, true},
		{2 * time.Hour, 0, false}, {10 * time.Second, 10 * time.Second, true}}
	for name, evs := range runs {
		for _, w := range windows {
			t.Run(fmt.Sprintf("%s/%s-%s", name, w.from, w.to), func(t *testing.T) {
				run := PageRun{Name: "q", Dapr: "1.8", Seed: 1, Horizon: horizon, Wording: wording, From: w.from, To: w.to, HasTo: w.hasTo,
					Settings: func(string) (s breaker.Settings, ok bool) { return s, false }}
				instants, happened, log, werr := wholePage(evs, run, wording)
				var fakes []*fakeSnapshots
				reads := 0
				d, err := BuildPage(run, func() PageSnapshots { f := &fakeSnapshots{}; fakes = append(fakes, f); return f },
					func(sink traces.Sink) error {
						reads++
						for i := range evs {
							if err := sink.Record(&evs[i]); err != nil {
								return err
							}
						}
						return nil
					})
				if werr != nil || err != nil {
					if fmt.Sprint(err) != fmt.Sprint(werr) || !errors.Is(err, ErrPageWindow) {
						t.Fatalf("error %v, want %v (ErrPageWindow)", err, werr)
					}
					return
				}
				if d.From != int64(w.from) || len(d.Snapshots) != len(instants) {
					t.Fatalf("from %d, %d snapshots; want %d, %d", d.From, len(d.Snapshots), w.from, len(instants))
				}
				if want := fmt.Sprintf("· %d events ·", len(evs)); !strings.Contains(d.Subtitle, want) {
					t.Errorf("subtitle %q, want it to say %q", d.Subtitle, want)
				}
				for i, s := range d.Snapshots {
					if s.T != int64(instants[i]) || s.Events != i+1 {
						t.Errorf("snapshot %d: at %d, take %d; want %d, %d", i, s.T, s.Events, instants[i], i+1)
					}
					if d := cmp.Diff(happened[i], s.Happened); d != "" {
						t.Errorf("snapshot %d, events at %s: -whole +streamed\n%s", i, instants[i], d)
					}
				}
				if d := cmp.Diff(log, d.Log); d != "" {
					t.Errorf("log: -whole +streamed\n%s", d)
				}
				last := fakes[len(fakes)-1]
				if !last.finished || last.recorded != len(evs) {
					t.Errorf("snapshots finished %v after %d events, want true after %d", last.finished, last.recorded, len(evs))
				}
				// Only an event after the run's last, with no end to the
				// window given, has the events read again.
				wantReads := 1
				if name == "one after the run, early on" && !w.hasTo {
					wantReads = 2
				}
				if reads != wantReads || len(fakes) != reads {
					t.Errorf("read the events %d times with %d replays, want %d", reads, len(fakes), wantReads)
				}
				// In time order, a snapshot is taken when the events reach past its instant.
				if name == "in order" {
					for i, s := range d.Snapshots[:len(d.Snapshots)-1] {
						n := 0
						for n < len(evs) && evs[n].T <= instants[i] {
							n++
						}
						if want := fmt.Sprintf("taken at %s after %d events", instants[i], n); s.Notes[0] != want {
							t.Errorf("snapshot %d: %s, want %s", i, s.Notes[0], want)
						}
					}
				}
			})
		}
	}
}

// Past MaxPageInstants instants the page refuses the window, counting them
// all.
func TestBuildPageTooManyInstants(t *testing.T) {
	var evs []traces.Event
	for i := 1; i <= MaxPageInstants+5; i++ {
		evs = append(evs, traces.Event{T: time.Duration(i) * time.Millisecond, Kind: traces.Fault, Target: "s", Change: "stop"})
	}
	wording, _ := traces.WordingFor("1.8")
	run := PageRun{Horizon: time.Second, Wording: wording}
	_, err := BuildPage(run, func() PageSnapshots { return &fakeSnapshots{} }, func(sink traces.Sink) error {
		for i := range evs {
			sink.Record(&evs[i])
		}
		return nil
	})
	if !errors.Is(err, ErrPageWindow) || !strings.Contains(err.Error(), fmt.Sprintf("%d event instants between 0s and 20.005s", MaxPageInstants+6)) {
		t.Fatalf("error %v, want %d instants (ErrPageWindow)", err, MaxPageInstants+6)
	}
}

// The deliveries lanes number an entry's deliveries by start, whatever
// order their deliver events end in (a redelivery can end first), take
// the app's answer from the delivery's last call event, keep only the
// deliveries that overlap the window, stack overlapping bars in rows, and
// escape the names from the input.
func TestPageDeliveryLanes(t *testing.T) {
	const topic, msg = "or\x1bders", "1-0\n"
	ev := func(e traces.Event) *traces.Event {
		e.App, e.Target, e.Topic, e.Message = "sub", "ps", topic, msg
		return &e
	}
	s := time.Second
	var d deliveryFold
	for _, e := range []*traces.Event{
		ev(traces.Event{T: 1 * s, Kind: traces.Call, Op: "deliver", Worker: 0, Iteration: 1, Outcome: traces.Error, Status: 500, Body: "boom"}),
		ev(traces.Event{T: 2 * s, Kind: traces.Call, Op: "deliver", Worker: 1, Iteration: 1, Outcome: traces.OK}),
		// Delivery 2 (worker 1, begun at 1.5s) ends before delivery 1.
		ev(traces.Event{T: 2 * s, Kind: traces.Deliver, Op: "deliver", Worker: 1, Iteration: 1, Took: s / 2, Result: traces.ResultAck, Attempts: 1}),
		ev(traces.Event{T: 3 * s, Kind: traces.Deliver, Op: "deliver", Worker: 0, Iteration: 1, Took: 2 * s, Result: traces.ResultPending, Attempts: 1}),
		// Out of the window [0s, 10s]: counted for numbering, not drawn.
		ev(traces.Event{T: 12 * s, Kind: traces.Deliver, Op: "deliver", Worker: 0, Iteration: 2, Took: s, Result: traces.ResultAck, Attempts: 1}),
	} {
		d.record(e, 0, 10*s)
	}
	got := d.lanes()
	want := []page.DeliveryLane{{Name: `or\x1bders → sub`, Rows: 2, Deliveries: []page.Delivery{
		{From: int64(1 * s), To: int64(3 * s), Row: 0, State: "retrying", Result: traces.ResultPending, Message: `"1-0\n"`, Delivery: 1, Attempts: 1, Answer: "HTTP 500: boom"},
		{From: int64(3 * s / 2), To: int64(2 * s), Row: 1, State: "ok", Result: traces.ResultAck, Message: `"1-0\n"`, Delivery: 2, Attempts: 1, Answer: "HTTP 200: taken"},
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lanes (-want +got):\n%s", diff)
	}
}

// The latest events are said in the words of `sim run --explain`: over a
// whole run, the plain texts of every instant's events, in order, are that
// log with its explanations unindented, line for line; each sits beside
// the raw event it words.
func TestPagePlainIsTheExplainLog(t *testing.T) {
	events, horizon := quickstart(t)
	wording, err := traces.WordingFor("1.8")
	if err != nil {
		t.Fatal(err)
	}
	var explain strings.Builder
	lw := traces.NewLogWriter(&explain, wording)
	lw.Explain = true
	for i := range events {
		if err := lw.Record(&events[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := lw.Flush(); err != nil {
		t.Fatal(err)
	}
	run := PageRun{Name: "q", Dapr: "1.8", Seed: 1, Horizon: horizon, Wording: wording,
		Settings: func(string) (s breaker.Settings, ok bool) { return s, false }}
	d, err := BuildPage(run, func() PageSnapshots { return &fakeSnapshots{} }, SliceEvents(events))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	said := 0
	for _, s := range d.Snapshots {
		if len(s.Plain) != len(s.Happened) {
			t.Fatalf("at %s: %d plain texts for %d events", time.Duration(s.T), len(s.Plain), len(s.Happened))
		}
		for _, p := range s.Plain {
			if p != "" {
				got = append(got, p)
				said++
			}
		}
	}
	var want []string
	for _, l := range strings.Split(strings.TrimSuffix(explain.String(), "\n"), "\n") {
		want = append(want, strings.TrimLeft(l, " "))
	}
	if d := cmp.Diff(want, strings.Split(strings.Join(got, "\n"), "\n")); d != "" {
		t.Errorf("plain texts: -explain log +page\n%s", d)
	}
	// The trip: its log line, then why, beside the breaker event.
	for _, s := range d.Snapshots {
		for i, raw := range s.Happened {
			if strings.Contains(raw, "kind: breaker") && strings.Contains(raw, "to: open") && time.Duration(s.T) < 27*time.Second {
				want := "INFO[0026] Circuit breaker \"simpleCB-statestore\" changed state from closed to open\nwhy @26.405988957s: trip `consecutiveFailures >= 5` was true"
				if !strings.HasPrefix(s.Plain[i], want) {
					t.Errorf("the trip says %q, want it to start %q", s.Plain[i], want)
				}
				said = -1
			}
		}
	}
	if said != -1 {
		t.Error("no breaker event opened the breaker before 27s")
	}
}
