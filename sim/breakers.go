package sim

import (
	"strings"

	"github.com/dapr-sim/sim/policies/breaker"
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
