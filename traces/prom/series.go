package prom

import (
	"sort"
	"time"
)

// famID names one metric family.
type famID uint8

const (
	famLoaded famID = iota
	famCount
	famActivations
	famCBState
	famStateCount
	famStateLatency
	famEgressCount
	famEgressLatency
	famIngressCount
	famOutputBindingCount
	famOutputBindingLatency
)

// Types of a family, as Dapr's exporter declares them.
const (
	typeCounter   = "counter"
	typeGauge     = "gauge"
	typeHistogram = "histogram"
)

// family is one metric as Prometheus scrapes it from a sidecar: name is the
// series name the OpenCensus exporter gives the view ("dapr_" and the view
// name with / as _; no suffix added, so a count view is a counter named
// like dapr_resiliency_count), help is the measure's description.
type family struct {
	name, typ, help string
}

var families = [...]family{
	famLoaded:               {"dapr_resiliency_loaded", typeCounter, "Number of resiliency policies loaded."},
	famCount:                {"dapr_resiliency_count", typeCounter, "Number of times a resiliency policyKey has been applied to a building block."},
	famActivations:          {"dapr_resiliency_activations_total", typeCounter, "Number of times a resiliency policyKey has been activated in a building block after a failure or after a state change."},
	famCBState:              {"dapr_resiliency_cb_state", typeGauge, "A resiliency policy's current CircuitBreakerState state. 0 is closed, 1 is half-open, 2 is open, and -1 is unknown."},
	famStateCount:           {"dapr_component_state_count", typeCounter, "The number of operations performed on the state component."},
	famStateLatency:         {"dapr_component_state_latencies", typeHistogram, "The latency of the response from the state component."},
	famEgressCount:          {"dapr_component_pubsub_egress_count", typeCounter, "The number of outgoing messages published to the pub/sub component."},
	famEgressLatency:        {"dapr_component_pubsub_egress_latencies", typeHistogram, "The latency of the response from the pub/sub component."},
	famIngressCount:         {"dapr_component_pubsub_ingress_count", typeCounter, "The number of incoming messages arriving from the pub/sub component."},
	famOutputBindingCount:   {"dapr_component_output_binding_count", typeCounter, "The number of operations invoked on the output binding component."},
	famOutputBindingLatency: {"dapr_component_output_binding_latencies", typeHistogram, "The latency of the response from the output binding component."},
}

// latencyBounds are the bucket bounds of every latency histogram, in
// milliseconds: pkg/config MetricSpec.GetLatencyDistribution's default
// (defaultLatencyDistribution in diagnostics before it moved), the same in
// every modelled release.
var latencyBounds = []float64{1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 30, 40, 50, 65, 80, 100, 130, 160, 200, 250, 300, 400, 500, 650, 800, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000}

// cbStates are the series of dapr_resiliency_cb_state, in the order
// resiliency_monitoring.go records them.
var cbStates = []string{"closed", "half-open", "open", "unknown"}

// series is one label set of one family: what changed in each scrape
// interval. Interval i holds what happened in ((i-1)·Interval, i·Interval].
type series struct {
	fam    famID
	labels string // rendered, sorted
	pairs  labels // the same, as pairs
	first  int    // the first scrape that sees the series: Dapr exports a row once it is recorded

	delta   []uint64   // counter: increments by interval
	buckets [][]uint64 // histogram: per interval, increments by bucket (the last is +Inf); nil when none
	sumMs   []int64    // histogram: the sum of the observations by interval
	changes []change   // gauge (cb_state): the state read from t on, in time order
	state   string     // gauge: the cb_state series' own state

	// Running totals of what is recorded, for the live /metrics: a scrape
	// reads them under the server's lock instead of summing every
	// interval of the run.
	total  uint64   // counter: the sum of delta
	counts []uint64 // histogram: by bucket, the sum of buckets
	sum    int64    // histogram: the sum of sumMs
}

// scrape is the index of the first scrape that sees what happens at t,
// and false past the last scrape.
func (r *Recorder) scrape(t time.Duration) (int, bool) {
	if t < 0 {
		t = 0
	}
	i := int((t + r.o.Interval - 1) / r.o.Interval)
	return i, i <= r.last
}

// seriesKey finds a series without rendering its labels: each call site
// passes a family's labels in one order, so the pairs as passed identify
// it (several orders of one label set would be one rendered series; the
// rendered text is checked when a key is new).
type seriesKey struct {
	fam famID
	ls  [maxLabels]label
}

// maxLabels is the most labels a series of ours has (resiliency: app_id,
// name, policy, flow_direction, target, status; namespace is empty).
const maxLabels = 8

func (r *Recorder) get(f famID, ls labels, i int) *series {
	k := seriesKey{fam: f}
	copy(k.ls[:], ls)
	s := r.byKey[k]
	if s == nil {
		text := ls.text()
		name := families[f].name + "{" + text + "}"
		if s = r.series[name]; s == nil {
			s = &series{fam: f, labels: text, pairs: ls.written(), first: i}
			r.series[name] = s
		}
		r.byKey[k] = s
	}
	if i < s.first {
		s.first = i
	}
	return s
}

// count adds one to a counter at t.
func (r *Recorder) count(f famID, t time.Duration, ls labels) {
	i, ok := r.scrape(t)
	if !ok {
		return
	}
	s := r.get(f, ls, i)
	for len(s.delta) <= i {
		s.delta = append(s.delta, 0)
	}
	s.delta[i]++
	s.total++
}

// observe records a latency of ms at t, not recorded when 0, as Dapr.
func (r *Recorder) observe(f famID, t time.Duration, ls labels, ms int64) {
	if ms <= 0 {
		return
	}
	i, ok := r.scrape(t)
	if !ok {
		return
	}
	s := r.get(f, ls, i)
	for len(s.buckets) <= i {
		s.buckets = append(s.buckets, nil)
		s.sumMs = append(s.sumMs, 0)
	}
	if s.buckets[i] == nil {
		s.buckets[i] = make([]uint64, len(latencyBounds)+1)
	}
	b := sort.SearchFloat64s(latencyBounds, float64(ms)) // le: the first bound >= ms
	s.buckets[i][b]++
	s.sumMs[i] += ms
	if s.counts == nil {
		s.counts = make([]uint64, len(latencyBounds)+1)
	}
	s.counts[b]++
	s.sum += ms
}

// gauge sets dapr_resiliency_cb_state for the breaker of ls to state at
// t: the series of state is 1 from then, the others 0. Sets arrive out of
// time order (an operation's resolve is known when it ends), so each
// series keeps its changes sorted.
func (r *Recorder) gauge(t time.Duration, ls labels, state string) {
	i, ok := r.scrape(t)
	if !ok {
		return
	}
	for _, st := range cbStates {
		s := r.get(famCBState, append(ls[:len(ls):len(ls)], label{"status", st}), i)
		s.state = st
		v := "0"
		if st == state {
			v = "1"
		}
		s.changes = setAt(s.changes, t, v)
	}
}

// setAt inserts the value v from t on into cs, kept sorted by time and
// without a change that repeats the value before it, so the list grows
// with the breaker's changes of state, not with the operations.
func setAt(cs []change, t time.Duration, v string) []change {
	j := sort.Search(len(cs), func(j int) bool { return cs[j].t > t })
	if j > 0 && cs[j-1].state == v {
		return cs
	}
	if j < len(cs) && cs[j].state == v {
		cs[j].t = t // the same value, known to start earlier
		return cs
	}
	cs = append(cs, change{})
	copy(cs[j+1:], cs[j:])
	cs[j] = change{t, v}
	return cs
}
