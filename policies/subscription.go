package policies

import (
	"fmt"
	"strings"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/ynode"
	"gopkg.in/yaml.v3"
)

// Subscription is a declarative Subscription resource (dapr.io/v2alpha1,
// or v1alpha1 converted to it as Dapr's disk loader does: route becomes
// routes.default). Dapr reads them from the resources path beside the
// Components (pkg/internal/loader/disk/subscriptions.go) and keeps those
// whose scopes name the app, or that have none
// (pkg/runtime/processor/subscriptions.go, scopeFilterSubscriptions).
type Subscription struct {
	File       string
	Line       int
	Name       string
	APIVersion string
	Pubsub     string // spec.pubsubname
	Topic      string
	// Rules are routes.rules in order, then routes.default as a rule with
	// no match, as Dapr compiles them: the first rule whose match is true
	// (or empty) names the path a message is delivered to. No rule: every
	// message is acknowledged without being delivered.
	Rules           []RouteRule
	DeadLetterTopic string
	// Metadata is spec.metadata (e.g. rawPayload), in file order.
	Metadata []MetadataItem
	Bulk     bool // spec.bulkSubscribe.enabled
	Scopes   []string
	// Lines of the keys, for problems found when an app uses it.
	PubsubLine, TopicLine, RoutesLine, DeadLetterLine int
}

// RouteRule is one routing rule: Match is a CEL expression over the
// CloudEvent (`event.type == "order"`), "" for the default route.
type RouteRule struct {
	Match string
	Path  string
	Line  int
}

func (w *walker) subscription(doc *yaml.Node) (Subscription, bool) {
	s := Subscription{File: w.file, Line: doc.Line}
	s.APIVersion = scalarText(lookupFold(doc, "apiVersion"))
	// Dapr's disk loader reads a Subscription in these two versions only
	// and skips another (loader/disk/manifest.go).
	v1 := s.APIVersion == "dapr.io/v1alpha1"
	if !v1 && s.APIVersion != "dapr.io/v2alpha1" {
		w.warn("subscription-api-version", doc, "apiVersion", "a Subscription is read as dapr.io/v2alpha1 or dapr.io/v1alpha1, got %q: Dapr skips it", s.APIVersion)
		return s, false
	}
	md, spec := lookupFold(doc, "metadata"), lookupFold(doc, "spec")
	if w.shape(md, "metadata", yaml.MappingNode, "a mapping with name") {
		w.shape(lookupFold(md, "name"), "metadata.name", yaml.ScalarNode, "a name")
	}
	s.Name = scalarText(lookupFold(md, "name"))
	if !w.shape(spec, "spec", yaml.MappingNode, "a mapping with pubsubname, topic and routes") || spec == nil {
		w.warn("subscription-incomplete", doc, "spec", "a Subscription without a spec subscribes to nothing")
		return s, false
	}
	spec = ynode.Resolve(spec)
	keys := []string{"pubsubname", "topic", "metadata", "routes", "deadLetterTopic", "bulkSubscribe"}
	if v1 {
		keys[3] = "route"
	}
	f := w.fields("spec", spec, keys...)
	for _, k := range []string{"pubsubname", "topic"} {
		n := f[k]
		if n == nil || ynode.IsNull(n) {
			w.failf(spec, "spec."+k, "a Subscription needs spec.%s", k)
			continue
		}
		if !w.shape(n, "spec."+k, yaml.ScalarNode, "a name") {
			continue
		}
		if k == "pubsubname" {
			s.Pubsub, s.PubsubLine = n.Value, n.Line
		} else {
			s.Topic, s.TopicLine = n.Value, n.Line
		}
	}
	if n := f["deadLetterTopic"]; n != nil && w.shape(n, "spec.deadLetterTopic", yaml.ScalarNode, "a topic name") {
		s.DeadLetterTopic, s.DeadLetterLine = scalarText(n), n.Line
	}
	if n := f["metadata"]; n != nil && w.shape(n, "spec.metadata", yaml.MappingNode, "a mapping of names to values") {
		pairs, err := ynode.Pairs(w.file, "spec.metadata", n)
		w.fail(err)
		for _, p := range pairs {
			text, notScalar := metadataText(p.Value)
			if notScalar != "" {
				w.failf(p.Value, ynode.Join("spec.metadata", p.Key), "want a string, got %s: Dapr cannot decode this resource", notScalar)
				continue
			}
			s.Metadata = append(s.Metadata, MetadataItem{Name: p.Key, Value: text, Line: p.Value.Line, Field: ynode.Join("spec.metadata", p.Key)})
		}
	}
	if n := f["bulkSubscribe"]; n != nil && w.shape(n, "spec.bulkSubscribe", yaml.MappingNode, "a mapping with enabled") {
		if en := ynode.Resolve(lookupFold(n, "enabled")); en != nil && en.Tag == "!!bool" && strings.EqualFold(en.Value, "true") {
			s.Bulk = true
		}
	}
	if v1 {
		if n := f["route"]; n != nil && w.shape(n, "spec.route", yaml.ScalarNode, "a path such as /orders") {
			s.RoutesLine = n.Line
			if p := scalarText(n); p != "" {
				s.Rules = append(s.Rules, RouteRule{Path: p, Line: n.Line})
			}
		}
	} else if n := f["routes"]; n != nil && w.shape(n, "spec.routes", yaml.MappingNode, "a mapping with rules and default") {
		s.RoutesLine = n.Line
		s.Rules = w.routes(n)
	}
	if len(s.Rules) == 0 {
		field, what := "spec.routes", "routes.rules and no routes.default"
		if v1 {
			field, what = "spec.route", "route"
		}
		line := s.RoutesLine
		if line == 0 {
			line = spec.Line
		}
		w.warns = append(w.warns, diag.Warnf(w.file, line, 0, field,
			"no %s: Dapr matches no route for any message and acknowledges each one without delivering it", what).WithID("subscription-no-route"))
	}
	s.Scopes = w.scopes(doc)
	return s, true
}

// routes reads routes.rules and routes.default in the order Dapr applies
// them: each rule in order, the default last.
func (w *walker) routes(n *yaml.Node) []RouteRule {
	f := w.fields("spec.routes", n, "rules", "default")
	var out []RouteRule
	if rules := ynode.Resolve(f["rules"]); rules != nil && w.shape(rules, "spec.routes.rules", yaml.SequenceNode, "a list of {match, path}") {
		for i, r := range rules.Content {
			field := fmt.Sprintf("spec.routes.rules[%d]", i)
			if !w.shape(r, field, yaml.MappingNode, "a mapping with match and path") {
				continue
			}
			rf := w.fields(field, ynode.Resolve(r), "match", "path")
			rule := RouteRule{Line: ynode.Resolve(r).Line}
			if m := rf["match"]; m != nil && w.shape(m, field+".match", yaml.ScalarNode, "a CEL expression") {
				rule.Match = strings.TrimSpace(scalarText(m))
				if rule.Match != "" {
					if _, err := CompileMatch(rule.Match); err != nil {
						w.failf(m, field+".match", "%s: Dapr fails the subscription", err)
					}
				}
			}
			if p := rf["path"]; p != nil && w.shape(p, field+".path", yaml.ScalarNode, "a path such as /orders") {
				rule.Path = scalarText(p)
			}
			if rule.Path == "" {
				w.warn("subscription-no-route", r, field+".path", "a rule without a path: a message it matches is delivered to the app's root path")
			}
			out = append(out, rule)
		}
	}
	if d := f["default"]; d != nil && w.shape(d, "spec.routes.default", yaml.ScalarNode, "a path such as /orders") {
		if p := scalarText(d); p != "" {
			out = append(out, RouteRule{Path: p, Line: d.Line})
		}
	}
	return out
}

// scopes reads a resource's top-level scopes list.
func (w *walker) scopes(doc *yaml.Node) []string {
	n := ynode.Resolve(lookupFold(doc, "scopes"))
	if n == nil || !w.shape(n, "scopes", yaml.SequenceNode, "a list of app ids") {
		return nil
	}
	var out []string
	for i, item := range n.Content {
		if w.shape(item, fmt.Sprintf("scopes[%d]", i), yaml.ScalarNode, "an app id") {
			out = append(out, scalarText(item))
		}
	}
	return out
}
