package timeout

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dapr-sim/sim/fsm"
)

const sec = time.Second

// One row per (state, event) pair, plus the guard branches.
func TestStep(t *testing.T) {
	timed := &Policy{Name: "general", Duration: 5 * sec}
	untimed := &Policy{Name: "none"}
	negative := &Policy{Name: "neg", Duration: -sec}
	idle := Attempt{}
	running := Attempt{State: Running, Deadline: 7 * sec, HasDeadline: true}
	runningUntimed := Attempt{State: Running}
	completed := Attempt{State: Completed, Deadline: 7 * sec, HasDeadline: true}
	completedUntimed := Attempt{State: Completed}
	timedOut := Attempt{State: TimedOut, Deadline: 7 * sec, HasDeadline: true}
	ev := func(k EventKind, now time.Duration) Event { return Event{Kind: k, Now: now} }

	tests := []struct {
		name    string
		p       *Policy
		a       Attempt
		ev      Event
		want    Attempt
		effects []Effect
		err     string
	}{
		{name: "idle/started: timeout schedules deadline", p: timed, a: idle, ev: ev(Started, 2*sec),
			want: running, effects: []Effect{{Kind: ScheduleDeadline, At: 7 * sec}}},
		{name: "idle/started: timeout 0 means none", p: untimed, a: idle, ev: ev(Started, 2*sec), want: runningUntimed},
		{name: "idle/started: negative timeout means none", p: negative, a: idle, ev: ev(Started, 2*sec), want: runningUntimed},
		{name: "idle/answered", p: timed, a: idle, ev: ev(Answered, 2*sec), err: `timeout: state "idle" does not accept event "answered"`},
		{name: "idle/deadlineFired", p: timed, a: idle, ev: ev(DeadlineFired, 2*sec), err: `timeout: state "idle" does not accept event "deadlineFired"`},

		{name: "running/started", p: timed, a: running, ev: ev(Started, 3*sec), err: `timeout: state "running" does not accept event "started"`},
		{name: "running/answered: before the deadline", p: timed, a: running, ev: ev(Answered, 3*sec),
			want: completed, effects: []Effect{{Kind: Deliver}}},
		{name: "running/answered: at the deadline instant, answer first", p: timed, a: running, ev: ev(Answered, 7*sec),
			want: completed, effects: []Effect{{Kind: Deliver}}},
		{name: "running/answered: no timeout", p: untimed, a: runningUntimed, ev: ev(Answered, time.Hour),
			want: completedUntimed, effects: []Effect{{Kind: Deliver}}},
		{name: "running/deadlineFired: expires", p: timed, a: running, ev: ev(DeadlineFired, 7*sec),
			want: timedOut, effects: []Effect{{Kind: Expired, Err: ErrDeadlineExceeded}}},
		{name: "running/deadlineFired: early is an engine bug", p: timed, a: running, ev: ev(DeadlineFired, 7*sec-1),
			err: `timeout: state "running" does not accept event "deadlineFired"`},
		{name: "running/deadlineFired: no deadline scheduled", p: untimed, a: runningUntimed, ev: ev(DeadlineFired, 7*sec),
			err: `timeout: state "running" does not accept event "deadlineFired"`},

		{name: "completed/started", p: timed, a: completed, ev: ev(Started, 8*sec), err: `timeout: state "completed" does not accept event "started"`},
		{name: "completed/answered: one answer per attempt", p: timed, a: completed, ev: ev(Answered, 8*sec),
			err: `timeout: state "completed" does not accept event "answered"`},
		{name: "completed/deadlineFired: stale timer ignored", p: timed, a: completed, ev: ev(DeadlineFired, 7*sec), want: completed},
		{name: "completed/deadlineFired: no timer was scheduled", p: untimed, a: completedUntimed, ev: ev(DeadlineFired, 7*sec),
			err: `timeout: state "completed" does not accept event "deadlineFired"`},

		{name: "timed-out/started", p: timed, a: timedOut, ev: ev(Started, 8*sec), err: `timeout: state "timed-out" does not accept event "started"`},
		{name: "timed-out/answered: late answer discarded", p: timed, a: timedOut, ev: ev(Answered, 9*sec),
			want: timedOut, effects: []Effect{{Kind: Discard}}},
		{name: "timed-out/answered: same instant, deadline first", p: timed, a: timedOut, ev: ev(Answered, 7*sec),
			want: timedOut, effects: []Effect{{Kind: Discard}}},
		{name: "timed-out/deadlineFired: one deadline per attempt", p: timed, a: timedOut, ev: ev(DeadlineFired, 8*sec),
			err: `timeout: state "timed-out" does not accept event "deadlineFired"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []Effect{{Kind: Deliver}}
			got, effects, err := Step(tt.p, tt.a, tt.ev, prefix)
			if effects[0] != prefix[0] {
				t.Fatal("Step changed the effects it was handed")
			}
			effects = effects[1:]
			if tt.err != "" {
				var rej *fsm.RejectedError
				if !errors.As(err, &rej) || err.Error() != tt.err {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				if got != tt.a || len(effects) != 0 {
					t.Fatalf("rejected event changed the attempt: %+v %v", got, effects)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got != tt.want {
				t.Errorf("attempt:\n got %+v\nwant %+v", got, tt.want)
			}
			if !slices.Equal(effects, tt.effects) {
				t.Errorf("effects:\n got %v\nwant %v", effects, tt.effects)
			}
		})
	}
}

func TestErrDeadlineExceeded(t *testing.T) {
	if ErrDeadlineExceeded.Error() != "context deadline exceeded" || !errors.Is(ErrDeadlineExceeded, context.DeadlineExceeded) {
		t.Errorf("ErrDeadlineExceeded = %v", ErrDeadlineExceeded)
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
	if got, want := Table().States(), []State{Idle, Running, Completed, TimedOut}; !slices.Equal(got, want) {
		t.Errorf("States() = %v, want %v", got, want)
	}
	if got, want := Table().Events(), []EventKind{Started, Answered, DeadlineFired}; !slices.Equal(got, want) {
		t.Errorf("Events() = %v, want %v", got, want)
	}
}
