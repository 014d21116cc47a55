// The scenario file's keys, one table per mapping: each row says how the
// decoder (decode.go) reads its key and how the trace header (header.go)
// writes it back. The header's scenario block is the file's own shape, so
// both sides walk these rows: a key the decoder reads is written by the
// header, or its row says why not, and TestFieldTables holds each dump
// struct's fields to its table, key for key and in order.

package sim

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/ynode"
	"gopkg.in/yaml.v3"
)

// field is one key of a mapping of the scenario file. decode reads the
// key's node into C, a value being read with where its keys were given;
// dump writes it into D, its part of the trace header. A row whose key the
// header leaves out has no dump and says why.
type field[C, D any] struct {
	key    string
	decode func(d *decoder, c *C, path string, n *yaml.Node)
	dump   func(c *C, out *D)
	why    string // why the header leaves the key out (dump is nil)
}

// decodeFields reads mapping n at path into c by table (see decoder.fields)
// and returns the nodes of the keys given, nil when n is not a mapping.
func decodeFields[C, D any](d *decoder, n *yaml.Node, path string, c *C, table []field[C, D]) map[string]*yaml.Node {
	handlers := make(map[string]func(string, *yaml.Node), len(table))
	for i := range table {
		row := &table[i]
		handlers[row.key] = func(f string, n *yaml.Node) { row.decode(d, c, f, n) }
	}
	return d.fields(n, path, handlers)
}

// dumpFields writes c by table, as the trace header records it.
func dumpFields[C, D any](c *C, table []field[C, D]) D {
	var out D
	for i := range table {
		if table[i].dump != nil {
			table[i].dump(c, &out)
		}
	}
	return out
}

// checkTable reports where a table and its dump struct D disagree: every
// key the header writes is a field of D under the same YAML key, in the
// same order, and every key it leaves out says why.
func checkTable[C, D any](table []field[C, D]) error {
	var dumped []string
	seen := map[string]bool{}
	var problems []string
	for _, row := range table {
		if seen[row.key] {
			problems = append(problems, fmt.Sprintf("key %s given twice", row.key))
		}
		seen[row.key] = true
		switch {
		case row.decode == nil:
			problems = append(problems, fmt.Sprintf("key %s: no decode", row.key))
		case row.dump != nil && row.why != "":
			problems = append(problems, fmt.Sprintf("key %s: both dumped and left out (%s)", row.key, row.why))
		case row.dump == nil && row.why == "":
			problems = append(problems, fmt.Sprintf("key %s: the header leaves it out and does not say why", row.key))
		case row.dump != nil:
			dumped = append(dumped, row.key)
		}
	}
	t := reflect.TypeFor[D]()
	var fields []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		fields = append(fields, name)
	}
	if strings.Join(fields, " ") != strings.Join(dumped, " ") {
		problems = append(problems, fmt.Sprintf("%s writes [%s], the table dumps [%s]", t, strings.Join(fields, " "), strings.Join(dumped, " ")))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// scenarioIn is a scenario being read, with where its keys were given.
type scenarioIn struct {
	sc                         *Scenario
	versionN, durationN, appsN *yaml.Node
}

var scenarioFields = []field[scenarioIn, scenarioDump]{
	{key: "version",
		decode: func(d *decoder, c *scenarioIn, f string, n *yaml.Node) {
			c.versionN = n
			v, err := ynode.Int(d.file, f, n)
			if err != nil {
				d.fail(err)
				return
			}
			if v != 1 {
				d.errorf(n, f, "this sim reads scenario version 1, got %d", v)
			}
			c.sc.Version = int(v)
		},
		// The one version this sim reads (a Scenario built in Go may leave
		// Version 0).
		dump: func(c *scenarioIn, out *scenarioDump) { out.Version = 1 }},
	{key: "name",
		decode: func(d *decoder, c *scenarioIn, f string, n *yaml.Node) { d.str(&c.sc.Name)(f, n) },
		dump:   func(c *scenarioIn, out *scenarioDump) { out.Name = c.sc.Name }},
	{key: "dapr",
		decode: func(d *decoder, c *scenarioIn, f string, n *yaml.Node) {
			c.sc.DaprLine = n.Line
			d.str(&c.sc.Dapr)(f, n)
		},
		dump: func(c *scenarioIn, out *scenarioDump) { out.Dapr = c.sc.Dapr }},
	{key: "seed",
		decode: func(d *decoder, c *scenarioIn, f string, n *yaml.Node) {
			v, err := ynode.Int(d.file, f, n)
			d.fail(err)
			c.sc.Seed = v
		},
		dump: func(c *scenarioIn, out *scenarioDump) { out.Seed = c.sc.Seed }},
	{key: "duration",
		decode: func(d *decoder, c *scenarioIn, f string, n *yaml.Node) {
			before := len(d.errs)
			d.duration(&c.sc.Duration)(f, n)
			if len(d.errs) == before {
				c.durationN = n
			} else {
				c.durationN = &yaml.Node{} // reported already
				c.sc.Duration = time.Nanosecond
			}
		},
		dump: func(c *scenarioIn, out *scenarioDump) { out.Duration = c.sc.Duration.String() }},
	{key: "overhead",
		decode: func(d *decoder, c *scenarioIn, f string, n *yaml.Node) { d.duration(&c.sc.Overhead)(f, n) },
		dump:   func(c *scenarioIn, out *scenarioDump) { out.Overhead = c.sc.Overhead.String() }},
	{key: "resourcesPath",
		decode: func(d *decoder, c *scenarioIn, f string, n *yaml.Node) {
			c.sc.ResourcesLine = n.Line
			d.str(&c.sc.ResourcesPath)(f, n)
		},
		dump: func(c *scenarioIn, out *scenarioDump) { out.Resources = c.sc.ResourcesPath }},
	{key: "resiliency",
		decode: func(d *decoder, c *scenarioIn, f string, n *yaml.Node) {
			c.sc.ResourcesLine = n.Line
			d.str(&c.sc.Resiliency)(f, n)
		},
		dump: func(c *scenarioIn, out *scenarioDump) { out.Resiliency = c.sc.Resiliency }},
	{key: "apps",
		decode: func(d *decoder, c *scenarioIn, f string, n *yaml.Node) {
			c.appsN = n
			c.sc.AppsLine = n.Line
			c.sc.Apps = d.apps(f, n)
		},
		dump: func(c *scenarioIn, out *scenarioDump) {
			for i := range c.sc.Apps {
				out.Apps = append(out.Apps, dumpFields(&appIn{a: &c.sc.Apps[i]}, appFields))
			}
		}},
	{key: "stores",
		decode: func(d *decoder, c *scenarioIn, f string, n *yaml.Node) { c.sc.Stores = d.stores(f, n) },
		dump: func(c *scenarioIn, out *scenarioDump) {
			out.Stores = map[string]storeDump{}
			for i := range c.sc.Stores {
				st := &c.sc.Stores[i]
				out.Stores[st.Name] = dumpFields(&storeIn{s: st}, storeFields)
			}
		}},
	{key: "faults",
		decode: func(d *decoder, c *scenarioIn, f string, n *yaml.Node) {
			c.sc.Faults, c.sc.Windows = d.faults(f, n)
		},
		dump: func(c *scenarioIn, out *scenarioDump) {
			for i := range c.sc.Faults {
				out.Faults = append(out.Faults, dumpFields(&faultIn{f: &c.sc.Faults[i]}, faultFields))
			}
			// Windows keep their order (the engine numbers them); the
			// parser splits them from the scripted changes again.
			for i := range c.sc.Windows {
				out.Faults = append(out.Faults, dumpFields(&faultIn{w: &c.sc.Windows[i]}, faultFields))
			}
		}},
	{key: "overrides",
		decode: func(d *decoder, c *scenarioIn, f string, n *yaml.Node) { c.sc.Overrides = d.overrides(f, n) },
		why:    "the overrides are applied to the resolved spec, which the header records"},
	{key: "expect",
		// Assertions only matter to `sim check`, which parses them; a run
		// ignores them, so a scenario runs whatever its expect block says.
		decode: func(d *decoder, c *scenarioIn, _ string, n *yaml.Node) { c.sc.Expect = n },
		why:    "a run ignores its assertions; only `sim check` reads them"},
}

// appIn is an app being read, with where its keys were given.
type appIn struct {
	a                                                       *App
	pauseN, everyN, idN, stepsN, latencyN, subsN, bindingsN *yaml.Node
}

// loop reports whether the app runs a loop (it has steps); one that does
// not is a called app.
func (c *appIn) loop() bool { return len(c.a.Steps) > 0 }

// answers reports whether the app answers requests (invocations or
// deliveries), and so has a latency.
func (c *appIn) answers() bool {
	return !c.loop() || len(c.a.Subscriptions) > 0 || len(c.a.Bindings) > 0
}

var appFields = []field[appIn, appDump]{
	{key: "id",
		decode: func(d *decoder, c *appIn, f string, n *yaml.Node) { c.idN = n; d.str(&c.a.ID)(f, n) },
		dump:   func(c *appIn, out *appDump) { out.ID = c.a.ID }},
	{key: "protocol",
		decode: func(d *decoder, c *appIn, f string, n *yaml.Node) {
			v, err := ynode.Scalar(d.file, f, n)
			if err != nil {
				d.fail(err)
				return
			}
			p, ok := parseProtocol(v)
			if !ok {
				d.errorf(n, f, "want http, grpc, https, grpcs or h2c (daprd's --app-protocol), got %q", v)
				return
			}
			c.a.Protocol, c.a.ProtocolLine = p, n.Line
		},
		// Written only when not the default, so the header of every HTTP
		// app stays as it was before the key existed.
		dump: func(c *appIn, out *appDump) {
			if c.a.Protocol != HTTP {
				out.Protocol = c.a.Protocol.String()
			}
		}},
	{key: "latency",
		decode: func(d *decoder, c *appIn, f string, n *yaml.Node) { c.latencyN = n; d.duration(&c.a.Latency)(f, n) },
		dump: func(c *appIn, out *appDump) {
			if c.answers() {
				out.Latency = c.a.Latency.String()
			}
		}},
	{key: "actors",
		decode: func(d *decoder, c *appIn, f string, n *yaml.Node) {
			if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
				d.errorf(n, f, "want a list of actor types such as [Cart], got %s", describeList(n))
				return
			}
			for j, tn := range n.Content {
				v, err := ynode.Scalar(d.file, fmt.Sprintf("%s[%d]", f, j), tn)
				if err != nil {
					d.fail(err)
					continue
				}
				c.a.Actors = append(c.a.Actors, v)
			}
		},
		dump: func(c *appIn, out *appDump) {
			if !c.loop() {
				out.Actors = c.a.Actors
			}
		}},
	{key: "start",
		decode: func(d *decoder, c *appIn, f string, n *yaml.Node) { d.duration(&c.a.Start)(f, n) },
		dump: func(c *appIn, out *appDump) {
			if c.loop() {
				out.Start = c.a.Start.String()
			}
		}},
	{key: "pause",
		decode: func(d *decoder, c *appIn, f string, n *yaml.Node) { c.pauseN = n; d.duration(&c.a.Pause)(f, n) },
		dump: func(c *appIn, out *appDump) {
			if c.loop() {
				out.Pause = durText(c.a.Pause)
			}
		}},
	{key: "every",
		decode: func(d *decoder, c *appIn, f string, n *yaml.Node) { c.everyN = n; d.duration(&c.a.Every)(f, n) },
		dump: func(c *appIn, out *appDump) {
			if c.loop() {
				out.Every = durText(c.a.Every)
			}
		}},
	{key: "iterations",
		decode: func(d *decoder, c *appIn, f string, n *yaml.Node) {
			v, err := ynode.Int(d.file, f, n)
			if err != nil {
				d.fail(err)
				return
			}
			if v < 0 {
				d.errorf(n, f, "want 0 (no bound) or more, got %d", v)
			}
			c.a.Iterations = int(v)
		},
		dump: func(c *appIn, out *appDump) {
			if c.loop() {
				out.Iterations = c.a.Iterations
			}
		}},
	{key: "workers",
		decode: func(d *decoder, c *appIn, f string, n *yaml.Node) {
			v, err := ynode.Int(d.file, f, n)
			if err != nil {
				d.fail(err)
				return
			}
			if v < 1 || v > 10000 {
				d.errorf(n, f, "want 1 to 10000 workers, got %d", v)
			}
			c.a.Workers = int(v)
		},
		dump: func(c *appIn, out *appDump) {
			if c.loop() {
				out.Workers = c.a.Workers
			}
		}},
	{key: "workerOffset",
		decode: func(d *decoder, c *appIn, f string, n *yaml.Node) { d.duration(&c.a.WorkerOffset)(f, n) },
		dump: func(c *appIn, out *appDump) {
			if c.loop() {
				out.WorkerOffset = durText(c.a.WorkerOffset)
			}
		}},
	{key: "onError",
		decode: func(d *decoder, c *appIn, f string, n *yaml.Node) {
			v, err := ynode.Scalar(d.file, f, n)
			if err != nil {
				d.fail(err)
				return
			}
			for i, name := range onErrorNames {
				if v == name {
					c.a.OnError = OnError(i)
					return
				}
			}
			d.errorf(n, f, "want continue, skip or stop, got %q", v)
		},
		dump: func(c *appIn, out *appDump) {
			if c.loop() {
				out.OnError = c.a.OnError.String()
			}
		}},
	{key: "steps",
		decode: func(d *decoder, c *appIn, f string, n *yaml.Node) { c.stepsN = n; c.a.Steps = d.steps(f, n) },
		dump: func(c *appIn, out *appDump) {
			for i := range c.a.Steps {
				out.Steps = append(out.Steps, dumpFields(&stepIn{s: &c.a.Steps[i]}, stepFields))
			}
		}},
	{key: "subscriptions",
		decode: func(d *decoder, c *appIn, f string, n *yaml.Node) {
			c.subsN = n
			c.a.Subscriptions = d.subscriptions(f, n)
		},
		dump: func(c *appIn, out *appDump) {
			for i := range c.a.Subscriptions {
				out.Subscriptions = append(out.Subscriptions, dumpFields(&c.a.Subscriptions[i], subscriptionFields))
			}
		}},
	{key: "bindings",
		decode: func(d *decoder, c *appIn, f string, n *yaml.Node) {
			c.bindingsN = n
			c.a.Bindings = d.inputBindings(f, n)
		},
		dump: func(c *appIn, out *appDump) {
			for i := range c.a.Bindings {
				out.Bindings = append(out.Bindings, dumpFields(&c.a.Bindings[i], inputBindingFields))
			}
		}},
}

var inputBindingFields = []field[InputBinding, inputBindingDump]{
	{key: "name",
		decode: func(d *decoder, c *InputBinding, f string, n *yaml.Node) { d.str(&c.Name)(f, n) },
		dump:   func(c *InputBinding, out *inputBindingDump) { out.Name = c.Name }},
	{key: "log",
		decode: func(d *decoder, c *InputBinding, f string, n *yaml.Node) { d.str(&c.Log)(f, n) },
		dump:   func(c *InputBinding, out *inputBindingDump) { out.Log = c.Log }},
}

var subscriptionFields = []field[Subscription, subscriptionDump]{
	{key: "pubsub",
		decode: func(d *decoder, c *Subscription, f string, n *yaml.Node) { d.str(&c.Pubsub)(f, n) },
		dump:   func(c *Subscription, out *subscriptionDump) { out.Pubsub = c.Pubsub }},
	{key: "topic",
		decode: func(d *decoder, c *Subscription, f string, n *yaml.Node) { d.str(&c.Topic)(f, n) },
		dump:   func(c *Subscription, out *subscriptionDump) { out.Topic = c.Topic }},
	{key: "route",
		decode: func(d *decoder, c *Subscription, f string, n *yaml.Node) {
			d.str(&c.Route)(f, n)
			if c.Route == "" {
				// Dapr removes such a subscription (WARN "topic %s has an
				// empty routes"): a scenario that writes one means a route.
				d.errorf(n, f, "want the app's path for the messages, e.g. /orders")
			}
		},
		dump: func(c *Subscription, out *subscriptionDump) { out.Route = c.Route }},
	{key: "deadLetterTopic",
		decode: func(d *decoder, c *Subscription, f string, n *yaml.Node) { d.str(&c.DeadLetterTopic)(f, n) },
		dump:   func(c *Subscription, out *subscriptionDump) { out.DeadLetterTopic = c.DeadLetterTopic }},
	{key: "log",
		decode: func(d *decoder, c *Subscription, f string, n *yaml.Node) { d.str(&c.Log)(f, n) },
		dump:   func(c *Subscription, out *subscriptionDump) { out.Log = c.Log }},
}

// stepIn is a step being read; ops counts the operation keys given.
type stepIn struct {
	s   *Step
	ops int
	// dataN and contentTypeN are where a publish step's keys were given,
	// for a step of another kind that gives them; keyN is where key was.
	dataN, contentTypeN, keyN *yaml.Node
}

// storeOp is the row of an operation on a state store (save, get, delete):
// the key names the store.
func storeOp(k OpKind, set func(out *stepDump, target string)) field[stepIn, stepDump] {
	return field[stepIn, stepDump]{key: k.String(),
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) {
			c.ops++
			c.s.Op = k
			d.str(&c.s.Target)(f, n)
		},
		dump: func(c *stepIn, out *stepDump) {
			if c.s.Op == k {
				set(out, c.s.Target)
			}
		}}
}

var stepFields = []field[stepIn, stepDump]{
	storeOp(Save, func(out *stepDump, t string) { out.Save = t }),
	storeOp(Get, func(out *stepDump, t string) { out.Get = t }),
	storeOp(Delete, func(out *stepDump, t string) { out.Delete = t }),
	{key: "invoke",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) {
			c.ops++
			c.s.Op = Invoke
			decodeFields(d, n, f, c, invokeFields)
			if c.s.Method == "" {
				d.errorf(n, f+".method", "required: the method to invoke, e.g. orders")
			}
		},
		dump: func(c *stepIn, out *stepDump) {
			if c.s.Op == Invoke {
				v := dumpFields(c, invokeFields)
				out.Invoke = &v
			}
		}},
	{key: "actor",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) {
			c.ops++
			c.s.Op = Actor
			c.s.ActorID = ""
			decodeFields(d, n, f, c, actorFields)
			if c.s.ActorID == "" {
				d.errorf(n, f+".id", "required: the actor id, e.g. \"{i}\"")
			}
			if c.s.Method == "" {
				d.errorf(n, f+".method", "required: the actor method to call")
			}
		},
		dump: func(c *stepIn, out *stepDump) {
			if c.s.Op == Actor {
				v := dumpFields(c, actorFields)
				out.Actor = &v
			}
		}},
	{key: "publish",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) {
			c.ops++
			c.s.Op = Publish
			decodeFields(d, n, f, c, publishFields)
			if c.s.Topic == "" {
				d.errorf(n, f+".topic", "required: the topic to publish to, e.g. orders")
			}
		},
		dump: func(c *stepIn, out *stepDump) {
			if c.s.Op == Publish {
				v := dumpFields(c, publishFields)
				out.Publish = &v
			}
		}},
	{key: "binding",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) {
			c.ops++
			c.s.Op = Binding
			decodeFields(d, n, f, c, bindingFields)
			if c.s.Operation == "" {
				d.errorf(n, f+".operation", "required: the binding's operation, e.g. create")
			}
		},
		dump: func(c *stepIn, out *stepDump) {
			if c.s.Op == Binding {
				v := dumpFields(c, bindingFields)
				out.Binding = &v
			}
		}},
	{key: "key",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) { c.keyN = n; d.str(&c.s.Key)(f, n) },
		dump: func(c *stepIn, out *stepDump) {
			switch c.s.Op {
			case Save, Get, Delete, Binding:
				out.Key = &c.s.Key
			}
		}},
	{key: "value",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) { d.str(&c.s.Value)(f, n) },
		dump: func(c *stepIn, out *stepDump) {
			if c.s.Op == Save {
				out.Value = &c.s.Value
			}
		}},
	{key: "data",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) { c.dataN = n; d.str(&c.s.Data)(f, n) },
		dump: func(c *stepIn, out *stepDump) {
			if c.s.Op == Publish || c.s.Op == Binding {
				out.Data = &c.s.Data
			}
		}},
	{key: "contentType",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) { c.contentTypeN = n; d.str(&c.s.ContentType)(f, n) },
		dump: func(c *stepIn, out *stepDump) {
			if c.s.Op == Publish {
				out.ContentType = c.s.ContentType
			}
		}},
	{key: "log",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) { d.str(&c.s.Log)(f, n) },
		dump:   func(c *stepIn, out *stepDump) { out.Log = c.s.Log }},
	{key: "latency",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) {
			var v time.Duration
			d.duration(&v)(f, n)
			c.s.Latency = &v
		},
		dump: func(c *stepIn, out *stepDump) {
			if c.s.Latency != nil {
				out.Latency = c.s.Latency.String()
			}
		}},
}

var invokeFields = []field[stepIn, invokeDump]{
	{key: "app",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) { d.str(&c.s.Target)(f, n) },
		dump:   func(c *stepIn, out *invokeDump) { out.App = c.s.Target }},
	{key: "method",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) { d.str(&c.s.Method)(f, n) },
		dump:   func(c *stepIn, out *invokeDump) { out.Method = c.s.Method }},
}

var publishFields = []field[stepIn, publishDump]{
	{key: "pubsub",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) { d.str(&c.s.Target)(f, n) },
		dump:   func(c *stepIn, out *publishDump) { out.Pubsub = c.s.Target }},
	{key: "topic",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) { d.str(&c.s.Topic)(f, n) },
		dump:   func(c *stepIn, out *publishDump) { out.Topic = c.s.Topic }},
}

var bindingFields = []field[stepIn, bindingDump]{
	{key: "name",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) { d.str(&c.s.Target)(f, n) },
		dump:   func(c *stepIn, out *bindingDump) { out.Name = c.s.Target }},
	{key: "operation",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) { d.str(&c.s.Operation)(f, n) },
		dump:   func(c *stepIn, out *bindingDump) { out.Operation = c.s.Operation }},
}

var actorFields = []field[stepIn, actorDump]{
	{key: "type",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) { d.str(&c.s.Target)(f, n) },
		dump:   func(c *stepIn, out *actorDump) { out.Type = c.s.Target }},
	{key: "id",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) { d.str(&c.s.ActorID)(f, n) },
		dump:   func(c *stepIn, out *actorDump) { out.ID = c.s.ActorID }},
	{key: "method",
		decode: func(d *decoder, c *stepIn, f string, n *yaml.Node) { d.str(&c.s.Method)(f, n) },
		dump:   func(c *stepIn, out *actorDump) { out.Method = c.s.Method }},
}

// storeIn is a store being read.
type storeIn struct{ s *Store }

var storeFields = []field[storeIn, storeDump]{
	{key: "latency",
		decode: func(d *decoder, c *storeIn, f string, n *yaml.Node) { d.duration(&c.s.Latency)(f, n) },
		dump:   func(c *storeIn, out *storeDump) { out.Latency = c.s.Latency.String() }},
}

// faultIn is one item of faults being read, with where its keys were given.
// The decoder reads it as both a scripted change (f) and a window (w) and
// keeps the one its keys make it; the header writes one of them, the other
// nil.
type faultIn struct {
	f                        *Fault
	w                        *Window
	atN, fromN, toN, periodN *yaml.Node
}

// change and window are the dump of a scripted change's key and of a
// window's.
func change(dump func(f *Fault, out *faultDump)) func(*faultIn, *faultDump) {
	return func(c *faultIn, out *faultDump) {
		if c.f != nil {
			dump(c.f, out)
		}
	}
}

func window(dump func(w *Window, out *faultDump)) func(*faultIn, *faultDump) {
	return func(c *faultIn, out *faultDump) {
		if c.w != nil {
			dump(c.w, out)
		}
	}
}

var faultFields = []field[faultIn, faultDump]{
	{key: "at",
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) { c.atN = n; d.duration(&c.f.At)(f, n) },
		dump:   change(func(f *Fault, out *faultDump) { out.At = f.At.String() })},
	{key: "stop",
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) { d.str(&c.f.Stop)(f, n) },
		dump:   change(func(f *Fault, out *faultDump) { out.Stop = f.Stop })},
	{key: "start",
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) { d.str(&c.f.Start)(f, n) },
		dump:   change(func(f *Fault, out *faultDump) { out.Start = f.Start })},
	{key: "target",
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) { d.str(&c.w.Target)(f, n) },
		dump:   window(func(w *Window, out *faultDump) { out.Target = w.Target })},
	{key: "from",
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) { c.fromN = n; d.duration(&c.w.From)(f, n) },
		dump:   window(func(w *Window, out *faultDump) { out.From = w.From.String() })},
	{key: "to",
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) {
			c.toN = n
			c.w.HasTo = true
			d.duration(&c.w.To)(f, n)
		},
		dump: window(func(w *Window, out *faultDump) {
			if w.HasTo {
				out.To = w.To.String()
			}
		})},
	{key: "latency",
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) {
			var v time.Duration
			d.duration(&v)(f, n)
			c.w.Latency = &v
		},
		dump: window(func(w *Window, out *faultDump) {
			if w.Latency != nil {
				out.Latency = w.Latency.String()
			}
		})},
	{key: "error",
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) { d.str(&c.w.Error)(f, n) },
		dump:   window(func(w *Window, out *faultDump) { out.Error = w.Error })},
	{key: "conn",
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) {
			v, err := ynode.Scalar(d.file, f, n)
			if err != nil {
				d.fail(err)
				return
			}
			k, ok := parseConn(v)
			if !ok {
				d.errorf(n, f, "want refused, noAnswer or hang, got %q", v)
				return
			}
			c.w.Conn = k
		},
		dump: window(func(w *Window, out *faultDump) {
			if w.Conn != 0 {
				out.Conn = w.Conn.String()
			}
		})},
	{key: "errorRate",
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) {
			v, err := ynode.Float(d.file, f, n)
			if err != nil {
				d.fail(err)
				return
			}
			if v <= 0 || v > 1 {
				d.errorf(n, f, "want a probability above 0 and at most 1, got %s", n.Value)
			}
			c.w.ErrorRate = v
		},
		dump: window(func(w *Window, out *faultDump) { out.ErrorRate = w.ErrorRate })},
	{key: "failEvery",
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) {
			v, err := ynode.Int(d.file, f, n)
			if err != nil {
				d.fail(err)
				return
			}
			if v < 1 || v > 1<<31 {
				d.errorf(n, f, "want a whole number of 1 or more, got %d", v)
			}
			c.w.FailEvery = int(v)
		},
		dump: window(func(w *Window, out *faultDump) { out.FailEvery = w.FailEvery })},
	{key: "status",
		// A number of HTTP's range is an HTTP status; a gRPC code is a
		// number 1-16 or grpc-go's name for it. Which one the target app
		// reads is checked once the apps are known (Prepare).
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) {
			s, err := ynode.Scalar(d.file, f, n)
			if err != nil {
				d.fail(err)
				return
			}
			if code, ok := parseCodeName(s); ok && code != CodeOK {
				c.w.Code = code
				return
			}
			v, perr := ynode.ParseInt(s)
			switch {
			case perr == nil && v >= 1 && v <= 16:
				c.w.Code = Code(v)
			case perr == nil && v >= 100 && v <= 599 && (v < 200 || v > 399):
				c.w.Status = int32(v)
			default:
				d.errorf(n, f, "want an HTTP error status (100-199 or 400-599) or, for a gRPC app, a gRPC code (1-16 or its name, such as Unavailable), got %q", s)
			}
		},
		dump: window(func(w *Window, out *faultDump) {
			switch {
			case w.Code != 0:
				out.Status = w.Code.String()
			case w.Status != 0:
				out.Status = w.Status
			}
		})},
	{key: "answer",
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) {
			v, err := ynode.Scalar(d.file, f, n)
			if err != nil {
				d.fail(err)
				return
			}
			// Dapr matches the app's status word exactly (upper case); a
			// word it does not know is retried like RETRY, so only the two
			// that differ are offered.
			if v != "RETRY" && v != "DROP" {
				d.errorf(n, f, "want RETRY or DROP (the status a subscriber's 2xx answer gives), got %q", v)
				return
			}
			c.w.Answer = v
		},
		dump: window(func(w *Window, out *faultDump) { out.Answer = w.Answer })},
	{key: "period",
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) { c.periodN = n; d.duration(&c.w.Period)(f, n) },
		dump:   window(func(w *Window, out *faultDump) { out.Period = durText(w.Period) })},
	{key: "downFor",
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) { d.duration(&c.w.DownFor)(f, n) },
		dump:   window(func(w *Window, out *faultDump) { out.DownFor = durText(w.DownFor) })},
	{key: "ops",
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) {
			if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
				d.errorf(n, f, "want a list of operations such as [get], got %s", describeList(n))
				return
			}
			for j, on := range n.Content {
				v, err := ynode.Scalar(d.file, fmt.Sprintf("%s[%d]", f, j), on)
				if err != nil {
					d.fail(err)
					continue
				}
				k, ok := parseOp(v)
				if !ok {
					d.errorf(on, fmt.Sprintf("%s[%d]", f, j), "want save, get or delete, got %q", v)
					continue
				}
				c.w.Ops = append(c.w.Ops, k)
			}
		},
		dump: window(func(w *Window, out *faultDump) {
			for _, o := range w.Ops {
				out.Ops = append(out.Ops, o.String())
			}
		})},
	{key: "methods",
		decode: func(d *decoder, c *faultIn, f string, n *yaml.Node) {
			if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
				d.errorf(n, f, "want a list of method names such as [neworder], got %s", describeList(n))
				return
			}
			for j, mn := range n.Content {
				v, err := ynode.Scalar(d.file, fmt.Sprintf("%s[%d]", f, j), mn)
				if err != nil {
					d.fail(err)
					continue
				}
				if v == "" {
					d.errorf(mn, fmt.Sprintf("%s[%d]", f, j), "want a method name, got an empty one")
					continue
				}
				c.w.Methods = append(c.w.Methods, v)
			}
		},
		dump: window(func(w *Window, out *faultDump) { out.Methods = w.Methods })},
}
