package policies

import "sync"

// compiled holds what CompileTrip and CompileMatch built, by source text,
// for the process: a sweep prepares every run's spec afresh, and compiling
// a CEL expression (Dapr's compile loop, a cost estimate, a program) cost
// a run of the quickstart more than its scenario's parsing did. What they
// build depends on the text alone, is never modified, and its program is
// safe for concurrent use (cel.Program), so every spec may share one.
// Errors are not kept: a bad expression stops the run that has it.
type compiled[T any] struct {
	mu sync.Mutex
	m  map[string]T
}

// maxCompiled bounds each cache: a process compiling more distinct
// expressions than this (a fuzzer, a sweep of trips) compiles the others
// each time, as it did before there was a cache.
const maxCompiled = 256

var (
	trips   compiled[*Trip]
	matches compiled[*Match]
)

// get returns the value built for src, building it (outside the lock: two
// goroutines may build the same one, and both get an equal value) if it
// is not kept.
func (c *compiled[T]) get(src string, build func(string) (T, error)) (T, error) {
	c.mu.Lock()
	v, ok := c.m[src]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := build(src)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[src]; ok {
		return old, nil
	}
	if len(c.m) < maxCompiled {
		if c.m == nil {
			c.m = map[string]T{}
		}
		c.m[src] = v
	}
	return v, nil
}
