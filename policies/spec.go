package policies

import (
	"sort"
	"time"

	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/policies/client"
	"github.com/dapr-sim/sim/policies/retry"
)

// The built-in retry policies Dapr adds before any user resource
// (resiliency.go addBuiltInPolicies; identical in 1.8 … 1.16).
const (
	BuiltInServiceRetries        = "DaprBuiltInServiceRetries"
	BuiltInActorRetries          = "DaprBuiltInActorRetries"
	BuiltInActorReminderRetries  = "DaprBuiltInActorReminderRetries"
	BuiltInInitializationRetries = "DaprBuiltInInitializationRetries"
	BuiltInActorNotFoundRetries  = "DaprBuiltInActorNotFoundRetries"
)

// Spec is the Resiliency configuration one sidecar runs with: built-ins and
// every kept resource merged (later resources overwrite same-named policies
// and targets), defaults applied. It is read-only once built.
type Spec struct {
	Profile Profile
	AppID   string
	// Enabled is false when Dapr runs without Resiliency at all (1.8/1.9 with
	// no Configuration enabling the feature): no policies, no built-ins.
	Enabled bool

	Timeouts        map[string]time.Duration
	Retries         map[string]retry.Policy
	CircuitBreakers map[string]CircuitBreaker
	Targets         Targets

	// Components maps a component name to its spec.type (e.g. state.redis).
	Components map[string]string
	// Clients holds, by component name, the settings of a component's own
	// client where its metadata changes the release's defaults (ClientOf).
	Clients map[string]client.Settings
	// Pubsubs holds, by component name, the settings of a pubsub.redis
	// component where its metadata changes the defaults (PubsubOf).
	Pubsubs map[string]client.Pubsub
	// Bindings holds, by component name, every bindings.cron and
	// bindings.redis component (BindingOf).
	Bindings map[string]Binding
	// Resources names the Resiliency resources applied, in order.
	Resources []string
	// Subscriptions are the declarative Subscriptions this app's sidecar
	// keeps (scopes applied), in the order Dapr loads them.
	Subscriptions []Subscription
}

// ClientOf returns the settings of component name's own client (package
// client: the go-redis retry loop inside each attempt), and false when sim
// does not model it: a type whose client is not modelled, or a store the
// scenario declares with no Component.
func (s *Spec) ClientOf(name string) (client.Settings, bool) {
	if c, ok := s.Clients[name]; ok {
		return c, true
	}
	typ, ok := s.Components[name]
	if !ok {
		return client.Settings{}, false
	}
	return s.Profile.Client(typ)
}

// PubsubOf returns the settings of pubsub.redis component name (its
// consumer group and delivery loops, package client), and false when name
// is no component of that type.
func (s *Spec) PubsubOf(name string) (client.Pubsub, bool) {
	if s.Components[name] != client.PubsubType {
		return client.Pubsub{}, false
	}
	if p, ok := s.Pubsubs[name]; ok {
		return p, true
	}
	return client.DefaultPubsub(s.AppID), true
}

// CircuitBreaker is a breaker template as Dapr stores it; zero values become
// gobreaker's defaults when an instance is made (see breaker.Settings.Resolve).
type CircuitBreaker struct {
	Name        string
	MaxRequests uint32
	Interval    time.Duration
	Timeout     time.Duration
	Trip        *Trip // nil: consecutiveFailures > 5
}

// PolicyNames are the policy names a target lists; "" is none.
type PolicyNames struct {
	Timeout, Retry, CircuitBreaker string
}

// AppPolicyNames is a targets.apps entry.
type AppPolicyNames struct {
	PolicyNames
	CircuitBreakerCacheSize int64 // 0: 100
}

// ActorPolicyNames is a targets.actors entry.
type ActorPolicyNames struct {
	PolicyNames
	CircuitBreakerScope     string // type, id or both ("" without a breaker)
	CircuitBreakerCacheSize int64  // 0: 5000
}

// ComponentPolicyNames is a targets.components entry.
type ComponentPolicyNames struct {
	Inbound, Outbound PolicyNames
}

// Targets are the merged spec.targets of every kept resource.
type Targets struct {
	Apps       map[string]AppPolicyNames
	Actors     map[string]ActorPolicyNames
	Components map[string]ComponentPolicyNames
}

func newSpec(p Profile, appID string) *Spec {
	return &Spec{
		Profile:         p,
		AppID:           appID,
		Timeouts:        map[string]time.Duration{},
		Retries:         map[string]retry.Policy{},
		CircuitBreakers: map[string]CircuitBreaker{},
		Targets: Targets{
			Apps:       map[string]AppPolicyNames{},
			Actors:     map[string]ActorPolicyNames{},
			Components: map[string]ComponentPolicyNames{},
		},
		Components: map[string]string{},
	}
}

// addBuiltIns inserts Dapr's built-in retry policies. Dapr writes them as
// retry.Config literals, so every field not listed is zero (not kit's
// default): the reminder policy's MaxRetries 0 means it never retries.
func (s *Spec) addBuiltIns() {
	constant := func(name string, maxRetries int64) retry.Policy {
		return retry.Policy{Name: name, Kind: retry.Constant, Duration: time.Second, MaxRetries: maxRetries}
	}
	s.Retries[BuiltInServiceRetries] = constant(BuiltInServiceRetries, 3)
	s.Retries[BuiltInActorRetries] = constant(BuiltInActorRetries, 3)
	s.Retries[BuiltInActorNotFoundRetries] = constant(BuiltInActorNotFoundRetries, 5)
	s.Retries[BuiltInActorReminderRetries] = retry.Policy{
		Name:                BuiltInActorReminderRetries,
		Kind:                retry.Exponential,
		InitialInterval:     500 * time.Millisecond,
		RandomizationFactor: 0.5,
		Multiplier:          1.5,
		MaxInterval:         60 * time.Second,
		MaxElapsedTime:      15 * time.Minute,
	}
	s.Retries[BuiltInInitializationRetries] = retry.Policy{
		Name:                BuiltInInitializationRetries,
		Kind:                retry.Exponential,
		Duration:            2 * time.Second,
		InitialInterval:     500 * time.Millisecond,
		RandomizationFactor: 0.5,
		Multiplier:          1.5,
		MaxInterval:         time.Second,
		MaxElapsedTime:      10 * time.Second,
		MaxRetries:          3,
	}
}

func isBuiltIn(name string) bool {
	switch name {
	case BuiltInServiceRetries, BuiltInActorRetries, BuiltInActorReminderRetries,
		BuiltInInitializationRetries, BuiltInActorNotFoundRetries:
		return true
	}
	return false
}

// SpecDump is the resolved spec as the trace header records it: fixed field
// order, entries sorted by name, durations as Go duration strings, breaker
// values with gobreaker's defaults applied.
type SpecDump struct {
	Profile         string          `yaml:"profile"`
	AppID           string          `yaml:"appID"`
	Enabled         bool            `yaml:"enabled"`
	Resources       []string        `yaml:"resources"`
	Components      []ComponentDump `yaml:"components"`
	Timeouts        []TimeoutDump   `yaml:"timeouts"`
	Retries         []RetryDump     `yaml:"retries"`
	CircuitBreakers []BreakerDump   `yaml:"circuitBreakers"`
	Targets         TargetsDump     `yaml:"targets"`
	// Subscriptions are the declarative Subscriptions the app keeps, in
	// Dapr's order; absent when there are none (and in traces written
	// before sim read them).
	Subscriptions []SubscriptionDump `yaml:"subscriptions,omitempty"`
}

// ComponentDump is one component and its type, with its client's settings
// and a pubsub.redis's own settings when its metadata changes the defaults
// (absent otherwise, and in traces written before sim read them: the
// defaults apply).
type ComponentDump struct {
	Name   string      `yaml:"name"`
	Type   string      `yaml:"type"`
	Client *ClientDump `yaml:"client,omitempty"`
	Pubsub *PubsubDump `yaml:"pubsub,omitempty"`
	// Binding is present only for a binding component, so traces without
	// one are unchanged.
	Binding *BindingDump `yaml:"binding,omitempty"`
}

// BindingDump is a Binding; Schedule is the schedule's text, parsed again
// for the profile when read back.
type BindingDump struct {
	Input    bool   `yaml:"input"`
	Output   bool   `yaml:"output"`
	Probe    bool   `yaml:"probe"`
	Route    string `yaml:"route,omitempty"`
	Schedule string `yaml:"schedule,omitempty"`
}

func bindingDump(b Binding, ok bool) *BindingDump {
	if !ok {
		return nil
	}
	return &BindingDump{Input: b.Input, Output: b.Output, Probe: b.Probe, Route: b.Route, Schedule: b.Schedule.String()}
}

// PubsubDump is a pubsub.redis's client.Pubsub, durations as Go duration
// strings.
type PubsubDump struct {
	ConsumerID        string `yaml:"consumerID"`
	ProcessingTimeout string `yaml:"processingTimeout"`
	RedeliverInterval string `yaml:"redeliverInterval"`
	QueueDepth        uint64 `yaml:"queueDepth"`
	Concurrency       uint64 `yaml:"concurrency"`
	MaxLenApprox      int64  `yaml:"maxLenApprox"`
	StreamTTL         string `yaml:"streamTTL"`
	Block             string `yaml:"block"`
}

func pubsubDump(p client.Pubsub, ok bool) *PubsubDump {
	if !ok {
		return nil
	}
	return &PubsubDump{
		ConsumerID:        p.ConsumerID,
		ProcessingTimeout: p.ProcessingTimeout.String(),
		RedeliverInterval: p.RedeliverInterval.String(),
		QueueDepth:        p.QueueDepth,
		Concurrency:       p.Concurrency,
		MaxLenApprox:      p.MaxLenApprox,
		StreamTTL:         p.StreamTTL.String(),
		Block:             p.Block.String(),
	}
}

// SubscriptionDump is one Subscription as the sidecar runs it: v1alpha1's
// route already converted, routes in the order they are tried (the default
// last, without a match).
type SubscriptionDump struct {
	Name            string      `yaml:"name"`
	Pubsub          string      `yaml:"pubsubname"`
	Topic           string      `yaml:"topic"`
	Routes          []RouteDump `yaml:"routes"`
	DeadLetterTopic string      `yaml:"deadLetterTopic,omitempty"`
	Metadata        []ValueDump `yaml:"metadata,omitempty"`
	BulkSubscribe   bool        `yaml:"bulkSubscribe,omitempty"`
	Scopes          []string    `yaml:"scopes,omitempty"`
}

// RouteDump is one routing rule; no match is the default route.
type RouteDump struct {
	Match string `yaml:"match,omitempty"`
	Path  string `yaml:"path"`
}

// ValueDump is one metadata entry.
type ValueDump struct {
	Name  string `yaml:"name"`
	Value string `yaml:"value"`
}

func subscriptionDump(s Subscription) SubscriptionDump {
	d := SubscriptionDump{
		Name:            s.Name,
		Pubsub:          s.Pubsub,
		Topic:           s.Topic,
		Routes:          []RouteDump{},
		DeadLetterTopic: s.DeadLetterTopic,
		BulkSubscribe:   s.Bulk,
		Scopes:          append([]string(nil), s.Scopes...),
	}
	for _, r := range s.Rules {
		d.Routes = append(d.Routes, RouteDump{Match: r.Match, Path: r.Path})
	}
	for _, m := range s.Metadata {
		d.Metadata = append(d.Metadata, ValueDump{Name: m.Name, Value: m.Value})
	}
	return d
}

// ClientDump is a component's client.Settings, durations as Go duration
// strings.
type ClientDump struct {
	MaxRetries         int    `yaml:"maxRetries"`
	MinBackoff         string `yaml:"minBackoff"`
	MaxBackoff         string `yaml:"maxBackoff"`
	DialTimeout        string `yaml:"dialTimeout"`
	ReadTimeout        string `yaml:"readTimeout"`
	WriteTimeout       string `yaml:"writeTimeout"`
	RetryDialTimeout   bool   `yaml:"retryDialTimeout"`
	CancelledByTimeout bool   `yaml:"cancelledByTimeout"`
}

func clientDump(c client.Settings, ok bool) *ClientDump {
	if !ok {
		return nil
	}
	return &ClientDump{
		MaxRetries:         c.MaxRetries,
		MinBackoff:         c.MinBackoff.String(),
		MaxBackoff:         c.MaxBackoff.String(),
		DialTimeout:        c.DialTimeout.String(),
		ReadTimeout:        c.ReadTimeout.String(),
		WriteTimeout:       c.WriteTimeout.String(),
		RetryDialTimeout:   c.RetryDialTimeout,
		CancelledByTimeout: c.CancelledByTimeout,
	}
}

// TimeoutDump is one timeout policy.
type TimeoutDump struct {
	Name     string `yaml:"name"`
	Duration string `yaml:"duration"`
}

// RetryDump is one retry policy with every field Dapr runs with.
type RetryDump struct {
	Name                string  `yaml:"name"`
	Policy              string  `yaml:"policy"`
	Duration            string  `yaml:"duration"`
	InitialInterval     string  `yaml:"initialInterval"`
	RandomizationFactor float64 `yaml:"randomizationFactor"`
	Multiplier          float64 `yaml:"multiplier"`
	MaxInterval         string  `yaml:"maxInterval"`
	MaxElapsedTime      string  `yaml:"maxElapsedTime"`
	MaxRetries          int64   `yaml:"maxRetries"`
	// Matching is the 1.15+ status-code filter; absent when the policy has
	// none (every code is retried).
	Matching *MatchingDump `yaml:"matching,omitempty"`
}

// BreakerDump is one circuit-breaker template.
type BreakerDump struct {
	Name        string `yaml:"name"`
	MaxRequests uint32 `yaml:"maxRequests"`
	Interval    string `yaml:"interval"`
	Timeout     string `yaml:"timeout"`
	Trip        string `yaml:"trip"`
}

// TargetDump is one app, actor or component direction's policy names.
type TargetDump struct {
	Name                    string `yaml:"name"`
	Timeout                 string `yaml:"timeout,omitempty"`
	Retry                   string `yaml:"retry,omitempty"`
	CircuitBreaker          string `yaml:"circuitBreaker,omitempty"`
	CircuitBreakerScope     string `yaml:"circuitBreakerScope,omitempty"`
	CircuitBreakerCacheSize int64  `yaml:"circuitBreakerCacheSize,omitempty"`
}

// ComponentTargetDump is one targets.components entry.
type ComponentTargetDump struct {
	Name     string         `yaml:"name"`
	Inbound  *DirectionDump `yaml:"inbound,omitempty"`
	Outbound *DirectionDump `yaml:"outbound,omitempty"`
}

// DirectionDump is the policy names of one direction of a component target.
type DirectionDump struct {
	Timeout        string `yaml:"timeout,omitempty"`
	Retry          string `yaml:"retry,omitempty"`
	CircuitBreaker string `yaml:"circuitBreaker,omitempty"`
}

func directionDump(p PolicyNames) *DirectionDump {
	if p == (PolicyNames{}) {
		return nil
	}
	return &DirectionDump{Timeout: p.Timeout, Retry: p.Retry, CircuitBreaker: p.CircuitBreaker}
}

// TargetsDump holds the targets, each list sorted by name.
type TargetsDump struct {
	Apps       []TargetDump          `yaml:"apps"`
	Actors     []TargetDump          `yaml:"actors"`
	Components []ComponentTargetDump `yaml:"components"`
}

// Dump returns the resolved spec for the trace header; the same spec always
// gives the same dump.
func (s *Spec) Dump() SpecDump {
	d := SpecDump{
		Profile:   s.Profile.Version,
		AppID:     s.AppID,
		Enabled:   s.Enabled,
		Resources: append([]string{}, s.Resources...),
	}
	for _, name := range sortedKeys(s.Components) {
		c, ok := s.Clients[name]
		p, pok := s.Pubsubs[name]
		bd, bok := s.Bindings[name]
		d.Components = append(d.Components, ComponentDump{Name: name, Type: s.Components[name], Client: clientDump(c, ok), Pubsub: pubsubDump(p, pok), Binding: bindingDump(bd, bok)})
	}
	for _, sub := range s.Subscriptions {
		d.Subscriptions = append(d.Subscriptions, subscriptionDump(sub))
	}
	for _, name := range sortedKeys(s.Timeouts) {
		d.Timeouts = append(d.Timeouts, TimeoutDump{Name: name, Duration: s.Timeouts[name].String()})
	}
	for _, name := range sortedKeys(s.Retries) {
		r := s.Retries[name]
		d.Retries = append(d.Retries, RetryDump{
			Name:                name,
			Policy:              r.Kind.String(),
			Duration:            r.Duration.String(),
			InitialInterval:     r.InitialInterval.String(),
			RandomizationFactor: r.RandomizationFactor,
			Multiplier:          r.Multiplier,
			MaxInterval:         r.MaxInterval.String(),
			MaxElapsedTime:      r.MaxElapsedTime.String(),
			MaxRetries:          r.MaxRetries,
			Matching:            matchingDump(r.Matching),
		})
	}
	for _, name := range sortedKeys(s.CircuitBreakers) {
		st := s.CircuitBreakers[name].settings(name)
		d.CircuitBreakers = append(d.CircuitBreakers, BreakerDump{
			Name:        name,
			MaxRequests: st.MaxRequests,
			Interval:    st.Interval.String(),
			Timeout:     st.Timeout.String(),
			Trip:        st.TripText,
		})
	}
	for _, name := range sortedKeys(s.Targets.Apps) {
		t := s.Targets.Apps[name]
		td := targetDump(name, t.PolicyNames)
		td.CircuitBreakerCacheSize = t.CircuitBreakerCacheSize
		d.Targets.Apps = append(d.Targets.Apps, td)
	}
	for _, name := range sortedKeys(s.Targets.Actors) {
		t := s.Targets.Actors[name]
		td := targetDump(name, t.PolicyNames)
		td.CircuitBreakerScope = t.CircuitBreakerScope
		td.CircuitBreakerCacheSize = t.CircuitBreakerCacheSize
		d.Targets.Actors = append(d.Targets.Actors, td)
	}
	for _, name := range sortedKeys(s.Targets.Components) {
		t := s.Targets.Components[name]
		d.Targets.Components = append(d.Targets.Components, ComponentTargetDump{
			Name:     name,
			Inbound:  directionDump(t.Inbound),
			Outbound: directionDump(t.Outbound),
		})
	}
	return d
}

func targetDump(name string, p PolicyNames) TargetDump {
	return TargetDump{Name: name, Timeout: p.Timeout, Retry: p.Retry, CircuitBreaker: p.CircuitBreaker}
}

// settings returns the breaker settings of an instance named name, with
// gobreaker's defaults applied.
func (cb CircuitBreaker) settings(name string) breaker.Settings {
	st := breaker.Settings{
		Name:        name,
		MaxRequests: cb.MaxRequests,
		Interval:    cb.Interval,
		Timeout:     cb.Timeout,
	}
	if cb.Trip != nil {
		st.ReadyToTrip = cb.Trip.Eval
		st.TripText = cb.Trip.Source
	}
	return st.Resolve()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
