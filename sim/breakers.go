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
		a := &s.Scenario.Apps[ai]
		if a.ID != e.App || e.Step > len(a.Steps) {
			continue
		}
		spec := s.SpecOf(a.ID)
		if spec == nil {
			return ""
		}
		st := &a.Steps[e.Step-1]
		var b *breaker.Settings
		switch st.Op {
		case Invoke:
			b = spec.App(st.Target, st.Target+":"+expand(st.Method, e.Iteration, e.Worker)).Breaker
		case Actor:
			b = spec.Actor(st.Target, expand(st.ActorID, e.Iteration, e.Worker)).PreLock.Breaker
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
	return ""
}
