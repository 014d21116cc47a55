package policies

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/policies/client"
	"github.com/dapr-sim/sim/policies/cron"
	"github.com/dapr-sim/sim/policies/retry"
	"gopkg.in/yaml.v3"
)

// MatchingDump is a retry policy's `matching` (1.15+) in the form Dapr's
// YAML writes it. A nil field is an absent list (every code is retried);
// a present empty one lists no code, so none is.
type MatchingDump struct {
	HTTPStatusCodes *string `yaml:"httpStatusCodes,omitempty"`
	GRPCStatusCodes *string `yaml:"gRPCStatusCodes,omitempty"`
}

func matchingDump(m *retry.Matching) *MatchingDump {
	if m == nil {
		return nil
	}
	return &MatchingDump{HTTPStatusCodes: codesText(m.HTTPStatusCodes), GRPCStatusCodes: codesText(m.GRPCStatusCodes)}
}

func codesText(rs []retry.CodeRange) *string {
	if rs == nil {
		return nil
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = strconv.Itoa(int(r.Start))
		if r.End != r.Start {
			parts[i] += "-" + strconv.Itoa(int(r.End))
		}
	}
	s := strings.Join(parts, ",")
	return &s
}

func parseCodesText(s *string, valid retry.CodeRange) ([]retry.CodeRange, error) {
	switch {
	case s == nil:
		return nil, nil
	case *s == "":
		return []retry.CodeRange{}, nil
	}
	return retry.ParseCodes(*s, valid)
}

// DecodeDump reads a SpecDump written as YAML (or JSON), refusing unknown
// fields, so a hand-edited header fails loudly rather than being half read.
func DecodeDump(data []byte) (SpecDump, error) {
	var d SpecDump
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&d); err != nil {
		return SpecDump{}, fmt.Errorf("spec: %w", err)
	}
	return d, nil
}

// FromDump rebuilds the Spec a dump was made from: FromDump(s.Dump()).Dump()
// equals s.Dump(), and every resolution (StateStoreOutbound, App, Actor …)
// gives the same result. Breaker templates come back with gobreaker's
// defaults applied (the dump records them so); a trip expression is compiled
// again as Dapr compiles it. Errors name the dump field that is wrong.
func FromDump(d SpecDump) (*Spec, error) {
	p, err := ProfileFor(d.Profile)
	if err != nil {
		return nil, fmt.Errorf("spec.profile: %w", err)
	}
	s := newSpec(p, d.AppID)
	s.Enabled = d.Enabled
	s.Resources = append([]string{}, d.Resources...)
	var errs []error
	fail := func(field string, err error) { errs = append(errs, fmt.Errorf("spec.%s: %w", field, err)) }
	dur := func(field, v string) time.Duration {
		t, err := time.ParseDuration(v)
		if err != nil {
			fail(field, fmt.Errorf("want a duration such as \"5s\", got %q", v))
		}
		return t
	}
	dup := func(kind, name string, seen map[string]bool) bool {
		if seen[name] {
			fail(kind, fmt.Errorf("%q is given twice", name))
			return true
		}
		seen[name] = true
		return false
	}
	seen := map[string]bool{}
	for _, c := range d.Components {
		if dup("components", c.Name, seen) {
			continue
		}
		s.Components[c.Name] = c.Type
		if cd := c.Client; cd != nil {
			f := "components." + c.Name + ".client."
			if s.Clients == nil {
				s.Clients = map[string]client.Settings{}
			}
			s.Clients[c.Name] = client.Settings{
				MaxRetries:         cd.MaxRetries,
				MinBackoff:         dur(f+"minBackoff", cd.MinBackoff),
				MaxBackoff:         dur(f+"maxBackoff", cd.MaxBackoff),
				DialTimeout:        dur(f+"dialTimeout", cd.DialTimeout),
				ReadTimeout:        dur(f+"readTimeout", cd.ReadTimeout),
				WriteTimeout:       dur(f+"writeTimeout", cd.WriteTimeout),
				RetryDialTimeout:   cd.RetryDialTimeout,
				CancelledByTimeout: cd.CancelledByTimeout,
			}
		}
		if pd := c.Pubsub; pd != nil {
			f := "components." + c.Name + ".pubsub."
			if s.Pubsubs == nil {
				s.Pubsubs = map[string]client.Pubsub{}
			}
			s.Pubsubs[c.Name] = client.Pubsub{
				ConsumerID:        pd.ConsumerID,
				ProcessingTimeout: dur(f+"processingTimeout", pd.ProcessingTimeout),
				RedeliverInterval: dur(f+"redeliverInterval", pd.RedeliverInterval),
				QueueDepth:        pd.QueueDepth,
				Concurrency:       pd.Concurrency,
				MaxLenApprox:      pd.MaxLenApprox,
				StreamTTL:         dur(f+"streamTTL", pd.StreamTTL),
				Block:             dur(f+"block", pd.Block),
			}
		}
		if bd := c.Binding; bd != nil {
			b := Binding{Type: c.Type, Input: bd.Input, Output: bd.Output, Probe: bd.Probe, Route: bd.Route}
			if bd.Schedule != "" {
				sc, err := cron.Init(p.minor, bd.Schedule)
				if err != nil {
					fail("components."+c.Name+".binding.schedule", err)
				}
				b.Schedule = sc
			}
			if s.Bindings == nil {
				s.Bindings = map[string]Binding{}
			}
			s.Bindings[c.Name] = b
		}
	}
	for i, sd := range d.Subscriptions {
		sub := Subscription{
			Name:            sd.Name,
			Pubsub:          sd.Pubsub,
			Topic:           sd.Topic,
			DeadLetterTopic: sd.DeadLetterTopic,
			Bulk:            sd.BulkSubscribe,
			Scopes:          append([]string(nil), sd.Scopes...),
		}
		for j, r := range sd.Routes {
			if r.Match != "" {
				// Compiled again as the parser compiled it, so a header
				// edited by hand fails here rather than at a delivery.
				if _, err := CompileMatch(r.Match); err != nil {
					fail(fmt.Sprintf("subscriptions[%d].routes[%d].match", i, j), err)
				}
			}
			sub.Rules = append(sub.Rules, RouteRule{Match: r.Match, Path: r.Path})
		}
		for _, m := range sd.Metadata {
			sub.Metadata = append(sub.Metadata, MetadataItem{Name: m.Name, Value: m.Value})
		}
		s.Subscriptions = append(s.Subscriptions, sub)
	}
	seen = map[string]bool{}
	for _, t := range d.Timeouts {
		if !dup("timeouts", t.Name, seen) {
			s.Timeouts[t.Name] = dur("timeouts."+t.Name+".duration", t.Duration)
		}
	}
	seen = map[string]bool{}
	for _, r := range d.Retries {
		if dup("retries", r.Name, seen) {
			continue
		}
		f := "retries." + r.Name + "."
		pol := retry.Policy{
			Name:                r.Name,
			Duration:            dur(f+"duration", r.Duration),
			InitialInterval:     dur(f+"initialInterval", r.InitialInterval),
			RandomizationFactor: r.RandomizationFactor,
			Multiplier:          r.Multiplier,
			MaxInterval:         dur(f+"maxInterval", r.MaxInterval),
			MaxElapsedTime:      dur(f+"maxElapsedTime", r.MaxElapsedTime),
			MaxRetries:          r.MaxRetries,
		}
		switch r.Policy {
		case retry.Constant.String():
			pol.Kind = retry.Constant
		case retry.Exponential.String():
			pol.Kind = retry.Exponential
		default:
			fail(f+"policy", fmt.Errorf("want constant or exponential, got %q", r.Policy))
		}
		if m := r.Matching; m != nil {
			pol.Matching = &retry.Matching{}
			if pol.Matching.HTTPStatusCodes, err = parseCodesText(m.HTTPStatusCodes, retry.HTTPCodes); err != nil {
				fail(f+"matching.httpStatusCodes", err)
			}
			if pol.Matching.GRPCStatusCodes, err = parseCodesText(m.GRPCStatusCodes, retry.GRPCCodes); err != nil {
				fail(f+"matching.gRPCStatusCodes", err)
			}
		}
		s.Retries[r.Name] = pol
	}
	seen = map[string]bool{}
	for _, b := range d.CircuitBreakers {
		if dup("circuitBreakers", b.Name, seen) {
			continue
		}
		f := "circuitBreakers." + b.Name + "."
		cb := CircuitBreaker{
			Name:        b.Name,
			MaxRequests: b.MaxRequests,
			Interval:    dur(f+"interval", b.Interval),
			Timeout:     dur(f+"timeout", b.Timeout),
		}
		if b.Trip != "" {
			trip, err := CompileTrip(b.Trip)
			if err != nil {
				fail(f+"trip", err)
			}
			cb.Trip = trip
		}
		s.CircuitBreakers[b.Name] = cb
	}
	names := func(t TargetDump) PolicyNames {
		return PolicyNames{Timeout: t.Timeout, Retry: t.Retry, CircuitBreaker: t.CircuitBreaker}
	}
	seen = map[string]bool{}
	for _, t := range d.Targets.Apps {
		if !dup("targets.apps", t.Name, seen) {
			s.Targets.Apps[t.Name] = AppPolicyNames{PolicyNames: names(t), CircuitBreakerCacheSize: t.CircuitBreakerCacheSize}
		}
	}
	seen = map[string]bool{}
	for _, t := range d.Targets.Actors {
		if !dup("targets.actors", t.Name, seen) {
			s.Targets.Actors[t.Name] = ActorPolicyNames{PolicyNames: names(t), CircuitBreakerScope: t.CircuitBreakerScope, CircuitBreakerCacheSize: t.CircuitBreakerCacheSize}
		}
	}
	seen = map[string]bool{}
	for _, t := range d.Targets.Components {
		if dup("targets.components", t.Name, seen) {
			continue
		}
		dir := func(p *DirectionDump) PolicyNames {
			if p == nil {
				return PolicyNames{}
			}
			return PolicyNames{Timeout: p.Timeout, Retry: p.Retry, CircuitBreaker: p.CircuitBreaker}
		}
		s.Targets.Components[t.Name] = ComponentPolicyNames{Inbound: dir(t.Inbound), Outbound: dir(t.Outbound)}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}
