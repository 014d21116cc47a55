package sim

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
)

// MaxHeldWindows bounds the fault windows that may hold at once on one
// target. An attempt consults every window holding when it starts, so the
// bound keeps an attempt's cost small however many windows the scenario
// has in all (issue 11: 800,000 windows one after the other are fine, a
// thousand stacked on one instant are not a model of anything).
const MaxHeldWindows = 100

// windowIndex holds one target's fault windows for the engine: their
// indices in order of start, and those holding at the last instant asked
// about, in file order. Attempts start in time order, so the index only
// moves forward: each window is added and dropped once, and an attempt
// looks at the windows that hold, not at all of them.
type windowIndex struct {
	byFrom []int32 // by (From, file order)
	next   int     // byFrom[next:] have not started yet
	held   []int32 // started and not ended, in file order
}

// indexWindows builds one index per target that has windows.
func indexWindows(ws []Window) map[string]*windowIndex {
	idx := map[string]*windowIndex{}
	for i := range ws {
		x := idx[ws[i].Target]
		if x == nil {
			x = &windowIndex{}
			idx[ws[i].Target] = x
		}
		x.byFrom = append(x.byFrom, int32(i))
	}
	for _, x := range idx {
		sort.SliceStable(x.byFrom, func(a, b int) bool { return ws[x.byFrom[a]].From < ws[x.byFrom[b]].From })
	}
	return idx
}

// at returns the windows holding at now (a superset: matches has the last
// word), in file order. now must not go back between calls.
func (x *windowIndex) at(ws []Window, now time.Duration) []int32 {
	for x.next < len(x.byFrom) && ws[x.byFrom[x.next]].From <= now {
		i := x.byFrom[x.next]
		pos, _ := slices.BinarySearch(x.held, i)
		x.held = slices.Insert(x.held, pos, i)
		x.next++
	}
	x.held = slices.DeleteFunc(x.held, func(i int32) bool { return ws[i].HasTo && now >= ws[i].To })
	return x.held
}

// checkHeldWindows reports the first window that would make more than
// MaxHeldWindows hold at once on its target, within the horizon.
func checkHeldWindows(sc *Scenario) *diag.Error {
	type edge struct {
		t     time.Duration
		start bool
		i     int
	}
	byTarget := map[string][]edge{}
	for i := range sc.Windows {
		w := &sc.Windows[i]
		if w.From > sc.Duration || (w.HasTo && w.To <= w.From) {
			continue
		}
		byTarget[w.Target] = append(byTarget[w.Target], edge{w.From, true, i})
		if w.HasTo {
			byTarget[w.Target] = append(byTarget[w.Target], edge{w.To, false, i})
		}
	}
	var worst *diag.Error
	for target, es := range byTarget {
		// A window holds over [From, To): at one instant, ends come first.
		sort.Slice(es, func(a, b int) bool {
			if es[a].t != es[b].t {
				return es[a].t < es[b].t
			}
			if es[a].start != es[b].start {
				return !es[a].start
			}
			return es[a].i < es[b].i
		})
		n := 0
		for _, e := range es {
			if !e.start {
				n--
				continue
			}
			n++
			if n > MaxHeldWindows {
				w := &sc.Windows[e.i]
				if worst == nil || w.Line < worst.Line {
					worst = &diag.Error{File: sc.File, Line: w.Line, Field: fmt.Sprintf("faults[%d]", w.Index),
						Msg: fmt.Sprintf("this window makes %d hold at once on %s at %s, more than %d: merge overlapping windows into one (their latency and failure modes combine by the longest latency and the first failure)", n, target, e.t, MaxHeldWindows)}
				}
				break
			}
		}
	}
	return worst
}
