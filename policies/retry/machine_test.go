package retry

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/fsm"
)

const (
	ms  = time.Millisecond
	sec = time.Second
)

func constant(maxRetries int64) *Policy {
	p := Default("retryForever")
	p.MaxRetries = maxRetries
	return &p
}

func exponential(rf float64, maxInterval time.Duration) *Policy {
	p := Default("expo")
	p.Kind = Exponential
	p.RandomizationFactor = rf
	p.MaxInterval = maxInterval
	return &p
}

// run drives a call in which attempt i (from 1) fails when fail(i) says so
// and takes opTime; it returns the effects as lines "t effect".
type outcome struct {
	fail, permanent bool
	jitter          float64
}

func run(t *testing.T, p *Policy, opTime time.Duration, maxAttempts int, at func(i int) outcome) (Call, []string) {
	t.Helper()
	now := time.Duration(0)
	c := Start(p, now)
	var log []string
	var effects []Effect
	step := func(ev Event) {
		t.Helper()
		var err error
		c, effects, err = Step(p, c, ev, effects[:0])
		if err != nil {
			t.Fatalf("at %v: %v", now, err)
		}
		for _, e := range effects {
			log = append(log, fmt.Sprintf("%v %v", now, e))
			if e.Kind == Wait {
				now += e.Delay
			}
		}
	}
	for i := 1; i <= maxAttempts; i++ {
		step(Event{Kind: AttemptStarted, Now: now})
		now += opTime
		o := at(i)
		if !o.fail {
			step(Event{Kind: AttemptSucceeded, Now: now})
		} else {
			step(Event{Kind: AttemptFailed, Now: now, Permanent: o.permanent, Jitter: o.jitter})
		}
		if c.State != Waiting {
			return c, log
		}
		step(Event{Kind: WaitElapsed, Now: now})
	}
	return c, log
}

func check(t *testing.T, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("effects:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestConstant(t *testing.T) {
	failAll := func(int) outcome { return outcome{fail: true} }
	tests := []struct {
		name string
		p    *Policy
		at   func(int) outcome
		max  int
		want []string
		end  State
	}{
		{"maxRetries 3: 4 attempts then give up, one notice", constant(3), failAll, 10, []string{
			"1ms notice 5s", "1ms wait 5s",
			"5.002s wait 5s",
			"10.003s wait 5s",
			"15.004s gaveUp (maxRetries) after 4 attempts",
		}, Failed},
		{"maxRetries 3: recovered on the 3rd attempt", constant(3), func(i int) outcome { return outcome{fail: i < 3} }, 10, []string{
			"1ms notice 5s", "1ms wait 5s",
			"5.002s wait 5s",
			"10.003s recovered after 3 attempts", "10.003s done after 3 attempts",
		}, Succeeded},
		{"first attempt succeeds: no Recovered line", constant(3), func(int) outcome { return outcome{} }, 10, []string{
			"1ms done after 1 attempts",
		}, Succeeded},
		{"maxRetries 0: one attempt, no notice", constant(0), failAll, 10, []string{
			"1ms gaveUp (maxRetries) after 1 attempts",
		}, Failed},
		{"permanent first error: no notice, no wait", constant(-1), func(int) outcome { return outcome{fail: true, permanent: true} }, 10, []string{
			"1ms gaveUp (permanent) after 1 attempts",
		}, Failed},
		{"permanent after retries (breaker opened meanwhile)", constant(-1), func(i int) outcome { return outcome{fail: true, permanent: i == 3} }, 10, []string{
			"1ms notice 5s", "1ms wait 5s",
			"5.002s wait 5s",
			"10.003s gaveUp (permanent) after 3 attempts",
		}, Failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, log := run(t, tt.p, ms, tt.max, tt.at)
			check(t, log, tt.want)
			if c.State != tt.end {
				t.Errorf("final state %v, want %v", c.State, tt.end)
			}
		})
	}
}

func TestUnlimited(t *testing.T) {
	p := constant(-1)
	c, log := run(t, p, 0, 1000, func(int) outcome { return outcome{fail: true} })
	if c.State != Ready || c.Attempts != 1000 || c.Tries != 1000 || !c.Notified {
		t.Fatalf("after 1000 failures: %+v, want still retrying", c)
	}
	notices := 0
	for _, l := range log {
		if strings.Contains(l, "notice") {
			notices++
		}
	}
	if notices != 1 || len(log) != 1001 {
		t.Errorf("%d notices, %d effects; want 1 and 1001", notices, len(log))
	}
}

// The nominal ci sequence of the defaults and of maxInterval 15s.
func TestNextBackOffIntervals(t *testing.T) {
	tests := []struct {
		maxInterval time.Duration
		want        []string
	}{
		{60 * sec, []string{"500ms", "750ms", "1.125s", "1.6875s", "2.53125s", "3.796875s", "5.6953125s",
			"8.54296875s", "12.814453125s", "19.221679687s", "28.83251953s", "43.248779295s", "1m0s", "1m0s", "1m0s"}},
		{15 * sec, []string{"500ms", "750ms", "1.125s", "1.6875s", "2.53125s", "3.796875s", "5.6953125s",
			"8.54296875s", "12.814453125s", "15s", "15s", "15s"}},
	}
	for _, tt := range tests {
		p := exponential(0.5, tt.maxInterval)
		p.MaxElapsedTime = 0
		b := p.Reset(0)
		var got []string
		for range tt.want {
			got = append(got, b.Interval.String())
			var stop Reason
			b, _, stop = p.NextBackOff(b, 0, 0.25)
			if stop != None {
				t.Fatalf("maxInterval %v: stopped: %v", tt.maxInterval, stop)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("maxInterval %v: ci\n got %v\nwant %v", tt.maxInterval, got, tt.want)
		}
	}
}

func TestExponentialDelays(t *testing.T) {
	tests := []struct {
		name string
		rf   float64
		u    float64
		want []time.Duration // the first delays, from ci 500ms, 750ms, 1.125s, ...
	}{
		// rf 0: exactly ci.
		{"rf 0", 0, 0.7, []time.Duration{500 * ms, 750 * ms, 1125 * ms, 1687500 * time.Microsecond, 2531250 * time.Microsecond}},
		// u 0: lo = ci/2.
		{"rf 0.5 u 0", 0.5, 0, []time.Duration{250 * ms, 375 * ms, 562500 * time.Microsecond, 843750 * time.Microsecond}},
		// u 0.5: lo + (hi-lo+1ns)/2 = ci + 0.5ns, truncated to ci.
		{"rf 0.5 u 0.5", 0.5, 0.5, []time.Duration{500 * ms, 750 * ms, 1125 * ms, 1687500 * time.Microsecond}},
		// u just under 1: lo + u*(hi-lo+1ns) rounds up to hi+1ns for most ci
		// (float64 has no room for the 1e-16 shortfall at 1e9 ns), so the
		// delay can exceed ci*(1+rf) by a nanosecond.
		{"rf 0.5 u max", 0.5, 0.9999999999999999, []time.Duration{750*ms + 1, 1125*ms + 1, 1687500 * time.Microsecond, 2531250*time.Microsecond + 1}},
		// u 0.3, rf 0.2: lo = 0.8ci, hi-lo+1 = 0.4ci+1ns; 400ms + 0.3*(200ms+1ns) = 460ms + 0.3ns → 460ms.
		{"rf 0.2 u 0.3", 0.2, 0.3, []time.Duration{460 * ms, 690 * ms, 1035 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := exponential(tt.rf, 60*sec)
			if p.NeedsJitter() != (tt.rf != 0) {
				t.Errorf("NeedsJitter() = %v", p.NeedsJitter())
			}
			b := p.Reset(0)
			for i, want := range tt.want {
				var got time.Duration
				var stop Reason
				b, got, stop = p.NextBackOff(b, 0, tt.u)
				if stop != None || got != want {
					t.Errorf("delay %d: got %v (%d ns) stop %v, want %v", i+1, got, int64(got), stop, want)
				}
			}
		})
	}
}

// Hand-computed jitter on an odd interval, where truncation shows: ci =
// 1.6875s, rf 0.5: lo = 843750000, hi - lo + 1 = 1687500001.
func TestRandomizeTruncates(t *testing.T) {
	ci := 1687500 * time.Microsecond
	for _, c := range []struct {
		u    float64
		want time.Duration
	}{
		{0, 843750000},
		{0.5, 1687500000},                // 843750000 + 843750000.5
		{0.1, 1012500000},                // 843750000 + 168750000.1
		{0.999999, 2531248313},           // 843750000 + 1687498313.499999
		{0.9999999999999999, 2531250001}, // rounds up to hi + 1ns
	} {
		if got := randomize(0.5, c.u, ci); got != c.want {
			t.Errorf("randomize(0.5, %v, %v) = %d, want %d", c.u, ci, int64(got), int64(c.want))
		}
	}
}

// A whole exponential call with fixed jitter: delays, notice and the wait
// all use the randomized value.
func TestExponentialCall(t *testing.T) {
	p := exponential(0.5, 60*sec)
	p.MaxRetries = 3
	us := []float64{0, 0.5, 0.9999999999999999}
	_, log := run(t, p, 0, 10, func(i int) outcome { return outcome{fail: true, jitter: us[min(i-1, 2)]} })
	check(t, log, []string{
		"0s notice 250ms", "0s wait 250ms",
		"250ms wait 750ms",
		"1s wait 1.6875s",
		"2.6875s gaveUp (maxRetries) after 4 attempts",
	})
}

func TestMaxElapsedTime(t *testing.T) {
	p := exponential(0, 60*sec)
	p.MaxElapsedTime = 3 * sec
	// Attempts take 100ms. Failures at 0.1, 0.7, 1.55, 2.775: the fourth
	// delay 1.6875s would end at 4.4625s > 3s, so the call stops there.
	_, log := run(t, p, 100*ms, 20, func(int) outcome { return outcome{fail: true} })
	check(t, log, []string{
		"100ms notice 500ms", "100ms wait 500ms",
		"700ms wait 750ms",
		"1.55s wait 1.125s",
		"2.775s gaveUp (maxElapsedTime) after 4 attempts",
	})
	// Exactly reaching MaxElapsedTime is allowed (the test is >).
	p.MaxElapsedTime = 2775*ms + 1687500*time.Microsecond
	_, log = run(t, p, 100*ms, 5, func(i int) outcome { return outcome{fail: i < 5} })
	if n := len(log); n < 2 || !strings.HasSuffix(log[n-1], "done after 5 attempts") {
		t.Errorf("exact limit: %v", log)
	}
}

// MaxElapsedTime first: the first failure of a slow attempt stops at once,
// without a notice.
func TestMaxElapsedFirstFailure(t *testing.T) {
	p := exponential(0, 60*sec)
	p.MaxElapsedTime = sec
	_, log := run(t, p, 900*ms, 5, func(int) outcome { return outcome{fail: true} })
	check(t, log, []string{"900ms gaveUp (maxElapsedTime) after 1 attempts"})
}

func TestStopDelay(t *testing.T) {
	p := constant(-1)
	p.Duration = -1 // backoff.Stop
	_, log := run(t, p, ms, 5, func(int) outcome { return outcome{fail: true} })
	check(t, log, []string{"1ms gaveUp (stop) after 1 attempts"})
	p.Duration = -2 // fires at once, but is logged as it is
	_, log = run(t, p, ms, 2, func(int) outcome { return outcome{fail: true} })
	check(t, log, []string{"1ms notice -2ns", "1ms wait 0s", "2ms wait 0s"})
	p.Duration = 0
	_, log = run(t, p, ms, 2, func(int) outcome { return outcome{fail: true} })
	check(t, log, []string{"1ms notice 0s", "1ms wait 0s", "2ms wait 0s"})
}

// One row per (state, event) pair.
func TestStep(t *testing.T) {
	p := constant(2)
	ready := Call{State: Ready, Attempts: 1, Backoff: Backoff{Tries: 1, Start: sec}, Notified: true}
	attempting := Call{State: Attempting, Attempts: 1, Backoff: Backoff{Start: sec}}
	notified := Call{State: Attempting, Attempts: 2, Backoff: Backoff{Tries: 1, Start: sec}, Notified: true}
	lastTry := Call{State: Attempting, Attempts: 3, Backoff: Backoff{Tries: 2, Start: sec}, Notified: true}
	waiting := Call{State: Waiting, Attempts: 1, Backoff: Backoff{Tries: 1, Start: sec}, Notified: true}
	succeeded := Call{State: Succeeded, Attempts: 1}
	failed := Call{State: Failed, Attempts: 1}
	with := func(c Call, f func(*Call)) Call { f(&c); return c }

	tests := []struct {
		name    string
		c       Call
		ev      Event
		want    Call
		effects []Effect
		err     string
	}{
		{name: "ready/attemptStarted", c: ready, ev: Event{Kind: AttemptStarted}, want: with(ready, func(c *Call) { c.State, c.Attempts = Attempting, 2 })},
		{name: "ready/attemptSucceeded", c: ready, ev: Event{Kind: AttemptSucceeded}, err: `retry: state "ready" does not accept event "attemptSucceeded"`},
		{name: "ready/attemptFailed", c: ready, ev: Event{Kind: AttemptFailed}, err: `retry: state "ready" does not accept event "attemptFailed"`},
		{name: "ready/waitElapsed", c: ready, ev: Event{Kind: WaitElapsed}, err: `retry: state "ready" does not accept event "waitElapsed"`},
		{name: "attempting/attemptStarted", c: attempting, ev: Event{Kind: AttemptStarted}, err: `retry: state "attempting" does not accept event "attemptStarted"`},
		{name: "attempting/attemptSucceeded: first attempt", c: attempting, ev: Event{Kind: AttemptSucceeded},
			want: with(attempting, func(c *Call) { c.State = Succeeded }), effects: []Effect{{Kind: Done, Attempts: 1}}},
		{name: "attempting/attemptSucceeded: after a notice", c: notified, ev: Event{Kind: AttemptSucceeded},
			want: with(notified, func(c *Call) { c.State = Succeeded }), effects: []Effect{{Kind: Recovered, Attempts: 2}, {Kind: Done, Attempts: 2}}},
		{name: "attempting/attemptFailed: permanent", c: attempting, ev: Event{Kind: AttemptFailed, Permanent: true},
			want: with(attempting, func(c *Call) { c.State = Failed }), effects: []Effect{{Kind: GaveUp, Reason: Permanent, Attempts: 1}}},
		{name: "attempting/attemptFailed: first retry", c: attempting, ev: Event{Kind: AttemptFailed},
			want:    with(attempting, func(c *Call) { c.State, c.Tries, c.Notified = Waiting, 1, true }),
			effects: []Effect{{Kind: Notice, Delay: 5 * sec}, {Kind: Wait, Delay: 5 * sec, Backoff: 5 * sec}}},
		{name: "attempting/attemptFailed: later retry", c: notified, ev: Event{Kind: AttemptFailed},
			want: with(notified, func(c *Call) { c.State, c.Tries = Waiting, 2 }), effects: []Effect{{Kind: Wait, Delay: 5 * sec, Backoff: 5 * sec}}},
		{name: "attempting/attemptFailed: retries used up", c: lastTry, ev: Event{Kind: AttemptFailed},
			want: with(lastTry, func(c *Call) { c.State = Failed }), effects: []Effect{{Kind: GaveUp, Reason: MaxRetries, Attempts: 3}}},
		{name: "attempting/waitElapsed", c: attempting, ev: Event{Kind: WaitElapsed}, err: `retry: state "attempting" does not accept event "waitElapsed"`},
		{name: "waiting/attemptStarted", c: waiting, ev: Event{Kind: AttemptStarted}, err: `retry: state "waiting" does not accept event "attemptStarted"`},
		{name: "waiting/attemptSucceeded", c: waiting, ev: Event{Kind: AttemptSucceeded}, err: `retry: state "waiting" does not accept event "attemptSucceeded"`},
		{name: "waiting/attemptFailed", c: waiting, ev: Event{Kind: AttemptFailed}, err: `retry: state "waiting" does not accept event "attemptFailed"`},
		{name: "waiting/waitElapsed", c: waiting, ev: Event{Kind: WaitElapsed}, want: with(waiting, func(c *Call) { c.State = Ready })},
		{name: "succeeded/attemptStarted", c: succeeded, ev: Event{Kind: AttemptStarted}, err: `retry: state "succeeded" does not accept event "attemptStarted"`},
		{name: "succeeded/attemptSucceeded", c: succeeded, ev: Event{Kind: AttemptSucceeded}, err: `retry: state "succeeded" does not accept event "attemptSucceeded"`},
		{name: "succeeded/attemptFailed", c: succeeded, ev: Event{Kind: AttemptFailed}, err: `retry: state "succeeded" does not accept event "attemptFailed"`},
		{name: "succeeded/waitElapsed", c: succeeded, ev: Event{Kind: WaitElapsed}, err: `retry: state "succeeded" does not accept event "waitElapsed"`},
		{name: "failed/attemptStarted", c: failed, ev: Event{Kind: AttemptStarted}, err: `retry: state "failed" does not accept event "attemptStarted"`},
		{name: "failed/attemptSucceeded", c: failed, ev: Event{Kind: AttemptSucceeded}, err: `retry: state "failed" does not accept event "attemptSucceeded"`},
		{name: "failed/attemptFailed", c: failed, ev: Event{Kind: AttemptFailed}, err: `retry: state "failed" does not accept event "attemptFailed"`},
		{name: "failed/waitElapsed", c: failed, ev: Event{Kind: WaitElapsed}, err: `retry: state "failed" does not accept event "waitElapsed"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []Effect{{Kind: Wait, Delay: 42}}
			got, effects, err := Step(p, tt.c, tt.ev, prefix)
			if effects[0] != prefix[0] {
				t.Fatalf("Step changed the effects it was handed")
			}
			effects = effects[1:]
			if tt.err != "" {
				var rej *fsm.RejectedError
				if !errors.As(err, &rej) || err.Error() != tt.err {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				if got != tt.c || len(effects) != 0 {
					t.Fatalf("rejected event changed the call: %+v %v", got, effects)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got != tt.want {
				t.Errorf("call:\n got %+v\nwant %+v", got, tt.want)
			}
			if !slices.Equal(effects, tt.effects) {
				t.Errorf("effects:\n got %v\nwant %v", effects, tt.effects)
			}
		})
	}
}

func TestBadJitter(t *testing.T) {
	p := exponential(0.5, 60*sec)
	c := Call{State: Attempting, Attempts: 1, Backoff: p.Reset(0)}
	for _, u := range []float64{-0.1, 1, 2} {
		got, effects, err := Step(p, c, Event{Kind: AttemptFailed, Jitter: u}, nil)
		if err == nil || got != c || len(effects) != 0 {
			t.Errorf("jitter %v: accepted (%v %+v)", u, err, got)
		}
	}
	// rf 0 ignores jitter entirely.
	p.RandomizationFactor = 0
	if _, _, err := Step(p, c, Event{Kind: AttemptFailed, Jitter: 7}, nil); err != nil {
		t.Errorf("rf 0: %v", err)
	}
}

func TestTable(t *testing.T) {
	rows := Table().Rows()
	if len(rows) != rowCount {
		t.Fatalf("table has %d rows, want %d", len(rows), rowCount)
	}
	for i, r := range rows {
		if r.Note == "" || (r.Guard == nil) != (r.GuardText == "") {
			t.Errorf("row %d (%s, %s): note %q, guard text %q", i, r.From, r.On, r.Note, r.GuardText)
		}
	}
	if got, want := Table().States(), []State{Ready, Attempting, Succeeded, Failed, Waiting}; !slices.Equal(got, want) {
		t.Errorf("States() = %v, want %v", got, want)
	}
}

func TestStepDoesNotAllocate(t *testing.T) {
	p := exponential(0.5, 60*sec)
	effects := make([]Effect, 0, 4)
	n := testing.AllocsPerRun(200, func() {
		c := Start(p, 0)
		c, effects, _ = Step(p, c, Event{Kind: AttemptStarted}, effects[:0])
		c, effects, _ = Step(p, c, Event{Kind: AttemptFailed, Jitter: 0.5}, effects[:0])
		c, effects, _ = Step(p, c, Event{Kind: WaitElapsed}, effects[:0])
		_, effects, _ = Step(p, c, Event{Kind: AttemptStarted}, effects[:0])
	})
	if n != 0 {
		t.Errorf("Step allocates %v times", n)
	}
}

func BenchmarkStep(b *testing.B) {
	p := exponential(0.5, 60*sec)
	p.MaxElapsedTime = 0
	effects := make([]Effect, 0, 4)
	c := Start(p, 0)
	b.ReportAllocs()
	for b.Loop() {
		c, effects, _ = Step(p, c, Event{Kind: AttemptStarted}, effects[:0])
		c, effects, _ = Step(p, c, Event{Kind: AttemptFailed, Jitter: 0.5}, effects[:0])
		c, effects, _ = Step(p, c, Event{Kind: WaitElapsed}, effects[:0])
	}
}

// A negative constant duration waits 0 (a Go timer fires at once) but is
// reported as the backoff returned it, as Dapr's notify callback receives it.
func TestNegativeDelayReportedRaw(t *testing.T) {
	p := Default("neg")
	p.Duration = -2 * time.Second
	c := Start(&p, 0)
	var effects []Effect
	var err error
	c, _, err = Step(&p, c, Event{Kind: AttemptStarted}, effects[:0])
	if err != nil {
		t.Fatal(err)
	}
	_, effects, err = Step(&p, c, Event{Kind: AttemptFailed}, effects[:0])
	if err != nil {
		t.Fatal(err)
	}
	want := []Effect{{Kind: Notice, Delay: -2 * time.Second}, {Kind: Wait, Delay: 0, Backoff: -2 * time.Second}}
	if len(effects) != 2 || effects[0] != want[0] || effects[1] != want[1] {
		t.Errorf("got %+v, want %+v", effects, want)
	}
}
