package traces

import (
	"encoding/json"
	"io"

	"github.com/dapr-sim/sim/internal/report"
)

// ReplayReport is the outcome of `sim replay TRACE`, for --format json:
// the summary of an identical replay, or the first divergence.
type ReplayReport struct {
	Trace      string // the trace file, as the user named it
	Summary    Summary
	Divergence *Divergence // nil when identical
}

type replayJSON struct {
	report.Header
	Trace      string          `json:"trace"`
	Identical  bool            `json:"identical"`
	Summary    *summaryJSON    `json:"summary"`    // null when diverged
	Divergence *divergenceJSON `json:"divergence"` // null when identical
}

type summaryJSON struct {
	Events   int            `json:"events"`
	First    report.Seconds `json:"first"`
	Last     report.Seconds `json:"last"`
	Breakers []string       `json:"breakers"` // in order of first transition
}

// divergenceJSON is the first differing event: its number (from 1) and
// time, which side ended early ("trace", "replay"; null when neither), the events just
// before it, the recorded and replayed events as a JSON-lines trace writes
// them (null for the side that ended), and the differing fields.
type divergenceJSON struct {
	Event    int               `json:"event"`
	At       report.Seconds    `json:"at"`
	Ended    *string           `json:"ended"`
	Context  []json.RawMessage `json:"context"`
	Recorded json.RawMessage   `json:"recorded"`
	Replayed json.RawMessage   `json:"replayed"`
	Fields   []string          `json:"fields"`
}

// WriteJSON writes the outcome as one JSON document (format 1).
func (r ReplayReport) WriteJSON(w io.Writer) error {
	doc := replayJSON{Header: report.NewHeader("replay"), Trace: r.Trace, Identical: r.Divergence == nil}
	if d := r.Divergence; d != nil {
		dj := &divergenceJSON{Event: d.Index + 1, At: report.Seconds(d.At()), Context: []json.RawMessage{},
			Recorded: eventJSON(d.Want), Replayed: eventJSON(d.Got), Fields: append([]string{}, d.Fields...)}
		switch {
		case d.Want == nil:
			dj.Ended = ptr("trace")
		case d.Got == nil:
			dj.Ended = ptr("replay")
		}
		for i := range d.Context {
			dj.Context = append(dj.Context, eventJSON(&d.Context[i]))
		}
		doc.Divergence = dj
	} else {
		s := r.Summary
		doc.Summary = &summaryJSON{Events: s.Events, First: report.Seconds(s.First), Last: report.Seconds(s.Last),
			Breakers: append([]string{}, s.Breakers...)}
	}
	return report.Write(w, doc)
}

func ptr(s string) *string { return &s }

// eventJSON is e as a JSON-lines trace writes it, JSON null for no event.
func eventJSON(e *Event) json.RawMessage {
	if e == nil {
		return json.RawMessage("null")
	}
	return json.RawMessage(appendEvent(nil, e, jsonObject))
}

type snapshotJSON struct {
	report.Header
	At       report.Seconds  `json:"at"`
	Folded   int             `json:"folded"` // events at or before at
	Total    int             `json:"total"`  // events in the trace
	Last     *report.Seconds `json:"last"`   // the last folded event's time, null when none
	Breakers []breakerJSON   `json:"breakers"`
	InFlight []requestJSON   `json:"in_flight"`
	// Consumers and Triggers are the messages in flight, as the text
	// form's subscribers and input bindings sections (empty lists in a
	// run without messages).
	Consumers []consumerJSON  `json:"consumers"`
	Triggers  []triggerJSON   `json:"triggers"`
	Targets   []targetJSON    `json:"targets"`
	Data      []storeDataJSON `json:"data"`
	Notes     []string        `json:"notes"`
}

type consumerJSON struct {
	App        string         `json:"app"`
	Pubsub     string         `json:"pubsub"`
	Workers    int            `json:"workers"`     // concurrency
	QueueDepth int            `json:"queue_depth"` // the queue's capacity
	Deliveries []deliveryJSON `json:"deliveries"`  // by worker
	Queue      []queuedJSON   `json:"queue"`       // oldest first, then what blocked loops hold
	Topics     []topicJSON    `json:"topics"`      // in subscription order
}

type deliveryJSON struct {
	Worker     int            `json:"worker"`
	Iteration  int            `json:"iteration"`
	Topic      string         `json:"topic"`
	Message    string         `json:"message"` // the stream entry id
	EventID    string         `json:"event_id"`
	Route      string         `json:"route"`
	Delivery   int            `json:"delivery"` // 1 for the first, n after n-1 reclaims
	Started    report.Seconds `json:"started"`
	DeadLetter string         `json:"dead_letter"` // the dead-letter topic being published to, "" before the runner gave up
	Progress   progressJSON   `json:"progress"`
}

type queuedJSON struct {
	Topic    string `json:"topic"`
	Message  string `json:"message"`
	Delivery int    `json:"delivery"`
	HeldBy   string `json:"held_by"` // "" in the queue, else "read loop" or "reclaim pass"
}

type topicJSON struct {
	Topic       string          `json:"topic"`
	NextReclaim *report.Seconds `json:"next_reclaim"` // null when the loop never ticks again within the run
	Claiming    bool            `json:"claiming"`     // a reclaim pass is blocked on the full queue
}

type triggerJSON struct {
	App      string         `json:"app"`
	Binding  string         `json:"binding"`
	Worker   int            `json:"worker"`
	Fire     int            `json:"fire"`
	Route    string         `json:"route"`
	Started  report.Seconds `json:"started"`
	Progress progressJSON   `json:"progress"`
}

// progressJSON is where a runner stands, with since and until as in
// requestJSON, and open_until when its breaker is open (null otherwise).
type progressJSON struct {
	Attempt   int             `json:"attempt"`
	Phase     string          `json:"phase"`
	Since     *report.Seconds `json:"since"`
	Until     *report.Seconds `json:"until"`
	Breaker   string          `json:"breaker"`
	OpenUntil *report.Seconds `json:"open_until"`
}

func progressOf(p Progress) progressJSON {
	return progressJSON{Attempt: p.Attempt, Phase: phaseNames[p.Phase],
		Since:   report.OptSeconds(p.Since, p.Phase == Answering || p.Phase == Backoff),
		Until:   report.OptSeconds(p.Until, p.Phase == Issued || p.Phase == Backoff),
		Breaker: p.Breaker, OpenUntil: report.OptSeconds(p.OpenUntil, p.Open)}
}

type breakerJSON struct {
	App                  string          `json:"app"` // "" in a run with one sidecar
	Name                 string          `json:"name"`
	State                string          `json:"state"`
	Generation           uint64          `json:"generation"`
	Requests             uint32          `json:"requests"`
	TotalSuccesses       uint32          `json:"total_successes"`
	ConsecutiveSuccesses uint32          `json:"consecutive_successes"`
	TotalFailures        uint32          `json:"total_failures"`
	ConsecutiveFailures  uint32          `json:"consecutive_failures"`
	Expiry               *report.Seconds `json:"expiry"` // closed: the counting interval's end; open: the open period's; null when none
}

type requestJSON struct {
	App         string          `json:"app"`
	Worker      int             `json:"worker"`
	Iteration   int             `json:"iteration"`
	Step        int             `json:"step"`
	Op          string          `json:"op"`
	Target      string          `json:"target"`
	Breaker     string          `json:"breaker"`
	Issued      report.Seconds  `json:"issued"`
	IssuedKnown bool            `json:"issued_known"` // false: issued at or before issued (the trace ends first)
	Attempt     int             `json:"attempt"`
	Phase       string          `json:"phase"` // issued, answering, backoff
	Since       *report.Seconds `json:"since"` // answering: the attempt's start; backoff: the failure
	Until       *report.Seconds `json:"until"` // issued, backoff: when the attempt starts
	Inner       string          `json:"inner"`
}

type targetJSON struct {
	Kind    string          `json:"kind"` // store, app
	Name    string          `json:"name"`
	Up      bool            `json:"up"`
	Since   *report.Seconds `json:"since"` // the last stop or start, null when none
	Windows []windowJSON    `json:"windows"`
}

type windowJSON struct {
	Mode   string         `json:"mode"`
	Detail string         `json:"detail"`
	Since  report.Seconds `json:"since"`
	Down   bool           `json:"down"` // a flapping window's phase
}

type storeDataJSON struct {
	Name    string       `json:"name"`
	Keys    int          `json:"keys"`
	Streams []streamJSON `json:"streams"`
}

type streamJSON struct {
	Topic   string      `json:"topic"`
	Entries int         `json:"entries"`
	Groups  []groupJSON `json:"groups"`
}

type groupJSON struct {
	Name    string `json:"name"`
	Pending int    `json:"pending"`
}

var phaseNames = map[Phase]string{Issued: "issued", Answering: "answering", Backoff: "backoff"}

// WriteJSON writes the snapshot as one JSON document (format 1) with the
// sections of the text form: breakers with their counts, requests in
// flight, the messages in flight, stores and called apps, the stores'
// data and notes.
func (s *Snapshot) WriteJSON(w io.Writer) error {
	doc := snapshotJSON{Header: report.NewHeader("replay --at"), At: report.Seconds(s.At), Folded: s.Folded, Total: s.Total,
		Last: report.OptSeconds(s.Last, s.Folded > 0), Breakers: []breakerJSON{}, InFlight: []requestJSON{},
		Targets: []targetJSON{}, Consumers: []consumerJSON{}, Triggers: []triggerJSON{}, Data: []storeDataJSON{},
		Notes: append([]string{}, s.Notes...)}
	for _, b := range s.Breakers {
		doc.Breakers = append(doc.Breakers, breakerJSON{App: b.App, Name: b.Name, State: b.State, Generation: b.Generation,
			Requests: b.Requests, TotalSuccesses: b.TotalSuccesses, ConsecutiveSuccesses: b.ConsecutiveSuccesses,
			TotalFailures: b.TotalFailures, ConsecutiveFailures: b.ConsecutiveFailures, Expiry: report.OptSeconds(b.Expiry, b.Expires)})
	}
	for _, r := range s.Requests {
		doc.InFlight = append(doc.InFlight, requestJSON{App: r.App, Worker: r.Worker, Iteration: r.Iteration, Step: r.Step,
			Op: r.Op, Target: r.Target, Breaker: r.Breaker, Issued: report.Seconds(r.Issued), IssuedKnown: r.IssuedKnown,
			Attempt: r.Attempt, Phase: phaseNames[r.Phase],
			Since: report.OptSeconds(r.Since, r.Phase == Answering || r.Phase == Backoff),
			Until: report.OptSeconds(r.Until, r.Phase == Issued || r.Phase == Backoff), Inner: r.Inner})
	}
	for _, t := range s.Targets {
		tj := targetJSON{Kind: t.Kind, Name: t.Name, Up: t.Up, Since: report.OptSeconds(t.Since, t.Changed), Windows: []windowJSON{}}
		for _, win := range t.Windows {
			tj.Windows = append(tj.Windows, windowJSON{Mode: win.Mode, Detail: win.Detail, Since: report.Seconds(win.Since), Down: win.Down})
		}
		doc.Targets = append(doc.Targets, tj)
	}
	for _, c := range s.Consumers {
		cj := consumerJSON{App: c.App, Pubsub: c.Pubsub, Workers: c.Workers, QueueDepth: c.QueueDepth,
			Deliveries: []deliveryJSON{}, Queue: []queuedJSON{}, Topics: []topicJSON{}}
		for _, d := range c.Deliveries {
			cj.Deliveries = append(cj.Deliveries, deliveryJSON{Worker: d.Worker, Iteration: d.Iteration, Topic: d.Topic,
				Message: d.Message, EventID: d.EventID, Route: d.Route, Delivery: d.Delivery, Started: report.Seconds(d.Started),
				DeadLetter: d.DeadLetter, Progress: progressOf(d.Progress)})
		}
		for _, q := range c.Queue {
			cj.Queue = append(cj.Queue, queuedJSON(q))
		}
		for _, t := range c.Topics {
			cj.Topics = append(cj.Topics, topicJSON{Topic: t.Topic, NextReclaim: report.OptSeconds(t.NextReclaim, t.HasNext), Claiming: t.Claiming})
		}
		doc.Consumers = append(doc.Consumers, cj)
	}
	for _, t := range s.Triggers {
		doc.Triggers = append(doc.Triggers, triggerJSON{App: t.App, Binding: t.Binding, Worker: t.Worker, Fire: t.Fire,
			Route: t.Route, Started: report.Seconds(t.Started), Progress: progressOf(t.Progress)})
	}
	for _, d := range s.Data {
		dj := storeDataJSON{Name: d.Name, Keys: d.Keys, Streams: []streamJSON{}}
		for _, st := range d.Streams {
			sj := streamJSON{Topic: st.Topic, Entries: st.Entries, Groups: []groupJSON{}}
			for _, g := range st.Groups {
				sj.Groups = append(sj.Groups, groupJSON(g))
			}
			dj.Streams = append(dj.Streams, sj)
		}
		doc.Data = append(doc.Data, dj)
	}
	return report.Write(w, doc)
}
