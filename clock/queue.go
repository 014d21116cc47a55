package clock

import (
	"fmt"
	"math"
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
// Push, Pop and Cancel are O(log n) and do not allocate once the queue's
// storage has grown to its peak size. A Queue is not safe for concurrent
// use; the engine runs it on one goroutine. Use NewQueue to create one.
type Queue[E any] struct {
	heap  []entry[E] // binary min-heap by (at, seq)
	slots []slot     // indexed by entry.slot: where each live entry sits in heap
	free  []uint32   // indices of unused slots, reused last-in first-out
	now   time.Duration
	seq   uint64
}

// entry is stored by value so that pushing and popping never allocate.
type entry[E any] struct {
	at   time.Duration
	seq  uint64
	slot uint32
	ev   E
}

// slot ties a Handle to the current heap position of its entry, which is
// what lets Cancel remove an entry at once instead of leaving a tombstone.
type slot struct {
	pos int    // index in Queue.heap, or -1 when the slot is unused
	gen uint32 // bumped whenever the slot is freed, so stale handles miss
}

// NewQueue returns an empty queue whose Now is 0.
func NewQueue[E any]() *Queue[E] {
	return &Queue[E]{heap: make([]entry[E], 0, 64), slots: make([]slot, 0, 64)}
}

// Now is the virtual time since the start of the run: the time of the last
// popped entry, or the last AdvanceTo, whichever came later.
func (q *Queue[E]) Now() time.Duration { return q.now }

// At schedules e at virtual time t and returns its handle. Scheduling in the
// past would let time run backwards, so t < Now() panics. t == Now() is
// allowed: the entry comes out after everything already due at Now.
func (q *Queue[E]) At(t time.Duration, e E) Handle {
	if t < q.now {
		panic(fmt.Sprintf("clock: At(%v) is before now (%v)", t, q.now))
	}
	var idx uint32
	if n := len(q.free); n > 0 {
		idx = q.free[n-1]
		q.free = q.free[:n-1]
	} else {
		if len(q.slots) == math.MaxUint32 {
			panic("clock: too many pending entries")
		}
		idx = uint32(len(q.slots))
		q.slots = append(q.slots, slot{gen: 1})
	}
	q.seq++
	// The new entry goes up from the end in a register, not written to the
	// end and read back: a read of what was just stored in parts stalls
	// the load until the stores drain (the heap's most frequent read).
	q.heap = append(q.heap, entry[E]{})
	q.up(len(q.heap)-1, entry[E]{at: t, seq: q.seq, slot: idx, ev: e})
	return Handle(uint64(q.slots[idx].gen)<<32 | uint64(idx))
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
	if uint64(idx) >= uint64(len(q.slots)) || q.slots[idx].gen != gen || q.slots[idx].pos < 0 {
		return false
	}
	q.remove(q.slots[idx].pos)
	return true
}

// Len is the number of pending entries; cancelled ones are not counted.
func (q *Queue[E]) Len() int { return len(q.heap) }

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
	if len(q.heap) == 0 || q.heap[0].at > horizon {
		var zero E
		return zero, 0, false
	}
	top := q.heap[0]
	h := Handle(uint64(q.slots[top.slot].gen)<<32 | uint64(top.slot))
	q.remove(0)
	q.now = top.at
	return top.ev, h, true
}

// AdvanceTo moves Now to t without popping anything. t must be neither
// before Now nor after the earliest pending entry (that entry would then lie
// in the past); both panic.
func (q *Queue[E]) AdvanceTo(t time.Duration) {
	if t < q.now {
		panic(fmt.Sprintf("clock: AdvanceTo(%v) is before now (%v)", t, q.now))
	}
	if len(q.heap) > 0 && q.heap[0].at < t {
		panic(fmt.Sprintf("clock: AdvanceTo(%v) would skip the entry due at %v", t, q.heap[0].at))
	}
	q.now = t
}

// remove takes the entry at heap index i out and frees its slot.
func (q *Queue[E]) remove(i int) {
	h := q.heap
	last := len(h) - 1
	idx := h[i].slot
	x := h[last]
	h[last] = entry[E]{} // drop the reference to ev so the GC can have it
	q.heap = h[:last]
	if i != last && !q.down(i, x) {
		q.up(i, x)
	}

	s := &q.slots[idx]
	s.pos = -1
	if s.gen == math.MaxUint32 {
		// Retire the slot rather than let its generation wrap: a handle must
		// never match a later entry. This costs one slot per 2^32 reuses.
		return
	}
	s.gen++
	q.free = append(q.free, idx)
}

func (a *entry[E]) before(b *entry[E]) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// up puts x into the hole at i and moves it towards the root, shifting
// parents down into the hole instead of swapping, and records every new
// position in slots.
func (q *Queue[E]) up(i int, x entry[E]) {
	h := q.heap
	for i > 0 {
		p := (i - 1) / 2
		if !x.before(&h[p]) {
			break
		}
		h[i] = h[p]
		q.slots[h[i].slot].pos = i
		i = p
	}
	h[i] = x
	q.slots[x.slot].pos = i
}

// down puts x into the hole at i and moves it towards the leaves, and
// reports whether it moved; when it did not, the hole is x's.
func (q *Queue[E]) down(i int, x entry[E]) bool {
	h := q.heap
	n := len(h)
	i0 := i
	for {
		c := 2*i + 1
		if c >= n || c < 0 { // c < 0 after int overflow
			break
		}
		if r := c + 1; r < n && h[r].before(&h[c]) {
			c = r
		}
		if !h[c].before(&x) {
			break
		}
		h[i] = h[c]
		q.slots[h[i].slot].pos = i
		i = c
	}
	h[i] = x
	q.slots[x.slot].pos = i
	return i > i0
}
