package prom

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/escape"
	"github.com/dapr-sim/sim/traces"
)

// Policy is what one resolve of a target builds, as Dapr's resiliency
// metrics see it (resiliency.go addMetricsToPolicy): the target label,
// the direction, and which of the three policies the definition holds.
type Policy struct {
	// Target is Dapr's target label: ResiliencyComponentTarget puts the
	// component kind before the name (Statestore_statestore,
	// Pubsub_orderpubsub, Binding_orders), ResiliencyAppTarget "app_"
	// before an app id.
	Target  string
	Inbound bool
	Timeout bool
	Retry   bool
	// Breaker is the breaker's name as breaker events carry it
	// (simpleCB-statestore, "order-processor:neworder"); "" for none.
	Breaker string
}

// Direction is the flow_direction label of the policy.
func (p Policy) Direction() string {
	if p.Inbound {
		return "inbound"
	}
	return "outbound"
}

func (p Policy) empty() bool { return !p.Timeout && !p.Retry && p.Breaker == "" }

// Step is one step of an app's loop: what its op events are counted as.
type Step struct {
	Op        string // save, get, delete, publish, binding, invoke, actor
	Component string // the state store, pub/sub or binding; the called app for invoke
	Topic     string // publish
	Operation string // binding: the output binding's operation
	Policy    Policy // the outbound pipeline the step runs through
}

// Sidecar is what one app's daprd resolves, in the terms its metrics use.
type Sidecar struct {
	AppID string
	// Resiliency names the Resiliency resources the sidecar loaded, in
	// order: each is one dapr_resiliency_loaded series, and the last one's
	// name is the name label of every other resiliency metric (Dapr's
	// Resiliency keeps the name of the last configuration it decoded).
	// Empty when Resiliency is off.
	Resiliency []string
	Steps      []Step            // by step number - 1
	Inbound    map[string]Policy // by component: deliveries and input-binding triggers
	// Subscribed names the pub/sub component of each topic subscription
	// the sidecar makes at start: Dapr resolves a subscription's inbound
	// policy once, when it subscribes (runtime.go subscribeTopic, topics.go,
	// subscription.go), not per message.
	Subscribed []string
}

// Options set the scrapes and the release.
type Options struct {
	Minor    int           // the Dapr release 1.Minor whose metrics to export
	Interval time.Duration // between two virtual scrapes; > 0
	Horizon  time.Duration // the run's duration: the last scrape is at or before it
	Start    time.Time     // the wall-clock instant of virtual time 0
}

// Recorder folds events into the metrics of every sidecar. It is a
// traces.Sink; Close it before reading (it settles a breaker transition
// still waiting for the call that caused it).
type Recorder struct {
	o        Options
	sidecars map[string]*Sidecar
	only     string             // the app id when there is one sidecar: breaker events of a single-sidecar run carry no app
	last     int                // index of the last scrape
	series   map[string]*series // by rendered name and labels
	byKey    map[seriesKey]*series

	breakers map[string][]change // by app + "\x00" + breaker name: state changes in time order
	timedOut map[string]bool     // operations whose timeout activation is counted (once per runner)
	pending  *transition         // a breaker transition waiting for its call event
}

// change is a breaker's state from T on.
type change struct {
	t     time.Duration
	state string
}

type transition struct {
	t         time.Duration
	app, name string
	to        string
}

// New returns a Recorder for sidecars.
func New(sidecars []Sidecar, o Options) *Recorder {
	if o.Interval <= 0 {
		panic("prom: scrape interval must be positive")
	}
	r := &Recorder{
		o:        o,
		sidecars: map[string]*Sidecar{},
		last:     int(o.Horizon / o.Interval),
		series:   map[string]*series{},
		byKey:    map[seriesKey]*series{},
		breakers: map[string][]change{},
		timedOut: map[string]bool{},
	}
	for i := range sidecars {
		r.sidecars[sidecars[i].AppID] = &sidecars[i]
	}
	if len(sidecars) == 1 {
		r.only = sidecars[0].AppID
	}
	if o.Minor >= 9 {
		// PolicyLoaded: once per Resiliency configuration decoded at start.
		for _, sc := range sidecars {
			for _, name := range sc.Resiliency {
				r.count(famLoaded, 0, labels{{"app_id", sc.AppID}, {"name", name}})
			}
		}
	}
	for _, sc := range r.sidecars {
		for _, c := range sc.Subscribed {
			if pol, ok := sc.Inbound[c]; ok {
				r.resolved(0, sc, pol)
			}
		}
	}
	return r
}

// Record implements traces.Sink; it never fails.
func (r *Recorder) Record(e *traces.Event) error {
	if p := r.pending; p != nil && (e.T != p.t || e.Kind != traces.Call && e.Kind != traces.Try && e.Kind != traces.Breaker) {
		r.settle(nil)
	}
	sc := r.sidecars[e.App]
	switch e.Kind {
	case traces.Breaker:
		app := e.App
		if app == "" {
			app = r.only
		}
		r.breakerChanged(e.T, app, e.Name, e.To)
	case traces.Call:
		if p := r.pending; p != nil && e.App == p.app && sc != nil {
			if pol, ok := r.policyOf(sc, e); ok && pol.Breaker == p.name {
				r.settle(&pol)
			}
		}
		if sc != nil && e.Op == "deliver" && e.Outcome != traces.Rejected {
			r.ingress(sc, e)
		}
	case traces.Retry:
		// dapr/kit retry.NotifyRecover calls notify once per operation:
		// the retry Dapr logs, which is the one sim marks as the notice.
		if sc != nil && e.Notice {
			if pol, ok := r.policyOf(sc, e); ok && pol.Retry {
				r.activated(e.T, sc, pol, "retry", "")
			}
		}
	case traces.Timeout:
		// policy.go counts a runner's first timeout only
		// (timeoutMetricsActivated), and a runner is one operation.
		if sc != nil {
			if pol, ok := r.policyOf(sc, e); ok && pol.Timeout {
				if k := opKey(e); !r.timedOut[k] {
					r.timedOut[k] = true
					r.activated(e.T, sc, pol, "timeout", "")
				}
			}
		}
	case traces.Op:
		if sc != nil {
			delete(r.timedOut, opKey(e))
			r.opEnded(sc, e)
		}
	case traces.Deliver:
		if sc != nil {
			delete(r.timedOut, opKey(e))
			// An input binding resolves its policy per event
			// (sendBindingEventToApp); a subscription did at start.
			if pol, ok := sc.Inbound[e.Target]; ok && e.Op == "trigger" {
				r.resolved(e.T-e.Took, sc, pol)
			}
		}
	}
	return nil
}

// Close settles what is still pending; call it once the run has ended.
func (r *Recorder) Close() error {
	if r.pending != nil {
		r.settle(nil)
	}
	return nil
}

func opKey(e *traces.Event) string {
	return fmt.Sprintf("%s\x00%d\x00%d\x00%d\x00%s", e.App, e.Worker, e.Iteration, e.Step, e.Op)
}

// policyOf finds the pipeline an event of an operation ran through.
func (r *Recorder) policyOf(sc *Sidecar, e *traces.Event) (Policy, bool) {
	if e.Op == "deliver" || e.Op == "trigger" {
		p, ok := sc.Inbound[e.Target]
		return p, ok
	}
	if e.Step < 1 || e.Step > len(sc.Steps) {
		return Policy{}, false
	}
	return sc.Steps[e.Step-1].Policy, true
}

// breakerChanged tracks the breaker's state and counts the activations
// Dapr counts: policy.go compares the state before and after Execute, and
// the state read before it (prevState) is where gobreaker's lazy clock
// half-opens an open breaker, so a change to half-open is never counted;
// a change to open or closed happens inside Execute and is, with the new
// state as status. Which runner (so which target and direction) ran it is
// the call event that follows at the same instant.
func (r *Recorder) breakerChanged(t time.Duration, app, name, to string) {
	k := app + "\x00" + name
	r.breakers[k] = append(r.breakers[k], change{t, to})
	if r.o.Minor < 11 || (to != "open" && to != "closed") {
		return
	}
	if r.pending != nil {
		r.settle(nil)
	}
	r.pending = &transition{t: t, app: app, name: name, to: to}
}

// settle counts the pending transition's activation with pol, or, when no
// call event named the runner, with the first pipeline of the sidecar that
// holds the breaker.
func (r *Recorder) settle(pol *Policy) {
	p := r.pending
	r.pending = nil
	sc := r.sidecars[p.app]
	if sc == nil {
		return
	}
	if pol == nil {
		for _, st := range sc.Steps {
			if st.Policy.Breaker == p.name {
				pol = &st.Policy
				break
			}
		}
	}
	if pol == nil {
		for _, c := range sortedKeys(sc.Inbound) {
			if q := sc.Inbound[c]; q.Breaker == p.name {
				pol = &q
				break
			}
		}
	}
	if pol != nil {
		r.activated(p.t, sc, *pol, "circuitbreaker", p.to)
	}
}

// stateAt is the breaker's state at t, changes at t included.
func (r *Recorder) stateAt(app, name string, t time.Duration) string {
	cs := r.breakers[app+"\x00"+name]
	i := sort.Search(len(cs), func(i int) bool { return cs[i].t > t })
	if i == 0 {
		return "closed"
	}
	return cs[i-1].state
}

// opEnded counts an app loop's step: its policy resolve at the start, the
// component metric at the end.
func (r *Recorder) opEnded(sc *Sidecar, e *traces.Event) {
	if e.Step < 1 || e.Step > len(sc.Steps) {
		return
	}
	st := sc.Steps[e.Step-1]
	r.resolved(e.T-e.Took, sc, st.Policy)
	success := fmt.Sprint(e.Outcome == traces.OK)
	// diag.ElapsedSince: whole milliseconds, and a latency of 0 is not
	// recorded (component_monitoring.go: if elapsed > 0).
	ms := int64(e.Took / time.Millisecond)
	app := labelOf("app_id", sc.AppID)
	comp := labelOf("component", st.Component)
	switch st.Op {
	case "save", "get", "delete":
		op := map[string]string{"save": "set", "get": "get", "delete": "delete"}[st.Op]
		ls := labels{app, comp, {"operation", op}, {"success", success}}
		r.count(famStateCount, e.T, ls)
		r.observe(famStateLatency, e.T, ls, ms)
	case "publish":
		ls := labels{app, comp, {"success", success}, {"topic", st.Topic}}
		r.count(famEgressCount, e.T, ls)
		r.observe(famEgressLatency, e.T, ls, ms)
	case "binding":
		ls := labels{app, comp, {"operation", st.Operation}, {"success", success}}
		r.count(famOutputBindingCount, e.T, ls)
		r.observe(famOutputBindingLatency, e.T, ls, ms)
	}
}

// ingress counts one attempt to hand a message to the app:
// subscription/publish.go records dapr_component_pubsub_ingress_count
// inside the runner's operation, once per attempt that reached the app,
// with the process status the app's answer means.
func (r *Recorder) ingress(sc *Sidecar, e *traces.Event) {
	status := "retry"
	switch {
	case e.Outcome == traces.OK && e.Answer == "DROP":
		status = "drop"
	case e.Outcome == traces.OK:
		status = "success"
	case e.Status == 404 || e.Code == "Unimplemented":
		status = "drop"
	}
	ls := labels{labelOf("app_id", sc.AppID), labelOf("component", e.Target), {"process_status", status}, labelOf("topic", e.Topic)}
	if r.o.Minor >= 14 {
		// The status label (1.14+) repeats the process status, but for
		// DROP, which the app chose: status success.
		s := status
		if e.Answer == "DROP" {
			s = "success"
		}
		ls = append(ls, label{"status", s})
	}
	r.count(famIngressCount, e.T, ls)
}

// resolved counts one resolve of pol at t (addMetricsToPolicy): once per
// API request or delivery, before the first attempt, per policy held.
func (r *Recorder) resolved(t time.Duration, sc *Sidecar, pol Policy) {
	if r.o.Minor < 9 || pol.empty() {
		return
	}
	name := ""
	if n := len(sc.Resiliency); n > 0 {
		name = sc.Resiliency[n-1]
	}
	for _, p := range []struct {
		on     bool
		policy string
	}{{pol.Timeout, "timeout"}, {pol.Retry, "retry"}, {pol.Breaker != "", "circuitbreaker"}} {
		if !p.on {
			continue
		}
		ls := labels{labelOf("app_id", sc.AppID), labelOf("name", name), {"policy", p.policy}}
		if r.o.Minor >= 11 {
			status := ""
			if p.policy == "circuitbreaker" {
				status = r.stateAt(sc.AppID, pol.Breaker, t)
			}
			ls = append(ls, label{"flow_direction", pol.Direction()}, labelOf("target", pol.Target), labelOf("status", status))
			if p.policy == "circuitbreaker" && r.o.Minor >= 15 {
				// 1.15+: the same call sets dapr_resiliency_cb_state, one
				// series per state, 1 for the state read and 0 for the others.
				r.gauge(t, ls[:len(ls)-1], status)
			}
		}
		r.count(famCount, t, ls)
	}
}

// activated counts dapr_resiliency_activations_total (1.11+).
func (r *Recorder) activated(t time.Duration, sc *Sidecar, pol Policy, policy, status string) {
	if r.o.Minor < 11 {
		return
	}
	name := ""
	if n := len(sc.Resiliency); n > 0 {
		name = sc.Resiliency[n-1]
	}
	r.count(famActivations, t, labels{labelOf("app_id", sc.AppID), labelOf("name", name), {"policy", policy},
		{"flow_direction", pol.Direction()}, labelOf("target", pol.Target), labelOf("status", status)})
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// label is one label pair; an empty value is no label, as Dapr's
// diagUtils.WithTags skips empty tag values.
type label struct{ name, value string }

type labels []label

func labelOf(name, value string) label { return label{name, value} }

// text renders labels sorted by name, as Prometheus' client writes them,
// without the braces; empty values left out.
func (ls labels) text() string {
	s := ls.written()
	var b strings.Builder
	for i, l := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(l.name)
		b.WriteString(`="`)
		b.WriteString(escapeLabel(l.value))
		b.WriteByte('"')
	}
	return b.String()
}

// written is ls as written: sorted by name, empty values left out, and a
// value that would not print as itself (a name holding ESC, a newline, a
// bidi override) written with each such rune as its Go escape, so no
// terminal showing the file obeys it (package escape).
func (ls labels) written() labels {
	s := make(labels, 0, len(ls))
	for _, l := range ls {
		if l.value == "" {
			continue
		}
		if !escape.Safe(l.value) {
			v := escape.Text(l.value)
			if strings.HasSuffix(v, "\n") {
				v = v[:len(v)-1] + `\n` // Text keeps a line's end; a value has none
			}
			l.value = v
		}
		s = append(s, l)
	}
	sort.Slice(s, func(i, j int) bool { return s[i].name < s[j].name })
	return s
}

// escapeLabel escapes a label value as the text formats require.
func escapeLabel(s string) string {
	if !strings.ContainsAny(s, "\\\"\n") {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
