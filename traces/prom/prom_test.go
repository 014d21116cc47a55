package prom

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
	"github.com/google/go-cmp/cmp"
)

const s = time.Second

// sidecar is order-processor saving to statestore through retry and
// breaker (and a timeout), publishing to orderpubsub, and receiving from it.
func sidecar() Sidecar {
	state := Policy{Target: "Statestore_statestore", Timeout: true, Retry: true, Breaker: "simpleCB-statestore"}
	return Sidecar{
		AppID:      "order-processor",
		Resiliency: []string{"first", "myresiliency"},
		Steps: []Step{
			{Op: "save", Component: "statestore", Policy: state},
			{Op: "get", Component: "statestore", Policy: state},
			{Op: "publish", Component: "orderpubsub", Topic: "orders", Policy: Policy{Target: "Pubsub_orderpubsub", Retry: true}},
			{Op: "binding", Component: "orders", Operation: "create"},
		},
		Inbound: map[string]Policy{"orderpubsub": {Target: "Pubsub_orderpubsub", Inbound: true, Retry: true, Breaker: "pubsubCB-orderpubsub"}},
	}
}

func op(t, took time.Duration, step int, outcome traces.Outcome) traces.Event {
	return traces.Event{T: t, Kind: traces.Op, App: "order-processor", Iteration: int(t / s), Step: step, Outcome: outcome, Took: took}
}

// samples runs events through a Recorder of release 1.minor (scrapes
// every 10s up to 60s) and returns each sample as "series value" keyed
// by the scrape's second.
func samples(t *testing.T, minor int, events []traces.Event) map[int][]string {
	t.Helper()
	r := New([]Sidecar{sidecar()}, Options{Minor: minor, Interval: 10 * s, Horizon: 60 * s, Start: time.Unix(0, 0)})
	for i := range events {
		if err := r.Record(&events[i]); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	var b bytes.Buffer
	if err := r.WriteOpenMetrics(&b); err != nil {
		t.Fatal(err)
	}
	out := map[int][]string{}
	for _, l := range strings.Split(b.String(), "\n") {
		if l == "" || l[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		var sec int
		for _, c := range l[i+1:] {
			sec = sec*10 + int(c-'0')
		}
		out[sec] = append(out[sec], l[:i])
	}
	return out
}

// has reports whether the scrape at sec holds want ("series value"), and
// lists what it holds of the same metric name otherwise.
func has(got map[int][]string, sec int, want string) (bool, string) {
	name := want[:strings.IndexAny(want, "{ ")]
	var same []string
	for _, l := range got[sec] {
		if l == want {
			return true, ""
		}
		if strings.HasPrefix(l, name+"{") || strings.HasPrefix(l, name+" ") {
			same = append(same, l)
		}
	}
	sort.Strings(same)
	return false, strings.Join(same, "\n")
}

// TestMetricRules holds each metric to the rule of Dapr's source that
// records it (docs/metrics.md), on the release families where the rule
// differs: want lists samples that must be at a scrape, absent samples of
// a metric name (or a series prefix) that must not be anywhere.
func TestMetricRules(t *testing.T) {
	const (
		loaded  = `dapr_resiliency_loaded{app_id="order-processor",name="`
		countSt = `dapr_resiliency_count{app_id="order-processor",flow_direction="outbound",name="myresiliency",policy="`
		actSt   = `dapr_resiliency_activations_total{app_id="order-processor",flow_direction="outbound",name="myresiliency",policy="`
		tgt     = `target="Statestore_statestore"}`
	)
	type at struct {
		sec  int
		want string
	}
	breakerOpen := []traces.Event{
		{T: 5 * s, Kind: traces.Breaker, Name: "simpleCB-statestore", From: "closed", To: "open"},
		{T: 5 * s, Kind: traces.Call, App: "order-processor", Step: 1, Op: "save", Attempt: 1, Outcome: traces.Error},
		op(5*s, 2*s, 1, traces.Error), // resolved at 3s: closed
		op(9*s, 1*s, 2, traces.Error), // resolved at 8s: open
		{T: 21 * s, Kind: traces.Breaker, Name: "simpleCB-statestore", From: "open", To: "half-open"},
		{T: 22 * s, Kind: traces.Breaker, Name: "simpleCB-statestore", From: "half-open", To: "closed"},
		{T: 22 * s, Kind: traces.Call, App: "order-processor", Step: 1, Op: "save", Attempt: 1, Outcome: traces.OK},
		op(22*s, 1*s, 1, traces.OK), // resolved at 21s: half-open
	}
	for _, tc := range []struct {
		name   string
		minors []int
		events []traces.Event
		want   []at
		absent []string
	}{
		{
			// PolicyLoaded: once per Resiliency decoded at start (1.9+);
			// 1.8 has no resiliency metrics at all.
			name: "loaded", minors: []int{9, 11, 16},
			want: []at{{0, loaded + `first"} 1`}, {0, loaded + `myresiliency"} 1`}, {60, loaded + `myresiliency"} 1`}},
		},
		{
			name: "no resiliency metrics in 1.8", minors: []int{8},
			events: breakerOpen,
			absent: []string{"dapr_resiliency_"},
			want:   []at{{10, `dapr_component_state_count{app_id="order-processor",component="statestore",operation="set",success="false"} 1`}},
		},
		{
			// 1.9-1.10: counted per resolve, labels app_id, name, policy
			// only; no activations.
			name: "count before 1.11", minors: []int{9, 10},
			events: breakerOpen,
			want: []at{
				{10, `dapr_resiliency_count{app_id="order-processor",name="myresiliency",policy="circuitbreaker"} 2`},
				{10, `dapr_resiliency_count{app_id="order-processor",name="myresiliency",policy="retry"} 2`},
				{10, `dapr_resiliency_count{app_id="order-processor",name="myresiliency",policy="timeout"} 2`},
				{30, `dapr_resiliency_count{app_id="order-processor",name="myresiliency",policy="retry"} 3`},
			},
			absent: []string{"dapr_resiliency_activations_total", "dapr_resiliency_cb_state", countSt},
		},
		{
			// 1.11+: per resolve at the operation's start, with direction,
			// target and, for the breaker, the state the resolve read.
			name: "count from 1.11", minors: []int{11, 14, 16},
			events: breakerOpen,
			want: []at{
				{10, countSt + `circuitbreaker",status="closed",` + tgt + ` 1`},
				{10, countSt + `circuitbreaker",status="open",` + tgt + ` 1`},
				{30, countSt + `circuitbreaker",status="half-open",` + tgt + ` 1`},
				{10, countSt + `retry",` + tgt + ` 2`},
				{30, countSt + `timeout",` + tgt + ` 3`},
			},
		},
		{
			// A change to open or closed happens inside Execute and counts
			// with the new state; to half-open happens in the state read
			// before it, and does not.
			name: "breaker activations", minors: []int{11, 16},
			events: breakerOpen,
			want: []at{
				{10, actSt + `circuitbreaker",status="open",` + tgt + ` 1`},
				{30, actSt + `circuitbreaker",status="closed",` + tgt + ` 1`},
			},
			absent: []string{actSt + `circuitbreaker",status="half-open"`},
		},
		{
			// 1.15+: cb_state is set at each resolve, 1 for the state read.
			name: "cb_state", minors: []int{15, 16},
			events: breakerOpen,
			want: []at{
				{10, `dapr_resiliency_cb_state{app_id="order-processor",flow_direction="outbound",name="myresiliency",policy="circuitbreaker",status="open",` + tgt + ` 1`},
				{10, `dapr_resiliency_cb_state{app_id="order-processor",flow_direction="outbound",name="myresiliency",policy="circuitbreaker",status="closed",` + tgt + ` 0`},
				{30, `dapr_resiliency_cb_state{app_id="order-processor",flow_direction="outbound",name="myresiliency",policy="circuitbreaker",status="half-open",` + tgt + ` 1`},
				{30, `dapr_resiliency_cb_state{app_id="order-processor",flow_direction="outbound",name="myresiliency",policy="circuitbreaker",status="unknown",` + tgt + ` 0`},
			},
		},
		{
			name: "no cb_state before 1.15", minors: []int{11, 14},
			events: breakerOpen,
			absent: []string{"dapr_resiliency_cb_state"},
		},
		{
			// dapr/kit NotifyRecover: once per operation that retried.
			name: "retry activations", minors: []int{11, 16},
			events: []traces.Event{
				{T: 2 * s, Kind: traces.Retry, App: "order-processor", Step: 1, Op: "save", Attempt: 1, Notice: true},
				{T: 4 * s, Kind: traces.Retry, App: "order-processor", Step: 1, Op: "save", Attempt: 2},
				{T: 12 * s, Kind: traces.Retry, App: "order-processor", Step: 1, Op: "deliver", Target: "orderpubsub", Attempt: 1, Notice: true},
			},
			want: []at{
				{10, actSt + `retry",` + tgt + ` 1`},
				{20, actSt + `retry",` + tgt + ` 1`},
				{20, `dapr_resiliency_activations_total{app_id="order-processor",flow_direction="inbound",name="myresiliency",policy="retry",target="Pubsub_orderpubsub"} 1`},
			},
		},
		{
			// policy.go: a runner's first timeout only.
			name: "timeout activations", minors: []int{11, 16},
			events: []traces.Event{
				{T: 2 * s, Kind: traces.Timeout, App: "order-processor", Iteration: 1, Step: 1, Op: "save", Attempt: 1},
				{T: 4 * s, Kind: traces.Timeout, App: "order-processor", Iteration: 1, Step: 1, Op: "save", Attempt: 2},
				{T: 5 * s, Kind: traces.Op, App: "order-processor", Iteration: 1, Step: 1, Op: "save", Outcome: traces.Error, Took: 4 * s},
				{T: 12 * s, Kind: traces.Timeout, App: "order-processor", Iteration: 2, Step: 1, Op: "save", Attempt: 1},
			},
			want: []at{{10, actSt + `timeout",` + tgt + ` 1`}, {20, actSt + `timeout",` + tgt + ` 2`}},
		},
		{
			// StateInvoked: per operation at its end, whole milliseconds,
			// no latency sample for 0 ms.
			name: "state", minors: []int{8, 16},
			events: []traces.Event{
				op(1*s, 1500*time.Microsecond, 1, traces.OK),
				op(2*s, 999*time.Microsecond, 2, traces.OK),
				op(3*s, 30*s/1000*1000, 1, traces.Error),
			},
			want: []at{
				{10, `dapr_component_state_count{app_id="order-processor",component="statestore",operation="set",success="true"} 1`},
				{10, `dapr_component_state_count{app_id="order-processor",component="statestore",operation="get",success="true"} 1`},
				{10, `dapr_component_state_count{app_id="order-processor",component="statestore",operation="set",success="false"} 1`},
				{10, `dapr_component_state_latencies_bucket{app_id="order-processor",component="statestore",operation="set",success="true",le="1.0"} 1`},
				{10, `dapr_component_state_latencies_sum{app_id="order-processor",component="statestore",operation="set",success="true"} 1`},
				{10, `dapr_component_state_latencies_bucket{app_id="order-processor",component="statestore",operation="set",success="false",le="20000.0"} 0`},
				{10, `dapr_component_state_latencies_bucket{app_id="order-processor",component="statestore",operation="set",success="false",le="50000.0"} 1`},
				{10, `dapr_component_state_latencies_sum{app_id="order-processor",component="statestore",operation="set",success="false"} 30000`},
			},
			absent: []string{`dapr_component_state_latencies_count{app_id="order-processor",component="statestore",operation="get"`},
		},
		{
			name: "egress and output binding", minors: []int{8, 16},
			events: []traces.Event{op(1*s, 3*time.Millisecond, 3, traces.OK), op(2*s, 7*time.Millisecond, 4, traces.Error)},
			want: []at{
				{10, `dapr_component_pubsub_egress_count{app_id="order-processor",component="orderpubsub",success="true",topic="orders"} 1`},
				{10, `dapr_component_pubsub_egress_latencies_sum{app_id="order-processor",component="orderpubsub",success="true",topic="orders"} 3`},
				{10, `dapr_component_output_binding_count{app_id="order-processor",component="orders",operation="create",success="false"} 1`},
				{10, `dapr_component_output_binding_latencies_bucket{app_id="order-processor",component="orders",operation="create",success="false",le="8.0"} 1`},
			},
		},
		{
			// Ingress: per attempt that reached the app (publish.go);
			// 1.14 adds status, success for an app's DROP.
			name: "ingress before 1.14", minors: []int{8, 13},
			events: []traces.Event{
				{T: 1 * s, Kind: traces.Call, App: "order-processor", Op: "deliver", Target: "orderpubsub", Topic: "orders", Outcome: traces.Error},
				{T: 2 * s, Kind: traces.Call, App: "order-processor", Op: "deliver", Target: "orderpubsub", Topic: "orders", Outcome: traces.OK},
				{T: 3 * s, Kind: traces.Call, App: "order-processor", Op: "deliver", Target: "orderpubsub", Topic: "orders", Outcome: traces.Rejected},
				{T: 4 * s, Kind: traces.Call, App: "order-processor", Op: "deliver", Target: "orderpubsub", Topic: "orders", Outcome: traces.Error, Status: 404},
			},
			want: []at{
				{10, `dapr_component_pubsub_ingress_count{app_id="order-processor",component="orderpubsub",process_status="retry",topic="orders"} 1`},
				{10, `dapr_component_pubsub_ingress_count{app_id="order-processor",component="orderpubsub",process_status="success",topic="orders"} 1`},
				{10, `dapr_component_pubsub_ingress_count{app_id="order-processor",component="orderpubsub",process_status="drop",topic="orders"} 1`},
			},
		},
		{
			name: "ingress from 1.14", minors: []int{14, 16},
			events: []traces.Event{
				{T: 1 * s, Kind: traces.Call, App: "order-processor", Op: "deliver", Target: "orderpubsub", Topic: "orders", Outcome: traces.OK, Answer: "DROP"},
				{T: 2 * s, Kind: traces.Call, App: "order-processor", Op: "deliver", Target: "orderpubsub", Topic: "orders", Outcome: traces.OK},
			},
			want: []at{
				{10, `dapr_component_pubsub_ingress_count{app_id="order-processor",component="orderpubsub",process_status="drop",status="success",topic="orders"} 1`},
				{10, `dapr_component_pubsub_ingress_count{app_id="order-processor",component="orderpubsub",process_status="success",status="success",topic="orders"} 1`},
			},
		},
	} {
		for _, minor := range tc.minors {
			got := samples(t, minor, tc.events)
			for _, w := range tc.want {
				if ok, same := has(got, w.sec, w.want); !ok {
					t.Errorf("%s, 1.%d: at %ds want\n  %s\nhave\n  %s", tc.name, minor, w.sec, w.want, strings.ReplaceAll(same, "\n", "\n  "))
				}
			}
			for _, a := range tc.absent {
				for sec, ls := range got {
					for _, l := range ls {
						if strings.HasPrefix(l, a) {
							t.Errorf("%s, 1.%d: at %ds want no %s…, got\n  %s", tc.name, minor, sec, a, l)
						}
					}
				}
			}
		}
	}
}

// A series appears at the first scrape after its first record, as Dapr
// exports a view's row only once recorded; counters then keep their value.
func TestSeriesStartAtFirstRecord(t *testing.T) {
	got := samples(t, 16, []traces.Event{op(25*s, time.Millisecond, 2, traces.OK)})
	const series = `dapr_component_state_count{app_id="order-processor",component="statestore",operation="get",success="true"}`
	for sec := 0; sec <= 60; sec += 10 {
		ok, _ := has(got, sec, series+" 1")
		if ok != (sec >= 30) {
			t.Errorf("at %ds: sample present %v, want %v", sec, ok, sec >= 30)
		}
	}
}

func TestExpand(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"", "", "1", "2", "3", "3"}, "_x2 1+1x2 3"},
		{[]string{"", "", "", "7"}, "_x3 7"},
		{[]string{"", "5"}, "_ 5"},
		{[]string{"1", "1", "1"}, "1+0x2"},
		{[]string{"1", "0", "0", "0"}, "1-1x1 0+0x1"},
		{[]string{"", "4", "", "", "5", "6", ""}, "_ 4 _x2 5+1x1 _"},
		{[]string{"-3", "-5", "-7", "1"}, "-3-2x2 1"},
		{nil, ""},
	} {
		if got := expand(tc.in); got != tc.want {
			t.Errorf("expand(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTimestamp(t *testing.T) {
	r := New(nil, Options{Interval: 1500 * time.Millisecond, Horizon: 3 * s, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	for i, want := range []string{"1767225600", "1767225601.5", "1767225603"} {
		if got := r.timestamp(i); got != want {
			t.Errorf("timestamp(%d) = %s, want %s", i, got, want)
		}
	}
}

// Label values are escaped as the text formats require (\\, \", \n), and a
// name that would not print as itself has each such rune written as its Go
// escape, so a terminal showing the file never obeys it.
func TestLabelValues(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"order-processor", `app_id="order-processor"`},
		{`a"b\c`, `app_id="a\"b\\c"`},
		{"ord\x1b[2Jer", `app_id="ord\\x1b[2Jer"`},
		{"two\nlines\n", `app_id="two\\nlines\\n"`},
	} {
		if got := (labels{{"app_id", tc.in}, {"status", ""}}).text(); got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

// A subscription resolves its inbound policy once, when the sidecar
// subscribes, so its count and cb_state are set at start and deliveries
// move neither — not even while its breaker is open; an input binding
// resolves per event.
func TestSubscriptionResolvesOnce(t *testing.T) {
	sc := sidecar()
	sc.Subscribed = []string{"orderpubsub"}
	sc.Inbound["cron"] = Policy{Target: "Binding_cron", Inbound: true, Retry: true}
	r := New([]Sidecar{sc}, Options{Minor: 16, Interval: 10 * s, Horizon: 30 * s, Start: time.Unix(0, 0)})
	for _, e := range []traces.Event{
		{T: 1 * s, Kind: traces.Breaker, App: "order-processor", Name: "pubsubCB-orderpubsub", From: "closed", To: "open"},
		{T: 1 * s, Kind: traces.Call, App: "order-processor", Op: "deliver", Target: "orderpubsub", Topic: "orders", Outcome: traces.Error},
		{T: 5 * s, Kind: traces.Deliver, App: "order-processor", Op: "deliver", Target: "orderpubsub", Topic: "orders", Outcome: traces.Error, Took: time.Second},
		{T: 6 * s, Kind: traces.Deliver, App: "order-processor", Op: "deliver", Target: "orderpubsub", Topic: "orders", Outcome: traces.Error, Took: time.Second},
		{T: 7 * s, Kind: traces.Deliver, App: "order-processor", Op: "trigger", Target: "cron", Outcome: traces.OK, Took: time.Second},
		{T: 8 * s, Kind: traces.Deliver, App: "order-processor", Op: "trigger", Target: "cron", Outcome: traces.OK, Took: time.Second},
	} {
		r.Record(&e)
	}
	r.Close()
	var b bytes.Buffer
	r.WriteOpenMetrics(&b)
	const in = `{app_id="order-processor",flow_direction="inbound",name="myresiliency",policy=`
	for _, want := range []string{
		`dapr_resiliency_count` + in + `"retry",target="Pubsub_orderpubsub"} 1 30`,
		`dapr_resiliency_count` + in + `"circuitbreaker",status="closed",target="Pubsub_orderpubsub"} 1 0`,
		`dapr_resiliency_cb_state` + in + `"circuitbreaker",status="closed",target="Pubsub_orderpubsub"} 1 30`,
		`dapr_resiliency_cb_state` + in + `"circuitbreaker",status="open",target="Pubsub_orderpubsub"} 0 30`,
		`dapr_resiliency_activations_total` + in + `"circuitbreaker",status="open",target="Pubsub_orderpubsub"} 1 10`,
		`dapr_resiliency_count` + in + `"retry",target="Binding_cron"} 2 10`,
	} {
		if !strings.Contains(b.String(), want+"\n") {
			t.Errorf("want %s in\n%s", want, b.String())
		}
	}
}

// SampleLines, which bounds the output before it is written, counts the
// sample lines WriteOpenMetrics writes: counters, gauges and histograms,
// series born at different scrapes.
func TestSampleLines(t *testing.T) {
	r := New([]Sidecar{sidecar()}, Options{Minor: 16, Interval: 10 * s, Horizon: 60 * s, Start: time.Unix(0, 0)})
	for _, e := range []traces.Event{
		op(5*s, time.Millisecond, 1, traces.OK),
		op(25*s, 3*time.Millisecond, 2, traces.OK),
		op(41*s, time.Millisecond, 1, traces.Error),
		{T: 42 * s, Kind: traces.Breaker, App: "order-processor", Name: "simpleCB-statestore", To: "open"},
	} {
		if err := r.Record(&e); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	var b bytes.Buffer
	if err := r.WriteOpenMetrics(&b); err != nil {
		t.Fatal(err)
	}
	var lines int64
	for _, l := range strings.Split(b.String(), "\n") {
		if l != "" && l[0] != '#' {
			lines++
		}
	}
	if got := r.SampleLines(); got != lines || lines == 0 {
		t.Errorf("SampleLines() = %d, WriteOpenMetrics wrote %d", got, lines)
	}
}

// record runs events through a Recorder of release 1.16 scraping every
// 10 s up to 60 s.
func record(t testing.TB, events []traces.Event) *Recorder {
	t.Helper()
	r := New([]Sidecar{sidecar()}, Options{Minor: 16, Interval: 10 * s, Horizon: 60 * s, Start: time.Unix(0, 0)})
	for i := range events {
		if err := r.Record(&events[i]); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// outage is a minute of the sidecar's operations: saves and gets every
// second, failing from 20 s to 40 s with the breaker opening, publishes.
func outage() []traces.Event {
	var es []traces.Event
	for sec := 1; sec < 60; sec++ {
		t := time.Duration(sec) * s
		o := traces.OK
		if sec >= 20 && sec < 40 {
			o = traces.Error
		}
		es = append(es, op(t, time.Duration(sec%7+1)*time.Millisecond, 1, o), op(t, 2*time.Millisecond, 2, traces.OK))
		if sec == 25 {
			es = append(es, traces.Event{T: t, Kind: traces.Breaker, App: "order-processor", Name: "simpleCB-statestore", To: "open"})
		}
		if sec%5 == 0 {
			es = append(es, op(t, 30*time.Millisecond, 3, traces.OK))
		}
	}
	return es
}

// Current, what the live /metrics serves, is every series' value at the
// last scrape of the OpenMetrics file once the run has ended.
func TestCurrentIsTheLastScrape(t *testing.T) {
	r := record(t, outage())
	r.Close()
	var b bytes.Buffer
	if err := r.WriteOpenMetrics(&b); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.HasSuffix(l, " 60") {
			want = append(want, strings.TrimSuffix(l, " 60"))
		}
	}
	var got []string
	for _, m := range r.Current() {
		var ls []string
		for i := 0; i+1 < len(m.Labels); i += 2 {
			ls = append(ls, m.Labels[i]+`="`+m.Labels[i+1]+`"`)
		}
		line := func(suffix, le, v string) {
			all := ls
			if le != "" {
				all = append(all[:len(all):len(all)], `le="`+le+`"`)
			}
			sel := ""
			if len(all) > 0 {
				sel = "{" + strings.Join(all, ",") + "}"
			}
			got = append(got, m.Name+suffix+sel+" "+v)
		}
		if m.Type != typeHistogram {
			line("", "", strconv.FormatFloat(m.Value, 'f', -1, 64))
			continue
		}
		for i, bound := range m.Bounds {
			line("_bucket", formatBound(bound), strconv.FormatUint(m.Buckets[i], 10))
		}
		line("_bucket", "+Inf", strconv.FormatUint(m.Count, 10))
		line("_count", "", strconv.FormatUint(m.Count, 10))
		line("_sum", "", strconv.FormatFloat(m.Sum, 'f', -1, 64))
	}
	if len(want) < 20 {
		t.Fatalf("the last scrape has %d samples; the outage should make more", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Current differs from the last scrape (-scrape +current):\n%s", diff)
	}
}

// BenchmarkCurrent is a live scrape of an hour's run at 1 s scrapes:
// Current reads what is recorded under the server's lock.
func BenchmarkCurrent(b *testing.B) {
	r := New([]Sidecar{sidecar()}, Options{Minor: 16, Interval: s, Horizon: time.Hour, Start: time.Unix(0, 0)})
	for sec := 1; sec < 3600; sec++ {
		for _, e := range []traces.Event{op(time.Duration(sec)*s, time.Millisecond, 1, traces.OK), op(time.Duration(sec)*s, 3*time.Millisecond, 3, traces.OK)} {
			if err := r.Record(&e); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		r.Current()
	}
}
