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
	// Consumers are the subscribers' pubsub.redis consumers, by app id
	// and pub/sub name; Triggers the input bindings' events being
	// delivered, by app id, binding and worker. Both are empty in a run
	// without messages, and Write then prints neither.
	Consumers []ConsumerState
	Triggers  []TriggerState
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

// Progress is where a delivery's current runner stands (the inbound one,
// or the outbound one of its dead-letter publish): the attempt, its phase,
// and the breaker instance the attempts go through with its state at the
// instant when it is open.
type Progress struct {
	Attempt int // the current attempt: in flight, or next after a backoff
	Phase   Phase
	Since   time.Duration
	Until   time.Duration
	Breaker string // "" for none
	// Open: the breaker is open until OpenUntil, so an attempt before then
	// is refused, which ends the runner at once (Dapr makes the refusal
	// permanent).
	Open      bool
	OpenUntil time.Duration
}

// ConsumerState is one subscriber sidecar's pubsub.redis consumer: its
// workers' deliveries, the messages read and not yet handed to a worker,
// and each topic's reclaim loop.
type ConsumerState struct {
	App     string // the subscriber's app id
	Pubsub  string
	Workers int // concurrency
	// QueueDepth is the queue's capacity; Queue holds what it has, oldest
	// first, then what a read loop or reclaim pass blocked on the full
	// queue holds (HeldBy).
	QueueDepth int
	Queue      []QueuedMessage
	Deliveries []DeliveryState // by worker
	Topics     []TopicLoop     // in subscription order
}

// QueuedMessage is a stream entry read and waiting for a worker.
type QueuedMessage struct {
	Topic    string
	Message  string // the stream entry id
	Delivery int    // 1 for the first delivery, n after n-1 reclaims
	// HeldBy is "" for a message in the queue, else what holds it, blocked
	// on the full queue: "read loop" (XREADGROUP) or "reclaim pass"
	// (XCLAIM).
	HeldBy string
}

// TopicLoop is one topic's reclaim loop: when it next ticks (XPENDING,
// XCLAIM what has been pending for processingTimeout). HasNext is false
// when it never ticks again within the run, or has no loop (a zero
// processingTimeout or redeliverInterval).
type TopicLoop struct {
	Topic       string
	NextReclaim time.Duration
	HasNext     bool
	Claiming    bool // a pass is blocked on the full queue
}

// DeliveryState is one message a consumer's worker has in hand.
type DeliveryState struct {
	Worker    int
	Iteration int // the worker's delivery count (the trace's iteration)
	Topic     string
	Message   string // the stream entry id
	EventID   string // the CloudEvent's id
	Route     string
	Delivery  int // 1 for the first delivery, n after n-1 reclaims
	Started   time.Duration
	// DeadLetter names the dead-letter topic the message is being
	// published to, once the inbound runner gave up ("" before).
	DeadLetter string
	Progress
}

// TriggerState is one event of an input binding being delivered to its
// app.
type TriggerState struct {
	App     string
	Binding string
	Worker  int
	Fire    int // the binding's fire number (the trace's iteration)
	Route   string
	Started time.Duration
	Progress
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
	writeMessages(&b, s)
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
	return attemptText(r.Phase, r.Attempt, r.Since, r.Until)
}

func attemptText(ph Phase, attempt int, since, until time.Duration) string {
	switch ph {
	case Issued:
		return "attempt 1 starts at " + until.String()
	case Answering:
		return "attempt " + strconv.Itoa(attempt) + " started " + since.String() + ", waiting for the answer"
	case Backoff:
		return "attempt " + strconv.Itoa(attempt-1) + " failed " + since.String() +
			", waiting to retry: attempt " + strconv.Itoa(attempt) + " at " + until.String()
	}
	return "?"
}

// Text words where a runner stands: its attempt and, when its breaker is
// open, whether the next attempt is refused. Shared by `replay --at` and
// the HTML page.
func (p Progress) Text() string {
	s := attemptText(p.Phase, p.Attempt, p.Since, p.Until)
	if !p.Open {
		return s
	}
	s += "; breaker " + p.Breaker + " open until " + p.OpenUntil.String()
	switch {
	case p.Phase == Answering:
		// The attempt was admitted before the breaker opened.
	case p.Until <= p.OpenUntil:
		// Still open at its expiry: the breaker half-opens only after
		// it (gobreaker's expiry < now).
		s += ": that attempt is refused and the runner ends"
	default:
		s += ": it half-opens by then"
	}
	return s
}

// Describe words a delivery in flight on one line: what the message is,
// where it goes, and where its runner stands.
func (d DeliveryState) Describe() string {
	s := fmt.Sprintf("%s %s (event %s) to %s, delivery %d since %s: ", d.Topic, d.Message, d.EventID, d.Route, d.Delivery, d.Started)
	if d.DeadLetter != "" {
		s += "the runner gave up; publishing to dead-letter topic " + d.DeadLetter + ": "
	}
	return s + d.Progress.Text()
}

// Describe words an input binding's event in flight on one line.
func (t TriggerState) Describe() string {
	return fmt.Sprintf("fire %d to /%s since %s: %s", t.Fire, t.Route, t.Started, t.Progress.Text())
}

// Describe words a consumer's state on one line: its workers, its queue
// and its reclaim loops.
func (c ConsumerState) Describe() string {
	held := 0
	for _, q := range c.Queue {
		if q.HeldBy != "" {
			held++
		}
	}
	s := fmt.Sprintf("%d of %d workers busy, %d of %d queued", len(c.Deliveries), c.Workers, len(c.Queue)-held, c.QueueDepth)
	if held > 0 {
		s += fmt.Sprintf(", %d held by blocked loops", held)
	}
	for _, t := range c.Topics {
		s += "; " + t.Topic + ": "
		switch {
		case t.HasNext:
			s += "next reclaim tick " + t.NextReclaim.String()
		default:
			s += "no reclaim tick to come"
		}
		if t.Claiming {
			s += " (a pass is blocked on the full queue)"
		}
	}
	return s
}

// writeMessages writes the consumers' and input bindings' sections, when
// the run has any: nothing at all otherwise, so a run without messages
// reads as before they existed.
func writeMessages(b *strings.Builder, s *Snapshot) {
	if len(s.Consumers) > 0 {
		b.WriteString("\nsubscribers (messages in flight, per sidecar and pub/sub)\n")
		for _, c := range s.Consumers {
			fmt.Fprintf(b, "  %s %s: %s\n", escape.Name(c.App), escape.Name(c.Pubsub), escape.Text(c.Describe()))
			tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
			for _, d := range c.Deliveries {
				via := "no breaker"
				if d.Breaker != "" {
					via = "via " + escape.Name(d.Breaker)
				}
				what := fmt.Sprintf("%s %s", escape.Name(d.Topic), escape.Name(d.Message))
				to := "to " + escape.Name(d.Route)
				if d.DeadLetter != "" {
					to = "to dead-letter topic " + escape.Name(d.DeadLetter)
				}
				fmt.Fprintf(tw, "    worker %d\t%s\tevent %s\t%s\tdelivery %d since %s\t%s\t%s\n",
					d.Worker, what, escape.Name(d.EventID), to, d.Delivery, d.Started, via, escape.Text(d.Progress.Text()))
			}
			for _, q := range c.Queue {
				where := "queued"
				if q.HeldBy != "" {
					where = "held by " + q.HeldBy
				}
				fmt.Fprintf(tw, "    %s\t%s %s\t\t\tdelivery %d\n", where, escape.Name(q.Topic), escape.Name(q.Message), q.Delivery)
			}
			tw.Flush()
		}
	}
	if len(s.Triggers) > 0 {
		b.WriteString("\ninput bindings (events in flight)\n")
		tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
		for _, t := range s.Triggers {
			via := "no breaker"
			if t.Breaker != "" {
				via = "via " + escape.Name(t.Breaker)
			}
			fmt.Fprintf(tw, "  %s %s worker %d\tfire %d\tto /%s\tsince %s\t%s\t%s\n",
				escape.Name(t.App), escape.Name(t.Binding), t.Worker, t.Fire, escape.Name(t.Route), t.Started, via, escape.Text(t.Progress.Text()))
		}
		tw.Flush()
	}
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
