// Package page writes the interactive replay of one run (`sim render
// TRACE -o FILE.html`): one self-contained HTML file — its CSS, JavaScript
// and data inline, no network, works from file:// — in which a learner
// scrubs through virtual time with a slider or the arrow keys, or plays it
// at 1×, 10× or 100×, and sees each breaker's lane (closed from its first
// request) and state diagram with the current state highlighted and its
// counts, the sidecar's log up to that instant, the latest events in the
// words of `sim run --explain` (the raw event folded under each), and
// which stores and called apps are up; in a run with
// messages, a deliveries lane per topic and subscriber (and per input
// binding) — each delivery a bar coloured by what became of the message,
// its message id, delivery number and the app's answer on hover or click
// — and the messages in flight at the instant.
//
// Place in the flow: the page is a projection of a run. The caller
// (picture.BuildPage) folds the trace into Data — the state at every event instant, the
// log lines, one diagram per breaker — and Write only lays it out; the
// page's script reads Data and computes nothing a run decides.
//
// The page carries a Content-Security-Policy that allows no fetch at all
// (default-src 'none'; inline script and style only; images only from
// data: URLs), so a browser refuses any request it might try to make.
//
// Two URL fragments make it testable in a headless browser: #t=31.5 opens
// it at that instant (seconds), and #selftest=20,27 moves the slider to
// each instant in turn, the way a user does (setting its value and
// dispatching an input event), then presses the right arrow key, and
// writes what the page shows into <pre id="selftest"> as JSON (see
// SelfTest).
//
// It sits under picture/ because it is one of the pictures of a
// run, beside the terminal timeline and the SVG; it is a package of its own
// because it takes its data as plain values and draws no swimlanes. It
// imports no package of this module but internal/escape (archtest checks
// this): the data arrives as plain values, folded by the caller.
package page

import (
	_ "embed"
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/dapr-sim/sim/internal/escape"
)

//go:embed page.html
var pageHTML string

//go:embed page.css
var pageCSS string

//go:embed page.js
var pageJS string

// Data is everything the page shows, embedded in it as JSON. Times are
// nanoseconds of virtual time since the sidecar started (exact, and exact
// in JavaScript's numbers up to 104 days).
type Data struct {
	Title    string `json:"title"`
	Subtitle string `json:"subtitle"` // e.g. "Dapr 1.8 · seed 1 · 132 events"
	// From and To bound the slider.
	From int64 `json:"from"`
	To   int64 `json:"to"`
	// Snapshots are the state of every machine at each instant an event
	// happened (and at From), in time order: the page shows the last one at
	// or before the slider's instant.
	Snapshots []Snapshot `json:"snapshots"`
	// Log is the sidecar's log (and the app's lines) in order.
	Log []LogLine `json:"log"`
	// Deliveries are the deliveries lanes, in name order: one per topic
	// and subscriber, and one per input binding and app, as the timeline
	// and the SVG draw them.
	Deliveries []DeliveryLane `json:"deliveries"`
	// Diagrams are the breakers' state diagrams, one per breaker name.
	Diagrams []Diagram `json:"-"`
}

// Snapshot is the state at instant T, after every event at T.
type Snapshot struct {
	T        int64     `json:"t"`
	Events   int       `json:"events"` // events at or before T
	Breakers []Breaker `json:"breakers"`
	Targets  []Target  `json:"targets"`
	Requests []string  `json:"requests"` // one line per in-flight request
	// Happened describes the events at T, one line each, as the trace
	// records them (traces.Describe).
	Happened []string `json:"happened"`
	// Plain says each event of Happened in plain words, as `sim run
	// --explain` prints it (its log lines, then why), "" for an event that
	// prints nothing; the page shows these and the raw event on demand.
	Plain []string `json:"plain"`
	// Messages are the messages in flight: per consumer a summary line,
	// then each delivery a worker has in hand and each message queued; per
	// input binding each event being delivered.
	Messages []Flight `json:"messages"`
	Notes    []string `json:"notes,omitempty"`
}

// Breaker is one breaker instance: gobreaker's state, generation and counts.
type Breaker struct {
	Name                 string `json:"name"`
	State                string `json:"state"` // closed, open, half-open: a data-state of its diagram
	Generation           uint64 `json:"generation"`
	Requests             uint32 `json:"requests"`
	TotalSuccesses       uint32 `json:"totalSuccesses"`
	ConsecutiveSuccesses uint32 `json:"consecutiveSuccesses"`
	TotalFailures        uint32 `json:"totalFailures"`
	ConsecutiveFailures  uint32 `json:"consecutiveFailures"`
	// Expiry is the end of the open period (open) or of the counting
	// interval (closed); -1 when there is none.
	Expiry int64 `json:"expiry"`
}

// Target is a store or a called app at the instant.
type Target struct {
	Kind    string   `json:"kind"` // store, app
	Name    string   `json:"name"`
	Up      bool     `json:"up"`
	Since   int64    `json:"since"` // last stop or start; -1 if never changed
	Windows []string `json:"windows,omitempty"`
}

// DeliveryLane is one lane of deliveries: each delivery a bar from its
// start to its end, coloured by what became of the message. Rows is how
// many rows the lane needs so that no two bars overlap.
type DeliveryLane struct {
	Name       string     `json:"name"` // "orders → order-processor", "cron → batch"
	Rows       int        `json:"rows"`
	Deliveries []Delivery `json:"deliveries"`
}

// Delivery is one delivery of a message (or of an input binding's event)
// to its app, from a deliver event.
type Delivery struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
	Row  int   `json:"row"` // 0-based, within the lane
	// State is the colour: ok (taken), retrying (left pending, it comes
	// back), failed (not taken and gone), as the SVG's.
	State   string `json:"state"`
	Result  string `json:"result"`  // the deliver event's result: ack, pending, dead-letter, ...
	Message string `json:"message"` // the stream entry id, or "event N" for a binding's fire N
	EventID string `json:"event,omitempty"`
	// Delivery is the message's delivery number: 1, then one more per
	// reclaim (0 for an input binding's event).
	Delivery int    `json:"delivery"`
	Attempts int    `json:"attempts"`
	Answer   string `json:"answer"` // the app's answer to the last attempt
	Error    string `json:"error,omitempty"`
}

// Flight is one line of the messages in flight. Lane and Message tie a
// delivery or a queued message to its lane's bars ("" on a summary line).
type Flight struct {
	Lane    string `json:"lane,omitempty"`
	Message string `json:"message,omitempty"`
	Text    string `json:"text"`
}

// LogLine is one printed line at the instant of the event it projects.
type LogLine struct {
	T    int64  `json:"t"`
	Text string `json:"text"`
}

// Diagram is a breaker's state diagram as an inline <svg> whose states are
// <g class="state" data-state="NAME"> elements (fsm.Diagram.SVG).
type Diagram struct {
	Breaker string
	Title   string
	SVG     string
}

// SelfTest is what #selftest writes into <pre id="selftest">.
type SelfTest struct {
	// Diagrams counts the <svg class="fsm"> elements; States lists the
	// data-state of each state node of the first, Width its rendered width.
	Diagrams int      `json:"diagrams"`
	States   []string `json:"states"`
	Width    float64  `json:"width"`
	// LabelPx is the smallest font size of a diagram's arrow label as
	// drawn, in CSS pixels (the SVG scaled to its box); LabelOverlaps
	// counts the pairs of labels whose drawn boxes overlap.
	LabelPx       float64 `json:"labelPx"`
	LabelOverlaps int     `json:"labelOverlaps"`
	// Steps is one entry per instant of the fragment, after the slider
	// moved there.
	Steps []SelfTestStep `json:"steps"`
	// RawOnDemand: after a click on the fold of the first of the latest
	// events at the last step, the raw event shows.
	RawOnDemand bool `json:"rawOnDemand"`
	// Arrow is the instant (ns) after pressing the right arrow key at the
	// last step: the next event instant.
	Arrow int64 `json:"arrow"`
	// Resources counts the page's resource timing entries: every fetch the
	// page made (0: it loaded nothing).
	Resources int `json:"resources"`
	// Blocked lists what the Content-Security-Policy refused (a listener
	// registered before anything else in the page): every request the page
	// tried and the policy stopped.
	Blocked []string `json:"blocked"`
	// Lanes are the deliveries lanes read back from the DOM; Selected is
	// what the page shows after a click on the first bar of the first.
	Lanes []SelfTestLane `json:"lanes"`
	// BreakerLanes are the breakers' lanes read back from the DOM, after
	// the last step.
	BreakerLanes []SelfTestBreakerLane `json:"breakerLanes"`
	Selected     string                `json:"selected"`
}

// SelfTestStep is the page at one slider position.
type SelfTestStep struct {
	At     int64  `json:"at"`     // the instant the page shows, ns
	Slider string `json:"slider"` // the slider's value
	Clock  string `json:"clock"`  // the time shown
	// Highlighted maps each breaker to the data-state of the state node
	// carrying the "current" class in its diagram ("" for none).
	Highlighted map[string]string `json:"highlighted"`
	LogLines    int               `json:"logLines"` // log lines shown
	Stores      map[string]string `json:"stores"`   // name → up/down as shown
	// InFlight lists the messages in flight as shown, "LANE MESSAGE"
	// each (a summary line is not listed).
	InFlight []string `json:"inFlight"`
	// Said lists the latest events shown in plain words; Quiet, the raw
	// form of those folded away as printing nothing.
	Said  []SelfTestSaid `json:"said"`
	Quiet []string       `json:"quiet"`
}

// SelfTestSaid is one of the latest events as shown: its plain words, the
// raw event under them, whether that is unfolded (it starts folded) and
// takes room on the page.
type SelfTestSaid struct {
	Plain    string `json:"plain"`
	Raw      string `json:"raw"`
	Open     bool   `json:"open"`
	RawShown bool   `json:"rawShown"`
}

// SelfTestBreakerLane is a breaker's lane as the page draws it: its name
// line (state and failures at the instant shown) and its segments, each
// a state from an instant (ns), with its drawn width in pixels.
type SelfTestBreakerLane struct {
	Name     string `json:"name"`
	Label    string `json:"label"`
	Segments []struct {
		State string  `json:"state"`
		From  int64   `json:"from"`
		Px    float64 `json:"px"`
	} `json:"segments"`
}

// SelfTestLane is a deliveries lane as the page draws it.
type SelfTestLane struct {
	Name       string                 `json:"name"`
	Deliveries []SelfTestDeliveryMark `json:"deliveries"`
}

// SelfTestDeliveryMark is one delivery bar: its data attributes, its
// tooltip, and whether it is drawn (a width above zero).
type SelfTestDeliveryMark struct {
	Message  string `json:"message"`
	Result   string `json:"result"`
	State    string `json:"state"`
	Delivery int    `json:"delivery"`
	Title    string `json:"title"`
	Drawn    bool   `json:"drawn"`
}

// Write writes the page for d to w.
func Write(w io.Writer, d *Data) error {
	// The data escapes <, > and & (as json.Marshal does): safe inside
	// <script>. Its size is about that of the snapshots' strings; a
	// guess that is too small only costs a copy.
	data := appendData(make([]byte, 0, 1024+512*len(d.Snapshots)), d)
	var diagrams strings.Builder
	for _, g := range d.Diagrams {
		fmt.Fprintf(&diagrams, "<section class=\"breaker\" data-breaker=\"%s\"><h3>%s</h3><p class=\"caption\">%s</p>%s<table class=\"counts\"></table></section>\n",
			attr(g.Breaker), html.EscapeString(escape.Name(g.Breaker)), html.EscapeString(escape.Text(g.Title)), g.SVG)
	}
	if len(d.Diagrams) == 0 {
		diagrams.WriteString("<p class=\"none\">No circuit breaker in this run.</p>\n")
	}
	fill := map[string]string{
		"{{TITLE}}":    html.EscapeString(escape.Text(d.Title)),
		"{{SUBTITLE}}": html.EscapeString(escape.Text(d.Subtitle)),
		"{{CSS}}":      pageCSS,
		"{{DIAGRAMS}}": diagrams.String(),
		"{{JS}}":       pageJS,
	}
	// The template is written a part at a time, the data without a copy
	// into a string (a replay page is a few hundred kilobytes, written
	// on every edit in the playground).
	for _, p := range pageParts {
		var err error
		if p == "{{DATA}}" {
			_, err = w.Write(data)
		} else if v, ok := fill[p]; ok {
			_, err = io.WriteString(w, v)
		} else {
			_, err = io.WriteString(w, p)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// pageParts is page.html cut before and after each of its {{NAME}}
// holes, the holes kept as parts of their own, for Write to fill.
var pageParts = cutHoles(pageHTML)

func cutHoles(s string) []string {
	var parts []string
	for {
		i := strings.Index(s, "{{")
		j := strings.Index(s[max(i, 0):], "}}")
		if i < 0 || j < 0 {
			return append(parts, s)
		}
		j += i + len("}}")
		parts = append(parts, s[:i], s[i:j])
		s = s[j:]
	}
}

// attr escapes s for an attribute the page's script matches against the
// data: the name itself, its control characters as character references, so
// the file holds no raw control byte and the browser still reads the name.
func attr(s string) string {
	s = html.EscapeString(s)
	if escape.Safe(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			fmt.Fprintf(&b, "&#x%x;", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
