package clock

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"time"
)

// Handle identifies one scheduled entry of a Queue. Handles are opaque and
// are never reused within a queue; the zero Handle is never issued.
type Handle uint64

// Queue is a deterministic scheduler of timed entries carrying values of
// type E. Entries come out in (time, seq) order, where seq counts At and
// After calls on this queue: entries due at the same instant come out in the
// order they were scheduled.
//
// At is O(log n), Pop and Cancel O(log n) amortized (each cancelled entry
// is sifted out or compacted away once), and none of them allocates once
// the queue's storage has grown to its peak size. A Queue is
// not safe for concurrent use; the engine runs it on one goroutine. Use
// NewQueue to create one.
//
// The engine pops an entry for every event it runs, from a queue that
// mostly holds a handful of entries, so the bookkeeping around each entry,
// not the depth of the heap, is most of the cost. Hence the layout:
//
//   - The heap holds 16-byte keys (time, seq, slot) and the values wait in
//     their slots, so a sift moves one 16-byte word per level whatever E is,
//     and the heap code is not generic.
//   - The heap is 4-ary: half the depth of a binary heap, the four children
//     a sift compares lie side by side, and the least of them is picked by
//     arithmetic rather than by branches that keys in no particular order
//     would mispredict.
//   - Cancel leaves the key in the heap as a tombstone, marked in its slot,
//     so a sift never has to record where keys moved. A tombstone that
//     reaches the root is dropped at once, so the root is always pending,
//     and the heap is compacted when tombstones outnumber pending entries,
//     so they never cost more memory than the pending entries do.
//   - Free slots are linked through the slots themselves: taking or
//     returning one is a load and a store, with no slice to grow or shrink.
//   - seq is 32 bits, to keep a key in 16 bytes; before it would wrap, the
//     pending entries are renumbered in order (once per 2^32 At calls).
//   - At's and Pop's common paths make no call that would make them save
//     their registers: what is rare (growing, renumbering, tombstones, the
//     sift of a queue longer than three) happens out of line.
type Queue[E any] struct {
	heap  []key     // 4-ary min-heap by (at, seq); tombstones included, never at the root
	slots []slot[E] // indexed by key.slot
	free  uint32    // first free slot plus one; 0 when none is free
	dead  int       // tombstones in heap
	now   time.Duration
	seq   uint32 // seq of the latest entry; renumbered before it would wrap
}

// key is a heap entry: what orders it, and the slot that holds its value.
type key struct {
	at   time.Duration
	seq  uint32
	slot uint32
}

// slot holds a pending entry's value and what a Handle is checked against:
// the generation that tells a pending entry from a cancelled or popped one.
// gen is odd exactly while the slot's entry is pending; cancelling or
// popping the entry makes it even, and taking the slot for a new entry makes
// it odd again, so a handle (which carries the odd gen it was issued with)
// matches only its own entry. A cancelled entry keeps its slot until its key
// leaves the heap, so no slot is ever named by two keys.
type slot[E any] struct {
	gen  uint32
	next uint32 // while free: the next free slot plus one, 0 at the end
	ev   E
}

// NewQueue returns an empty queue whose Now is 0.
func NewQueue[E any]() *Queue[E] {
	return &Queue[E]{heap: make([]key, 0, 64), slots: make([]slot[E], 0, 64)}
}

// Now is the virtual time since the start of the run: the time of the last
// popped entry, or the last AdvanceTo, whichever came later.
func (q *Queue[E]) Now() time.Duration { return q.now }

// At schedules e at virtual time t and returns its handle. Scheduling in the
// past would let time run backwards, so t < Now() panics. t == Now() is
// allowed: the entry comes out after everything already due at Now.
func (q *Queue[E]) At(t time.Duration, e E) Handle {
	if t < q.now || q.free == 0 || q.seq == math.MaxUint32 || len(q.heap) == cap(q.heap) {
		// Out of line, and a tail call, so that the common path below
		// keeps its arguments in registers.
		return q.atSlow(t, e)
	}
	idx := q.free - 1
	s := &q.slots[idx]
	q.free = s.next
	gen := s.gen + 1
	s.gen, s.ev = gen, e
	q.seq++
	n := len(q.heap)
	h := q.heap[:n+1]
	q.heap = h
	up(h, n, key{at: t, seq: q.seq, slot: idx})
	return Handle(uint64(gen)<<32 | uint64(idx))
}

// atSlow is At when t is in the past, or there is no free slot, no seq left
// to give or no room in the heap for one more key: it panics or makes the
// room, and then At takes its common path.
func (q *Queue[E]) atSlow(t time.Duration, e E) Handle {
	if t < q.now {
		panicPast("At", t, q.now)
	}
	if q.free == 0 {
		if len(q.slots) == math.MaxUint32 {
			panic("clock: too many pending entries")
		}
		q.slots = append(q.slots, slot[E]{}) // gen 0: free, and At makes it 1
		q.free = uint32(len(q.slots))
	}
	if q.seq == math.MaxUint32 {
		q.renumber()
	}
	q.heap = slices.Grow(q.heap, 1)
	return q.At(t, e)
}

// panicPast is At's and AdvanceTo's panic, kept out of line so that the
// callers stay small.
func panicPast(op string, t, now time.Duration) {
	panic(fmt.Sprintf("clock: %s(%v) is before now (%v)", op, t, now))
}

// After schedules e at Now()+d; a negative d panics, as At does for a time
// in the past.
func (q *Queue[E]) After(d time.Duration, e E) Handle {
	if d < 0 {
		panic(fmt.Sprintf("clock: After(%v): negative delay", d))
	}
	return q.At(q.now+d, e)
}

// Cancel removes the entry h identifies and reports whether it was pending.
// Cancelling an entry that was already popped or cancelled, or the zero
// Handle, returns false and changes nothing. A cancelled entry is never
// returned by Pop.
func (q *Queue[E]) Cancel(h Handle) bool {
	idx, gen := uint32(h), uint32(h>>32)
	if gen&1 == 0 || uint64(idx) >= uint64(len(q.slots)) || q.slots[idx].gen != gen {
		return false
	}
	// The key stays behind as a tombstone, but the value goes now, so that
	// the GC can have what it refers to however long the tombstone waits.
	s := &q.slots[idx]
	var zero E
	s.gen, s.ev = gen+1, zero
	q.dead++
	q.tidy()
	return true
}

// Len is the number of pending entries; cancelled ones are not counted.
func (q *Queue[E]) Len() int { return len(q.heap) - q.dead }

// Peek returns the time of the earliest pending entry, and false if there is
// none.
func (q *Queue[E]) Peek() (time.Duration, bool) {
	if len(q.heap) == 0 {
		return 0, false
	}
	return q.heap[0].at, true
}

// Pop removes and returns the earliest pending entry if it is due at or
// before horizon, and moves Now to its time. Otherwise it returns false and
// leaves Now alone; a horizon before Now therefore never yields an entry.
func (q *Queue[E]) Pop(horizon time.Duration) (E, Handle, bool) {
	h := q.heap
	if len(h) == 0 || h[0].at > horizon {
		var zero E
		return zero, 0, false
	}
	top := h[0]
	// The root comes out first, the sizes of the engine's short queue
	// inline, so that little is live across the calls for longer ones.
	last := len(h) - 1
	x := h[last]
	q.heap = q.heap[:last] // not h[:last]: storing a length only needs no write barrier
	h = h[:last]
	switch {
	case last == 1:
		h[0] = x
	case last == 2:
		if h[1].before(x) {
			h[0], h[1] = h[1], x
		} else {
			h[0] = x
		}
	case last > 2:
		down(h, 0, x)
	}
	s := &q.slots[top.slot]
	gen, ev := s.gen, s.ev
	var zero E
	s.gen, s.ev = gen+1, zero
	if gen != math.MaxUint32 { // release, without reading back what was just stored
		s.next = q.free
		q.free = top.slot + 1
	}
	if q.dead > 0 {
		q.tidy()
	}
	q.now = top.at
	return ev, Handle(uint64(gen)<<32 | uint64(top.slot)), true
}

// AdvanceTo moves Now to t without popping anything. t must be neither
// before Now nor after the earliest pending entry (that entry would then lie
// in the past); both panic.
func (q *Queue[E]) AdvanceTo(t time.Duration) {
	if t < q.now {
		panicPast("AdvanceTo", t, q.now)
	}
	if len(q.heap) > 0 && q.heap[0].at < t {
		panic(fmt.Sprintf("clock: AdvanceTo(%v) would skip the entry due at %v", t, q.heap[0].at))
	}
	q.now = t
}

// release frees the slot of a key leaving the heap, whose gen is already
// even, and drops its value so that the GC can have what it refers to.
func (q *Queue[E]) release(idx uint32) {
	s := &q.slots[idx]
	var zero E
	s.ev = zero
	if s.gen == 0 {
		// gen wrapped: retire the slot rather than let a handle match a
		// later entry. This costs one slot per 2^31 uses.
		return
	}
	s.next = q.free
	q.free = idx + 1
}

// removeRoot takes the root's key out of the heap.
func (q *Queue[E]) removeRoot() {
	last := len(q.heap) - 1
	x := q.heap[last]
	q.heap = q.heap[:last]
	if last > 0 {
		down(q.heap, 0, x)
	}
}

// tidy restores what Cancel and Pop leave to it: it drops tombstones from
// the root until the root is pending (Peek, Pop and AdvanceTo read it
// alone), and compacts the heap when tombstones outnumber pending entries.
// Each tombstone is dropped or compacted once, so both cost O(1) amortized
// per Cancel, and tombstones never take more room than pending entries.
func (q *Queue[E]) tidy() {
	// A tombstone is in the heap while dead > 0, so the heap is not empty.
	for q.dead > 0 && q.slots[q.heap[0].slot].gen&1 == 0 {
		q.dead--
		q.release(q.heap[0].slot)
		q.removeRoot()
	}
	if q.dead > len(q.heap)-q.dead {
		q.compact()
	}
}

// compact drops every tombstone and restores the heap order, in O(n).
func (q *Queue[E]) compact() {
	h := q.heap
	n := 0
	for _, k := range h {
		if q.slots[k.slot].gen&1 == 0 {
			q.release(k.slot)
			continue
		}
		h[n] = k
		n++
	}
	h = h[:n]
	q.heap, q.dead = h, 0
	if n < 2 {
		// Already a heap; and (n-2)/4 truncates to 0 for n = 0, which
		// would read a key that is not there (renumber compacts a queue
		// that may be empty).
		return
	}
	for i := (n - 2) / 4; i >= 0; i-- {
		down(h, i, h[i])
	}
}

// renumber gives the pending entries the seqs 1..n in their order, so that
// seq, 32 bits to keep a key in 16 bytes, can go on counting without
// wrapping: ties keep their order, and an entry scheduled later still gets
// a greater seq. It runs once per 2^32 At calls, at a cost of O(n log n). A
// sorted array is a valid heap, so sorting is all the heap needs.
func (q *Queue[E]) renumber() {
	q.compact()
	slices.SortFunc(q.heap, func(a, b key) int {
		if c := cmp.Compare(a.at, b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	for i := range q.heap {
		q.heap[i].seq = uint32(i + 1)
	}
	q.seq = uint32(len(q.heap))
}

// before reports whether a comes out before b.
func (a key) before(b key) bool { return a.first(b) != 0 }

// first is 1 if a comes out before b and 0 if not: (at, seq) compared as
// one 96-bit number by a subtraction's borrow, with no branch for a sift
// through keys in no particular order to mispredict half the time. at is
// never negative (At refuses a time before Now, which starts at 0), so it
// compares as unsigned.
func (a key) first(b key) int {
	_, borrow := bits.Sub64(uint64(a.seq), uint64(b.seq), 0)
	_, borrow = bits.Sub64(uint64(a.at), uint64(b.at), borrow)
	return int(borrow)
}

// up puts the new key x into the hole at i and moves it towards the root,
// shifting parents down into the hole instead of swapping. x was scheduled
// after every key in the heap, so it goes above a parent only if it is due
// strictly earlier: its seq breaks every tie in the parent's favour.
func up(h []key, i int, x key) {
	for i > 0 {
		p := (i - 1) / 4
		if x.at >= h[p].at {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
}

// down puts x into the hole at i and moves it towards the leaves, shifting
// the least child up into the hole while it goes before x. The least of
// four children is picked by arithmetic on first's bits, a knockout of two
// pairs; only whether x goes on down is a branch, and that one is mostly
// predicted (x, taken from the end of the heap, is mostly due late).
func down(h []key, i int, x key) {
	n := len(h)
	for {
		c := 4*i + 1
		if c >= n || c < 0 { // c < 0 after int overflow
			break
		}
		var m int
		if c+4 <= n {
			k := h[c : c+4 : c+4]
			a := k[1].first(k[0])
			b := 2 + k[3].first(k[2])
			m = c + a + (b-a)*k[b].first(k[a])
		} else {
			m = c
			for j := c + 1; j < n; j++ {
				m += (j - m) * h[j].first(h[m])
			}
		}
		if !h[m].before(x) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = x
}
