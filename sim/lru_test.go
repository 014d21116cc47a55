package sim

import (
	"testing"

	"github.com/dapr-sim/sim/policies/breaker"
)

// Dapr keeps an actor type's breakers in an LRU: the least recently used
// instance is evicted when the cache is full, and its state is lost.
func TestBreakerLRUEvictsLeastRecentlyUsed(t *testing.T) {
	c := newBreakerLRU(2)
	s := breaker.Settings{Name: "x"}
	a := c.get("a", s)
	b := c.get("b", s)
	if c.get("a", s) != a {
		t.Fatal("a hit returned a new instance")
	}
	c.get("c", s) // evicts b, the least recently used
	if c.get("a", s) != a {
		t.Error("a was evicted, want b")
	}
	if got := c.get("b", s); got == b {
		t.Error("b survived: want a fresh instance after its eviction")
	}
	if len(c.items) != 2 {
		t.Errorf("cache holds %d, want 2", len(c.items))
	}
}
