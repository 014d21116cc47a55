// Faults: the availability script of a scenario. A Fault is a scripted
// change (at, stop/start); a Window holds over a span of time for one
// target and slows or fails the attempts that start in it. This file holds,
// in this order: their types and what a window says about an attempt
// (matches, Failing) and about itself in the trace (Mode, Detail), the
// decoder reading them by the rows of faultFields (fields.go); the engine's
// side, which carries out a fault (Engine.fault), reports a window's
// changes as the queue reaches them (evWindow: Engine.window, flap) and
// decides an attempt's latency and outcome under the windows that hold when
// it starts (applyWindows); and the per-target window index those attempts
// consult (windowIndex), with the bound on windows held at once that the
// decoder checks (MaxHeldWindows, checkHeldWindows).

package sim

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/traces"
)

// Fault is one change of the availability script.
type Fault struct {
	At    time.Duration `yaml:"at"`
	Stop  string        `yaml:"stop,omitempty"`
	Start string        `yaml:"start,omitempty"`
	Line  int           `yaml:"-"`
	Index int           `yaml:"-"` // its place in the scenario's faults, for field paths
}

// Window is a fault that holds over a span of time for one target: attempts
// that start in [From, To) and match Ops are slowed and/or fail.
type Window struct {
	Target string
	From   time.Duration
	To     time.Duration // 0 with HasTo false: until the horizon
	HasTo  bool
	Ops    []OpKind // empty: every operation
	// Methods, on a called app, are the methods it applies to (invoked,
	// or an actor's method on its host); empty: every call.
	Methods []string
	// Latency, when set, replaces the target's latency for matching attempts.
	Latency *time.Duration
	// Failure mode; at most one of these is set.
	Error     string  // with none of the others: every matching attempt fails with it
	ErrorRate float64 // a matching attempt fails with this probability (seeded)
	FailEvery int     // every FailEvery-th matching attempt fails
	Period    time.Duration
	DownFor   time.Duration // with Period: down for the first DownFor of each period
	// Conn is how the store's host fails at the connection (0: it does not):
	// a refused connect, a host that does not answer, a server that accepts
	// and hangs. It needs the store's own client (a state.redis Component),
	// which pays each failure's real cost per try.
	Conn Conn
	// Status is the HTTP status a called app answers a failed call with
	// (default 500); stores have none.
	Status int32
	// Code is the gRPC code a gRPC app (protocol: grpc) answers a failed
	// call with (0: none given; Unknown by default, what grpc-go makes of
	// a handler's plain error). A window gives Status or Code, never both.
	Code Code
	// Answer is the status word a subscriber app's 2xx answer gives a
	// failed delivery instead of an error status: RETRY or DROP.
	Answer string
	Line   int
	Index  int // the window's place in the scenario's faults, for field paths
}

// Conn is a window's connection fault, as the store's client meets it on
// every try that starts inside the window.
type Conn uint8

const (
	_ Conn = iota
	// ConnRefused: the connect is refused at once (a closed port), as while
	// the store is stopped: each try costs the store's latency.
	ConnRefused
	// ConnNoAnswer: the host does not answer the connect (a dropped SYN):
	// each try costs the client's dialTimeout, and go-redis v8 retries it.
	ConnNoAnswer
	// ConnHang: the server accepts and never replies: each try costs the
	// client's readTimeout, and go-redis retries it.
	ConnHang
)

var connNames = [...]string{ConnRefused: "refused", ConnNoAnswer: "noAnswer", ConnHang: "hang"}

func (c Conn) String() string {
	if int(c) < len(connNames) && c != 0 {
		return connNames[c]
	}
	return fmt.Sprintf("conn(%d)", uint8(c))
}

func parseConn(s string) (Conn, bool) {
	for i, n := range connNames {
		if i > 0 && n == s {
			return Conn(i), true
		}
	}
	return 0, false
}

// Failing reports whether the window makes attempts fail (rather than only
// slowing them down).
func (w *Window) Failing() bool {
	return w.Error != "" || w.Answer != "" || w.ErrorRate > 0 || w.FailEvery > 0 || w.Period > 0 || w.Conn != 0
}

// matches reports whether the window applies to an attempt of op at t.
func (w *Window) matches(op OpKind, method string, t time.Duration) bool {
	if t < w.From || (w.HasTo && t >= w.To) {
		return false
	}
	if len(w.Methods) > 0 && !slices.Contains(w.Methods, method) {
		return false
	}
	if len(w.Ops) == 0 {
		return true
	}
	for _, o := range w.Ops {
		if o == op {
			return true
		}
	}
	return false
}

// Detail describes the window for the trace's fault event.
func (w *Window) Detail() string {
	var parts []string
	if w.Latency != nil {
		parts = append(parts, "latency "+w.Latency.String())
	}
	switch {
	case w.Period > 0:
		parts = append(parts, fmt.Sprintf("down %s of every %s", w.DownFor, w.Period))
	case w.FailEvery > 0:
		parts = append(parts, fmt.Sprintf("every %s call fails", diag.Ordinal(int64(w.FailEvery))))
	case w.ErrorRate > 0:
		parts = append(parts, fmt.Sprintf("errorRate %g", w.ErrorRate))
	}
	if w.Status != 0 {
		parts = append(parts, fmt.Sprintf("status %d", w.Status))
	}
	if w.Code != 0 {
		parts = append(parts, "status "+w.Code.String())
	}
	if w.Error != "" {
		parts = append(parts, "error "+strconv.Quote(w.Error))
	}
	if len(w.Ops) > 0 {
		ops := make([]string, len(w.Ops))
		for i, o := range w.Ops {
			ops[i] = o.String()
		}
		parts = append(parts, "ops "+strings.Join(ops, ","))
	}
	if len(w.Methods) > 0 {
		parts = append(parts, "methods "+strings.Join(w.Methods, ","))
	}
	return strings.Join(parts, ", ")
}

// Mode names what the window does, as the trace's fault events say it.
func (w *Window) Mode() string {
	switch {
	case w.Conn != 0:
		return w.Conn.String()
	case w.Period > 0:
		return "flapping"
	case w.FailEvery > 0:
		return "failEvery"
	case w.ErrorRate > 0:
		return "flaky"
	case w.Error != "":
		return "error"
	}
	return "slow"
}

// What an evWindow entry marks, carried in its token.
const (
	windowStart uint32 = iota
	windowEnd
	windowDown
	windowUp
)

func (e *Engine) fault(f *Fault) {
	name, up := f.Stop, false
	if f.Start != "" {
		name, up = f.Start, true
	}
	if st, ok := e.stores[name]; ok {
		st.up = up
		if up {
			// The read loops of its streams get an answer again.
			for ci, c := range e.consumers {
				if c.store == st {
					for t := range c.topics {
						e.queuePoll(ci, t)
					}
				}
			}
		}
	} else {
		e.apps[name].up = up
	}
	change := "stop"
	if up {
		change = "start"
	}
	e.ev = traces.Event{T: e.q.Now(), Kind: traces.Fault, Target: name, Change: change}
	e.emit()
}

// window records a fault window's changes in the trace. Whether an attempt
// is slowed or fails is decided from the window's definition when the
// attempt starts (see applyWindows), so these events only report.
func (e *Engine) window(i int, mark uint32) {
	w := &e.sc.Windows[i]
	e.ev = traces.Event{T: e.q.Now(), Kind: traces.Fault, Target: w.Target}
	switch mark {
	case windowStart:
		e.ev.Change, e.ev.Detail = w.Mode(), w.Detail()
	case windowEnd:
		e.ev.Change = "end"
	case windowDown:
		e.ev.Change = "down"
	case windowUp:
		e.ev.Change = "up"
	}
	e.emit()
	if w.Period <= 0 {
		return
	}
	// A flapping window reports each down and up; the next is queued from
	// this one, so the queue holds one entry per window at a time.
	now := e.q.Now()
	switch mark {
	case windowStart:
		e.ev = traces.Event{T: now, Kind: traces.Fault, Target: w.Target, Change: "down"}
		e.emit()
		e.flap(w, i, now+w.DownFor, windowUp)
	case windowDown:
		e.flap(w, i, now+w.DownFor, windowUp)
	case windowUp:
		e.flap(w, i, now-w.DownFor+w.Period, windowDown)
	}
}

func (e *Engine) flap(w *Window, i int, at time.Duration, mark uint32) {
	if w.HasTo && at >= w.To {
		return
	}
	e.scheduleAt(at, event{kind: evWindow, w: int32(i), token: mark})
}

// applyWindows returns the latency and outcome of an attempt of op on target
// starting now, under the fault windows that hold then. The longest window
// latency replaces the store's; the first failing window, in file order,
// decides the error. Random draws (errorRate) are made for every matching
// flaky window, in file order, so a run's draws depend only on its events.
//
// conn is the connection fault of the window that decided the error (0:
// none); its errText is the client's error for it.
func (e *Engine) applyWindows(target string, op OpKind, method string, lat time.Duration) (time.Duration, string, bool, int32, Conn) {
	now := e.q.Now()
	errText := ""
	e.windowAnswer, e.windowCode = "", 0
	down := false // a flapping window's down phase decided the error
	var status int32
	var conn Conn
	slow := time.Duration(-1)
	var held []int32
	if x := e.windows[target]; x != nil {
		held = x.at(e.sc.Windows, now)
	}
	e.windowLooks += int64(len(held))
	for _, i := range held {
		w := &e.sc.Windows[i]
		if !w.matches(op, method, now) {
			continue
		}
		if w.Latency != nil && *w.Latency > slow {
			slow = *w.Latency
		}
		fails := false
		switch {
		case w.Conn != 0:
			fails = true
		case w.Period > 0:
			fails = (now-w.From)%w.Period < w.DownFor
		case w.FailEvery > 0:
			e.windowCalls[i]++
			fails = e.windowCalls[i]%w.FailEvery == 0
		case w.ErrorRate > 0:
			fails = e.rng.Float64() < w.ErrorRate
		case w.Error != "" || w.Answer != "":
			fails = true
		}
		if fails && errText == "" {
			e.windowAnswer, e.windowCode = w.Answer, w.Code
			errText = w.Error
			down = w.Period > 0
			status = w.Status
			conn = w.Conn
			switch w.Conn {
			case ConnRefused:
				errText = errRefused
			case ConnNoAnswer:
				errText = errDialTimeout
			case ConnHang:
				errText = errReadTimeout
			}
			if errText == "" {
				errText = errInjected
				if w.Period > 0 {
					errText = errRefused // down like a stopped container
				}
			}
		}
	}
	if slow >= 0 {
		lat = slow
	}
	return lat, errText, down, status, conn
}

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
