package client

import (
	"math/rand"
	"testing"
	"time"
)

// run plays one command whose every try fails with f (Refused by default)
// and returns the sleeps between tries and how it ended, drawing from src
// exactly where go-redis draws.
func run(t *testing.T, s Settings, src *rand.Rand, fail func(try int) (Failure, bool)) (sleeps []time.Duration, end Effect) {
	t.Helper()
	var c Command
	now := time.Duration(0)
	effs, err := Apply(&s, &c, Event{Kind: Sent, Now: now}, nil)
	for err == nil {
		if len(effs) != 1 {
			t.Fatalf("want one effect, got %v", effs)
		}
		switch ef := effs[0]; ef.Kind {
		case Done:
			return sleeps, ef
		case ScheduleTry:
			sleeps = append(sleeps, ef.Sleep)
			now = ef.At
			effs, err = Apply(&s, &c, Event{Kind: SleepElapsed, Now: now}, effs[:0])
		case Try:
			f, failed := fail(c.Tries)
			if !failed {
				effs, err = Apply(&s, &c, Event{Kind: Answered, Now: now}, effs[:0])
				continue
			}
			ev := Event{Kind: TryFailed, Now: now, Failure: f}
			if bound, ok := s.NextDraw(c, f); ok {
				ev.Draw = src.Int63n(bound)
			}
			effs, err = Apply(&s, &c, ev, effs[:0])
		}
	}
	t.Fatal(err)
	return nil, Effect{}
}

func refused(int) (Failure, bool) { return Refused, true }

// go-redis draws from math/rand seeded 1 (internal/rand), so a sidecar's
// first failed commands on Dapr 1.8 sleep exactly these (computed from
// RetryBackoff and that source; the research behind issue 12 lists 20).
func TestBackoffJitterOfDapr18(t *testing.T) {
	s, _ := ForRelease(8, "state.redis")
	src := rand.New(rand.NewSource(1))
	want := [][3]time.Duration{
		{19779410, 18153551, 26145821},
		{19010051, 39113937, 13167320},
		{8969758, 27776148, 71117216},
		{8279449, 16398084, 15669287},
		{12491574, 30458836, 51445515},
	}
	for i, w := range want {
		sleeps, end := run(t, s, src, refused)
		if len(sleeps) != 3 {
			t.Fatalf("command %d: %d sleeps, want 3", i+1, len(sleeps))
		}
		for k := range w {
			// The table is in whole nanoseconds rounded to the microsecond's
			// thousandth; compare within a microsecond.
			if d := sleeps[k] - w[k]; d < -time.Microsecond || d > time.Microsecond {
				t.Errorf("command %d sleep %d = %v, want %v", i+1, k+1, sleeps[k], w[k])
			}
		}
		if end.OK || end.Failure != Refused {
			t.Errorf("command %d ended %v, want done: refused", i+1, end)
		}
	}
}

// From 1.11 the floor (2s) is above the cap (512ms): every sleep is the
// cap, so a failed command takes 3 × 512ms whatever the draw.
func TestBackoffFrom111IsTheCap(t *testing.T) {
	for minor := 11; minor <= 16; minor++ {
		s, _ := ForRelease(minor, "state.redis")
		sleeps, _ := run(t, s, rand.New(rand.NewSource(int64(minor))), refused)
		var total time.Duration
		for _, d := range sleeps {
			total += d
		}
		if len(sleeps) != 3 || total != 1536*time.Millisecond {
			t.Errorf("1.%d: sleeps %v (total %v), want 3 × 512ms", minor, sleeps, total)
		}
	}
	for minor := 8; minor <= 10; minor++ {
		s, _ := ForRelease(minor, "state.redis")
		if s.MinBackoff != 8*time.Millisecond || s.MaxBackoff != 2*time.Second {
			t.Errorf("1.%d: backoff %v to %v, want 8ms to 2s", minor, s.MinBackoff, s.MaxBackoff)
		}
	}
}

func TestWhatIsRetried(t *testing.T) {
	s, _ := ForRelease(14, "state.redis")
	for _, c := range []struct {
		f     Failure
		tries int
	}{
		{Refused, 4}, {ReadTimedOut, 4}, {Transient, 4}, {DialTimedOut, 4}, {Reply, 1},
	} {
		n := 0
		_, end := run(t, s, rand.New(rand.NewSource(1)), func(int) (Failure, bool) { n++; return c.f, true })
		if n != c.tries || end.Failure != c.f {
			t.Errorf("%v: %d tries ending %v, want %d", c.f, n, end, c.tries)
		}
	}
	v9 := s
	v9.RetryDialTimeout = false
	n := 0
	run(t, v9, rand.New(rand.NewSource(1)), func(int) (Failure, bool) { n++; return DialTimedOut, true })
	if n != 1 {
		t.Errorf("v9 retried a dial timeout: %d tries", n)
	}
}

// A store that comes back between tries answers the next try: the command
// succeeds inside the attempt, after the sleeps so far.
func TestRecoversInsideTheCommand(t *testing.T) {
	s, _ := ForRelease(14, "state.redis")
	sleeps, end := run(t, s, rand.New(rand.NewSource(1)), func(try int) (Failure, bool) { return Refused, try < 3 })
	if !end.OK || len(sleeps) != 2 {
		t.Errorf("got %v after sleeps %v, want ok after two", end, sleeps)
	}
}

func TestNoDrawWithoutRetry(t *testing.T) {
	s, _ := ForRelease(8, "state.redis")
	s.MaxRetries = 0
	if _, ok := s.NextDraw(Command{Tries: 1}, Refused); ok {
		t.Error("a command with no retries left draws")
	}
	s.MaxRetries = 3
	if _, ok := s.NextDraw(Command{Tries: 1}, Reply); ok {
		t.Error("an error reply draws")
	}
	s.MinBackoff = 0
	if _, ok := s.NextDraw(Command{Tries: 1}, Refused); ok {
		t.Error("a zero floor draws")
	}
}

func TestRejects(t *testing.T) {
	s, _ := ForRelease(14, "state.redis")
	c := Command{}
	if _, err := Apply(&s, &c, Event{Kind: Answered}, nil); err == nil {
		t.Error("an answer before the command was sent is accepted")
	}
}

func TestReplyFailure(t *testing.T) {
	for _, c := range []struct {
		text string
		want Failure
	}{
		{"EOF", Transient},
		{"ERR max number of clients reached", Transient},
		{"LOADING Redis is loading the dataset in memory", Transient},
		{"READONLY You can't write against a read only replica.", Transient},
		{"CLUSTERDOWN The cluster is down", Transient},
		{"TRYAGAIN Multiple keys request during rehashing of slot", Transient},
		{"injected fault", Reply},
		{"WRONGTYPE Operation against a key holding the wrong kind of value", Reply},
		{"LOADING", Reply}, // go-redis matches the prefix with its space
	} {
		if got := ReplyFailure(c.text); got != c.want {
			t.Errorf("ReplyFailure(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}
