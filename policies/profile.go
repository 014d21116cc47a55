package policies

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dapr-sim/sim/policies/client"
)

// Newest is the newest Dapr release modelled; it is the default profile.
const Newest = "1.16"

// oldestMinor and newestMinor bound the modelled releases 1.8 … 1.16.
const (
	oldestMinor = 8
	newestMinor = 16
)

// Profile holds the behaviour differences between Dapr releases that the
// Resiliency model depends on. Build one with ProfileFor.
type Profile struct {
	Version string // "1.N"

	// MaxRetriesZeroIsUnset: maxRetries was a plain int with omitempty, so an
	// explicit 0 was dropped and the default (-1, unlimited) applied.
	MaxRetriesZeroIsUnset bool
	// NeedsFeatureFlag: Resiliency is loaded only when a Configuration enables
	// the preview feature "Resiliency"; otherwise Dapr uses no policies at all
	// (not even the built-ins).
	NeedsFeatureFlag bool
	// DefaultPolicies: untargeted apps, actors and components fall back to the
	// Default…Policy names.
	DefaultPolicies bool
	// RetryMatching: retries.<name>.matching is part of the schema.
	RetryMatching bool
	// ComponentAPIVersionChecked: the component loader skips documents whose
	// apiVersion is not dapr.io/v1alpha1 (before, only kind was checked).
	ComponentAPIVersionChecked bool
	// BreakerReadOnResolve: resolving a target's policy (once per API
	// request, before the first attempt) reads the breaker's state for
	// metrics, which runs gobreaker's lazy clock check — an open breaker
	// whose timeout has passed half-opens there, not at the attempt.
	BreakerReadOnResolve bool
	// ActorNotFoundRetries: the actor router wraps calls to an actor type
	// with no targets.actors entry in DaprBuiltInActorNotFoundRetries (5
	// retries); before, remote calls got DaprBuiltInActorRetries (3).
	ActorNotFoundRetries bool
	// RemoteCallsModelled: service invocation and actor calls go through
	// the Resiliency runners as sim models them (1.8/1.9 wrapped them in a
	// legacy retry loop with other wording, which sim does not model).
	RemoteCallsModelled bool
	// DeliveryRunner is what the processingTimeout deadline of a
	// pubsub.redis delivery does to the resiliency runner around it: the
	// runner's parent context changed in a patch release, 1.13.2.
	DeliveryRunner DeliveryRunner
	// DeadLetterLostAfterDeadline: after the runner gives up, the
	// dead-letter publish runs on the delivery's context (for pubsub.redis
	// it carries the processingTimeout deadline) and the message is
	// acknowledged even when that publish fails, so a runner that ran to
	// processingTimeout loses the message (1.12 to 1.14: PUBSUB.md §2,
	// §9.2; dapr@v1.14.4 pkg/runtime/subscription/subscription.go:252-260,
	// fixed in 1.15.0, dapr@v1.15.4 subscription.go:284-298, which leaves it
	// pending). Not read before 1.12: false there.
	DeadLetterLostAfterDeadline bool
	// DeadLetterFailKeepsPending: a dead-letter publish that fails after
	// the runner gave up leaves the message pending, to be redelivered;
	// before 1.15 it was acknowledged and lost (dapr@v1.15.4
	// subscription.go:284-298 vs dapr@v1.14.4 :252-260; PUBSUB.md §1.6).
	DeadLetterFailKeepsPending bool
	// DropToDeadLetter: an app's DROP answer sends the message to the
	// dead-letter topic when the subscription has one (1.13+); before, it
	// was acknowledged only (dapr@v1.12.5 processor/pubsub/publish.go
	// :157-160; PUBSUB.md §1.6).
	DropToDeadLetter bool
	// PublishingWording: the publish API's error says "error when
	// publishing to topic" (1.13+); before, "error when publish to topic"
	// (dapr@v1.12.5 pkg/messages/predefined.go:47, dapr@v1.14.4
	// pkg/api/errors/pubsub.go:77-85; PUBSUB.md §4).
	PublishingWording bool
	// PublishMetadata: pubsub.redis writes the request's metadata (JSON,
	// `{}` for a plain publish) beside data in each stream entry (contrib
	// 1.13+, pubsub/redis/redis.go:100-121; PUBSUB.md §3.2).
	PublishMetadata bool
	// InvokingBindingWording: the output binding API's error says "error
	// invoking output binding" (1.10+); before, "error when invoke output
	// binding" (dapr@v1.9.6 pkg/messages/api_errors.go:23, dapr@v1.10.10
	// :23; PUBSUB.md §7.1).
	InvokingBindingWording bool
	// BindingGetMissingFails: bindings.redis's get of a missing key fails
	// with go-redis's "redis: nil" (contrib 1.10, bindings/redis/redis.go
	// :82-86); from 1.11 it answers empty. 1.8 and 1.9 have no get.
	BindingGetMissingFails bool
	// AppProtocolTLS: daprd's --app-protocol takes https, grpcs and h2c
	// (1.11+); before, http and grpc only, anything else refused
	// ("invalid value for 'app-protocol'": dapr@v1.10.10
	// pkg/runtime/cli.go:233-243, dapr@v1.11.0 :238-263).
	AppProtocolTLS bool

	minor int
}

// DeliveryRunner says whose context the resiliency runner around one
// pub/sub delivery runs on (conformance/PUBSUB.md §1.6, §9.1).
type DeliveryRunner uint8

const (
	// RunnerOnDelivery: the runner's parent is the component's handler
	// context, which pubsub.redis gives the processingTimeout deadline: the
	// runner is cancelled there ("context deadline exceeded") and retries
	// planned after it never happen (≤1.13.1: dapr@v1.10.10
	// pkg/runtime/runtime.go:897, dapr@v1.12.5
	// pkg/runtime/processor/pubsub/topics.go:178, v1.13.1 topics.go:179).
	RunnerOnDelivery DeliveryRunner = iota
	// RunnerPatchDependent: 1.13, whose patches differ: RunnerOnDelivery up
	// to 1.13.1, RunnerOnBackground from DeliveryRunnerPatch.
	RunnerPatchDependent
	// RunnerOnBackground: the runner's parent is context.Background, so it
	// runs on past processingTimeout while the component may reclaim the
	// still-pending message for a second worker (from 1.13.2:
	// dapr@v1.13.2 topics.go:179; dapr@v1.14.4
	// pkg/runtime/subscription/subscription.go:222).
	RunnerOnBackground
)

// DeliveryRunnerPatch is the first patch release whose delivery runner is
// RunnerOnBackground.
const DeliveryRunnerPatch = "1.13.2"

// since lists, one row per difference, the first minor release (1.N) that
// behaves the new way. Sources are in the comments, read from the dapr/dapr
// module at each tag.
var since = struct {
	maxRetriesPointer     int // types.go: MaxRetries int → *int (v1.10.0)
	noFeatureFlag         int // runtime/cli.go: IsFeatureEnabled(…, Resiliency) gate removed (v1.10.0)
	defaultPolicies       int // resiliency.go: DefaultRetryTemplate … first in v1.9.0
	retryMatching         int // types.go: Retry.Matching first in v1.15.0
	componentAPIVersion   int // internal/loader/disk/manifest.go checks APIVersion from v1.14.0
	cryptoComponent       int // resiliency.go: ComponentType Crypto first in v1.11.0
	conversationComponent int // resiliency.go: ComponentType Conversation first in v1.15.0
	breakerReadOnResolve  int // resiliency.go addMetricsToPolicy: cb.State() first in v1.11.0
	actorNotFoundRetries  int // actors/engine (1.15), actors/router (1.16): Call uses BuiltInActorNotFoundRetries
	remoteCallsModelled   int // messaging/direct_messaging.go: per-attempt "after N retries" wording from v1.10.0
	deliveryOnBackground  int // processor/pubsub/topics.go: runner parent context.Background from v1.13.2, so 1.13 is patch-dependent
	deadLetterLost        int // dead-letter publish on the delivery's ctx, ACKed when it fails: read from v1.12 (PUBSUB.md §9.2)
	deadLetterKeepPending int // subscription/subscription.go: a failed dead-letter publish returns the error (no ACK) from v1.15.0
	dropToDeadLetter      int // processor/pubsub/topics.go: DROP returns ErrMessageDropped, sent to the dead-letter topic, from v1.13.0
	publishingWording     int // api/errors/pubsub.go: "error when publishing to topic" from v1.13.0
	invokingBinding       int // messages: "error invoking output binding" from v1.10.0
	appProtocolTLS        int // runtime/cli.go: --app-protocol https, grpcs, h2c from v1.11.0
}{
	maxRetriesPointer:     10,
	noFeatureFlag:         10,
	defaultPolicies:       9,
	retryMatching:         15,
	componentAPIVersion:   14,
	cryptoComponent:       11,
	conversationComponent: 15,
	breakerReadOnResolve:  11,
	actorNotFoundRetries:  15,
	remoteCallsModelled:   10,
	deliveryOnBackground:  14,
	deadLetterLost:        12,
	deadLetterKeepPending: 15,
	dropToDeadLetter:      13,
	publishingWording:     13,
	invokingBinding:       10,
	appProtocolTLS:        11,
}

// componentTypes maps the prefix of a component's spec.type to the word Dapr
// uses in default policy names (Default{Type}Component{Dir}{X}Policy), with the
// first minor release that knows it. The built-in policies are the same in
// every modelled release (resiliency.go addBuiltInPolicies, 1.8 … 1.16).
var componentTypes = []struct {
	prefix, word string
	since        int
}{
	{"bindings", "Binding", 9},
	{"configuration", "Configuration", 9},
	{"conversation", "Conversation", since.conversationComponent},
	{"crypto", "Crypto", since.cryptoComponent},
	{"lock", "Lock", 9},
	{"pubsub", "Pubsub", 9},
	{"secretstores", "Secretstore", 9},
	{"state", "Statestore", 9},
}

// Client returns the settings the own client of a component of type
// specType gets on this release before its metadata is read, and false
// when sim does not model that type's client (package client).
func (p Profile) Client(specType string) (client.Settings, bool) {
	return client.ForRelease(p.minor, specType)
}

// Versions returns the modelled releases, oldest first.
func Versions() []string {
	out := make([]string, 0, newestMinor-oldestMinor+1)
	for m := oldestMinor; m <= newestMinor; m++ {
		out = append(out, "1."+strconv.Itoa(m))
	}
	return out
}

// ProfileFor returns the profile of Dapr release v, written "1.N" or "1.N.x"
// (a leading "v" is accepted); patch releases share their minor's profile.
func ProfileFor(v string) (Profile, error) {
	s := strings.TrimPrefix(strings.TrimSpace(v), "v")
	parts := strings.Split(s, ".")
	if len(parts) >= 2 && len(parts) <= 3 && parts[0] == "1" {
		m, err := strconv.Atoi(parts[1])
		okPatch := true
		if len(parts) == 3 {
			if _, perr := strconv.Atoi(parts[2]); perr != nil {
				okPatch = false
			}
		}
		if err == nil && okPatch && m >= oldestMinor && m <= newestMinor {
			return newProfile(m), nil
		}
	}
	return Profile{}, fmt.Errorf("unknown Dapr version %q: want one of %s", v, strings.Join(Versions(), ", "))
}

func newProfile(minor int) Profile {
	return Profile{
		Version:                     "1." + strconv.Itoa(minor),
		MaxRetriesZeroIsUnset:       minor < since.maxRetriesPointer,
		NeedsFeatureFlag:            minor < since.noFeatureFlag,
		DefaultPolicies:             minor >= since.defaultPolicies,
		RetryMatching:               minor >= since.retryMatching,
		ComponentAPIVersionChecked:  minor >= since.componentAPIVersion,
		BreakerReadOnResolve:        minor >= since.breakerReadOnResolve,
		ActorNotFoundRetries:        minor >= since.actorNotFoundRetries,
		RemoteCallsModelled:         minor >= since.remoteCallsModelled,
		DeliveryRunner:              deliveryRunner(minor),
		DeadLetterLostAfterDeadline: minor >= since.deadLetterLost && minor < since.deadLetterKeepPending,
		DeadLetterFailKeepsPending:  minor >= since.deadLetterKeepPending,
		DropToDeadLetter:            minor >= since.dropToDeadLetter,
		PublishingWording:           minor >= since.publishingWording,
		PublishMetadata:             minor >= since.publishingWording,
		InvokingBindingWording:      minor >= since.invokingBinding,
		BindingGetMissingFails:      minor == bindingGetSince,
		AppProtocolTLS:              minor >= since.appProtocolTLS,
		minor:                       minor,
	}
}

func deliveryRunner(minor int) DeliveryRunner {
	switch {
	case minor >= since.deliveryOnBackground:
		return RunnerOnBackground
	case minor == since.deliveryOnBackground-1:
		return RunnerPatchDependent
	}
	return RunnerOnDelivery
}

// ComponentType returns the word Dapr uses for a component of spec.type
// specType in default policy names ("state.redis" → "Statestore"), or "" when
// the release has no such word.
func (p Profile) ComponentType(specType string) string {
	prefix, _, _ := strings.Cut(specType, ".")
	for _, t := range componentTypes {
		if t.prefix == prefix && p.minor >= t.since {
			return t.word
		}
	}
	return ""
}

// Releases lists the modelled Dapr releases, oldest first: what a --dapr
// flag accepts (ProfileFor) and what its shell completion offers.
func Releases() []string {
	out := make([]string, 0, newestMinor-oldestMinor+1)
	for m := oldestMinor; m <= newestMinor; m++ {
		out = append(out, "1."+strconv.Itoa(m))
	}
	return out
}
