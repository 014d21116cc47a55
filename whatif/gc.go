package whatif

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// MinHeap is the heap a sweep lets grow before the garbage collector runs,
// while TuneGC holds. A sweep's live heap is little more than its runs in
// flight, each a few megabytes of miniredis maps built up and dropped
// whole: at Go's default (GOGC 100: collect when the heap is twice what
// the last collection kept) the collector ran about once a run of the
// quickstart hour, and marking those maps, with the write barriers and
// assists while it marked, cost about a third of a point's CPU
// (BenchmarkSweepQuickstartHour with GOGC=100 and without, interleaved),
// each cycle's stop-the-world also waiting for every busy core. That sweep now peaks at 52-61 MB resident, from
// 32 MB. Runs whose live heap is above half of MinHeap (a sweep of
// virtual days, 150-200 MB) collect as at GOGC 100.
const MinHeap = 32 << 20

// gcTuned is the tuning in force: how many TuneGC calls are not undone
// (sweeps overlapping in one process, as tests do), the target they
// found, and the generation that each collection's cleanup checks to
// know whether it still tunes.
var gcTuned struct {
	sync.Mutex
	n       int
	base    int // the GOGC found
	gen     int
	retunes int // calls of retune, for tests
}

// TuneGC sets the collector's target, after every collection, so that
// the next one comes when the heap reaches MinHeap or twice what it keeps
// (Go's default), whichever is more; it returns the function that undoes
// it. It leaves a target other than 100 (GOGC set, or the collector off)
// as it is. sim sweep calls it when the environment sets no GOGC.
func TuneGC() (restore func()) {
	gcTuned.Lock()
	defer gcTuned.Unlock()
	if gcTuned.n == 0 {
		gcTuned.base = debug.SetGCPercent(100)
		debug.SetGCPercent(gcTuned.base)
		if gcTuned.base == 100 {
			gcTuned.gen++
			retune(gcTuned.gen)
		}
	}
	gcTuned.n++
	return sync.OnceFunc(func() {
		gcTuned.Lock()
		defer gcTuned.Unlock()
		if gcTuned.n--; gcTuned.n == 0 && gcTuned.base == 100 {
			gcTuned.gen++ // the pending cleanup stops
			debug.SetGCPercent(gcTuned.base)
		}
	})
}

// retune sets the target for the heap the last collection kept, and
// arranges to be called again after the next collection (a cleanup of an
// object nothing holds runs after the collection that finds it
// unreachable), as long as gen is the tuning in force. Called with
// gcTuned held, or from that cleanup.
func retune(gen int) {
	gcTuned.retunes++
	debug.SetGCPercent(targetFor(MinHeap))
	// Not a tiny object (no pointers, under 16 bytes): those share a block,
	// and a cleanup on one may never run.
	sentinel := new([32]byte)
	runtime.AddCleanup(sentinel, func(gen int) {
		gcTuned.Lock()
		defer gcTuned.Unlock()
		if gen == gcTuned.gen {
			retune(gen)
		}
	}, gen)
}

// targetFor returns the GOGC that makes the next collection's goal heap
// bytes, or 100 when Go's default goal is that much already. The runtime's
// goal is live + (live + stacks + globals) × GOGC/100, and at least 4 MB ×
// GOGC/100 (its heap minimum); the figures are read again if a collection
// ended meanwhile (the heap they describe changed).
func targetFor(heap uint64) int {
	const heapMinimum = 4 << 20 // the runtime's at GOGC 100
	s := []metrics.Sample{
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"},
		{Name: "/gc/cycles/total:gc-cycles"},
	}
	for range 3 {
		metrics.Read(s)
		var v [5]uint64
		for i := range s {
			if s[i].Value.Kind() != metrics.KindUint64 {
				return 100 // not this runtime's metrics: Go's default
			}
			v[i] = s[i].Value.Uint64()
		}
		if v[0] != v[4] {
			continue
		}
		live, scan := v[1], v[1]+v[2]+v[3]
		if live == 0 || live+scan >= heap {
			return 100
		}
		return max(100, int(min((heap-live)*100/scan, heap*100/heapMinimum)))
	}
	return 100
}
