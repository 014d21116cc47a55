package whatif

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func retunes() int {
	gcTuned.Lock()
	defer gcTuned.Unlock()
	return gcTuned.retunes
}

// TuneGC raises the target while the live heap is under MinHeap/2, again
// after each collection, and puts back the one it found once the last of
// overlapping sweeps ends; a target other than 100 it leaves as it is.
func TestTuneGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	runtime.GC() // a live heap to tune for: this test's, far under MinHeap
	a := TuneGC()
	b := TuneGC()
	if got := gcPercent(); got <= 100 {
		t.Errorf("tuned: GOGC %d, want above 100 for a small heap", got)
	}
	// After a collection, its cleanup tunes again (it runs on a goroutine
	// of its own: collect until it has).
	before := retunes()
	for i := 0; i < 100 && retunes() == before; i++ {
		runtime.GC()
		runtime.Gosched()
	}
	if retunes() == before {
		t.Error("no retune after 100 collections")
	}
	if got := gcPercent(); got <= 100 {
		t.Errorf("tuned after a collection: GOGC %d, want above 100", got)
	}
	a()
	a() // undoing twice undoes once
	if got := gcPercent(); got <= 100 {
		t.Errorf("one sweep of two ended: GOGC %d, want it still tuned", got)
	}
	b()
	if got := gcPercent(); got != 100 {
		t.Errorf("both ended: GOGC %d, want 100 back", got)
	}
	after := retunes()
	for range 5 {
		runtime.GC()
		runtime.Gosched()
	}
	if got := gcPercent(); got != 100 || retunes() > after+1 {
		t.Errorf("ended, then collections: GOGC %d, %d retunes, want 100 and none (but the one pending)", got, retunes()-after)
	}
	for _, p := range []int{-1, 50, 400} {
		debug.SetGCPercent(p)
		undo := TuneGC()
		if got := gcPercent(); got != p {
			t.Errorf("found %d: tuned to %d, want it left", p, got)
		}
		undo()
		if got := gcPercent(); got != p {
			t.Errorf("found %d: restored %d", p, got)
		}
	}
}
