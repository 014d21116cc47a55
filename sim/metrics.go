package sim

import (
	"strconv"
	"strings"

	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/traces/prom"
)

// MetricsMinor is the release whose metrics a run exports: N of Dapr 1.N.
func (s *Setup) MetricsMinor() int {
	n, _ := strconv.Atoi(strings.TrimPrefix(s.Profile.Version, "1."))
	return n
}

// MetricSidecars describes each sidecar of the run in the terms of the
// metrics it exports (package prom): the Resiliency resources it loaded,
// and for each step of its app's loop and each component delivering to it
// the pipeline Dapr resolves, as the engine resolves it (engine.go
// storeRefs, invokePipeline; deliver.go; trigger.go).
func (s *Setup) MetricSidecars() []prom.Sidecar {
	var out []prom.Sidecar
	for _, sc := range s.Sidecars {
		spec := sc.Spec
		m := prom.Sidecar{AppID: sc.AppID, Inbound: map[string]prom.Policy{}}
		if spec.Enabled {
			m.Resiliency = append(m.Resiliency, spec.Resources...)
		}
		for _, app := range s.Scenario.Apps {
			if app.ID != sc.AppID || len(m.Steps) > 0 {
				continue
			}
			for _, st := range app.Steps {
				ms := prom.Step{Op: st.Op.String(), Component: st.Target, Topic: st.Topic, Operation: st.Operation}
				switch st.Op {
				case Save, Get, Delete:
					ms.Policy = policyOf(spec.StateStoreOutbound(st.Target), "Statestore_"+st.Target, false)
				case Publish:
					ms.Policy = policyOf(spec.ComponentOutbound(st.Target), "Pubsub_"+st.Target, false)
				case Binding:
					ms.Policy = policyOf(spec.ComponentOutbound(st.Target), "Binding_"+st.Target, false)
				case Invoke:
					ms.Policy = policyOf(spec.App(st.Target, st.Target+":"+st.Method), "app_"+st.Target, false)
				}
				// Actor steps: their pipelines (pre- and post-lock, built-in
				// retries) are not described yet, so they export no
				// resiliency metrics.
				m.Steps = append(m.Steps, ms)
			}
		}
		for _, sub := range s.Subscribers {
			if sub.App == sc.AppID {
				m.Inbound[sub.Pubsub] = policyOf(spec.ComponentInbound(sub.Pubsub), "Pubsub_"+sub.Pubsub, true)
				m.Subscribed = append(m.Subscribed, sub.Pubsub)
			}
		}
		for _, t := range s.Triggers {
			if t.App == sc.AppID {
				m.Inbound[t.Binding] = policyOf(spec.ComponentInbound(t.Binding), "Binding_"+t.Binding, true)
			}
		}
		out = append(out, m)
	}
	return out
}

// policyOf is what addMetricsToPolicy sees of a resolved pipeline:
// ResiliencyComponentTarget writes the component's kind, as the API passes
// it (resiliency.Statestore, Pubsub, Binding), before its name.
func policyOf(r policies.Resolved, target string, inbound bool) prom.Policy {
	p := prom.Policy{Target: target, Inbound: inbound, Timeout: r.Timeout > 0, Retry: r.Retry != nil}
	if r.Breaker != nil {
		p.Breaker = r.Breaker.Name
	}
	return p
}
