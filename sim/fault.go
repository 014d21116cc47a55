// Faults: the availability script of a scenario. A Fault is a scripted
// change (at, stop/start); a Window holds over a span of time for one
// target and slows or fails the attempts that start in it. This file holds
// their types and what a window says about an attempt (matches, Failing)
// and about itself in the trace (Mode, Detail); the decoder reads them by
// the rows of faultFields (fields.go). The engine's side stays where it is
// for now: windows.go indexes the windows by target for the attempts that
// consult them, and the window scheduling (evWindow, Engine.window, flap,
// applyWindows) is in engine.go, to move here with the engine's own split
// (issue 13, move 5).

package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
)

// Fault is one change of the availability script.
type Fault struct {
	At    time.Duration `yaml:"at"`
	Stop  string        `yaml:"stop,omitempty"`
	Start string        `yaml:"start,omitempty"`
	Line  int           `yaml:"-"`
}

// Window is a fault that holds over a span of time for one target: attempts
// that start in [From, To) and match Ops are slowed and/or fail.
type Window struct {
	Target string
	From   time.Duration
	To     time.Duration // 0 with HasTo false: until the horizon
	HasTo  bool
	Ops    []OpKind // empty: every operation
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
	return w.Error != "" || w.ErrorRate > 0 || w.FailEvery > 0 || w.Period > 0 || w.Conn != 0
}

// matches reports whether the window applies to an attempt of op at t.
func (w *Window) matches(op OpKind, t time.Duration) bool {
	if t < w.From || (w.HasTo && t >= w.To) {
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
