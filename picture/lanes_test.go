package picture

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
)

const quickstartTrace = "../simtest/testdata/quickstart.trace"

func quickstart(t *testing.T) ([]traces.Event, time.Duration) {
	t.Helper()
	tr, err := traces.ReadFile(quickstartTrace)
	if err != nil {
		t.Fatal(err)
	}
	return tr.Events, TraceHorizon(tr)
}

func ms(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

func spansText(l Lane) string {
	var b strings.Builder
	for _, s := range l.Spans {
		fmt.Fprintf(&b, "%s %s-%s\n", s.State, s.From, s.To)
	}
	return b.String()
}

func TestQuickstartLanes(t *testing.T) {
	events, horizon := quickstart(t)
	if horizon != time.Minute {
		t.Fatalf("horizon %s, want the scenario's 1m0s", horizon)
	}
	lanes := BuildLanes(events, horizon)
	var labels []string
	for _, l := range lanes {
		labels = append(labels, l.Kind.String()+" "+l.Label())
	}
	if got, want := strings.Join(labels, "; "), "target statestore; breaker simpleCB-statestore; worker order-processor w0"; got != want {
		t.Fatalf("lanes %q, want %q", got, want)
	}

	if got, want := spansText(lanes[0]), "up 0s-6s\ndown 6s-33s\nup 33s-1m0s\n"; got != want {
		t.Errorf("statestore spans:\n%s\nwant:\n%s", got, want)
	}

	br := lanes[1]
	if br.Start != 26405988957*time.Nanosecond {
		t.Errorf("breaker starts at %s, want its first event at 26.405988957s", br.Start)
	}
	want := "open 26.405988957s-31.405989957s\nhalf-open 31.405989957s-31.495401889s\nopen 31.495401889s-36.495402889s\n" +
		"half-open 36.495402889s-36.496402889s\nclosed 36.496402889s-1m0s\n"
	if got := spansText(br); got != want {
		t.Errorf("breaker spans:\n%s\nwant:\n%s", got, want)
	}
	if len(br.Marks) != 5 || br.Marks[0].Text != "closed → open" || br.Marks[0].From != BreakerClosed || br.Marks[0].To != BreakerOpen {
		t.Errorf("breaker marks %+v", br.Marks)
	}

	// Order 5's save: issued at 6.008008s, six failed attempts 5s apart,
	// each followed by its backoff, then the 7th succeeds. Each failed
	// attempt lasts the state.redis client's four tries (1.8: go-redis's
	// jitter, 40-110ms).
	var save []string
	for _, s := range lanes[2].Spans {
		if s.From >= 6*time.Second && s.To <= 36496402889*time.Nanosecond {
			save = append(save, fmt.Sprintf("%s %s-%s", s.State, s.From, s.To))
		}
	}
	wantSave := []string{
		"retrying 6.008008s-6.076087782s", "waiting 6.076087782s-11.076087782s",
		"retrying 11.076087782s-11.15138009s", "waiting 11.15138009s-16.15138009s",
		"retrying 16.15138009s-16.263244212s", "waiting 16.263244212s-21.263244212s",
		"retrying 21.263244212s-21.307592032s", "waiting 21.307592032s-26.307592032s",
		"retrying 26.307592032s-26.405988957s", "waiting 26.405988957s-31.405988957s",
		"retrying 31.405988957s-31.495401889s", "waiting 31.495401889s-36.495401889s",
		"ok 36.495401889s-36.496402889s",
	}
	if strings.Join(save, "\n") != strings.Join(wantSave, "\n") {
		t.Errorf("order 5's save:\n%s\nwant:\n%s", strings.Join(save, "\n"), strings.Join(wantSave, "\n"))
	}
	if d := lanes[2].Spans[0].Detail; d != "iteration 1 step 1: save statestore, attempt 1 ok" {
		t.Errorf("first span detail %q", d)
	}
}

// Fault windows: the most severe holding window decides; a stop beats
// them all; an end closes the earliest-started window; flapping flips.
func TestTargetWindows(t *testing.T) {
	f := func(sec float64, change, detail string) traces.Event {
		return traces.Event{T: ms(sec * 1000), Kind: traces.Fault, Target: "db", Change: change, Detail: detail}
	}
	events := []traces.Event{
		f(10, "slow", "latency 3s"),
		f(12, "error", `error "boom"`),
		f(14, "end", ""), // the slow window (started first)
		f(16, "stop", ""),
		f(18, "start", ""),
		f(20, "end", ""), // the error window
		f(30, "flapping", "down 2s of every 5s"),
		f(30, "down", ""),
		f(32, "up", ""),
		f(35, "down", ""),
		f(37, "up", ""),
		f(40, "end", ""),
		f(45, "failEvery", "every 3rd call fails"),
	}
	lanes := BuildLanes(events, 50*time.Second)
	if len(lanes) != 1 {
		t.Fatalf("%d lanes, want 1", len(lanes))
	}
	want := "up 0s-10s\nslow 10s-12s\nerror 12s-14s\nerror 14s-16s\ndown 16s-18s\nerror 18s-20s\nup 20s-30s\n" +
		"down 30s-32s\nup 32s-35s\ndown 35s-37s\nup 37s-40s\nup 40s-45s\nflaky 45s-50s\n"
	if got := spansText(lanes[0]); got != want {
		t.Errorf("spans:\n%s\nwant:\n%s", got, want)
	}
	if d := lanes[0].Spans[2].Detail; d != `slow: latency 3s; error: error "boom"` {
		t.Errorf("detail of the first error span %q", d)
	}
	if d := lanes[0].Spans[4].Detail; d != `stopped; error: error "boom"` {
		t.Errorf("detail of the down span %q", d)
	}
	if len(lanes[0].Marks) != len(events) || lanes[0].Marks[2].Text != "slow window ends" || lanes[0].Marks[3].Text != "stopped" {
		t.Errorf("marks %+v", lanes[0].Marks)
	}
}

// A step the trace ends inside: its attempts so far, then a wait to the
// horizon; a failed step with no retry is Failed.
func TestWorkerEdges(t *testing.T) {
	who := traces.Event{App: "a", Worker: 1, Iteration: 1, Step: 1, Target: "s", Op: "get"}
	at := func(e traces.Event, sec float64, k traces.Kind) traces.Event {
		e.T, e.Kind = ms(sec*1000), k
		return e
	}
	call := at(who, 1, traces.Call)
	call.Attempt, call.Outcome, call.Error = 1, traces.Error, "boom"
	op := at(who, 1, traces.Op)
	op.Outcome, op.Took = traces.Error, 500*time.Millisecond
	next := who
	next.Iteration = 2
	c2 := at(next, 3, traces.Call)
	c2.Attempt, c2.Outcome = 1, traces.Error
	r2 := at(next, 3, traces.Retry)
	r2.Attempt, r2.Delay = 1, 10*time.Second
	lanes := BuildLanes([]traces.Event{call, op, c2, r2}, 8*time.Second)
	want := "failed 500ms-1s\nretrying 3s-3s\nwaiting 3s-8s\n"
	if got := spansText(lanes[1]); got != want {
		t.Errorf("spans:\n%s\nwant:\n%s", got, want)
	}
	if lanes[1].Label() != "a w1" {
		t.Errorf("label %q", lanes[1].Label())
	}
}

func TestCellsShowTheMostTelling(t *testing.T) {
	l := Lane{Kind: BreakerLane, Spans: []Span{
		{From: 0, To: 10 * time.Second, State: BreakerOpen},
		{From: 10 * time.Second, To: 10*time.Second + time.Millisecond, State: BreakerHalfOpen},
		{From: 10*time.Second + time.Millisecond, To: 15 * time.Second, State: BreakerOpen},
		{From: 15 * time.Second, To: 15 * time.Second, State: BreakerHalfOpen}, // held for no time
		{From: 15 * time.Second, To: 20 * time.Second, State: BreakerClosed},
	}}
	got := l.Cells(0, 20*time.Second, 20)
	for i, s := range got {
		want := BreakerOpen
		switch {
		case i == 10 || i == 15:
			want = BreakerHalfOpen
		case i > 15:
			want = BreakerClosed
		}
		if s != want {
			t.Errorf("column %d: %s, want %s", i, s, want)
		}
	}
	// Zoomed past the spans, nothing shows.
	for i, s := range l.Cells(20*time.Second, 30*time.Second, 5) {
		if s != LaneIdle && i > 0 {
			t.Errorf("column %d past the end: %s", i, s)
		}
	}
}

func TestColumnIsExact(t *testing.T) {
	for _, c := range []struct {
		t, from, to time.Duration
		n, want     int
	}{
		{0, 0, time.Minute, 60, 0},
		{time.Second - 1, 0, time.Minute, 60, 0},
		{time.Second, 0, time.Minute, 60, 1},
		{time.Minute, 0, time.Minute, 60, 59},
		{26013013 * time.Microsecond, 25 * time.Second, 37 * time.Second, 12, 1},
		{1 << 61, 0, 1 << 62, 1000, 500}, // t·n overflows 64 bits
	} {
		if got := column(c.t, c.from, c.to, c.n); got != c.want {
			t.Errorf("column(%d, %d, %d, %d) = %d, want %d", c.t, c.from, c.to, c.n, got, c.want)
		}
	}
}

func TestTraceHorizon(t *testing.T) {
	events, h := quickstart(t)
	if h != time.Minute {
		t.Errorf("horizon %s", h)
	}
	if got := TraceHorizon(&traces.Trace{Events: events}); got != events[len(events)-1].T {
		t.Errorf("horizon without a header %s, want the last event's time", got)
	}
}

// A pub/sub delivery's attempts and retries (issue 14), on the same
// worker, leave its steps as they are: the delivery is drawn on a lane of
// its topic and subscriber, from its deliver event.
func TestDeliveriesLeaveWorkersAlone(t *testing.T) {
	who := traces.Event{App: "a", Worker: 1, Iteration: 1, Step: 1, Target: "s", Op: "get"}
	call := who
	call.T, call.Kind, call.Attempt, call.Outcome = ms(1000), traces.Call, 1, traces.OK
	op := who
	op.T, op.Kind, op.Outcome, op.Took = ms(1000), traces.Op, traces.OK, 500*time.Millisecond
	dv := traces.Event{App: "a", Worker: 1, Iteration: 3, Step: 1, Target: "pubsub", Op: "deliver", Topic: "orders"}
	dcall := dv
	dcall.T, dcall.Kind, dcall.Attempt, dcall.Outcome = ms(700), traces.Call, 1, traces.Error
	dretry := dv
	dretry.T, dretry.Kind, dretry.Attempt, dretry.Delay = ms(700), traces.Retry, 1, time.Second
	done := dv
	done.T, done.Kind, done.Outcome, done.Result, done.Took, done.Attempts = ms(1700), traces.Deliver, traces.OK, traces.ResultAck, time.Second, 2
	pending := dv
	pending.T, pending.Kind, pending.Outcome, pending.Result, pending.Took = ms(1900), traces.Deliver, traces.Error, traces.ResultPending, 100*time.Millisecond
	lanes := BuildLanes([]traces.Event{dcall, dretry, call, op, done, pending}, 2*time.Second)
	if len(lanes) != 3 || lanes[0].Name != "s" || lanes[2].Kind != SubscriptionLane || lanes[2].Name != "orders → a" {
		t.Fatalf("got %d lanes, want target s, worker a w1 and subscription orders → a: %+v", len(lanes), lanes)
	}
	want := "ok 500ms-1s\n"
	if got := spansText(lanes[1]); got != want {
		t.Errorf("spans:\n%s\nwant:\n%s", got, want)
	}
	want = "ok 700ms-1.7s\nretrying 1.8s-1.9s\n"
	if got := spansText(lanes[2]); got != want {
		t.Errorf("delivery spans:\n%s\nwant:\n%s", got, want)
	}
}

// An actor is reached through its host: the actor type's lane follows the
// host app's faults (stopped, an error window), without marks of its own
// (the host's lane has them), its tooltip naming the host. Without hosts it
// would show up throughout.
func TestActorLaneFollowsHost(t *testing.T) {
	events := []traces.Event{
		{T: time.Second, Kind: traces.Call, App: "a", Target: "Cart", Op: "actor", Iteration: 1, Step: 1, Attempt: 1, Outcome: traces.OK},
		{T: time.Second, Kind: traces.Op, App: "a", Target: "Cart", Op: "actor", Iteration: 1, Step: 1, Attempts: 1, Outcome: traces.OK, Took: ms(10)},
		{T: 5 * time.Second, Kind: traces.Fault, Target: "cart-service", Change: "stop"},
		{T: 8 * time.Second, Kind: traces.Fault, Target: "cart-service", Change: "start"},
		{T: 9 * time.Second, Kind: traces.Fault, Target: "cart-service", Change: "error", Detail: "methods checkout"},
		{T: 12 * time.Second, Kind: traces.Fault, Target: "cart-service", Change: "end"},
	}
	lanes := buildLanes(events, 20*time.Second, topology{hosts: map[string]string{"Cart": "cart-service"}})
	if len(lanes) < 2 || lanes[0].Name != "Cart" || lanes[1].Name != "cart-service" {
		t.Fatalf("lanes %v, want Cart then cart-service first", lanes)
	}
	cart, host := lanes[0], lanes[1]
	want := "up 0s-5s\ndown 5s-8s\nup 8s-9s\nerror 9s-12s\nup 12s-20s\n"
	if got := spansText(cart); got != want || spansText(host) != want {
		t.Errorf("Cart:\n%scart-service:\n%swant both:\n%s", got, spansText(host), want)
	}
	if len(cart.Marks) != 0 || len(host.Marks) != 4 {
		t.Errorf("%d marks on Cart, %d on cart-service; want 0 and 4", len(cart.Marks), len(host.Marks))
	}
	if d := cart.Spans[1].Detail; d != "host cart-service: stopped" {
		t.Errorf("Cart down: detail %q, want it to name the host", d)
	}
	if got := spansText(BuildLanes(events, 20*time.Second)[0]); got != "up 0s-20s\n" {
		t.Errorf("without hosts, Cart: %s", got)
	}
}

// Dapr creates a breaker, closed, at its first request: told which breaker
// each attempt goes through, the quickstart's breaker lane is closed from
// the first save's start (2s, its op event at 2.001001s after 1.001ms)
// to the trip, not blank until the trip.
func TestBreakerLaneFromFirstRequest(t *testing.T) {
	events, horizon := quickstart(t)
	breakerOf := func(e *traces.Event) string {
		if e.Target == "statestore" {
			return "simpleCB-statestore"
		}
		return ""
	}
	lane := func(lanes []Lane) Lane {
		for _, l := range lanes {
			if l.Kind == BreakerLane {
				return l
			}
		}
		t.Fatal("no breaker lane")
		return Lane{}
	}
	got := lane(buildLanes(events, horizon, topology{breakerOf: breakerOf}))
	first := got.Spans[0]
	if got.Start != 2*time.Second || first.State != BreakerClosed || first.From != 2*time.Second || first.To != ms(26405.988957) {
		t.Errorf("lane starts %s, first span %s %s-%s; want closed from 2s to the trip at 26.405988957s", got.Start, first.State, first.From, first.To)
	}
	if len(got.Marks) != 5 {
		t.Errorf("%d marks, want the 5 transitions only", len(got.Marks))
	}
	// Without it the lane starts at the trip, as the events alone say.
	if l := lane(BuildLanes(events, horizon)); l.Start != ms(26405.988957) || l.Spans[0].State != BreakerOpen {
		t.Errorf("without breakerOf: starts %s in %s", l.Start, l.Spans[0].State)
	}
}

// A breaker that never changes state is drawn closed from its first
// request to the end; past maxQuietBreakers of them (a breaker per actor
// id) none is, so they cannot crowd out the rest.
func TestQuietBreakers(t *testing.T) {
	calls := func(n int) []traces.Event {
		var out []traces.Event
		for i := range n {
			out = append(out, traces.Event{T: time.Duration(i+1) * time.Second, Kind: traces.Call, App: "a", Target: fmt.Sprintf("Cart-%02d", i),
				Op: "actor", Iteration: i + 1, Step: 1, Attempt: 1, Outcome: traces.OK})
		}
		return out
	}
	top := topology{breakerOf: func(e *traces.Event) string { return "cb-" + e.Target }}
	breakers := func(lanes []Lane) (out []string) {
		for _, l := range lanes {
			if l.Kind == BreakerLane {
				out = append(out, fmt.Sprintf("%s %s", l.Name, strings.TrimSpace(spansText(l))))
			}
		}
		return out
	}
	got := breakers(buildLanes(calls(2), time.Minute, top))
	if want := []string{"cb-Cart-00 closed 1s-1m0s", "cb-Cart-01 closed 2s-1m0s"}; !reflect.DeepEqual(got, want) {
		t.Errorf("two quiet breakers: %q, want %q", got, want)
	}
	if got := breakers(buildLanes(calls(maxQuietBreakers+1), time.Minute, top)); len(got) != 0 {
		t.Errorf("%d quiet breakers drawn: %q, want none", len(got), got)
	}
}

// The attempt that trips a breaker on its first request is told of after
// the trip (its step ends after it): the lane is still closed from the
// attempt's start to the trip, not blank until the trip (the quickstart
// with `consecutiveFailures >= 1` and Redis down from 0s: the worker's
// attempt from 2s, the trip at 2.068079782s).
func TestBreakerLaneTripOnFirstRequest(t *testing.T) {
	trip := ms(2068.079782)
	step := traces.Event{App: "order-processor", Iteration: 1, Step: 1, Target: "statestore", Op: "save", Attempt: 1}
	at := func(e traces.Event, t time.Duration, kind traces.Kind) traces.Event {
		e.T, e.Kind = t, kind
		return e
	}
	try := at(step, ms(2001.001), traces.Try)
	try.Try, try.Outcome = 1, traces.Error
	last := at(try, trip, traces.Try)
	last.Try = 2
	call := at(step, trip, traces.Call)
	call.Outcome = traces.Error
	retry := at(step, trip, traces.Retry)
	retry.Delay, retry.Notice = 5*time.Second, true
	again := at(step, trip+5*time.Second, traces.Call)
	again.Attempt, again.Outcome = 2, traces.OK
	op := at(step, again.T, traces.Op)
	op.Attempts, op.Outcome, op.Took = 2, traces.OK, again.T-2*time.Second
	events := []traces.Event{
		{T: 0, Kind: traces.Fault, Target: "statestore", Change: "stop"},
		try, last,
		{T: trip, Kind: traces.Breaker, Name: "cb", From: "closed", To: "open"},
		call, retry, again, op,
	}
	top := topology{breakerOf: func(e *traces.Event) string { return "cb" }}
	var worker, breaker Lane
	for _, l := range buildLanes(events, 10*time.Second, top) {
		switch l.Kind {
		case WorkerLane:
			worker = l
		case BreakerLane:
			breaker = l
		}
	}
	if len(worker.Spans) == 0 {
		t.Fatal("no worker lane")
	}
	start := worker.Spans[0].From
	if start != 2*time.Second {
		t.Fatalf("the worker's step starts at %s, want 2s", start)
	}
	want := fmt.Sprintf("closed %s-%s\nopen %s-10s\n", start, trip, trip)
	if got := spansText(breaker); breaker.Start != start || got != want {
		t.Errorf("breaker lane from %s:\n%swant from the attempt's start %s:\n%s", breaker.Start, got, start, want)
	}
}
