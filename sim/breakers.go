package sim

import (
	"strings"

	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/traces"
)

// BreakerSettings finds the settings of the breaker a run of this setup
// names name, as the engine creates it: a component's breaker by its
// exact name ("<policy>-<component>"), an app's by its endpoint
// "<appID>:<method>" (invokePipeline; the method may vary by iteration), an
// actor type's by "<type>" or "<type>-<id>" (policies.Spec.Actor). The
// settings' Name is the policy's instance for the first step that matches,
// not necessarily name; ok is false for a name no step of the scenario
// would create.
func (s *Setup) BreakerSettings(name string) (settings breaker.Settings, ok bool) {
	match := func(exact, prefix string, b *breaker.Settings) bool {
		if b == nil || !((exact != "" && exact == name) || (prefix != "" && strings.HasPrefix(name, prefix))) {
			return false
		}
		settings, ok = *b, true
		return true
	}
	for _, a := range s.Scenario.Apps {
		for _, st := range a.Steps {
			switch st.Op {
			case Invoke:
				r := s.Spec.App(st.Target, st.Target+":"+st.Method)
				if match("", st.Target+":", r.Breaker) {
					return
				}
			case Actor:
				ac := s.Spec.Actor(st.Target, st.ActorID)
				if match(st.Target, st.Target+"-", ac.PreLock.Breaker) {
					return
				}
			default:
				r := s.Spec.StateStoreOutbound(st.Target)
				if r.Breaker != nil && match(r.Breaker.Name, "", r.Breaker) {
					return
				}
			}
		}
	}
	return breaker.Settings{}, false
}

// BreakerOf names the breaker the attempt of call event e went through, as
// the engine creates it: the breaker of the step's component (a state
// operation's, or a publish's or output binding's own kind), of the called
// app's endpoint, or of the actor type or id; "" when the step has none or
// e is not a step's attempt. It resolves the step's policy as the engine's
// pipelines do (storeRefs, invokePipeline, actorPipeline in engine.go and
// pipeline.go), for pictures: the events record a breaker only when it
// changes state, and Dapr creates it, closed, at its first request.
func (s *Setup) BreakerOf(e *traces.Event) string {
	if e.Kind != traces.Call || e.Step < 1 {
		return ""
	}
	for ai := range s.Scenario.Apps {
		if a := &s.Scenario.Apps[ai]; a.ID == e.App && e.Step <= len(a.Steps) {
			return s.stepBreaker(a.ID, &a.Steps[e.Step-1], e.Iteration, e.Worker)
		}
	}
	return ""
}

// BreakerNamer is BreakerOf resolved ahead for every step whose breaker
// does not depend on the iteration or worker (a component's; an endpoint
// or actor without a {i} or {w} in its method or id), so a picture asking
// for every attempt of a long run pays a map lookup, not a policy
// resolution.
func (s *Setup) BreakerNamer() func(*traces.Event) string {
	type key struct {
		app  string
		step int
	}
	fixed := map[key]string{}
	for ai := range s.Scenario.Apps {
		a := &s.Scenario.Apps[ai]
		for si := range a.Steps {
			st := &a.Steps[si]
			if (st.Op == Invoke && strings.IndexByte(st.Method, '{') >= 0) || (st.Op == Actor && strings.IndexByte(st.ActorID, '{') >= 0) {
				continue
			}
			fixed[key{a.ID, si + 1}] = s.stepBreaker(a.ID, st, 0, 0)
		}
	}
	return func(e *traces.Event) string {
		if e.Kind != traces.Call {
			return ""
		}
		if name, ok := fixed[key{e.App, e.Step}]; ok {
			return name
		}
		return s.BreakerOf(e)
	}
}

// stepBreaker names the breaker of step st of app on iteration and
// worker, "" for none.
func (s *Setup) stepBreaker(app string, st *Step, iteration, worker int) string {
	spec := s.SpecOf(app)
	if spec == nil {
		return ""
	}
	var b *breaker.Settings
	switch st.Op {
	case Invoke:
		b = spec.App(st.Target, st.Target+":"+expand(st.Method, iteration, worker)).Breaker
	case Actor:
		b = spec.Actor(st.Target, expand(st.ActorID, iteration, worker)).PreLock.Breaker
	case Publish, Binding:
		b = spec.ComponentOutbound(st.Target).Breaker
	default:
		b = spec.StateStoreOutbound(st.Target).Breaker
	}
	if b == nil {
		return ""
	}
	return b.Name
}
