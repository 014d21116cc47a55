package breaker

import (
	"cmp"
	"slices"
	"time"
)

// Edge is a state change a breaker can make, From → To.
type Edge struct{ From, To State }

// String renders the edge as "closed→open".
func (e Edge) String() string { return e.From.String() + "→" + e.To.String() }

var edges = tableEdges()

// Edges returns the state changes the breaker's table makes (rows whose To
// differs from their From, each pair once), in the order of a breaker's
// life: by the order the states are first reached from Closed, and from one
// state the change to the later-reached state first (half-open fails back
// to open before it recovers to closed). The caller may keep the slice.
func Edges() []Edge { return append([]Edge(nil), edges...) }

func tableEdges() []Edge {
	var out []Edge
	for _, r := range table.Rows() {
		e := Edge{r.From, r.To}
		if e.From != e.To && !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	// The order states are first reached in, walking the edges from Closed.
	reached := map[State]int{Closed: 0}
	for grew := true; grew; {
		grew = false
		for _, e := range out {
			if _, ok := reached[e.From]; !ok {
				continue
			}
			if _, ok := reached[e.To]; !ok {
				reached[e.To] = len(reached)
				grew = true
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Edge) int {
		return cmp.Or(cmp.Compare(reached[a.From], reached[b.From]), cmp.Compare(reached[b.To], reached[a.To]))
	})
	return out
}

// TripCounts returns the counts ReadyToTrip sees when a failure reported at
// now makes closed breaker b trip (gobreaker's afterRequest): the counts
// of b's window, cleared first when its interval ran out before now, with
// the failure added.
func (b Breaker) TripCounts(now time.Duration) Counts {
	c := b.Counts
	if b.State == Closed && b.Expires && b.Expiry < now {
		c = Counts{}
	}
	c.onFailure()
	return c
}
