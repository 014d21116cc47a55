package expect

// The evaluation of each Check over a whole Timeline as it was before the
// folds (fold.go), kept as the oracle the folds are compared with
// (TestFoldsMatchWholeRun): the same results, from every event held.

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/traces"
)

// wholeEval is c.Eval as it was, over every event of tl.
func wholeEval(c Check, tl *Timeline) Result {
	switch c := c.(type) {
	case *BreakerState:
		return wholeBreakerState(c, tl)
	case *Transition:
		return wholeTransition(c, tl)
	case *Log:
		return wholeLog(c, tl)
	case *Count:
		return wholeCount(c, tl)
	case *Delay:
		return wholeDelay(c, tl)
	}
	panic(fmt.Sprintf("no whole evaluation of %T", c))
}

func wholeBreakerState(c *BreakerState, tl *Timeline) Result {
	idx := tl.breakerEvents(c.Breaker)
	r := Result{Note: tl.breakersNote(c.Breaker)}
	start := c.At
	if c.Throughout != nil {
		start = c.Throughout.From
		r.Expected = fmt.Sprintf("%s at every instant from %s to %s", c.State, c.Throughout.From, c.Throughout.To)
	} else {
		r.Expected = fmt.Sprintf("%s at %s", c.State, c.At)
	}
	state, at := tl.StateAt(c.Breaker, start)
	if state != c.State {
		r.Actual = fmt.Sprintf("%s at %s (%s)", state, start, wholeSince(tl, at))
		r.Nearest = tl.wholeAround(idx, start, 2, 2)
		return r
	}
	if c.Throughout != nil {
		for k, i := range idx {
			e := &tl.Events[i]
			if e.T > c.Throughout.From && e.T <= c.Throughout.To && e.To != c.State {
				r.Actual = fmt.Sprintf("%s at %s, then %s at %s", state, start, e.To, e.T)
				// The one that left the state, one before it, two after.
				r.Nearest = tl.wholeRender(idx[max(k-1, 0):min(k+3, len(idx))], 4)
				return r
			}
		}
		r.Actual = fmt.Sprintf("%s throughout", state)
	} else {
		r.Actual = fmt.Sprintf("%s (%s)", state, wholeSince(tl, at))
	}
	r.OK = true
	return r
}

func wholeTransition(c *Transition, tl *Timeline) Result {
	r := Result{Expected: fmt.Sprintf("%s->%s %s %s", c.From, c.To, c.Times, c.Window), Note: tl.breakersNote(c.Breaker)}
	var in, all []int
	for _, i := range tl.breakerEvents(c.Breaker) {
		e := &tl.Events[i]
		if e.From == c.From && e.To == c.To {
			all = append(all, i)
			if c.Window.holds(e.T) {
				in = append(in, i)
			}
		}
	}
	r.OK = c.Times.holds(len(in))
	r.Actual = fmt.Sprintf("%s %s", times(len(in)), c.Window)
	if c.Window != nil && len(all) > len(in) {
		var outside []string
		for _, i := range all {
			if !c.Window.holds(tl.Events[i].T) {
				outside = append(outside, tl.Events[i].T.String())
			}
		}
		r.Actual += "; outside it at " + strings.Join(outside, ", ")
	}
	if r.OK {
		return r
	}
	switch {
	case len(in) > 0:
		r.Nearest = tl.wholeRender(in, 5)
	case len(all) > 0:
		r.Nearest = tl.wholeNearestTo(all, c.Window, 3)
	default:
		// No such transition at all: show what the breaker did instead.
		r.Nearest = tl.wholeNearestTo(tl.breakerEvents(c.Breaker), c.Window, 5)
	}
	return r
}

func wholeLog(c *Log, tl *Timeline) Result {
	r := Result{Expected: fmt.Sprintf("a line matching %s %s, %s", c.pattern(), c.Window, c.Times)}
	if c.Times == Never {
		r.Expected = fmt.Sprintf("no line matching %s %s", c.pattern(), c.Window)
	}
	var in, all []int
	for i, l := range tl.Lines {
		if c.match(l.Text) {
			all = append(all, i)
			if c.Window.holds(l.T) {
				in = append(in, i)
			}
		}
	}
	r.OK = c.Times.holds(len(in))
	r.Actual = fmt.Sprintf("%s %s", times(len(in)), c.Window)
	if c.Window != nil && len(all) > len(in) {
		r.Actual += fmt.Sprintf("; %s outside it", times(len(all)-len(in)))
	}
	if r.OK {
		return r
	}
	switch {
	case len(in) > 0:
		for k, i := range in {
			if k == 5 {
				r.Nearest = append(r.Nearest, fmt.Sprintf("… and %d more", len(in)-5))
				break
			}
			r.Nearest = append(r.Nearest, tl.Lines[i].String())
		}
	case len(all) > 0:
		for _, k := range wholeNearest(len(all), 3, func(k int) time.Duration { return c.Window.distance(tl.Lines[all[k]].T) }) {
			r.Nearest = append(r.Nearest, tl.Lines[all[k]].String())
		}
	default:
		// Nothing matches anywhere: show the sidecar's own lines printed
		// nearest the window (app lines too if the pattern is about them),
		// so a wording difference is visible.
		var cand []int
		for i, l := range tl.Lines {
			if !strings.HasPrefix(l.Text, appPrefix) || strings.Contains(c.pattern(), "APP") {
				cand = append(cand, i)
			}
		}
		for _, k := range wholeNearest(len(cand), 4, func(k int) time.Duration { return c.Window.distance(tl.Lines[cand[k]].T) }) {
			r.Nearest = append(r.Nearest, tl.Lines[cand[k]].String())
		}
	}
	return r
}

func wholeCount(c *Count, tl *Timeline) Result {
	var hit []int
	seen := map[[2]string]bool{} // the names any event of the run carries, to catch a misspelt filter
	// Every event goes through the fold, counted or not: whether a
	// delivery is a message's first take depends on all before it.
	msgs := traces.NewMessages()
	for i := range tl.Events {
		e := &tl.Events[i]
		fate := msgs.Add(e)
		seen[[2]string{"target", e.Target}], seen[[2]string{"app", e.App}], seen[[2]string{"op", e.Op}] = true, true, true
		seen[[2]string{"result", e.Result}] = true
		if !c.What.counts(e, fate) || !c.Window.holds(e.T) {
			continue
		}
		if (c.Target == "" || e.Target == c.Target) && (c.App == "" || e.App == c.App) && (c.Op == "" || e.Op == c.Op) &&
			(c.Result == "" || e.Result == c.Result) {
			hit = append(hit, i)
		}
	}
	r := Result{Expected: fmt.Sprintf("%s%s %s", c.What, c.filters(), c.boundText()), OK: c.Bound.holds(len(hit))}
	if c.Window != nil {
		r.Expected = fmt.Sprintf("%s%s %s %s", c.What, c.filters(), c.Window, c.boundText())
	}
	r.Actual = strconv.Itoa(len(hit))
	var unseen []string
	for _, f := range [...][2]string{{"target", c.Target}, {"app", c.App}, {"op", c.Op}, {"result", c.Result}} {
		if f[1] != "" && !seen[[2]string{f[0], f[1]}] {
			unseen = append(unseen, fmt.Sprintf("%s %q", f[0], f[1]))
		}
	}
	if len(unseen) > 0 {
		r.Note = fmt.Sprintf("no event of the run names %s", strings.Join(unseen, " or "))
	}
	if !r.OK {
		r.Nearest = tl.wholeRender(hit, 5)
	}
	return r
}

func wholeDelay(c *Delay, tl *Timeline) Result {
	r := Result{Expected: fmt.Sprintf("end-to-end delay%s at most %s", c.filters(), c.Max)}
	if c.Window != nil {
		r.Expected = fmt.Sprintf("end-to-end delay%s of deliveries %s at most %s", c.filters(), c.Window, c.Max)
	}
	msgs := traces.NewMessages()
	worst, delivered := -1, 0
	var worstD time.Duration
	var over []int
	seen := map[[2]string]bool{}
	for i := range tl.Events {
		e := &tl.Events[i]
		fate := msgs.Add(e)
		seen[[2]string{"target", e.Target}], seen[[2]string{"app", e.App}] = true, true
		if fate != traces.FirstTaken || !c.Window.holds(e.T) ||
			(c.Target != "" && e.Target != c.Target) || (c.App != "" && e.App != c.App) {
			continue
		}
		at, ok := traces.PublishedAt(e.Message)
		if !ok {
			continue // an input binding's event: no publish to measure from
		}
		delivered++
		if d := e.T - at; worst < 0 || d > worstD {
			worst, worstD = i, d
		}
		if e.T-at > c.Max {
			over = append(over, i)
		}
	}
	var unseen []string
	for _, f := range [...][2]string{{"target", c.Target}, {"app", c.App}} {
		if f[1] != "" && !seen[[2]string{f[0], f[1]}] {
			unseen = append(unseen, fmt.Sprintf("%s %q", f[0], f[1]))
		}
	}
	if len(unseen) > 0 {
		r.Note = fmt.Sprintf("no event of the run names %s", strings.Join(unseen, " or "))
	}
	r.OK = len(over) == 0
	if worst < 0 {
		r.Actual = "no message delivered"
		if r.Note == "" {
			r.Note = "no message was delivered, so none was late"
		}
		return r
	}
	e := &tl.Events[worst]
	at, _ := traces.PublishedAt(e.Message)
	r.Actual = fmt.Sprintf("worst %s of %d delivered: message %s to %s, published at %s, delivered at %s",
		worstD, delivered, e.Message, e.App, at, e.T)
	if len(over) > 0 {
		r.Actual += fmt.Sprintf("; %d over %s", len(over), c.Max)
		r.Nearest = tl.latest(over, 5)
	}
	return r
}

func (tl *Timeline) breakerEvents(name string) []int {
	var out []int
	for i := range tl.Events {
		if e := &tl.Events[i]; e.Kind == traces.Breaker && e.Name == name {
			out = append(out, i)
		}
	}
	return out
}

func (tl *Timeline) breakersNote(name string) string {
	seen := map[string]bool{}
	var names []string
	for i := range tl.Events {
		if e := &tl.Events[i]; e.Kind == traces.Breaker && !seen[e.Name] {
			seen[e.Name] = true
			names = append(names, e.Name)
		}
	}
	if seen[name] {
		return ""
	}
	sort.Strings(names)
	if len(names) == 0 {
		return fmt.Sprintf("no breaker changed state in this run, %q included", name)
	}
	return fmt.Sprintf("breaker %q never changed state in this run (breakers that did: %s)", name, strings.Join(names, ", "))
}

func (tl *Timeline) describe(i int) string { return traces.Describe(&tl.Events[i]) }

// around returns up to before indexes of idx at or before t and up to after
// ones later, in order, rendered.
func (tl *Timeline) wholeAround(idx []int, t time.Duration, before, after int) []string {
	split := sort.Search(len(idx), func(k int) bool { return tl.Events[idx[k]].T > t })
	lo := max(split-before, 0)
	hi := min(split+after, len(idx))
	out := make([]string, 0, hi-lo)
	for _, i := range idx[lo:hi] {
		out = append(out, tl.describe(i))
	}
	return out
}

func wholeSince(tl *Timeline, at int) string {
	if at < 0 {
		return "no transition before"
	}
	e := &tl.Events[at]
	return fmt.Sprintf("since %s->%s at %s", e.From, e.To, e.T)
}

func (tl *Timeline) wholeRender(idx []int, limit int) []string {
	var out []string
	for k, i := range idx {
		if k == limit {
			out = append(out, fmt.Sprintf("… and %d more", len(idx)-limit))
			break
		}
		out = append(out, tl.describe(i))
	}
	return out
}

func (tl *Timeline) wholeNearestTo(idx []int, w *Window, n int) []string {
	pick := wholeNearest(len(idx), n, func(k int) time.Duration { return w.distance(tl.Events[idx[k]].T) })
	out := make([]string, len(pick))
	for j, k := range pick {
		out[j] = tl.describe(idx[k])
	}
	return out
}

func wholeNearest(count, n int, dist func(int) time.Duration) []int {
	pos := make([]int, count)
	for i := range pos {
		pos[i] = i
	}
	sort.SliceStable(pos, func(a, b int) bool { return dist(pos[a]) < dist(pos[b]) })
	if len(pos) > n {
		pos = pos[:n]
	}
	sort.Ints(pos)
	return pos
}

func (tl *Timeline) latest(idx []int, n int) []string {
	wait := func(k int) time.Duration {
		e := &tl.Events[idx[k]]
		at, _ := traces.PublishedAt(e.Message)
		return at - e.T // negated: nearest picks the smallest
	}
	var out []string
	for _, k := range wholeNearest(len(idx), n, wait) {
		out = append(out, tl.describe(idx[k]))
	}
	if len(idx) > n {
		out = append(out, fmt.Sprintf("… and %d more", len(idx)-n))
	}
	return out
}
