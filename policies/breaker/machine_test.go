package breaker

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/fsm"
)

const sec = time.Second

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		s    Settings
		now  time.Duration
		want Breaker
	}{
		{"no interval", Settings{}, 3 * sec, Breaker{State: Closed, Generation: 1}},
		{"interval", Settings{Interval: 10 * sec}, 3 * sec, Breaker{State: Closed, Generation: 1, Expiry: 13 * sec, Expires: true}},
		{"negative interval means none", Settings{Interval: -sec}, 3 * sec, Breaker{State: Closed, Generation: 1}},
	}
	for _, tt := range tests {
		if got := New(tt.s, tt.now); got != tt.want {
			t.Errorf("%s: New = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func changed(from, to State, gen uint64) Effect {
	return Effect{Kind: Changed, From: from, To: to, Generation: gen}
}
func admitted(gen uint64) Effect { return Effect{Kind: Admitted, Generation: gen} }
func stale(gen uint64) Effect    { return Effect{Kind: Stale, Generation: gen} }
func cleared(gen uint64) Effect  { return Effect{Kind: Cleared, Generation: gen} }
func rejected(err error) Effect  { return Effect{Kind: Rejected, Reason: err} }

func TestStep(t *testing.T) {
	base := Settings{Name: "cb", MaxRequests: 1, Timeout: 5 * sec}
	withInterval := base
	withInterval.Interval = 10 * sec
	max3 := base
	max3.MaxRequests = 3
	var tripCalls int
	custom := base
	custom.ReadyToTrip = func(c Counts) bool { tripCalls++; return c.TotalFailures >= 2 }
	never := base
	never.ReadyToTrip = func(Counts) bool { tripCalls++; return false }
	always := base
	always.ReadyToTrip = func(Counts) bool { tripCalls++; return true }

	closed := func(gen uint64, c Counts) Breaker { return Breaker{State: Closed, Generation: gen, Counts: c} }
	closedUntil := func(gen uint64, c Counts, exp time.Duration) Breaker {
		return Breaker{State: Closed, Generation: gen, Counts: c, Expiry: exp, Expires: true}
	}
	open := func(gen uint64, exp time.Duration) Breaker {
		return Breaker{State: Open, Generation: gen, Expiry: exp, Expires: true}
	}
	half := func(gen uint64, c Counts) Breaker { return Breaker{State: HalfOpen, Generation: gen, Counts: c} }
	ev := func(k EventKind, now time.Duration, gen uint64) Event {
		return Event{Kind: k, Now: now, Generation: gen}
	}

	tests := []struct {
		name      string
		s         Settings
		b         Breaker
		ev        Event
		want      Breaker
		effects   []Effect
		err       string
		tripCalls int // -1: don't care
	}{
		// Consulted: the clock check alone.
		{name: "closed/consulted: no interval", s: base, b: closed(1, Counts{Requests: 2, TotalFailures: 2, ConsecutiveFailures: 2}),
			ev: ev(Consulted, time.Hour, 0), want: closed(1, Counts{Requests: 2, TotalFailures: 2, ConsecutiveFailures: 2})},
		{name: "closed/consulted: now == interval expiry keeps counts", s: withInterval, b: closedUntil(1, Counts{Requests: 1}, 10*sec),
			ev: ev(Consulted, 10*sec, 0), want: closedUntil(1, Counts{Requests: 1}, 10*sec)},
		{name: "closed/consulted: interval strictly over clears", s: withInterval, b: closedUntil(1, Counts{Requests: 1}, 10*sec),
			ev: ev(Consulted, 10*sec+1, 0), want: closedUntil(2, Counts{}, 20*sec+1), effects: []Effect{cleared(2)}},
		{name: "open/consulted: now == expiry stays open", s: base, b: open(2, 11*sec),
			ev: ev(Consulted, 11*sec, 0), want: open(2, 11*sec)},
		{name: "open/consulted: expiry < now goes half-open", s: base, b: open(2, 11*sec),
			ev: ev(Consulted, 11*sec+1, 0), want: half(3, Counts{}), effects: []Effect{changed(Open, HalfOpen, 3)}},
		{name: "half-open/consulted: never expires", s: base, b: half(3, Counts{Requests: 1}),
			ev: ev(Consulted, 1000*time.Hour, 0), want: half(3, Counts{Requests: 1})},

		// Requested.
		{name: "closed/requested: admitted", s: base, b: closed(1, Counts{Requests: 4, TotalSuccesses: 4}),
			ev: ev(Requested, sec, 0), want: closed(1, Counts{Requests: 5, TotalSuccesses: 4}), effects: []Effect{admitted(1)}},
		{name: "closed/requested: interval over clears then admits", s: withInterval, b: closedUntil(1, Counts{Requests: 3, TotalFailures: 3}, 10*sec),
			ev: ev(Requested, 12*sec, 0), want: closedUntil(2, Counts{Requests: 1}, 22*sec), effects: []Effect{cleared(2), admitted(2)}},
		{name: "open/requested: now == expiry rejected", s: base, b: open(2, 11*sec),
			ev: ev(Requested, 11*sec, 0), want: open(2, 11*sec), effects: []Effect{rejected(ErrOpenState)}},
		{name: "open/requested: expiry+1ns half-opens and admits", s: base, b: open(2, 11*sec),
			ev: ev(Requested, 11*sec+1, 0), want: half(3, Counts{Requests: 1}), effects: []Effect{changed(Open, HalfOpen, 3), admitted(3)}},
		{name: "half-open/requested: max 1, first probe admitted", s: base, b: half(3, Counts{}),
			ev: ev(Requested, 12*sec, 0), want: half(3, Counts{Requests: 1}), effects: []Effect{admitted(3)}},
		{name: "half-open/requested: max 1, second too many", s: base, b: half(3, Counts{Requests: 1}),
			ev: ev(Requested, 12*sec, 0), want: half(3, Counts{Requests: 1}), effects: []Effect{rejected(ErrTooManyRequests)}},
		{name: "half-open/requested: max 3, third admitted", s: max3, b: half(3, Counts{Requests: 2, TotalSuccesses: 1, ConsecutiveSuccesses: 1}),
			ev: ev(Requested, 12*sec, 0), want: half(3, Counts{Requests: 3, TotalSuccesses: 1, ConsecutiveSuccesses: 1}), effects: []Effect{admitted(3)}},
		{name: "half-open/requested: max 3, fourth too many", s: max3, b: half(3, Counts{Requests: 3}),
			ev: ev(Requested, 12*sec, 0), want: half(3, Counts{Requests: 3}), effects: []Effect{rejected(ErrTooManyRequests)}},

		// Succeeded.
		{name: "closed/succeeded: counted", s: base, b: closed(1, Counts{Requests: 2, TotalFailures: 1, ConsecutiveFailures: 1}),
			ev: ev(Succeeded, sec, 1), want: closed(1, Counts{Requests: 2, TotalSuccesses: 1, TotalFailures: 1, ConsecutiveSuccesses: 1})},
		{name: "closed/succeeded: stale generation", s: base, b: closed(5, Counts{Requests: 1}),
			ev: ev(Succeeded, sec, 4), want: closed(5, Counts{Requests: 1}), effects: []Effect{stale(4)}},
		{name: "closed/succeeded: interval over makes it stale", s: withInterval, b: closedUntil(1, Counts{Requests: 1}, 10*sec),
			ev: ev(Succeeded, 10*sec+1, 1), want: closedUntil(2, Counts{}, 20*sec+1), effects: []Effect{cleared(2), stale(1)}},
		{name: "half-open/succeeded: max 1 closes", s: withInterval, b: half(3, Counts{Requests: 1}),
			ev: ev(Succeeded, 12*sec, 3), want: closedUntil(4, Counts{}, 22*sec), effects: []Effect{changed(HalfOpen, Closed, 4)}},
		{name: "half-open/succeeded: max 3, second success waits", s: max3, b: half(3, Counts{Requests: 3, TotalSuccesses: 1, ConsecutiveSuccesses: 1}),
			ev: ev(Succeeded, 12*sec, 3), want: half(3, Counts{Requests: 3, TotalSuccesses: 2, ConsecutiveSuccesses: 2})},
		{name: "half-open/succeeded: max 3, third success closes", s: max3, b: half(3, Counts{Requests: 3, TotalSuccesses: 2, ConsecutiveSuccesses: 2}),
			ev: ev(Succeeded, 12*sec, 3), want: closed(4, Counts{}), effects: []Effect{changed(HalfOpen, Closed, 4)}},
		{name: "half-open/succeeded: stale generation", s: base, b: half(3, Counts{Requests: 1}),
			ev: ev(Succeeded, 12*sec, 2), want: half(3, Counts{Requests: 1}), effects: []Effect{stale(2)}},
		{name: "open/succeeded: stale generation", s: base, b: open(2, 11*sec),
			ev: ev(Succeeded, 7*sec, 1), want: open(2, 11*sec), effects: []Effect{stale(1)}},
		{name: "open/succeeded: expired open half-opens, outcome stale", s: base, b: open(2, 11*sec),
			ev: ev(Succeeded, 12*sec, 1), want: half(3, Counts{}), effects: []Effect{changed(Open, HalfOpen, 3), stale(1)}},
		{name: "open/succeeded: current generation is a caller bug", s: base, b: open(2, 11*sec),
			ev: ev(Succeeded, 7*sec, 2), want: open(2, 11*sec), err: `breaker: state "open" does not accept event "succeeded"`},

		// Failed.
		{name: "closed/failed: 5th failure does not trip (default)", s: base, b: closed(1, Counts{Requests: 5, TotalFailures: 4, ConsecutiveFailures: 4}),
			ev: ev(Failed, 6*sec, 1), want: closed(1, Counts{Requests: 5, TotalFailures: 5, ConsecutiveFailures: 5})},
		{name: "closed/failed: 6th consecutive failure trips (default)", s: base, b: closed(1, Counts{Requests: 6, TotalFailures: 5, ConsecutiveFailures: 5}),
			ev: ev(Failed, 6*sec, 1), want: open(2, 11*sec), effects: []Effect{changed(Closed, Open, 2)}},
		{name: "closed/failed: 6th failure but not consecutive (default)", s: base, b: closed(1, Counts{Requests: 7, TotalSuccesses: 1, TotalFailures: 5, ConsecutiveFailures: 4}),
			ev: ev(Failed, 6*sec, 1), want: closed(1, Counts{Requests: 7, TotalSuccesses: 1, TotalFailures: 6, ConsecutiveFailures: 5})},
		{name: "closed/failed: custom trip sees counts incl. this failure", s: custom, b: closed(1, Counts{Requests: 3, TotalSuccesses: 1, TotalFailures: 1, ConsecutiveSuccesses: 1}),
			ev: ev(Failed, 6*sec, 1), want: open(2, 11*sec), effects: []Effect{changed(Closed, Open, 2)}, tripCalls: 1},
		{name: "closed/failed: custom trip false", s: custom, b: closed(1, Counts{Requests: 3, TotalSuccesses: 2, ConsecutiveSuccesses: 2}),
			ev: ev(Failed, 6*sec, 1), want: closed(1, Counts{Requests: 3, TotalSuccesses: 2, TotalFailures: 1, ConsecutiveFailures: 1}), tripCalls: 1},
		{name: "closed/failed: stale, trip not consulted", s: always, b: closed(5, Counts{Requests: 1}),
			ev: ev(Failed, sec, 4), want: closed(5, Counts{Requests: 1}), effects: []Effect{stale(4)}, tripCalls: 0},
		{name: "half-open/failed: reopens, trip not consulted", s: never, b: half(3, Counts{Requests: 1}),
			ev: ev(Failed, 12*sec, 3), want: open(4, 17*sec), effects: []Effect{changed(HalfOpen, Open, 4)}, tripCalls: 0},
		{name: "half-open/failed: max 3, a failure after successes reopens", s: max3, b: half(3, Counts{Requests: 3, TotalSuccesses: 2, ConsecutiveSuccesses: 2}),
			ev: ev(Failed, 12*sec, 3), want: open(4, 17*sec), effects: []Effect{changed(HalfOpen, Open, 4)}},
		{name: "half-open/failed: stale generation", s: base, b: half(3, Counts{Requests: 1}),
			ev: ev(Failed, 12*sec, 1), want: half(3, Counts{Requests: 1}), effects: []Effect{stale(1)}},
		{name: "open/failed: stale generation", s: base, b: open(2, 11*sec),
			ev: ev(Failed, 8*sec, 1), want: open(2, 11*sec), effects: []Effect{stale(1)}},
		{name: "open/failed: current generation is a caller bug", s: base, b: open(2, 11*sec),
			ev: ev(Failed, 8*sec, 2), want: open(2, 11*sec), err: `breaker: state "open" does not accept event "failed"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tripCalls = 0
			prefix := []Effect{{Kind: Cleared, Generation: 99}}
			got, effects, err := Step(tt.b, &tt.s, tt.ev, prefix)
			if !slices.Equal(effects[:1], prefix) {
				t.Fatalf("Step changed the effects it was handed: %v", effects[:1])
			}
			effects = effects[1:]
			if tt.err != "" {
				var rej *fsm.RejectedError
				if !errors.As(err, &rej) || err.Error() != tt.err {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
			} else if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got != tt.want {
				t.Errorf("breaker:\n got %+v\nwant %+v", got, tt.want)
			}
			if !equalEffects(effects, tt.effects) {
				t.Errorf("effects:\n got %v\nwant %v", effects, tt.effects)
			}
			if tt.tripCalls >= 0 && (tt.s.ReadyToTrip != nil) && tripCalls != tt.tripCalls {
				t.Errorf("ReadyToTrip called %d times, want %d", tripCalls, tt.tripCalls)
			}
		})
	}
}

func equalEffects(a, b []Effect) bool {
	return slices.EqualFunc(a, b, func(x, y Effect) bool { return x == y })
}

// Step works on values: the breaker, the settings and the effects already
// in the slice are left as they were.
func TestStepDoesNotMutateInputs(t *testing.T) {
	s := Settings{Name: "cb", MaxRequests: 2, Interval: 3 * sec, Timeout: 4 * sec}
	b := Breaker{State: Closed, Generation: 7, Counts: Counts{Requests: 6, TotalFailures: 5, ConsecutiveFailures: 5}, Expiry: 10 * sec, Expires: true}
	bCopy, sName := b, s.Name
	effects := make([]Effect, 1, 8)
	effects[0] = admitted(1)
	next, out, err := Step(b, &s, Event{Kind: Failed, Now: 9 * sec, Generation: 7}, effects)
	if err != nil {
		t.Fatal(err)
	}
	if b != bCopy {
		t.Errorf("input breaker changed: %+v", b)
	}
	if s.Name != sName || s.MaxRequests != 2 || s.Interval != 3*sec || s.Timeout != 4*sec || s.ReadyToTrip != nil || s.TripText != "" {
		t.Errorf("settings changed (Step must resolve a copy): %+v", s)
	}
	if next.State != Open || len(out) != 2 || out[0] != admitted(1) {
		t.Errorf("got %+v %v", next, out)
	}
}

// A whole outage as Dapr's default breaker sees it: six failures trip it,
// the retry landing exactly at expiry is rejected, one a nanosecond later
// is the probe, and its success closes the breaker.
func TestStepOutage(t *testing.T) {
	s := Settings{Name: "cb", Timeout: 5 * sec}.Resolve()
	b := New(s, 0)
	var effects []Effect
	var log []string
	step := func(k EventKind, now time.Duration, gen uint64) {
		t.Helper()
		var err error
		b, effects, err = Step(b, &s, Event{Kind: k, Now: now, Generation: gen}, effects[:0])
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range effects {
			log = append(log, fmt.Sprintf("%v %v", now, e))
		}
	}
	for i := range 6 {
		now := time.Duration(i+1) * sec
		step(Requested, now, 0)
		step(Failed, now, b.Generation)
	}
	step(Requested, 11*sec, 0)
	step(Requested, 11*sec+1, 0)
	step(Succeeded, 11*sec+2, b.Generation)
	want := []string{
		"1s admitted (generation 1)", "2s admitted (generation 1)", "3s admitted (generation 1)",
		"4s admitted (generation 1)", "5s admitted (generation 1)", "6s admitted (generation 1)",
		"6s changed closed → open (generation 2)",
		"11s rejected: circuit breaker is open",
		"11.000000001s changed open → half-open (generation 3)",
		"11.000000001s admitted (generation 3)",
		"11.000000002s changed half-open → closed (generation 4)",
	}
	if got := strings.Join(log, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("log:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

// Every (state, event) pair is decided by the table, and every row names a
// reason.
func TestTableCoversEveryPair(t *testing.T) {
	tab := Table()
	rows := tab.Rows()
	if len(rows) != rowCount {
		t.Fatalf("table has %d rows, want %d", len(rows), rowCount)
	}
	for i, r := range rows {
		if r.Note == "" {
			t.Errorf("row %d (%s, %s) has no Note", i, r.From, r.On)
		}
		if (r.Guard == nil) != (r.GuardText == "") {
			t.Errorf("row %d (%s, %s): guard and guard text disagree", i, r.From, r.On)
		}
	}
	if got, want := tab.States(), []State{Closed, Open, HalfOpen}; !slices.Equal(got, want) {
		t.Errorf("States() = %v, want %v", got, want)
	}
	if got, want := tab.Events(), []EventKind{Consulted, Requested, Succeeded, Failed}; !slices.Equal(got, want) {
		t.Errorf("Events() = %v, want %v", got, want)
	}
	for _, st := range tab.States() {
		for _, e := range tab.Events() {
			found := false
			for _, r := range rows {
				found = found || (r.From == st && r.On == e)
			}
			if !found {
				t.Errorf("no row for (%s, %s)", st, e)
			}
		}
	}
}

func TestStrings(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Closed.String(), "closed"}, {HalfOpen.String(), "half-open"}, {Open.String(), "open"},
		{ErrOpenState.Error(), "circuit breaker is open"}, {ErrTooManyRequests.Error(), "too many requests"},
		{Consulted.String(), "consulted"}, {Failed.String(), "failed"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestStepDoesNotAllocate(t *testing.T) {
	s := Settings{Name: "cb"}.Resolve()
	b := New(s, 0)
	effects := make([]Effect, 0, 4)
	n := testing.AllocsPerRun(200, func() {
		var gen uint64
		b, effects, _ = Step(b, &s, Event{Kind: Requested, Now: sec}, effects[:0])
		gen = effects[len(effects)-1].Generation
		b, effects, _ = Step(b, &s, Event{Kind: Succeeded, Now: sec, Generation: gen}, effects[:0])
	})
	if n != 0 {
		t.Errorf("Step allocates %v times per request", n)
	}
}

func BenchmarkStep(b *testing.B) {
	s := Settings{Name: "cb", Timeout: 5 * sec}.Resolve()
	br := New(s, 0)
	effects := make([]Effect, 0, 4)
	now := time.Duration(0)
	b.ReportAllocs()
	for b.Loop() {
		now += time.Millisecond
		br, effects, _ = Step(br, &s, Event{Kind: Requested, Now: now}, effects[:0])
		if len(effects) == 0 || effects[len(effects)-1].Kind != Admitted {
			continue
		}
		br, effects, _ = Step(br, &s, Event{Kind: Failed, Now: now, Generation: effects[len(effects)-1].Generation}, effects[:0])
	}
}

// TestEdges: the state changes the table makes, in the order of a
// breaker's life (daprlog lists them in this order).
func TestEdges(t *testing.T) {
	var got []string
	for _, e := range Edges() {
		got = append(got, e.String())
	}
	want := []string{"closed→open", "open→half-open", "half-open→open", "half-open→closed"}
	if !slices.Equal(got, want) {
		t.Errorf("Edges() = %v, want %v", got, want)
	}
}

// TestTripCounts: the counts a trip sees are the window's with the failure
// added, and a fresh window's when the interval ran out first.
func TestTripCounts(t *testing.T) {
	b := New(Settings{Name: "b", Interval: 10 * time.Second}, 0)
	b.Counts = Counts{Requests: 3, TotalSuccesses: 1, TotalFailures: 2, ConsecutiveSuccesses: 0, ConsecutiveFailures: 2}
	if got, want := b.TripCounts(5*time.Second), (Counts{Requests: 3, TotalSuccesses: 1, TotalFailures: 3, ConsecutiveFailures: 3}); got != want {
		t.Errorf("inside the window: TripCounts = %+v, want %+v", got, want)
	}
	if got, want := b.TripCounts(11*time.Second), (Counts{TotalFailures: 1, ConsecutiveFailures: 1}); got != want {
		t.Errorf("after the window: TripCounts = %+v, want %+v", got, want)
	}
}
