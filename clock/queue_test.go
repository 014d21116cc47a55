package clock

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"weak"
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

// TestQueueMatchesModel runs random operations on a Queue and on refQueue
// and compares every answer, and checks the queue's own invariants (see
// checkQueue) after each operation. Three mixes: "ties" schedules within a
// small range, so many entries are due at the same instant; "deep" lets the
// queue grow to a thousand entries and more, so sifts cross several levels
// of full families of four and cancels leave tombstones deep in the heap;
// "cancels" cancels pending entries nearly as fast as they are scheduled,
// so tombstones come to outnumber them again and again and the heap is
// compacted, at tens to hundreds of keys.
func TestQueueMatchesModel(t *testing.T) {
	mixes := []struct {
		name                     string
		seeds                    uint64
		atPct, cancelPct, popPct int // cumulative: the rest is AdvanceTo
		spread, popHorizon       int
		pendingOnly              bool // cancel pending entries, not any ever issued
	}{
		{name: "ties", seeds: 20, atPct: 40, cancelPct: 60, popPct: 95, spread: 20, popHorizon: 15},
		{name: "deep", seeds: 8, atPct: 55, cancelPct: 75, popPct: 95, spread: 1000, popHorizon: 40},
		{name: "cancels", seeds: 8, atPct: 50, cancelPct: 80, popPct: 95, spread: 1000, popHorizon: 40, pendingOnly: true},
	}
	for _, mix := range mixes {
		for seed := uint64(1); seed <= mix.seeds; seed++ {
			t.Run(fmt.Sprint(mix.name, "/seed", seed), func(t *testing.T) {
				testQueueMatchesModel(t, seed, mix.atPct, mix.cancelPct, mix.popPct, mix.spread, mix.popHorizon, mix.pendingOnly)
			})
		}
	}
}

func testQueueMatchesModel(t *testing.T, seed uint64, atPct, cancelPct, popPct, spread, popHorizon int, pendingOnly bool) {
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
		case r < atPct:
			at := ref.now + time.Duration(rng.IntN(spread))
			if rng.IntN(50) == 0 {
				// Bring the 2^32-th At, and so the renumbering, here: it
				// must keep the order whatever the queue holds (empty,
				// one entry, tombstones).
				q.seq = math.MaxUint32 - uint32(rng.IntN(2))
				log = append(log, fmt.Sprintf("seq = %d", q.seq))
			}
			h := q.At(at, op)
			log = append(log, fmt.Sprintf("At(%v, %d) = %#x", at, op, h))
			for _, e := range ref.entries {
				if e.h == h {
					fail("At returned handle %#x already issued", h)
				}
			}
			ref.entries = append(ref.entries, refEntry{at: at, seq: op, h: h, ev: op, state: "pending"})
		case r < cancelPct:
			var h Handle
			var want bool
			if len(ref.entries) > 0 && rng.IntN(10) > 0 {
				e := &ref.entries[rng.IntN(len(ref.entries))]
				if pendingOnly {
					var pending []int
					for i := range ref.entries {
						if ref.entries[i].state == "pending" {
							pending = append(pending, i)
						}
					}
					if len(pending) > 0 {
						e = &ref.entries[pending[rng.IntN(len(pending))]]
					}
				}
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
		case r < popPct:
			horizon := ref.now + time.Duration(rng.IntN(popHorizon)) - 2
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
		if err := checkQueue(q); err != nil {
			fail("%v", err)
		}
	}
}

// checkQueue checks the invariants the queue's speed rests on, which no
// method shows directly: the heap is ordered by (at, seq); no seq is above
// the last one given; each slot is named by at most one key; dead counts the
// tombstones (keys whose slot's gen is even); the root is pending; there are
// never more tombstones than pending entries; and the free list holds only
// slots no key names, each once.
func checkQueue[E any](q *Queue[E]) error {
	named := make([]bool, len(q.slots))
	dead := 0
	for i, k := range q.heap {
		if int(k.slot) >= len(q.slots) {
			return fmt.Errorf("key %d names slot %d of %d", i, k.slot, len(q.slots))
		}
		if named[k.slot] {
			return fmt.Errorf("slot %d is named by two keys", k.slot)
		}
		named[k.slot] = true
		if q.slots[k.slot].gen&1 == 0 {
			dead++
		}
		if k.seq > q.seq {
			return fmt.Errorf("key %d has seq %d, above the last given (%d)", i, k.seq, q.seq)
		}
		if p := (i - 1) / 4; i > 0 && k.before(q.heap[p]) {
			return fmt.Errorf("key %d %+v comes out before its parent %d %+v", i, k, p, q.heap[p])
		}
	}
	if dead != q.dead {
		return fmt.Errorf("%d tombstones in the heap, dead = %d", dead, q.dead)
	}
	if len(q.heap) > 0 && q.slots[q.heap[0].slot].gen&1 == 0 {
		return fmt.Errorf("the root %+v is a tombstone", q.heap[0])
	}
	if q.dead > q.Len() {
		return fmt.Errorf("%d tombstones outnumber %d pending entries", q.dead, q.Len())
	}
	free := make([]bool, len(q.slots))
	for f := q.free; f != 0; f = q.slots[f-1].next {
		switch {
		case int(f-1) >= len(q.slots):
			return fmt.Errorf("free list names slot %d of %d", f-1, len(q.slots))
		case free[f-1]:
			return fmt.Errorf("free list loops at slot %d", f-1)
		case named[f-1]:
			return fmt.Errorf("slot %d is free and named by a key", f-1)
		case q.slots[f-1].gen&1 != 0:
			return fmt.Errorf("free slot %d has odd gen %d", f-1, q.slots[f-1].gen)
		}
		free[f-1] = true
	}
	return nil
}

// TestQueueTombstonesBounded is the timeout pattern run for long: a timer
// is scheduled far ahead and cancelled before it fires, next to a few
// entries that keep coming out. Cancelled timers stay in the heap as
// tombstones until they surface or are compacted; they must never take
// more room than the pending entries, however long the run.
func TestQueueTombstonesBounded(t *testing.T) {
	q := NewQueue[int]()
	const live = 3
	for i := range live {
		q.After(time.Duration(i+1), i)
	}
	for i := range 100_000 {
		h := q.After(time.Hour, -1) // never the root while the others wait
		q.After(live, i)
		if !q.Cancel(h) {
			t.Fatalf("op %d: Cancel of a pending timer = false", i)
		}
		if ev, _, ok := q.Pop(q.Now() + time.Hour); !ok || ev < 0 {
			t.Fatalf("op %d: Pop = %d, %v; want a pending entry, never a cancelled timer", i, ev, ok)
		}
		if q.Len() != live {
			t.Fatalf("op %d: Len() = %d, want %d", i, q.Len(), live)
		}
		if len(q.heap) > 2*live+1 || len(q.slots) > 2*live+2 {
			t.Fatalf("op %d: %d keys and %d slots for %d pending entries", i, len(q.heap), len(q.slots), live)
		}
	}
	if err := checkQueue(q); err != nil {
		t.Fatal(err)
	}
}

// TestQueueSeqRenumbered runs the queue through the point where its 32-bit
// seq would wrap: pending entries are renumbered in their order, so ties
// still come out in scheduling order across it (enough of them that the
// sort is not an insertion sort, which would keep ties in place anyway),
// and handles issued before it still cancel.
func TestQueueSeqRenumbered(t *testing.T) {
	const n, before = 200, 100 // entries, and how many are scheduled before the wrap
	q := NewQueue[int]()
	q.seq = math.MaxUint32 - before
	hs := make([]Handle, n)
	for i := range n {
		hs[i] = q.At(time.Duration(10-i%3), i) // three instants, ties at each
		if err := checkQueue(q); err != nil {
			t.Fatalf("after At %d: %v", i, err)
		}
	}
	if q.seq >= math.MaxUint32-before {
		t.Fatalf("seq = %d after the wrap point, want it renumbered", q.seq)
	}
	var want []int
	for _, at := range []int{8, 9, 10} {
		for i := range n {
			if 10-i%3 != at {
				continue
			}
			if i%7 == 0 {
				if !q.Cancel(hs[i]) {
					t.Fatalf("Cancel(%d) across the renumbering = false, want true", i)
				}
				continue
			}
			want = append(want, i)
		}
	}
	if got := drain(q, time.Hour); !slices.Equal(got, want) {
		t.Errorf("pops across the renumbering = %v, want %v", got, want)
	}
}

// TestQueueRenumbersAnyLength: the renumbering comes at the 2^32-th At
// whatever the queue holds then, and an engine's queue is often empty or
// holds one entry between a pop and the push its handler makes (compact
// once read a key of an empty heap there).
func TestQueueRenumbersAnyLength(t *testing.T) {
	for pending := range 4 {
		t.Run(fmt.Sprint("pending=", pending), func(t *testing.T) {
			q := NewQueue[int]()
			var want []int
			for i := range pending {
				q.At(time.Duration(5-i), i)
				want = append([]int{i}, want...)
			}
			q.seq = math.MaxUint32
			q.At(9, 100)
			want = append(want, 100)
			if q.seq != uint32(pending+1) {
				t.Errorf("seq = %d after the renumbering, want %d", q.seq, pending+1)
			}
			if err := checkQueue(q); err != nil {
				t.Fatal(err)
			}
			if got := drain(q, time.Hour); !slices.Equal(got, want) {
				t.Errorf("pops = %v, want %v", got, want)
			}
		})
	}
}

// TestQueueSlotRetired: a slot whose generation would wrap is retired, so
// that a handle never matches a later entry, whether the entry was popped
// or cancelled.
func TestQueueSlotRetired(t *testing.T) {
	for _, cancel := range []bool{false, true} {
		t.Run(fmt.Sprint("cancel=", cancel), func(t *testing.T) {
			q := NewQueue[int]()
			q.At(1, 0) // slot 0
			q.Pop(1)
			q.slots[0].gen = math.MaxUint32 - 1 // free, about to be taken for the last time
			old := q.At(2, 1)
			if uint32(old) != 0 || uint32(old>>32) != math.MaxUint32 {
				t.Fatalf("At took handle %#x, want slot 0 at its last generation", old)
			}
			if cancel {
				q.Cancel(old)
			} else {
				q.Pop(2)
			}
			seen := map[Handle]bool{old: true}
			for i := range 5 {
				h := q.After(1, i)
				if seen[h] || uint32(h) == 0 {
					t.Fatalf("handle %#x: slot 0 was reused after its generation wrapped", h)
				}
				seen[h] = true
			}
			if q.Cancel(old) {
				t.Error("Cancel of the retired slot's handle = true")
			}
			if err := checkQueue(q); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestQueueDropsValues: the queue keeps no reference to a value once its
// entry is cancelled, even while the entry's key waits in the heap as a
// tombstone, or once it is popped, so that the GC can have what a
// cancelled or fired callback refers to.
func TestQueueDropsValues(t *testing.T) {
	q := NewQueue[*[64]byte]()
	q.At(1, new([64]byte)) // keeps the root, so the cancelled key below stays a tombstone
	cancelled, popped := new([64]byte), new([64]byte)
	wc, wp := weak.Make(cancelled), weak.Make(popped)
	h := q.At(100, cancelled)
	q.At(0, popped)
	cancelled, popped = nil, nil
	if !q.Cancel(h) || q.dead != 1 {
		t.Fatalf("Cancel: dead = %d, want the entry left as a tombstone", q.dead)
	}
	if got, _, _ := q.Pop(0); got == nil {
		t.Fatal("Pop(0) returned nothing")
	}
	runtime.GC()
	if wc.Value() != nil {
		t.Error("the queue still holds a cancelled entry's value")
	}
	if wp.Value() != nil {
		t.Error("the queue still holds a popped entry's value")
	}
	runtime.KeepAlive(q) // else the whole queue may be collected, and prove nothing
}
