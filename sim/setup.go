package sim

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/input"
	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/policies/client"
)

// Version is this sim's version, recorded in traces.
const Version = "0.1.0"

// Setup is a scenario with everything it refers to loaded and checked: the
// Dapr profile, the resolved Resiliency spec, the stores and the targets
// operations go to. A run needs nothing else.
type Setup struct {
	Scenario *Scenario
	Profile  policies.Profile
	// Spec is the first sidecar's: in a scenario with one app loop, the
	// only one.
	Spec *policies.Spec
	// Sidecars are one per app id with a loop, in the order the scenario
	// first names them: each its own daprd, with the spec it loads (scopes
	// applied for its app id) and breakers of its own.
	Sidecars []Sidecar
	Seed     int64
	Stores   []Store  // every store a step or fault names, sorted by name
	Called   []App    // the apps that only answer invocations, sorted by id
	Targets  []Target // everything a step calls but actors, sorted
	// Hosts maps each actor type a step calls to the called app hosting it.
	Hosts map[string]string
	// Subscribers are the subscriptions each sidecar runs, sidecar by
	// sidecar (see Subscriber); Triggers the input bindings.
	Subscribers []Subscriber
	Triggers    []BindingTrigger
	Warnings    []diag.Warning
}

// Sidecar is one app id's daprd.
type Sidecar struct {
	AppID string
	Spec  *policies.Spec
}

// SpecOf returns the spec of appID's sidecar, or nil.
func (s *Setup) SpecOf(appID string) *policies.Spec {
	for _, sc := range s.Sidecars {
		if sc.AppID == appID {
			return sc.Spec
		}
	}
	return nil
}

// Target is what one kind of step calls through its own policy pipeline: a
// state store, or one method of a called app.
type Target struct {
	Name   string // store name, or called app id
	Method string // for service invocation; "" for a store
}

func (t Target) key() string {
	if t.Method == "" {
		return t.Name
	}
	return t.Name + "/" + t.Method
}

// Overrides are command-line values that take precedence over the scenario.
type Overrides struct {
	Dapr string // "" = the scenario's (or the newest profile)
	Seed *int64
	// Edits are the policy edits of the command line (`--set`), in order.
	// One that sets a Resiliency key (see policies.Edit) is laid over the
	// documents as they are read; a what-if (Edit.WhatIf) is laid over the
	// loaded policy after the scenario's own overrides, by the same rules.
	Edits []policies.Edit
	// Sources, when set, are the scenario's resource files read already
	// (policies.ReadSources of its ResourcePaths): a sweep's runs all load
	// the same bytes, however the files change while it runs.
	Sources *policies.Sources
}

// Prepare loads a scenario's Dapr resources and checks its references. Every
// problem is a *diag.Error (or diag.List) naming file and line; warnings
// describe input Dapr would silently ignore. It does not modify sc, and
// neither does an engine running the setup: one parsed scenario may serve
// many runs at once (a sweep's).
func Prepare(sc *Scenario, o Overrides) (*Setup, error) {
	version := sc.Dapr
	if o.Dapr != "" {
		version = o.Dapr
	}
	if version == "" {
		version = policies.Newest
	}
	profile, err := policies.ProfileFor(version)
	if err != nil {
		if o.Dapr != "" {
			return nil, &diag.Error{Field: "--dapr", Msg: err.Error()}
		}
		return nil, &diag.Error{File: sc.File, Line: sc.DaprLine, Field: "dapr", Msg: err.Error()}
	}
	for _, e := range o.Edits {
		if err := e.Check(); err != nil {
			return nil, err
		}
	}
	s := &Setup{Scenario: sc, Profile: profile, Seed: sc.Seed}
	if o.Seed != nil {
		s.Seed = *o.Seed
	}
	// The scenario's own problems and those of its resources are reported
	// together: one run shows everything there is to fix.
	var errs diag.List
	appIDs, called, loopErrs := appLoops(sc)
	errs = append(errs, loopErrs...)
	if err := checkResources(sc); err != nil {
		errs = diag.Collect(errs, err, sc.File)
	} else {
		src := o.Sources
		if src == nil {
			src = policies.ReadSourcesFS(sc.FS, sc.ResourcePaths())
		}
		// Each sidecar reads the same files; what they say about the files
		// is said once.
		seenWarn := map[diag.Warning]bool{}
		seenErr := map[string]bool{}
		appIDs = withScopedSubscribers(sc, appIDs, func(id string) bool {
			spec, _, err := src.Load(id, profile, o.Edits)
			if err != nil || spec == nil {
				return false
			}
			for _, d := range spec.Subscriptions {
				if slices.Contains(d.Scopes, id) {
					return true
				}
			}
			return false
		})
		for _, id := range appIDs {
			spec, warns, err := src.Load(id, profile, o.Edits)
			for _, w := range warns {
				if !seenWarn[w] {
					seenWarn[w] = true
					s.Warnings = append(s.Warnings, w)
				}
			}
			if err != nil {
				for _, e := range diag.Collect(nil, err, sc.File) {
					if !seenErr[e.Error()] {
						seenErr[e.Error()] = true
						errs = append(errs, e)
					}
				}
			}
			s.Sidecars = append(s.Sidecars, Sidecar{AppID: id, Spec: spec})
		}
		if len(s.Sidecars) > 0 {
			s.Spec = s.Sidecars[0].Spec
		}
		s.Warnings = scopedOutOfAll(s.Warnings, len(appIDs))
	}
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	// The command line's what-ifs come after the scenario's: they win
	// where both set a field.
	whatIfs := append(slices.Clip(sc.Overrides), o.Edits...)
	if err := s.resolve(called, whatIfs); err != nil {
		return nil, err
	}
	return s, nil
}

// scopedOutOfAll keeps, of the warnings that a resource is scoped away from
// a sidecar, those about a resource no sidecar of the run loads, once: with
// several sidecars a resource meant for one of them is as intended.
func scopedOutOfAll(warns []diag.Warning, sidecars int) []diag.Warning {
	if sidecars < 2 {
		return warns
	}
	type at struct {
		file string
		line int
	}
	count := map[at]int{}
	for _, w := range warns {
		if w.ID == "scoped-out" {
			count[at{w.File, w.Line}]++
		}
	}
	out := warns[:0]
	for _, w := range warns {
		if w.ID == "scoped-out" {
			k := at{w.File, w.Line}
			if count[k] < sidecars {
				continue
			}
			count[k] = 0 // said once
		}
		out = append(out, w)
	}
	return out
}

// PrepareFromHeader builds the setup a trace header describes, without the
// resources folder: scenarioYAML is the header's scenario block (in the
// scenario file's shape; its resourcesPath or resiliency is not read) and
// dump the resolved spec recorded beside it. It runs the reference checks
// Prepare runs; problems are *diag.Error naming file. Warnings are dropped:
// they were reported when the trace was written.
func PrepareFromHeader(file string, scenarioYAML []byte, dumps ...SidecarDump) (*Setup, error) {
	sc, err := ParseScenario(file, scenarioYAML)
	if err != nil {
		return nil, err
	}
	return prepareFromHeader(sc, dumps)
}

// SidecarDump is one sidecar's resolved spec as a trace header records it:
// the first in the header's spec, any other under sidecars.
type SidecarDump struct {
	App  string            `yaml:"app"`
	Spec policies.SpecDump `yaml:"spec"`
}

func prepareFromHeader(sc *Scenario, dumps []SidecarDump) (*Setup, error) {
	s := &Setup{Scenario: sc, Seed: sc.Seed}
	for _, d := range dumps {
		spec, err := policies.FromDump(d.Spec)
		if err != nil {
			return nil, &diag.Error{File: sc.File, Field: "spec", Msg: err.Error()}
		}
		if sc.Dapr != spec.Profile.Version {
			return nil, &diag.Error{File: sc.File, Line: sc.DaprLine, Field: "scenario.dapr", Msg: fmt.Sprintf("the scenario says Dapr %q and the spec was resolved for %q: a header is run with one profile", sc.Dapr, spec.Profile.Version)}
		}
		s.Sidecars = append(s.Sidecars, Sidecar{AppID: spec.AppID, Spec: spec})
	}
	appIDs, called, errs := appLoops(sc)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	// The run that wrote the header decided which called apps a scoped
	// Subscription gave a sidecar: those it recorded.
	appIDs = withScopedSubscribers(sc, appIDs, func(id string) bool {
		return slices.ContainsFunc(s.Sidecars, func(c Sidecar) bool { return c.AppID == id })
	})
	if len(s.Sidecars) != len(appIDs) {
		return nil, &diag.Error{File: sc.File, Line: sc.AppsLine, Field: "sidecars", Msg: fmt.Sprintf("the header resolves %d sidecar specs and the scenario's loops run as %d app ids", len(s.Sidecars), len(appIDs))}
	}
	for i, car := range s.Sidecars {
		if car.AppID != appIDs[i] {
			return nil, &diag.Error{File: sc.File, Line: sc.AppsLine, Field: "spec.appID", Msg: fmt.Sprintf("the spec was resolved for app %q and the scenario's loops run as %q", car.AppID, appIDs[i])}
		}
	}
	s.Spec, s.Profile = s.Sidecars[0].Spec, s.Sidecars[0].Spec.Profile
	if err := s.resolve(called, sc.Overrides); err != nil {
		return nil, err
	}
	s.Warnings = nil
	return s, nil
}

// withScopedSubscribers adds to ids, in the order the scenario names its
// apps, each app without steps or subscriptions of its own that a
// declarative Subscription names in its scopes (scoped says which): its
// sidecar subscribes for it. An unscoped Subscription gives no app a
// sidecar: it applies to the sidecars the run has.
func withScopedSubscribers(sc *Scenario, ids []string, scoped func(id string) bool) []string {
	has := map[string]bool{}
	for _, id := range ids {
		has[id] = true
	}
	var out []string
	for _, a := range sc.Apps {
		if has[a.ID] {
			out = append(out, a.ID)
			has[a.ID] = false // once
			continue
		}
		if _, seen := has[a.ID]; !seen && len(a.Steps) == 0 && scoped(a.ID) {
			out = append(out, a.ID)
			has[a.ID] = false
		}
	}
	return out
}

// appLoops returns the app ids the scenario's loops run as, in the order
// the scenario first names them (loops of one id share its sidecar), and
// the called apps (those without steps), by id, with every problem found
// among the apps.
func appLoops(sc *Scenario) ([]string, map[string]App, diag.List) {
	var ids []string
	seen := map[string]bool{}
	called := map[string]App{}
	var errs diag.List
	looped := map[string]bool{}
	triggered := false // an input binding starts work, as a loop does
	for i, a := range sc.Apps {
		if len(a.Steps) == 0 {
			if _, dup := called[a.ID]; dup {
				errs = append(errs, &diag.Error{File: sc.File, Line: a.Line, Field: fmt.Sprintf("apps[%d].id", i), Msg: fmt.Sprintf("a called app named %q is given twice", a.ID)})
				continue
			}
			called[a.ID] = a
			if len(a.Subscriptions) == 0 && len(a.Bindings) == 0 {
				continue
			}
			if len(a.Bindings) > 0 {
				triggered = true
			}
			// A subscriber has a sidecar of its own, which delivers to it.
		} else {
			looped[a.ID] = true
		}
		if !seen[a.ID] {
			seen[a.ID] = true
			ids = append(ids, a.ID)
		}
	}
	line := sc.AppsLine
	if line == 0 {
		line = sc.Line
	}
	for _, a := range sc.Apps {
		triggered = triggered || len(a.Bindings) > 0
	}
	if len(looped) == 0 && !triggered {
		errs = append(errs, &diag.Error{File: sc.File, Line: line, Field: "apps", Msg: "no app has steps or input bindings: at least one app loop must call something, or a binding trigger its app"})
	}
	for _, id := range ids {
		if _, ok := called[id]; ok && looped[id] {
			errs = append(errs, &diag.Error{File: sc.File, Line: line, Field: "apps", Msg: fmt.Sprintf("%q is both an app with steps and a called app: an app cannot invoke itself through this sim", id)})
		}
	}
	return ids, called, errs
}

// resolve checks what the scenario's steps, faults and windows name against
// the stores, called apps and s.Spec's components, lays the what-ifs among
// edits over s.Spec, and fills Stores, Called, Targets and Hosts. Prepare
// and PrepareFromHeader share it, so a replay checks exactly what a run
// checks.
func (s *Setup) resolve(called map[string]App, edits []policies.Edit) error {
	sc, spec := s.Scenario, s.Spec
	var errs diag.List
	stores := map[string]Store{}
	for _, st := range sc.Stores {
		stores[st.Name] = st
	}
	known := func(name string) bool {
		if _, ok := stores[name]; ok {
			return true
		}
		if typ, ok := spec.Components[name]; ok && (strings.HasPrefix(typ, "state.") || typ == client.PubsubType || typ == policies.RedisBindingType) {
			stores[name] = Store{Name: name, Latency: DefaultStoreLatency}
			return true
		}
		return false
	}
	isPubsub := func(name string) bool { return strings.HasPrefix(spec.Components[name], "pubsub.") }
	errs = append(errs, s.subscribers()...)
	errs = append(errs, s.triggers()...)
	isApp := func(name string) bool { _, ok := called[name]; return ok || s.subscribes(name) || s.triggered(name) }
	errs = append(errs, s.checkProtocols(called)...)
	s.Hosts = map[string]string{}
	hosts := map[string]string{}
	for i, a := range sc.Apps {
		for _, typ := range a.Actors {
			if other, dup := hosts[typ]; dup {
				errs = append(errs, &diag.Error{File: sc.File, Line: a.Line, Field: fmt.Sprintf("apps[%d].actors", i),
					Msg: fmt.Sprintf("actor type %q is hosted by %q already: placement gives each actor id one host; this sim gives each type one", typ, other)})
				continue
			}
			hosts[typ] = a.ID
		}
	}
	targets := map[Target]bool{}
	invoked := map[string]bool{}
	for ai, a := range sc.Apps {
		for si, st := range a.Steps {
			if (st.Op == Invoke || st.Op == Actor) && !s.Profile.RemoteCallsModelled {
				errs = append(errs, &diag.Error{File: sc.File, Line: st.Line, Field: fmt.Sprintf("apps[%d].steps[%d].%s", ai, si, st.Op),
					Msg: fmt.Sprintf("service invocation and actor calls are modelled from Dapr 1.10; %s retried them with a legacy loop outside the Resiliency runners (pick --dapr 1.10 or newer)", s.Profile.Version)})
				continue
			}
			if st.Op == Invoke {
				invoked[st.Target] = true
			}
			if st.Op == Actor {
				host, ok := hosts[st.Target]
				if !ok {
					errs = append(errs, &diag.Error{File: sc.File, Line: st.Line, Field: fmt.Sprintf("apps[%d].steps[%d].actor.type", ai, si),
						Msg: fmt.Sprintf("no called app hosts actor type %q: list it under the host's actors", st.Target)})
					continue
				}
				s.Hosts[st.Target] = host
				continue
			}
			if st.Op == Invoke {
				if !isApp(st.Target) {
					errs = append(errs, &diag.Error{File: sc.File, Line: st.Line, Field: fmt.Sprintf("apps[%d].steps[%d].invoke.app", ai, si),
						Msg: fmt.Sprintf("no called app named %q: declare it under apps, with an id and no steps", st.Target)})
					continue
				}
				targets[Target{Name: st.Target, Method: st.Method}] = true
				continue
			}
			if st.Op == Publish {
				field := fmt.Sprintf("apps[%d].steps[%d].publish.pubsub", ai, si)
				switch typ := spec.Components[st.Target]; {
				case typ == client.PubsubType:
					known(st.Target)
					targets[Target{Name: st.Target}] = true
				case isPubsub(st.Target):
					errs = append(errs, &diag.Error{File: sc.File, Line: st.Line, Field: field,
						Msg: fmt.Sprintf("%q is a %s component: sim runs pub/sub on %s only", st.Target, typ, client.PubsubType)})
				default:
					errs = append(errs, &diag.Error{File: sc.File, Line: st.Line, Field: field,
						Msg: fmt.Sprintf("no pub/sub component named %q: add a Component of type %s to the resources", st.Target, client.PubsubType)})
				}
				continue
			}
			if st.Op == Binding {
				if err := s.outputBinding(spec, ai, si, st); err != nil {
					errs = append(errs, err)
					continue
				}
				known(st.Target)
				targets[Target{Name: st.Target}] = true
				continue
			}
			if kind, use, ok := notAStore(spec.Components[st.Target]); ok {
				errs = append(errs, &diag.Error{File: sc.File, Line: st.Line, Field: fmt.Sprintf("apps[%d].steps[%d].%s", ai, si, st.Op),
					Msg: fmt.Sprintf("%q is a %s component, not a state store: %s instead", st.Target, kind, use)})
				continue
			}
			if !known(st.Target) {
				errs = append(errs, &diag.Error{File: sc.File, Line: st.Line, Field: fmt.Sprintf("apps[%d].steps[%d].%s", ai, si, st.Op),
					Msg: fmt.Sprintf("no state store named %q: declare it under stores or add a Component of type state.* to the resources", st.Target)})
				continue
			}
			targets[Target{Name: st.Target}] = true
		}
	}
	for _, f := range sc.Faults {
		name, verb := f.Stop, "stop"
		if f.Start != "" {
			name, verb = f.Start, "start"
		}
		if !known(name) && !isApp(name) {
			errs = append(errs, &diag.Error{File: sc.File, Line: f.Line, Field: fmt.Sprintf("faults[%d].%s", f.Index, verb),
				Msg: fmt.Sprintf("no state store, pub/sub component or called app named %q", name)})
		}
		if f.At > sc.Duration {
			s.Warnings = append(s.Warnings, diag.Warnf(sc.File, f.Line, 0, fmt.Sprintf("faults[%d].at", f.Index), "%s is after the horizon (%s): it never happens", f.At, sc.Duration))
		}
	}
	copied := false
	for i := range sc.Windows {
		w := &sc.Windows[i]
		if invoked[w.Target] && w.Failing() && w.Period == 0 && w.Status == 0 && w.Code == 0 {
			// An invoked app that fails answers with an error status. The
			// default goes on a copy of the windows: Prepare leaves the
			// scenario it is given as parsed, so runs may share it (a
			// sweep's do, concurrently).
			if !copied {
				c := *sc
				c.Windows = slices.Clone(sc.Windows)
				s.Scenario, sc, copied = &c, &c, true
				w = &sc.Windows[i]
			}
			w.Status = 500
		}
		wf := fmt.Sprintf("faults[%d].", w.Index)
		if w.Status != 0 && !isApp(w.Target) {
			errs = append(errs, &diag.Error{File: sc.File, Line: w.Line, Field: wf + "status",
				Msg: fmt.Sprintf("%q is not a called app: only an app answers with an HTTP status", w.Target)})
		}
		if w.Code != 0 && !isApp(w.Target) {
			errs = append(errs, &diag.Error{File: sc.File, Line: w.Line, Field: wf + "status",
				Msg: fmt.Sprintf("%q is not a called app: only a gRPC app answers with a gRPC code", w.Target)})
		}
		if p := sc.protocolOf(w.Target); isApp(w.Target) && w.Status != 0 && p.GRPC() {
			errs = append(errs, &diag.Error{File: sc.File, Line: w.Line, Field: wf + "status",
				Msg: fmt.Sprintf("%d is an HTTP status and %q is a gRPC app (protocol: %s): give a gRPC code, 1-16 or its name, such as Unavailable (Unimplemented is the one Dapr does not retry)", w.Status, w.Target, p)})
		} else if isApp(w.Target) && w.Code != 0 && !p.GRPC() {
			errs = append(errs, &diag.Error{File: sc.File, Line: w.Line, Field: wf + "status",
				Msg: fmt.Sprintf("%s is a gRPC code and %q is an HTTP app (protocol: %s): give an HTTP status (100-199 or 400-599), or protocol: grpc on the app", w.Code, w.Target, p)})
		}
		if len(w.Methods) > 0 && !isApp(w.Target) {
			errs = append(errs, &diag.Error{File: sc.File, Line: w.Line, Field: wf + "methods",
				Msg: fmt.Sprintf("%q is not a called app: methods select an app's methods (ops select a store's operations)", w.Target)})
		}
		if len(w.Ops) > 0 && isApp(w.Target) {
			errs = append(errs, &diag.Error{File: sc.File, Line: w.Line, Field: wf + "ops",
				Msg: fmt.Sprintf("%q is a called app: ops (save, get, delete) select a store's operations; a window on an app applies to every call", w.Target)})
		}
		if w.Target != "" && !known(w.Target) && !isApp(w.Target) {
			errs = append(errs, &diag.Error{File: sc.File, Line: w.Line, Field: wf + "target",
				Msg: fmt.Sprintf("no state store, pub/sub component or called app named %q", w.Target)})
		}
		if w.Conn != 0 && known(w.Target) {
			if _, ok := spec.ClientOf(w.Target); !ok {
				errs = append(errs, &diag.Error{File: sc.File, Line: w.Line, Field: wf + "conn",
					Msg: fmt.Sprintf("store %q has no modelled client: a conn fault is what the component's client meets on each try; give the store a Component of type state.redis in the resources", w.Target)})
			}
		} else if w.Conn != 0 && isApp(w.Target) {
			errs = append(errs, &diag.Error{File: sc.File, Line: w.Line, Field: wf + "conn",
				Msg: fmt.Sprintf("%q is a called app: conn models a state store's client; stop the app for an unreachable sidecar", w.Target)})
		}
		if w.From > sc.Duration {
			s.Warnings = append(s.Warnings, diag.Warnf(sc.File, w.Line, 0, wf+"from", "the window on %s starts at %s, after the horizon (%s): it never happens", w.Target, w.From, sc.Duration))
		}
	}
	if err := checkHeldWindows(sc); err != nil {
		errs = append(errs, err)
	}
	warns, whatIfErrs := policies.ApplyWhatIfs(s.Spec, edits)
	s.Warnings = append(s.Warnings, warns...)
	errs = append(errs, whatIfErrs...)
	for i := 1; i < len(s.Sidecars); i++ {
		other := s.Sidecars[i]
		// The same what-ifs, said once: every sidecar reads the same
		// resources, so their problems are the first one's.
		policies.ApplyWhatIfs(other.Spec, edits)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	for _, st := range stores {
		s.Stores = append(s.Stores, st)
	}
	sort.Slice(s.Stores, func(i, j int) bool { return s.Stores[i].Name < s.Stores[j].Name })
	for _, a := range called {
		s.Called = append(s.Called, a)
	}
	sort.Slice(s.Called, func(i, j int) bool { return s.Called[i].ID < s.Called[j].ID })
	for t := range targets {
		s.Targets = append(s.Targets, t)
	}
	sort.Slice(s.Targets, func(i, j int) bool { return s.Targets[i].key() < s.Targets[j].key() })
	diag.SortWarnings(s.Warnings)
	return nil
}

// checkResources reports a resourcesPath that is not a folder, or a
// resiliency that is not a file, at the scenario's line.
func checkResources(sc *Scenario) error {
	paths := sc.ResourcePaths()
	if len(paths) == 0 {
		return nil
	}
	field, wantDir := "resourcesPath", true
	if sc.Resiliency != "" {
		field, wantDir = "resiliency", false
	}
	if paths[0] == input.Stdin && sc.FS == nil {
		if wantDir {
			return &diag.Error{File: sc.File, Line: sc.ResourcesLine, Field: field, Msg: "standard input (-) is one file: want a folder of Dapr resources (or name the file with resiliency:)"}
		}
		return nil
	}
	info, err := input.FS(sc.FS).Stat(paths[0])
	switch {
	case errors.Is(err, fs.ErrNotExist) && sc.File == input.Stdin:
		// Not the scenario's folder: it has none (ResourcePaths).
		return &diag.Error{File: sc.File, Line: sc.ResourcesLine, Field: field, Msg: fmt.Sprintf("%s does not exist in the working directory (a scenario read from standard input has no folder: its paths are relative to where sim runs)", paths[0])}
	case errors.Is(err, fs.ErrNotExist):
		return &diag.Error{File: sc.File, Line: sc.ResourcesLine, Field: field, Msg: fmt.Sprintf("%s does not exist", paths[0])}
	case err != nil:
		return &diag.Error{File: sc.File, Line: sc.ResourcesLine, Field: field, Msg: fmt.Sprintf("cannot read %s: %v", paths[0], errors.Unwrap(err))}
	case !info.IsDir() && !info.Mode().IsRegular():
		// A device or a named pipe would never end a read, or block it.
		want := "a Resiliency file"
		if wantDir {
			want = "a folder of Dapr resources"
		}
		return &diag.Error{File: sc.File, Line: sc.ResourcesLine, Field: field, Msg: fmt.Sprintf("%s is %s: want %s", paths[0], input.Describe(info.Mode()), want)}
	case wantDir && !info.IsDir():
		return &diag.Error{File: sc.File, Line: sc.ResourcesLine, Field: field, Msg: fmt.Sprintf("%s is a file: want a folder of Dapr resources (or name the file with resiliency:)", paths[0])}
	case !wantDir && info.IsDir():
		return &diag.Error{File: sc.File, Line: sc.ResourcesLine, Field: field, Msg: fmt.Sprintf("%s is a folder: want a Resiliency file (or name the folder with resourcesPath:)", paths[0])}
	}
	return nil
}

// notAStore names the kind of a component a state step cannot call, and
// the step that calls it; ok is false for a state store (or no component).
func notAStore(typ string) (kind, use string, ok bool) {
	switch {
	case strings.HasPrefix(typ, "pubsub."):
		return "pub/sub", "publish to it", true
	case strings.HasPrefix(typ, "bindings."):
		return "binding", "invoke it with a binding step", true
	}
	return "", "", false
}

// outputBinding checks a binding step against the binding component it
// names, as Dapr's SendToOutputBinding would at each call
// (dapr@v1.14.4 pkg/runtime/processor/binding/send.go:164-188): sim runs
// output bindings on bindings.redis only, the component must have its output
// side, and the operation must be one the component lists.
func (s *Setup) outputBinding(spec *policies.Spec, ai, si int, st Step) *diag.Error {
	sc := s.Scenario
	field := fmt.Sprintf("apps[%d].steps[%d].binding.", ai, si)
	typ := spec.Components[st.Target]
	b, ok := spec.BindingOf(st.Target)
	switch {
	case typ == policies.RedisBindingType && ok && !b.Output:
		return &diag.Error{File: sc.File, Line: st.Line, Field: field + "name",
			Msg: fmt.Sprintf("%q has no output side: its direction metadata leaves output out, so Dapr answers every call with \"couldn't find output binding %s\"", st.Target, st.Target)}
	case typ == policies.RedisBindingType:
	case strings.HasPrefix(typ, "bindings."):
		return &diag.Error{File: sc.File, Line: st.Line, Field: field + "name",
			Msg: fmt.Sprintf("%q is a %s component: sim runs output bindings on %s only", st.Target, typ, policies.RedisBindingType)}
	default:
		return &diag.Error{File: sc.File, Line: st.Line, Field: field + "name",
			Msg: fmt.Sprintf("no output binding named %q: add a Component of type %s to the resources", st.Target, policies.RedisBindingType)}
	}
	ops := s.Profile.BindingOperations(typ)
	if !slices.Contains(ops, st.Operation) {
		// Dapr's own words (send.go:180-185), the same in 1.8 … 1.16.
		return &diag.Error{File: sc.File, Line: st.Line, Field: field + "operation",
			Msg: fmt.Sprintf("want an operation %s supports on Dapr %s (%s); Dapr would answer: binding %s does not support operation %s. supported operations:%s", typ, s.Profile.Version, strings.Join(ops, ", "), st.Target, st.Operation, strings.Join(ops, " "))}
	}
	return nil
}

// protocolOf returns the protocol of app id (HTTP for an app the scenario
// does not list, such as one a Subscription's scopes name).
func (sc *Scenario) protocolOf(id string) Protocol {
	for i := range sc.Apps {
		if sc.Apps[i].ID == id {
			return sc.Apps[i].Protocol
		}
	}
	return HTTP
}

// checkProtocols reports app protocols this release's daprd refuses and
// gRPC apps in roles sim models for HTTP apps only: the target of service
// invocation and an actor host, whose gRPC app channel (OnInvoke, the
// status mapping back to HTTP callers) is not modelled.
func (s *Setup) checkProtocols(called map[string]App) diag.List {
	sc := s.Scenario
	var errs diag.List
	grpcApps := map[string]int{} // app id → its index, for the apps that speak gRPC
	for i, a := range sc.Apps {
		field := fmt.Sprintf("apps[%d].protocol", i)
		switch a.Protocol {
		case HTTPS, H2C, GRPCS:
			if !s.Profile.AppProtocolTLS {
				errs = append(errs, &diag.Error{File: sc.File, Line: a.ProtocolLine, Field: field,
					Msg: fmt.Sprintf("Dapr %s knows http and grpc only (https, grpcs and h2c arrived in 1.11): daprd refuses to start with \"invalid value for 'app-protocol': %s\"", s.Profile.Version, a.Protocol)})
				continue
			}
		}
		if !a.Protocol.GRPC() {
			continue
		}
		grpcApps[a.ID] = i
		if len(a.Actors) > 0 {
			errs = append(errs, &diag.Error{File: sc.File, Line: a.ProtocolLine, Field: field,
				Msg: fmt.Sprintf("%q hosts actors: sim models actor calls to an HTTP app only (protocol: http)", a.ID)})
		}
	}
	if len(grpcApps) == 0 {
		return errs
	}
	for ai, a := range sc.Apps {
		for si, st := range a.Steps {
			if st.Op != Invoke {
				continue
			}
			if i, ok := grpcApps[st.Target]; ok {
				errs = append(errs, &diag.Error{File: sc.File, Line: st.Line, Field: fmt.Sprintf("apps[%d].steps[%d].invoke.app", ai, si),
					Msg: fmt.Sprintf("%q is a gRPC app (apps[%d].protocol: %s): sim models service invocation of an HTTP app only (a gRPC app's OnInvoke answer and its status mapping are not modelled)", st.Target, i, sc.Apps[i].Protocol)})
			}
		}
	}
	return errs
}
