package clock

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// drain pops everything due by horizon and returns the events in order.
func drain[E any](q *Queue[E], horizon time.Duration) []E {
	var got []E
	for {
		e, _, ok := q.Pop(horizon)
		if !ok {
			return got
		}
		got = append(got, e)
	}
}

func TestQueueOrder(t *testing.T) {
	type at struct {
		t  time.Duration
		ev string
	}
	tests := []struct {
		name string
		at   []at
		want []string
	}{
		{"empty", nil, nil},
		{"by time", []at{{3, "c"}, {1, "a"}, {2, "b"}}, []string{"a", "b", "c"}},
		{"same instant in scheduling order", []at{{5, "x"}, {5, "y"}, {5, "z"}}, []string{"x", "y", "z"}},
		{"ties broken by seq, not by value", []at{{2, "b2"}, {1, "a"}, {2, "b1"}, {0, "first"}, {2, "b0"}},
			[]string{"first", "a", "b2", "b1", "b0"}},
		{"descending", []at{{9, "9"}, {8, "8"}, {7, "7"}, {6, "6"}, {5, "5"}, {4, "4"}},
			[]string{"4", "5", "6", "7", "8", "9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := NewQueue[string]()
			for _, a := range tt.at {
				q.At(a.t, a.ev)
			}
			if got := drain(q, time.Hour); !slices.Equal(got, tt.want) {
				t.Errorf("pop order = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestQueuePopSetsNow(t *testing.T) {
	q := NewQueue[int]()
	q.At(7*time.Second, 1)
	q.After(3*time.Second, 2)
	for _, want := range []time.Duration{3 * time.Second, 7 * time.Second} {
		if _, _, ok := q.Pop(time.Minute); !ok {
			t.Fatalf("Pop: nothing pending, want an entry at %v", want)
		}
		if q.Now() != want {
			t.Errorf("Now() = %v after Pop, want %v", q.Now(), want)
		}
	}
	// After is relative to the new Now.
	q.After(time.Second, 3)
	if at, _ := q.Peek(); at != 8*time.Second {
		t.Errorf("After(1s) at Now=7s is due at %v, want 8s", at)
	}
}

func TestQueueHorizon(t *testing.T) {
	q := NewQueue[string]()
	q.At(10, "at10")
	q.At(20, "at20")
	q.At(20, "at20b")
	q.At(30, "at30")
	steps := []struct {
		horizon time.Duration
		want    []string
		now     time.Duration
	}{
		{9, nil, 0},
		{10, []string{"at10"}, 10}, // inclusive
		{19, nil, 10},              // Now stays at the last popped entry
		{5, nil, 10},               // a horizon in the past yields nothing
		{25, []string{"at20", "at20b"}, 20},
		{100, []string{"at30"}, 30},
	}
	for _, s := range steps {
		got := drain(q, s.horizon)
		if !slices.Equal(got, s.want) {
			t.Errorf("Pop up to %v = %q, want %q", s.horizon, got, s.want)
		}
		if q.Now() != s.now {
			t.Errorf("Now() after popping up to %v = %v, want %v", s.horizon, q.Now(), s.now)
		}
	}
}

func TestQueueCancel(t *testing.T) {
	tests := []struct {
		name string
		// run schedules a, b, c at 1, 2, 3 and performs the scenario; it
		// returns the cancel results to check.
		run        func(q *Queue[string], a, b, c Handle) []bool
		wantCancel []bool
		wantLen    int
		wantPeek   time.Duration // 0 when nothing is pending
		wantRest   []string
	}{
		{
			name:       "pending",
			run:        func(q *Queue[string], a, b, c Handle) []bool { return []bool{q.Cancel(b)} },
			wantCancel: []bool{true}, wantLen: 2, wantPeek: 1, wantRest: []string{"a", "c"},
		},
		{
			name:       "earliest moves Peek",
			run:        func(q *Queue[string], a, b, c Handle) []bool { return []bool{q.Cancel(a)} },
			wantCancel: []bool{true}, wantLen: 2, wantPeek: 2, wantRest: []string{"b", "c"},
		},
		{
			name:       "twice",
			run:        func(q *Queue[string], a, b, c Handle) []bool { return []bool{q.Cancel(c), q.Cancel(c)} },
			wantCancel: []bool{true, false}, wantLen: 2, wantPeek: 1, wantRest: []string{"a", "b"},
		},
		{
			name: "already popped",
			run: func(q *Queue[string], a, b, c Handle) []bool {
				q.Pop(1)
				return []bool{q.Cancel(a)}
			},
			wantCancel: []bool{false}, wantLen: 2, wantPeek: 2, wantRest: []string{"b", "c"},
		},
		{
			name: "zero and unknown handles",
			run: func(q *Queue[string], a, b, c Handle) []bool {
				return []bool{q.Cancel(0), q.Cancel(c + 1000), q.Cancel(^Handle(0))}
			},
			wantCancel: []bool{false, false, false}, wantLen: 3, wantPeek: 1, wantRest: []string{"a", "b", "c"},
		},
		{
			name:       "all",
			run:        func(q *Queue[string], a, b, c Handle) []bool { return []bool{q.Cancel(b), q.Cancel(a), q.Cancel(c)} },
			wantCancel: []bool{true, true, true}, wantLen: 0, wantPeek: 0, wantRest: nil,
		},
		{
			name: "stale handle after its slot is reused",
			run: func(q *Queue[string], a, b, c Handle) []bool {
				q.Cancel(a)
				q.At(4, "d") // likely takes a's slot
				return []bool{q.Cancel(a)}
			},
			wantCancel: []bool{false}, wantLen: 3, wantPeek: 2, wantRest: []string{"b", "c", "d"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := NewQueue[string]()
			a, b, c := q.At(1, "a"), q.At(2, "b"), q.At(3, "c")
			if got := tt.run(q, a, b, c); !slices.Equal(got, tt.wantCancel) {
				t.Errorf("Cancel results = %v, want %v", got, tt.wantCancel)
			}
			if q.Len() != tt.wantLen {
				t.Errorf("Len() = %d, want %d", q.Len(), tt.wantLen)
			}
			at, ok := q.Peek()
			if ok != (tt.wantLen > 0) || at != tt.wantPeek {
				t.Errorf("Peek() = %v, %v; want %v, %v", at, ok, tt.wantPeek, tt.wantLen > 0)
			}
			if got := drain(q, time.Hour); !slices.Equal(got, tt.wantRest) {
				t.Errorf("remaining pops = %q, want %q", got, tt.wantRest)
			}
		})
	}
}

func TestQueueHandles(t *testing.T) {
	q := NewQueue[int]()
	seen := map[Handle]bool{}
	for i := range 1000 {
		h := q.After(time.Duration(i%7), i)
		if h == 0 {
			t.Fatal("At issued the zero Handle")
		}
		if seen[h] {
			t.Fatalf("handle %#x issued twice", h)
		}
		seen[h] = true
		if i%3 == 0 {
			q.Cancel(h)
		} else if i%2 == 0 {
			_, popped, _ := q.Pop(q.Now() + 3)
			if popped != 0 && !seen[popped] {
				t.Fatalf("Pop returned handle %#x that At never issued", popped)
			}
		}
	}
}

func TestQueuePanics(t *testing.T) {
	tests := []struct {
		name string
		f    func(q *Queue[int])
		want string
	}{
		{"At in the past", func(q *Queue[int]) { q.At(4*time.Second, 0) }, "clock: At(4s) is before now (5s)"},
		{"After negative", func(q *Queue[int]) { q.After(-time.Nanosecond, 0) }, "clock: After(-1ns): negative delay"},
		{"AdvanceTo backwards", func(q *Queue[int]) { q.AdvanceTo(time.Second) }, "clock: AdvanceTo(1s) is before now (5s)"},
		{"AdvanceTo past a pending entry", func(q *Queue[int]) {
			q.At(6*time.Second, 0)
			q.AdvanceTo(7 * time.Second)
		}, "clock: AdvanceTo(7s) would skip the entry due at 6s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := NewQueue[int]()
			q.AdvanceTo(5 * time.Second)
			defer func() {
				if got := fmt.Sprint(recover()); got != tt.want {
					t.Errorf("panic = %q, want %q", got, tt.want)
				}
			}()
			tt.f(q)
		})
	}
}

func TestQueueAdvanceTo(t *testing.T) {
	q := NewQueue[int]()
	q.At(10, 1)
	q.AdvanceTo(10) // up to the earliest entry is fine
	q.At(10, 2)     // and scheduling at Now still is
	if got := drain(q, 10); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("pops after AdvanceTo = %v, want [1 2]", got)
	}
	if q.Now() != 10 {
		t.Errorf("Now() = %v, want 10ns", q.Now())
	}
}

// TestQueueSteadyStateAllocs pins the zero-allocation hot path.
func TestQueueSteadyStateAllocs(t *testing.T) {
	q := NewQueue[func()]()
	f := func() {}
	for i := range 1000 {
		q.After(time.Duration(i), f)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		h := q.After(500, f)
		q.After(700, f)
		q.Cancel(h)
		q.Pop(q.Now() + 1000)
	})
	if allocs != 0 {
		t.Errorf("At/Cancel/Pop allocate %v times per op in steady state, want 0", allocs)
	}
}

// refQueue is the obviously correct model Queue is checked against: a slice
// scanned linearly.
type refQueue struct {
	now     time.Duration
	entries []refEntry
}

type refEntry struct {
	at    time.Duration
	seq   int
	h     Handle
	ev    int
	state string // "pending", "popped", "cancelled"
}

func (r *refQueue) earliest() int {
	best := -1
	for i, e := range r.entries {
		if e.state != "pending" {
			continue
		}
		if best < 0 || e.at < r.entries[best].at || (e.at == r.entries[best].at && e.seq < r.entries[best].seq) {
			best = i
		}
	}
	return best
}

func (r *refQueue) pending() int {
	n := 0
	for _, e := range r.entries {
		if e.state == "pending" {
			n++
		}
	}
	return n
}

func TestQueueMatchesModel(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0x5eed))
			q := NewQueue[int]()
			ref := &refQueue{}
			var log []string // the ops so far, printed on failure
			fail := func(format string, args ...any) {
				t.Helper()
				t.Fatalf("after ops:\n%s\n%s", strings.Join(log[max(0, len(log)-20):], "\n"), fmt.Sprintf(format, args...))
			}
			for op := range 5000 {
				switch r := rng.IntN(100); {
				case r < 40:
					at := ref.now + time.Duration(rng.IntN(20)) // small range: many ties
					h := q.At(at, op)
					log = append(log, fmt.Sprintf("At(%v, %d) = %#x", at, op, h))
					for _, e := range ref.entries {
						if e.h == h {
							fail("At returned handle %#x already issued", h)
						}
					}
					ref.entries = append(ref.entries, refEntry{at: at, seq: op, h: h, ev: op, state: "pending"})
				case r < 60:
					var h Handle
					var want bool
					if len(ref.entries) > 0 && rng.IntN(10) > 0 {
						e := &ref.entries[rng.IntN(len(ref.entries))]
						h, want = e.h, e.state == "pending"
						if want {
							e.state = "cancelled"
						}
					} else {
						h = Handle(rng.Uint64N(1 << 40))
						for i := range ref.entries {
							if ref.entries[i].h == h && ref.entries[i].state == "pending" {
								want = true
								ref.entries[i].state = "cancelled"
							}
						}
					}
					log = append(log, fmt.Sprintf("Cancel(%#x)", h))
					if got := q.Cancel(h); got != want {
						fail("Cancel(%#x) = %v, want %v", h, got, want)
					}
				case r < 95:
					horizon := ref.now + time.Duration(rng.IntN(15)) - 2
					log = append(log, fmt.Sprintf("Pop(%v)", horizon))
					ev, h, ok := q.Pop(horizon)
					i := ref.earliest()
					if i >= 0 && ref.entries[i].at > horizon {
						i = -1
					}
					if ok != (i >= 0) {
						fail("Pop(%v) ok = %v, want %v", horizon, ok, i >= 0)
					}
					if i >= 0 {
						e := &ref.entries[i]
						if ev != e.ev || h != e.h {
							fail("Pop(%v) = %d, %#x; want %d, %#x", horizon, ev, h, e.ev, e.h)
						}
						e.state = "popped"
						ref.now = e.at
					}
				default:
					to := ref.now
					if i := ref.earliest(); i >= 0 {
						to += time.Duration(rng.Int64N(int64(ref.entries[i].at-ref.now) + 1))
					} else {
						to += time.Duration(rng.IntN(10))
					}
					log = append(log, fmt.Sprintf("AdvanceTo(%v)", to))
					q.AdvanceTo(to)
					ref.now = to
				}
				if q.Now() != ref.now {
					fail("Now() = %v, want %v", q.Now(), ref.now)
				}
				if q.Len() != ref.pending() {
					fail("Len() = %d, want %d", q.Len(), ref.pending())
				}
				at, ok := q.Peek()
				i := ref.earliest()
				if ok != (i >= 0) || (ok && at != ref.entries[i].at) {
					fail("Peek() = %v, %v; want the entry %d", at, ok, i)
				}
			}
		})
	}
}
