package sim

import (
	"runtime"
	"testing"
	"time"
)

// proposedEntry is one key in the layout docs/speed.md proposes to
// miniredis: everything miniredis keeps of a key in four maps (its type, a
// version for WATCH, a last-use time for OBJECT IDLETIME, and for a hash a
// map of its own) in one entry of one map, a small hash's fields as a
// slice of pairs, as Redis's listpack does, and a map only past a size
// (128 fields, Redis's hash-max-listpack-entries).
type proposedEntry struct {
	typ     string
	version uint
	lru     time.Time
	pairs   []string // field, value, field, value, ...
	big     map[string]string
}

// field is HGET on the entry's hash.
func (e *proposedEntry) field(name string) string {
	for i := 0; i+1 < len(e.pairs); i += 2 {
		if e.pairs[i] == name {
			return e.pairs[i+1]
		}
	}
	return e.big[name]
}

// BenchmarkProposedKeyLayout measures the proposed layout on the day's
// keys and operations, beside BenchmarkStoreDay's miniredis v2.40 (issue
// 16: memory per stored key close to what Redis needs). Nothing in sim
// uses it: it is the design, measured.
func BenchmarkProposedKeyLayout(b *testing.B) {
	const keys = 86400
	now := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	var base, live uint64
	var keyBuf []byte
	for i := 0; i < b.N; i++ {
		if i == 0 {
			b.StopTimer()
			base = heapAlloc()
			b.StartTimer()
		}
		db := map[string]*proposedEntry{}
		for it := 1; it <= keys; it++ {
			keyBuf = append(append(keyBuf[:0], "order-processor||"...), expand(DefaultKey, it, 0)...)
			key := string(keyBuf)
			// The save: HSET data and version, as StateStore.do issues it.
			e := db[key]
			if e == nil {
				e = &proposedEntry{typ: "hash"}
				db[key] = e
			}
			e.pairs = append(e.pairs, "data", expand(DefaultValue, it, 0), "version", "1")
			e.version += 2
			e.lru = now
			// The get: HGET data.
			if db[key].field("data") == "" {
				b.Fatal("a get must read what the save wrote")
			}
		}
		if i == 0 {
			b.StopTimer()
			live = heapAlloc() - base
			runtime.KeepAlive(db)
			b.StartTimer()
		}
	}
	b.ReportMetric(float64(live)/keys, "live-B/key")
}
