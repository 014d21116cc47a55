// The decoder: scenario YAML (a file, or a trace header's scenario block)
// to a validated Scenario with its defaults applied, every problem named by
// file, line and field path. The keys of each mapping, and how each is
// read, are the rows of fields.go, which the trace header writes back by.

package sim

import (
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/input"
	"github.com/dapr-sim/sim/internal/ynode"
	"github.com/dapr-sim/sim/policies"
	"gopkg.in/yaml.v3"
)

func fmtHours(d time.Duration) string { return strconv.FormatInt(int64(d/time.Hour), 10) + "h" }

// LoadScenario reads and validates a scenario file. Unknown fields and bad
// values are errors naming the file, line and field; several are reported
// together.
func LoadScenario(file string) (*Scenario, error) {
	data, err := input.ReadFile(file)
	if err != nil {
		return nil, &diag.Error{File: file, Msg: "cannot read scenario: " + input.ErrText(err)}
	}
	return ParseScenario(file, data)
}

// LoadScenarioFS is LoadScenario reading name, a slash-separated name, in
// fsys; the scenario's resource paths are read in fsys too (Scenario.FS).
// The browser playground's files live in memory (fstest.MapFS).
func LoadScenarioFS(fsys fs.FS, name string) (*Scenario, error) {
	data, err := input.FS(fsys).ReadFile(name)
	if err != nil {
		return nil, &diag.Error{File: name, Msg: "cannot read scenario: " + input.ErrText(err)}
	}
	sc, err := ParseScenario(name, data)
	if err != nil {
		return nil, err
	}
	sc.FS = fsys
	return sc, nil
}

// ParseScenario validates scenario YAML read from file.
func ParseScenario(file string, data []byte) (*Scenario, error) {
	if sc, err, ok := parseLongFaults(file, data); ok {
		return sc, err
	}
	return parseWhole(file, data)
}

// parseWhole parses the scenario as one YAML node tree.
func parseWhole(file string, data []byte) (*Scenario, error) {
	docs, err := ynode.Documents(file, data)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, &diag.Error{File: file, Line: 1, Msg: "empty scenario: want a mapping with version, duration and apps"}
	}
	if len(docs) > 1 {
		return nil, ynode.Errorf(file, docs[1], "", "a scenario is one YAML document, found %d", len(docs))
	}
	d := &decoder{file: file}
	sc := d.scenario(docs[0])
	if err := d.errs.Err(); err != nil {
		return nil, err
	}
	sc.File = file
	return sc, nil
}

type decoder struct {
	file string
	errs diag.List
}

func (d *decoder) fail(err error) {
	if err != nil {
		d.errs = append(d.errs, diag.In(d.file, err))
	}
}

func (d *decoder) errorf(n *yaml.Node, field, format string, args ...any) {
	d.errs = append(d.errs, ynode.Errorf(d.file, n, field, format, args...))
}

// fields walks a mapping, calling the handler of each known key and reporting
// every unknown one (with the nearest known key when it looks like a typo).
func (d *decoder) fields(n *yaml.Node, path string, handlers map[string]func(string, *yaml.Node)) map[string]*yaml.Node {
	pairs, err := ynode.Pairs(d.file, path, n)
	if err != nil {
		d.fail(err)
		return nil
	}
	seen := map[string]*yaml.Node{}
	for _, p := range pairs {
		field := ynode.Join(path, p.Key)
		if _, dup := seen[p.Key]; dup {
			d.errorf(p.KeyN, field, "given twice")
			continue
		}
		seen[p.Key] = p.Value
		h, ok := handlers[p.Key]
		if !ok {
			known := make([]string, 0, len(handlers))
			for k := range handlers {
				known = append(known, k)
			}
			sort.Strings(known)
			msg := "unknown field"
			if h := diag.Suggest(p.Key, known); h != "" {
				msg += h
			} else {
				msg += " (known: " + strings.Join(known, ", ") + ")"
			}
			d.errorf(p.KeyN, field, "%s", msg)
			continue
		}
		h(field, p.Value)
	}
	return seen
}

func (d *decoder) duration(dst *time.Duration) func(string, *yaml.Node) {
	return func(field string, n *yaml.Node) {
		v, err := ynode.Duration(d.file, field, n)
		if err != nil {
			d.fail(err)
			return
		}
		if v < 0 {
			d.errorf(n, field, "want a duration of 0 or more, got %q", n.Value)
			return
		}
		*dst = v
	}
}

func (d *decoder) str(dst *string) func(string, *yaml.Node) {
	return func(field string, n *yaml.Node) {
		v, err := ynode.Scalar(d.file, field, n)
		if err != nil {
			d.fail(err)
			return
		}
		*dst = v
	}
}

func (d *decoder) scenario(root *yaml.Node) *Scenario {
	sc := &Scenario{Overhead: DefaultOverhead, Line: root.Line}
	c := &scenarioIn{sc: sc}
	seen := decodeFields(d, root, "", c, scenarioFields)
	versionN, durationN, appsN := c.versionN, c.durationN, c.appsN
	if seen == nil {
		return sc
	}
	if versionN == nil {
		d.errorf(root, "version", "required: add `version: 1`")
	}
	if durationN == nil {
		d.errorf(root, "duration", "required: every run needs a horizon, e.g. `duration: 60s`")
	} else if sc.Duration <= 0 {
		d.errorf(durationN, "duration", "want a horizon above 0s, got %q", durationN.Value)
	} else if sc.Duration > MaxHorizon {
		d.errorf(durationN, "duration", "want a horizon of at most %s (a year of virtual time), got %q: a longer run would spend any event budget long before its end; simulate a shorter span", fmtHours(MaxHorizon), durationN.Value)
	}
	if sc.ResourcesPath != "" && sc.Resiliency != "" {
		d.errorf(seen["resiliency"], "resiliency", "give resourcesPath or resiliency, not both")
	}
	if appsN == nil {
		d.errorf(root, "apps", "required: at least one app loop")
	}
	return sc
}

func (d *decoder) apps(path string, n *yaml.Node) []App {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		d.errorf(n, path, "want a list of at least one app, got %s", describeList(n))
		return nil
	}
	apps := make([]App, 0, len(n.Content))
	for i, an := range n.Content {
		field := fmt.Sprintf("%s[%d]", path, i)
		a := App{Workers: 1, Line: an.Line}
		c := &appIn{a: &a}
		seen := decodeFields(d, an, field, c, appFields)
		pauseN, everyN, idN, stepsN, latencyN := c.pauseN, c.everyN, c.idN, c.stepsN, c.latencyN
		if seen == nil {
			continue
		}
		if idN == nil || a.ID == "" {
			d.errorf(an, field+".id", "required: the sidecar's app id (scopes match it)")
		}
		if stepsN != nil && latencyN == nil {
			// A loop's handler of the messages its sidecar delivers, if it
			// subscribes (here or in a declarative Subscription).
			a.Latency = DefaultStoreLatency
		}
		if stepsN == nil {
			// A called app: it answers invocations and runs no loop.
			if latencyN == nil {
				a.Latency = DefaultStoreLatency
			}
			for _, k := range []string{"start", "pause", "every", "iterations", "workers", "workerOffset", "onError"} {
				if kn, ok := seen[k]; ok {
					d.errorf(kn, field+"."+k, "belongs to an app loop, and this app has no steps (an app without steps only answers invocations)")
				}
			}
		} else if latencyN != nil && c.subsN == nil && c.bindingsN == nil {
			// A loop that subscribes may give its handler's latency.
			d.errorf(latencyN, field+".latency", "is how long a called app (one without steps) or a subscriber takes to answer; give latency on the steps of a loop instead")
		} else if kn, ok := seen["actors"]; ok {
			d.errorf(kn, field+".actors", "only a called app (one without steps) hosts actors in this sim")
		}
		if pauseN != nil && everyN != nil {
			d.errorf(everyN, field+".every", "give pause or every, not both")
		}
		apps = append(apps, a)
	}
	return apps
}

func (d *decoder) subscriptions(path string, n *yaml.Node) []Subscription {
	return decodeList(d, path, n, "subscription ({pubsub, topic, route})", subscriptionFields,
		func(line int) Subscription { return Subscription{Line: line} },
		func(field string, item *yaml.Node, seen map[string]*yaml.Node, s *Subscription) {
			if _, ok := seen["pubsub"]; !ok {
				d.errorf(item, field+".pubsub", "required: the pub/sub component the app subscribes to")
			}
			if _, ok := seen["topic"]; !ok {
				d.errorf(item, field+".topic", "required: the topic the app subscribes to")
			}
			if _, ok := seen["route"]; !ok && s.Topic != "" {
				s.Route = "/" + s.Topic
			}
		})
}

func (d *decoder) inputBindings(path string, n *yaml.Node) []InputBinding {
	return decodeList(d, path, n, "input binding ({name, log})", inputBindingFields,
		func(line int) InputBinding { return InputBinding{Line: line} },
		func(field string, item *yaml.Node, seen map[string]*yaml.Node, b *InputBinding) {
			if _, ok := seen["name"]; !ok || b.Name == "" {
				d.errorf(item, field+".name", "required: the input binding component the app answers, e.g. tick")
			}
		})
}

// decodeList reads a list of at least one mapping by table: each item
// starts as fresh(its line), and finish checks it and fills defaults once
// its keys are read. An item that is not a mapping is reported and left out.
func decodeList[T, D any](d *decoder, path string, n *yaml.Node, what string, table []field[T, D],
	fresh func(line int) T, finish func(field string, item *yaml.Node, seen map[string]*yaml.Node, v *T)) []T {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		d.errorf(n, path, "want a list of at least one %s, got %s", what, describeList(n))
		return nil
	}
	out := make([]T, 0, len(n.Content))
	for i, item := range n.Content {
		field := fmt.Sprintf("%s[%d]", path, i)
		v := fresh(item.Line)
		seen := decodeFields(d, item, field, &v, table)
		if seen == nil {
			continue
		}
		finish(field, item, seen, &v)
		out = append(out, v)
	}
	return out
}

func (d *decoder) steps(path string, n *yaml.Node) []Step {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		d.errorf(n, path, "want a list of at least one step, got %s", describeList(n))
		return nil
	}
	steps := make([]Step, 0, len(n.Content))
	for i, sn := range n.Content {
		field := fmt.Sprintf("%s[%d]", path, i)
		s := Step{Key: DefaultKey, Value: DefaultValue, Line: sn.Line}
		c := &stepIn{s: &s}
		seen := decodeFields(d, sn, field, c, stepFields)
		ops := c.ops
		if seen == nil {
			continue
		}
		if s.Op == Publish {
			if c.dataN == nil {
				s.Data = DefaultValue
			}
			if c.contentTypeN == nil {
				s.ContentType = DefaultContentType
			}
		} else if s.Op == Binding && ops == 1 {
			if c.dataN == nil {
				s.Data = DefaultValue
			}
			if c.contentTypeN != nil {
				d.errorf(c.contentTypeN, field+".contentType", "only a publish step reads contentType; a binding step sends its data as the JSON of Dapr's binding API")
			}
			if c.keyN != nil && s.Key == "" {
				// contrib bindings/redis/redis.go:140 fails such a request.
				d.errorf(c.keyN, field+".key", "want a key template such as \"order-{i}\": bindings.redis refuses a request without one (redis binding: missing key in request metadata)")
			}
		} else if ops == 1 {
			for _, k := range []struct {
				key string
				n   *yaml.Node
			}{{"data", c.dataN}, {"contentType", c.contentTypeN}} {
				if k.n != nil {
					d.errorf(k.n, field+"."+k.key, "only a publish step sends data; a %s step does not read %s", s.Op, k.key)
				}
			}
		}
		if ops != 1 {
			d.errorf(sn, field, "want exactly one of save, get, delete, invoke, actor, publish, binding, got %d", ops)
		} else if s.Target == "" && s.Op == Binding {
			d.errorf(sn, field+".binding.name", "want the name of a binding component")
		} else if s.Target == "" && s.Op == Publish {
			d.errorf(sn, field+".publish.pubsub", "want the name of a pub/sub component")
		} else if s.Target == "" && s.Op == Actor {
			d.errorf(sn, field+".actor.type", "want the actor type")
		} else if s.Target == "" && s.Op == Invoke {
			d.errorf(sn, field+".invoke.app", "want the id of the app to call")
		} else if s.Target == "" {
			d.errorf(sn, field+"."+s.Op.String(), "want the name of a state store")
		}
		steps = append(steps, s)
	}
	return steps
}

func (d *decoder) stores(path string, n *yaml.Node) []Store {
	pairs, err := ynode.Pairs(d.file, path, n)
	if err != nil {
		d.fail(err)
		return nil
	}
	stores := make([]Store, 0, len(pairs))
	seen := map[string]bool{}
	for _, p := range pairs {
		field := ynode.Join(path, p.Key)
		if p.Key == "" {
			d.errorf(p.KeyN, path, "a store needs a name")
			continue
		}
		if seen[p.Key] {
			d.errorf(p.KeyN, field, "given twice")
			continue
		}
		seen[p.Key] = true
		s := Store{Name: p.Key, Latency: DefaultStoreLatency, Line: p.KeyN.Line}
		decodeFields(d, p.Value, field, &storeIn{s: &s}, storeFields)
		stores = append(stores, s)
	}
	sort.Slice(stores, func(i, j int) bool { return stores[i].Name < stores[j].Name })
	return stores
}

func (d *decoder) faults(path string, n *yaml.Node) ([]Fault, []Window) {
	if ynode.IsNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "want a list of faults, got %s", ynode.Describe(n))
		return nil, nil
	}
	var faults []Fault
	var windows []Window
	if len(n.Content) > 16 {
		windows = make([]Window, 0, len(n.Content)) // most long lists are windows: no regrowth
	}
	d.faultItems(path, n, 0, &faults, &windows)
	// Stable by time: changes at one instant keep file order.
	sort.SliceStable(faults, func(i, j int) bool { return faults[i].At < faults[j].At })
	return faults, slices.Clip(windows)
}

// faultItems decodes the items of a faults list, the first being faults[base],
// appending them to faults and windows.
func (d *decoder) faultItems(path string, n *yaml.Node, base int, faults *[]Fault, windows *[]Window) {
	for j, fn := range n.Content {
		i := base + j
		// Each fault's nodes are dropped once it is decoded, so a long list
		// of windows is not held twice, as nodes and as windows.
		n.Content[j] = nil
		field := fmt.Sprintf("%s[%d]", path, i)
		f := Fault{Line: fn.Line, Index: i}
		w := Window{Line: fn.Line, Index: i}
		c := &faultIn{f: &f, w: &w}
		seen := decodeFields(d, fn, field, c, faultFields)
		atN, fromN, toN, periodN := c.atN, c.fromN, c.toN, c.periodN // where each was given, for errors
		if seen == nil {
			continue
		}
		if _, isWindow := seen["target"]; !isWindow {
			for _, k := range []string{"from", "to", "latency", "error", "answer", "status", "conn", "errorRate", "failEvery", "period", "downFor", "ops", "methods"} {
				if kn, ok := seen[k]; ok {
					d.errorf(kn, field+"."+k, "belongs to a window: add target (and from/to), or script a change with at and stop/start")
				}
			}
			if atN == nil {
				d.errorf(fn, field+".at", "required: when the change happens, e.g. `at: 6s`")
			}
			if (f.Stop == "") == (f.Start == "") {
				d.errorf(fn, field, "want exactly one of stop or start")
			}
			*faults = append(*faults, f)
			continue
		}
		for _, k := range []string{"at", "stop", "start"} {
			if kn, ok := seen[k]; ok {
				d.errorf(kn, field+"."+k, "a window (with target) runs from/to; at, stop and start script a change of their own")
			}
		}
		if w.Target == "" {
			d.errorf(fn, field+".target", "want the name of a state store")
		}
		if w.HasTo && toN != nil && w.To <= w.From {
			d.errorf(toN, field+".to", "want a time after from (%s), got %q", w.From, toN.Value)
		}
		modes := 0
		if w.ErrorRate > 0 {
			modes++
		}
		if w.FailEvery > 0 {
			modes++
		}
		if w.Period > 0 || w.DownFor > 0 {
			modes++
			if w.Period <= 0 {
				d.errorf(fn, field+".period", "required with downFor: the length of one down-and-up cycle")
			} else if w.DownFor <= 0 || w.DownFor >= w.Period {
				d.errorf(periodN, field+".downFor", "want a duration above 0s and below period (%s)", w.Period)
			}
		}
		if w.Conn != 0 {
			modes++
			if w.Error != "" {
				d.errorf(seen["error"], field+".error", "a conn fault has its own error (the client's); drop error or conn")
			}
		}
		if modes > 1 {
			d.errorf(fn, field, "give one of conn, errorRate, failEvery or period/downFor: a window fails attempts one way")
		}
		given := false // a mode key with a bad value is reported already
		for _, k := range []string{"latency", "error", "answer", "conn", "errorRate", "failEvery", "period", "downFor"} {
			_, ok := seen[k]
			given = given || ok
		}
		if w.Answer != "" && (w.Status != 0 || w.Code != 0 || w.Conn != 0 || w.Period > 0) {
			d.errorf(seen["answer"], field+".answer", "an answer is a 2xx reply with a status word: drop status, conn or period (or answer)")
		}
		if modes == 0 && w.Latency == nil && w.Error == "" && w.Answer == "" && !given {
			d.errorf(fn, field, "a window needs latency, error, answer, conn, errorRate, failEvery or period/downFor")
		}
		if fromN == nil && w.HasTo {
			// from defaults to 0s: the window holds from the start.
			fromN = fn
		}
		*windows = append(*windows, w)
	}
	n.Content = nil
}

func parseOp(s string) (OpKind, bool) {
	for i, n := range opNames {
		if s == n {
			return OpKind(i), true
		}
	}
	return 0, false
}

// overrides reads the `overrides:` block into what-if edits, each value
// checked here by the rule that applies it, so its problems name its own
// line; an entry that sets nothing is kept as one Edit without a Field,
// whose policy is still looked for.
func (d *decoder) overrides(path string, n *yaml.Node) []policies.Edit {
	var out []policies.Edit
	d.fields(n, path, map[string]func(string, *yaml.Node){
		"retries": func(f string, n *yaml.Node) {
			pairs, err := ynode.Pairs(d.file, f, n)
			if err != nil {
				d.fail(err)
				return
			}
			for _, p := range pairs {
				entry := policies.Edit{Section: "retries", Name: p.Key, File: d.file, Line: p.KeyN.Line, Col: p.KeyN.Column}
				set := false
				handlers := map[string]func(string, *yaml.Node){}
				for _, k := range policies.WhatIfFields {
					handlers[k] = func(fl string, n *yaml.Node) {
						text, err := ynode.Scalar(d.file, fl, n)
						if err != nil {
							d.fail(err)
							return
						}
						if err := policies.CheckWhatIf(k, text); err != nil {
							d.errorf(n, fl, "%s", err.Error())
							return
						}
						e := entry
						e.Field, e.Value = k, text
						out = append(out, e)
						set = true
					}
				}
				d.fields(p.Value, ynode.Join(f, p.Key), handlers)
				if !set {
					out = append(out, entry)
				}
			}
		},
	})
	return out
}

func describeList(n *yaml.Node) string {
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		return "an empty list"
	}
	return ynode.Describe(n)
}
