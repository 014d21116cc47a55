package sim

import (
	"fmt"
	"strings"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/policies/client"
)

// Subscriber is one subscription a sidecar runs: a topic of a pub/sub
// component whose messages it delivers to its app, from the app's own
// subscriptions (the scenario's) or a declarative Subscription its spec
// keeps (scopes applied).
type Subscriber struct {
	App    string // the subscriber's app id: its sidecar
	Pubsub string
	Topic  string
	// Rules are the routes in the order Dapr tries them; the last has no
	// match when there is a default route.
	Rules           []policies.RouteRule
	DeadLetterTopic string
	Log             string // the app's line on each message it takes
	// Name is the declarative Subscription's name ("" for the app's own).
	Name string
	File string
	Line int
}

// subscribers resolves the subscriptions of every sidecar: the app's own,
// then its spec's declarative ones in manifest order, as Dapr merges them
// (pkg/runtime/processor/subscriber). Problems are errors naming where the
// subscription is written.
func (s *Setup) subscribers() diag.List {
	sc := s.Scenario
	var errs diag.List
	s.Subscribers = nil
	for _, car := range s.Sidecars {
		spec := car.Spec
		type key struct{ pubsub, topic string }
		seen := map[key]string{}
		add := func(sub Subscriber, field string, pubsubLine, topicLine int) {
			if where, dup := seen[key{sub.Pubsub, sub.Topic}]; dup {
				errs = append(errs, &diag.Error{File: sub.File, Line: topicLine, Field: field + ".topic",
					Msg: fmt.Sprintf("app %q subscribes to topic %q of %q twice (first %s): Dapr keeps one subscription per pub/sub and topic", car.AppID, sub.Topic, sub.Pubsub, where)})
				return
			}
			seen[key{sub.Pubsub, sub.Topic}] = fmt.Sprintf("%s:%d", sub.File, sub.Line)
			switch typ := spec.Components[sub.Pubsub]; {
			case typ == client.PubsubType:
			case strings.HasPrefix(typ, "pubsub."):
				errs = append(errs, &diag.Error{File: sub.File, Line: pubsubLine, Field: field + pubsubKey(field),
					Msg: fmt.Sprintf("%q is a %s component: sim runs pub/sub on %s only", sub.Pubsub, typ, client.PubsubType)})
				return
			default:
				errs = append(errs, &diag.Error{File: sub.File, Line: pubsubLine, Field: field + pubsubKey(field),
					Msg: fmt.Sprintf("no pub/sub component named %q for app %q: add a Component of type %s to the resources (scoped to the app, if scoped)", sub.Pubsub, car.AppID, client.PubsubType)})
				return
			}
			s.Subscribers = append(s.Subscribers, sub)
		}
		for ai, a := range sc.Apps {
			if a.ID != car.AppID {
				continue
			}
			for i, p := range a.Subscriptions {
				add(Subscriber{App: a.ID, Pubsub: p.Pubsub, Topic: p.Topic, Rules: []policies.RouteRule{{Path: p.Route, Line: p.Line}},
					DeadLetterTopic: p.DeadLetterTopic, Log: p.Log, File: sc.File, Line: p.Line},
					fmt.Sprintf("apps[%d].subscriptions[%d]", ai, i), p.Line, p.Line)
			}
		}
		for _, d := range spec.Subscriptions {
			field := "spec"
			if d.Bulk {
				errs = append(errs, &diag.Error{File: d.File, Line: d.Line, Field: "spec.bulkSubscribe.enabled",
					Msg: fmt.Sprintf("Subscription %q subscribes in bulk, which sim does not model: run it without bulkSubscribe", d.Name)})
				continue
			}
			if raw := metadataValue(d.Metadata, "rawPayload"); raw == "true" {
				errs = append(errs, &diag.Error{File: d.File, Line: d.Line, Field: "spec.metadata.rawPayload",
					Msg: fmt.Sprintf("Subscription %q reads raw payloads, which sim does not model: it delivers CloudEvents", d.Name)})
				continue
			}
			add(Subscriber{App: car.AppID, Pubsub: d.Pubsub, Topic: d.Topic, Rules: d.Rules, DeadLetterTopic: d.DeadLetterTopic,
				Name: d.Name, File: d.File, Line: d.Line}, field, d.PubsubLine, d.TopicLine)
		}
	}
	return errs
}

// pubsubKey is the key naming the pub/sub: a declarative Subscription's
// spec.pubsubname, or a scenario subscription's pubsub.
func pubsubKey(field string) string {
	if field == "spec" {
		return ".pubsubname"
	}
	return ".pubsub"
}

func metadataValue(items []policies.MetadataItem, name string) string {
	for _, m := range items {
		if m.Name == name {
			return m.Value
		}
	}
	return ""
}

// subscribes reports whether app id has a subscription (its own or a
// declarative one its sidecar keeps), and so answers deliveries.
func (s *Setup) subscribes(id string) bool {
	for _, sub := range s.Subscribers {
		if sub.App == id {
			return true
		}
	}
	return false
}

// BindingTrigger is an input binding a sidecar delivers to its app: a
// bindings.cron component's events, POSTed to the component's route.
type BindingTrigger struct {
	App      string
	Binding  string
	Settings policies.Binding
	Log      string // the app's line on each event it takes
	File     string
	Line     int
}

// triggers resolves the input bindings each app answers against its
// sidecar's components: a bindings.cron component with an input side.
func (s *Setup) triggers() diag.List {
	sc := s.Scenario
	var errs diag.List
	s.Triggers = nil
	for ai, a := range sc.Apps {
		spec := s.SpecOf(a.ID)
		if spec == nil {
			continue
		}
		seen := map[string]bool{}
		for i, b := range a.Bindings {
			field := fmt.Sprintf("apps[%d].bindings[%d].name", ai, i)
			bs, ok := spec.BindingOf(b.Name)
			switch {
			case seen[b.Name]:
				errs = append(errs, &diag.Error{File: sc.File, Line: b.Line, Field: field,
					Msg: fmt.Sprintf("app %q answers input binding %q twice", a.ID, b.Name)})
				continue
			case !ok || bs.Type != policies.CronBindingType:
				msg := fmt.Sprintf("no input binding named %q for app %q: add a Component of type %s to the resources (scoped to the app, if scoped)", b.Name, a.ID, policies.CronBindingType)
				if typ := spec.Components[b.Name]; typ != "" {
					msg = fmt.Sprintf("%q is a %s component: sim runs input bindings on %s only", b.Name, typ, policies.CronBindingType)
				}
				errs = append(errs, &diag.Error{File: sc.File, Line: b.Line, Field: field, Msg: msg})
				continue
			case !bs.Input:
				errs = append(errs, &diag.Error{File: sc.File, Line: b.Line, Field: field,
					Msg: fmt.Sprintf("%q has no input side: its direction metadata leaves input out, so Dapr never reads it", b.Name)})
				continue
			}
			seen[b.Name] = true
			s.Triggers = append(s.Triggers, BindingTrigger{App: a.ID, Binding: b.Name, Settings: bs, Log: b.Log, File: sc.File, Line: b.Line})
		}
	}
	return errs
}

// triggered reports whether app id answers an input binding.
func (s *Setup) triggered(id string) bool {
	for _, t := range s.Triggers {
		if t.App == id {
			return true
		}
	}
	return false
}
