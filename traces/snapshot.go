package traces

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dapr-sim/sim/internal/escape"
)

// Snapshot is the state of every machine of a run at one instant (`sim
// replay TRACE --at 31s`). It is plain data: the engine fills it from its
// own live state (sim.Engine.Snapshot, after RunUntil); Write renders it.
type Snapshot struct {
	At     time.Duration
	Folded int           // events at or before At
	Total  int           // events in the trace
	Last   time.Duration // time of the last folded event (Folded > 0)

	Breakers []BreakerState
	Requests []RequestState
	Targets  []TargetState
	// Data is what the stores hold (filled on request: Engine.StoreData),
	// by store name.
	Data []StoreData
	// Notes are caveats, e.g. that the trace differs from the run its
	// header describes. An empty list is the normal case.
	Notes []string
}

// BreakerState is one circuit-breaker instance at the instant: gobreaker's
// state, generation, five counts and expiry.
type BreakerState struct {
	// App is the sidecar keeping it, in a run with several ("" with one).
	App        string
	Name       string
	State      string // closed, half-open, open
	Generation uint64
	Requests   uint32

	TotalSuccesses, ConsecutiveSuccesses uint32
	TotalFailures, ConsecutiveFailures   uint32

	// Expiry: when closed, the end of the counting interval; when open, the
	// end of the open period. Expires is false when there is none.
	Expiry  time.Duration
	Expires bool
}

// Label names the instance: its name, after its sidecar's app id when the
// run has several sidecars.
func (b BreakerState) Label() string {
	if b.App == "" {
		return b.Name
	}
	return b.App + "/" + b.Name
}

// Phase is where an in-flight request stands.
type Phase uint8

const (
	// Issued: the sidecar has the request; the first attempt starts at Until.
	Issued Phase = iota + 1
	// Answering: attempt Attempt started at Since and waits for the answer.
	Answering
	// Backoff: attempt Attempt-1 failed at Since; attempt Attempt starts at Until.
	Backoff
)

// RequestState is one step of one app worker that has been issued and not
// yet answered to the app.
type RequestState struct {
	App       string
	Worker    int
	Iteration int
	Step      int
	Op        string
	Target    string
	Breaker   string // the breaker instance the attempts go through, "" for none
	// Issued is when the app issued the step; IssuedKnown is false when the
	// trace ends before the step does (the issue instant is recorded only
	// in the op event's took).
	Issued      time.Duration
	IssuedKnown bool
	Attempt     int // the current attempt: in flight, or next after a backoff
	Phase       Phase
	Since       time.Duration
	Until       time.Duration
	// Inner describes an inner runner's progress (direct messaging's
	// built-in retries), "" when there is none.
	Inner string
}

// TargetState is a store or called app: available or not, and the fault
// windows holding at the instant.
type TargetState struct {
	Kind    string // store, app
	Name    string
	Up      bool
	Since   time.Duration // the last stop or start; 0 with Changed false
	Changed bool
	Windows []WindowState
}

// StoreData is what one store's Redis holds at the instant: the state
// keys, and each topic's stream with its consumer groups.
type StoreData struct {
	Name    string
	Keys    int
	Streams []StreamData
}

// StreamData is one topic's stream: its entries (acknowledged ones too,
// until trimmed) and each consumer group's pending (delivered, not yet
// acknowledged) entries.
type StreamData struct {
	Topic   string
	Entries int
	Groups  []GroupData
}

// GroupData is one consumer group of a stream.
type GroupData struct {
	Name    string
	Pending int
}

// WindowState is an active fault window.
type WindowState struct {
	Mode   string // slow, error, flaky, failEvery, flapping, refused, noAnswer, hang
	Detail string
	Since  time.Duration
	// Down is the phase of a flapping window.
	Down bool
}

// Write renders s as an aligned text block, the same bytes for the same
// snapshot; names from the input are escaped (package escape).
func (s *Snapshot) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "state at %s: %d of %d events folded", s.At, s.Folded, s.Total)
	if s.Folded > 0 {
		fmt.Fprintf(&b, ", the last at %s", s.Last)
	}
	b.WriteString("\n\nbreakers (successes and failures: total/consecutive)\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	if len(s.Breakers) == 0 {
		fmt.Fprintf(tw, "  none\n")
	}
	for _, br := range s.Breakers {
		fmt.Fprintf(tw, "  %s\t%s\tgeneration %d\trequests %d\tsuccesses %d/%d\tfailures %d/%d\t%s\n",
			escape.Name(br.Label()), br.State, br.Generation, br.Requests,
			br.TotalSuccesses, br.ConsecutiveSuccesses, br.TotalFailures, br.ConsecutiveFailures, expiryText(br))
	}
	tw.Flush()
	b.WriteString("\nin flight\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	if len(s.Requests) == 0 {
		fmt.Fprintf(tw, "  none\n")
	}
	for _, r := range s.Requests {
		issued := "issued " + r.Issued.String()
		if !r.IssuedKnown {
			issued = "issued before " + r.Issued.String()
		}
		via := "no breaker"
		if r.Breaker != "" {
			via = "via " + escape.Name(r.Breaker)
		}
		fmt.Fprintf(tw, "  %s worker %d\titeration %d step %d\t%s %s\t%s\t%s\t%s\n",
			escape.Name(r.App), r.Worker, r.Iteration, r.Step, r.Op, escape.Name(r.Target), issued, via, escape.Text(phaseText(r)))
		if r.Inner != "" {
			fmt.Fprintf(tw, "  \t\t\t\t\t  inner: %s\n", escape.Text(r.Inner))
		}
	}
	tw.Flush()
	for _, kind := range []string{"store", "app"} {
		title := "\nstores\n"
		if kind == "app" {
			title = "\ncalled apps\n"
		}
		n := 0
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, t := range s.Targets {
			if t.Kind != kind {
				continue
			}
			if n == 0 {
				b.WriteString(title)
			}
			n++
			avail := "up"
			if !t.Up {
				avail = "down"
			}
			if t.Changed {
				avail += " since " + t.Since.String()
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", escape.Name(t.Name), avail, escape.Text(windowsText(t.Windows)))
		}
		tw.Flush()
	}
	if len(s.Data) > 0 {
		b.WriteString("\ndata\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, d := range s.Data {
			var parts []string
			if d.Keys > 0 || len(d.Streams) == 0 {
				parts = append(parts, fmt.Sprintf("%d keys", d.Keys))
			}
			for _, st := range d.Streams {
				p := fmt.Sprintf("stream %s: %d entries", escape.Name(st.Topic), st.Entries)
				for _, g := range st.Groups {
					p += fmt.Sprintf(", group %s %d pending", escape.Name(g.Name), g.Pending)
				}
				parts = append(parts, p)
			}
			fmt.Fprintf(tw, "  %s\t%s\n", escape.Name(d.Name), strings.Join(parts, "; "))
		}
		tw.Flush()
	}
	if len(s.Notes) > 0 {
		b.WriteString("\nnotes\n")
		for _, n := range s.Notes {
			b.WriteString("  " + escape.Text(n) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func expiryText(b BreakerState) string {
	switch {
	case !b.Expires:
		if b.State == "half-open" {
			return "probing: closes after enough successes, reopens on a failure"
		}
		return "no interval: counts kept until a state change"
	case b.State == "open":
		return "open until " + b.Expiry.String() + ": the first request after it half-opens"
	default:
		return "counts clear at the first check after " + b.Expiry.String()
	}
}

func phaseText(r RequestState) string {
	switch r.Phase {
	case Issued:
		return "attempt 1 starts at " + r.Until.String()
	case Answering:
		return "attempt " + strconv.Itoa(r.Attempt) + " started " + r.Since.String() + ", waiting for the answer"
	case Backoff:
		return "attempt " + strconv.Itoa(r.Attempt-1) + " failed " + r.Since.String() +
			", waiting to retry: attempt " + strconv.Itoa(r.Attempt) + " at " + r.Until.String()
	}
	return "?"
}

func windowsText(ws []WindowState) string {
	if len(ws) == 0 {
		return "no fault window"
	}
	parts := make([]string, len(ws))
	for i, w := range ws {
		p := w.Mode + " window since " + w.Since.String()
		if w.Detail != "" {
			p += " (" + w.Detail + ")"
		}
		if w.Mode == "flapping" {
			if w.Down {
				p += ", now down"
			} else {
				p += ", now up"
			}
		}
		parts[i] = p
	}
	return strings.Join(parts, "; ")
}
