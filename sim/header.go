package sim

import (
	"fmt"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/ynode"
	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/traces"
	"gopkg.in/yaml.v3"
)

// The trace header records the scenario as it was run, in the scenario
// file's own shape (so the header can be read back as a scenario): defaults
// applied, durations as Go duration strings, fields in a fixed order. Each
// dump struct's fields are the dumped rows of its table in fields.go, in
// the same order (TestFieldTables).
type scenarioDump struct {
	Version    int                  `yaml:"version"`
	Name       string               `yaml:"name"`
	Dapr       string               `yaml:"dapr"`
	Seed       int64                `yaml:"seed"`
	Duration   string               `yaml:"duration"`
	Overhead   string               `yaml:"overhead"`
	Resources  string               `yaml:"resourcesPath,omitempty"`
	Resiliency string               `yaml:"resiliency,omitempty"`
	Apps       []appDump            `yaml:"apps"`
	Stores     map[string]storeDump `yaml:"stores"`
	Faults     []faultDump          `yaml:"faults,omitempty"`
}

// SplitLast hands a long faults list to the trace writer in chunks (see
// traces.LastList).
func (d scenarioDump) SplitLast() (any, int, func(a, b int) any) {
	rest := d
	rest.Faults = nil
	return rest, len(d.Faults), func(a, b int) any {
		return struct {
			Faults []faultDump `yaml:"faults"`
		}{d.Faults[a:b]}
	}
}

type appDump struct {
	ID           string     `yaml:"id"`
	Protocol     string     `yaml:"protocol,omitempty"`
	Latency      string     `yaml:"latency,omitempty"`
	Actors       []string   `yaml:"actors,omitempty"`
	Start        string     `yaml:"start,omitempty"`
	Pause        string     `yaml:"pause,omitempty"`
	Every        string     `yaml:"every,omitempty"`
	Iterations   int        `yaml:"iterations,omitempty"`
	Workers      int        `yaml:"workers,omitempty"`
	WorkerOffset string     `yaml:"workerOffset,omitempty"`
	OnError      string     `yaml:"onError,omitempty"`
	Steps        []stepDump `yaml:"steps,omitempty"`
	// Subscriptions are written as the file gives them, route resolved.
	Subscriptions []subscriptionDump `yaml:"subscriptions,omitempty"`
	Bindings      []inputBindingDump `yaml:"bindings,omitempty"`
}

type inputBindingDump struct {
	Name string `yaml:"name"`
	Log  string `yaml:"log,omitempty"`
}

type subscriptionDump struct {
	Pubsub          string `yaml:"pubsub"`
	Topic           string `yaml:"topic"`
	Route           string `yaml:"route"`
	DeadLetterTopic string `yaml:"deadLetterTopic,omitempty"`
	Log             string `yaml:"log,omitempty"`
}

type stepDump struct {
	Save        string       `yaml:"save,omitempty"`
	Get         string       `yaml:"get,omitempty"`
	Delete      string       `yaml:"delete,omitempty"`
	Invoke      *invokeDump  `yaml:"invoke,omitempty"`
	Actor       *actorDump   `yaml:"actor,omitempty"`
	Publish     *publishDump `yaml:"publish,omitempty"`
	Binding     *bindingDump `yaml:"binding,omitempty"`
	Key         *string      `yaml:"key,omitempty"`   // store and binding steps only; "" is kept
	Value       *string      `yaml:"value,omitempty"` // save steps only; "" is kept
	Data        *string      `yaml:"data,omitempty"`  // publish and binding steps only; "" is kept
	ContentType string       `yaml:"contentType,omitempty"`
	Log         string       `yaml:"log,omitempty"`
	Latency     string       `yaml:"latency,omitempty"`
}

type bindingDump struct {
	Name      string `yaml:"name"`
	Operation string `yaml:"operation"`
}

type publishDump struct {
	Pubsub string `yaml:"pubsub"`
	Topic  string `yaml:"topic"`
}

type invokeDump struct {
	App    string `yaml:"app"`
	Method string `yaml:"method"`
}

type actorDump struct {
	Type   string `yaml:"type"`
	ID     string `yaml:"id"`
	Method string `yaml:"method"`
}

type storeDump struct {
	Latency string `yaml:"latency"`
}

// faultDump is one entry of faults: a scripted change (at, stop/start) or
// a window (target, from/to and what it does), as the scenario file writes it.
type faultDump struct {
	At        string   `yaml:"at,omitempty"`
	Stop      string   `yaml:"stop,omitempty"`
	Start     string   `yaml:"start,omitempty"`
	Target    string   `yaml:"target,omitempty"`
	From      string   `yaml:"from,omitempty"`
	To        string   `yaml:"to,omitempty"`
	Latency   string   `yaml:"latency,omitempty"`
	Error     string   `yaml:"error,omitempty"`
	Conn      string   `yaml:"conn,omitempty"`
	ErrorRate float64  `yaml:"errorRate,omitempty"`
	FailEvery int      `yaml:"failEvery,omitempty"`
	Status    any      `yaml:"status,omitempty"` // an HTTP status (a number) or a gRPC code (its name)
	Answer    string   `yaml:"answer,omitempty"`
	Period    string   `yaml:"period,omitempty"`
	DownFor   string   `yaml:"downFor,omitempty"`
	Ops       []string `yaml:"ops,omitempty"`
	Methods   []string `yaml:"methods,omitempty"`
}

func durText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// Header is the trace header of this setup: enough to run it again. Its
// scenario block is written by the decoder's own table (fields.go), from
// the scenario as it runs: the profile's Dapr, the run's seed and every
// store a step or fault names.
func (s *Setup) Header() traces.Header {
	sc := *s.Scenario
	sc.Dapr, sc.Seed, sc.Stores = s.Profile.Version, s.Seed, s.Stores
	d := dumpFields(&scenarioIn{sc: &sc}, scenarioFields)
	h := traces.Header{
		Sim:      Version,
		Name:     sc.Name,
		Dapr:     s.Profile.Version,
		Seed:     s.Seed,
		Scenario: d,
		Spec:     s.Spec.Dump(),
	}
	if len(s.Sidecars) > 1 {
		// A run with one sidecar writes the header it always has.
		var more []SidecarDump
		for _, c := range s.Sidecars[1:] {
			more = append(more, SidecarDump{App: c.AppID, Spec: c.Spec.Dump()})
		}
		h.Sidecars = more
	}
	return h
}

// PrepareTrace builds the setup a trace was run with from its header alone:
// the scenario block and the resolved spec (see PrepareFromHeader). Problems
// name file and, for a YAML trace, the trace's own line. The header's
// top-level dapr and seed must agree with its scenario block: an edit to one
// of them alone is reported, not silently ignored. trace is a *traces.Trace
// or a *traces.Reader.
func PrepareTrace(file string, trace traces.Headed) (*Setup, error) {
	tr := trace.TraceHead()
	if tr.Scenario == nil || tr.Spec == nil {
		return nil, &diag.Error{File: file, Msg: "the trace header has no scenario or spec"}
	}
	d := &decoder{file: file}
	sc := d.scenario(tr.Scenario)
	if err := d.errs.Err(); err != nil {
		return nil, err
	}
	sc.File = file
	spec, err := yaml.Marshal(tr.Spec)
	if err != nil {
		return nil, &diag.Error{File: file, Field: "spec", Msg: err.Error()}
	}
	dump, err := policies.DecodeDump(spec)
	if err != nil {
		return nil, ynode.Errorf(file, tr.Spec, "", "%v", err)
	}
	if tr.Dapr != sc.Dapr {
		return nil, ynode.Errorf(file, tr.Scenario, "dapr", "the header says Dapr %q and its scenario %q", tr.Dapr, sc.Dapr)
	}
	if tr.Seed != sc.Seed {
		return nil, ynode.Errorf(file, tr.Scenario, "seed", "the header says seed %d and its scenario %d", tr.Seed, sc.Seed)
	}
	dumps := []SidecarDump{{App: dump.AppID, Spec: dump}}
	if tr.Sidecars != nil {
		var more []struct {
			App  string    `yaml:"app"`
			Spec yaml.Node `yaml:"spec"`
		}
		if err := tr.Sidecars.Decode(&more); err != nil {
			return nil, ynode.Errorf(file, tr.Sidecars, "sidecars", "want a list of {app, spec}: %v", err)
		}
		for i, m := range more {
			text, err := yaml.Marshal(&m.Spec)
			if err != nil {
				return nil, &diag.Error{File: file, Field: "sidecars", Msg: err.Error()}
			}
			d, err := policies.DecodeDump(text)
			if err != nil {
				return nil, ynode.Errorf(file, &m.Spec, fmt.Sprintf("sidecars[%d].spec", i), "%v", err)
			}
			if d.AppID != m.App {
				return nil, ynode.Errorf(file, &m.Spec, fmt.Sprintf("sidecars[%d].app", i), "the sidecar is %q and its spec was resolved for %q", m.App, d.AppID)
			}
			dumps = append(dumps, SidecarDump{App: m.App, Spec: d})
		}
	}
	return prepareFromHeader(sc, dumps)
}
