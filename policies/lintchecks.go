package policies

import (
	"fmt"
	"sort"
	"strings"
)

// Level says how much a lint finding matters. Levels are ordered: a
// threshold counts its own level and every level above it.
type Level uint8

const (
	// LevelNote is worth knowing but usually intended (or harmless on a
	// real sidecar).
	LevelNote Level = iota
	// LevelWarning is input Dapr ignores or changes without an error, or a
	// policy nothing uses.
	LevelWarning
	// LevelHazard is a spec that Dapr runs as written but that behaves
	// badly when a dependency fails (or crashes the sidecar).
	LevelHazard
)

var levelNames = [...]string{"note", "warning", "hazard"}

func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("level(%d)", l)
}

// Levels lists the level names ParseLevel reads, lowest first.
func Levels() []string { return append([]string{}, levelNames[:]...) }

// ParseLevel reads a level name: note, warning or hazard.
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if strings.EqualFold(s, n) {
			return Level(i), nil
		}
	}
	return 0, fmt.Errorf("unknown level %q: want one of %s", s, strings.Join(levelNames[:], ", "))
}

// Check is one kind of lint finding: every diag.Warning this package emits
// and every finding Lint adds carries one of these ids.
type Check struct {
	ID      string
	Level   Level
	Summary string // one line
	// Explanation says what Dapr does, why it matters and how to fix it, in
	// plain text without links.
	Explanation string
}

// LintChecks returns every check, sorted by id.
func LintChecks() []Check {
	out := append([]Check{}, checks...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// LintCheck returns the check with id.
func LintCheck(id string) (Check, bool) {
	for _, c := range checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// checks is the table of every finding kind. Parser and builder warnings
// (ParseFile, ReadFiles, Build) come first, then what only Lint finds.
var checks = []Check{
	// Input Dapr ignores or mangles: emitted as diag.Warning by the parser.
	{"not-a-mapping", LevelWarning, "a YAML document that is not a mapping",
		"A document of a resources file is a list or a plain value, so it has no kind. Dapr cannot tell what it is and skips it without a message."},
	{"not-a-resiliency", LevelWarning, "resiliency policies outside a kind: Resiliency resource",
		"Dapr's Resiliency loader reads a file only when its kind is exactly Resiliency, and then only the first document. Policies or targets under a Configuration, in a document without a kind, or pasted as a bare fragment are skipped without a message, so none of them applies. Wrap them in apiVersion: dapr.io/v1alpha1, kind: Resiliency, metadata.name and spec."},
	{"second-document", LevelWarning, "a Resiliency after the first document of a file",
		"Dapr's Resiliency loader unmarshals a whole file with sigs.k8s.io/yaml, which reads only the first YAML document. A Resiliency in a later document (after ---) is never loaded, although Components in the same file are. Put each Resiliency in its own file, or first."},
	{"yaml-tag", LevelWarning, "a YAML tag Dapr drops or decodes",
		"Dapr reads resources with sigs.k8s.io/yaml, which gives no meaning to a tag it does not know (!foo, !!set, !!omap, …): the value is read as it stands, a mapping as a mapping, so the tag does nothing. A !!binary value is decoded from base64 and used as text. Remove the tag, and write a !!binary value as the text it stands for."},
	{"key-case", LevelWarning, "a key spelt with the wrong case",
		"Dapr decodes through encoding/json, which matches keys case-insensitively, so the value is used. Other tools (kubectl with the CRD schema, editors) will reject or ignore it; write the key as the schema spells it."},
	{"duplicate-key", LevelWarning, "the same key twice in one mapping",
		"Dapr keeps the last value and drops the earlier one without a message. Remove the one you did not mean."},
	{"not-settable", LevelWarning, "an exponential backoff setting Dapr's YAML cannot set",
		"initialInterval, randomizationFactor, multiplier and maxElapsedTime exist in Dapr's retry code but not in the Resiliency schema, so Dapr drops them and uses 500ms, 0.5, 1.5 and 15m. Only policy, duration, maxInterval and maxRetries (and matching from 1.15) can be set."},
	{"unknown-key", LevelWarning, "a key Dapr does not know",
		"Dapr ignores keys that are not in the Resiliency schema, so whatever the key was meant to do does not happen. The message guesses the intended key or where it belongs (for example retry directly under a component target instead of under its outbound or inbound)."},
	{"duplicate-name", LevelWarning, "a policy or target name defined twice in one mapping",
		"Dapr keeps the last definition and drops the earlier one without a message."},
	{"api-version", LevelWarning, "a Resiliency with an apiVersion other than dapr.io/v1alpha1",
		"Dapr's standalone loader checks only the kind, so the resource is loaded anyway; Kubernetes would reject it. Write apiVersion: dapr.io/v1alpha1."},
	{"scope-without-breaker", LevelWarning, "circuitBreakerScope on an actor target without a circuitBreaker",
		"The scope chooses how actor breakers are keyed; with no breaker named it does nothing."},
	{"trip-grid-budget", LevelNote, "a trip expression too large for lint to evaluate over its whole grid",
		"sim lint proves a trip can never be true (trip-never-true) by evaluating it at every count tuple of a grid built from 0 to 10 and the integer literals of the expression. The grid grows with the fourth power of the number of literals, so lint spends at most a fixed budget of CEL cost units per expression (each evaluation charged its estimated worst case) and stops there: lint always ends, and this expression is simply not checked. Fewer distinct literals (a range test such as requests >= 7 && requests <= 1400 instead of a list) keep it checkable."},
	{"actor-scope-both", LevelNote, "circuitBreakerScope: both",
		"Dapr treats both exactly like id: one breaker per actor id, none per type."},
	{"constant-max-interval", LevelWarning, "maxInterval on a constant retry policy",
		"A constant policy waits duration between attempts (5s when duration is absent) and never reads maxInterval. The first published Dapr quickstart wrote maxInterval: 5s and got 5s only because that is the default duration. Write duration instead."},
	{"exponential-duration", LevelWarning, "duration on an exponential retry policy",
		"An exponential policy starts near 500ms and multiplies by 1.5 up to maxInterval, with ±50% jitter; it never reads duration. Set maxInterval to bound the delay."},
	{"trip-unknown-variable", LevelWarning, "a trip expression naming a variable Dapr does not bind",
		"Dapr declares every unknown identifier as a dynamic variable so the expression compiles, but evaluating it fails and a failed evaluation counts as false: where the result depends on that variable the breaker does not trip. The variables are requests, totalSuccesses, totalFailures, consecutiveSuccesses and consecutiveFailures."},
	{"trip-not-bool", LevelWarning, "a trip expression whose result is not a bool",
		"Dapr opens the breaker only when trip evaluates to true; any other result (an int such as consecutiveFailures + 1, a string) counts as false, so the breaker never opens. Compare the counts instead: consecutiveFailures >= 5. sim run and sim lint both give this warning."},
	{"component-no-name", LevelWarning, "a Component without metadata.name",
		"Dapr rejects a component without a name; nothing can target it."},
	{"subscription-api-version", LevelWarning, "a Subscription with an apiVersion other than dapr.io/v2alpha1 or dapr.io/v1alpha1",
		"Dapr's loader reads a Subscription only in those two versions (v1alpha1 converted to v2alpha1, its route becoming routes.default) and skips any other without a message, so the app never subscribes."},
	{"subscription-no-route", LevelWarning, "a Subscription (or a routing rule) without a path",
		"A subscription's routes are its rules in order, then routes.default (route in v1alpha1). With none, no route ever matches: Dapr logs \"no matching route\" at debug level and acknowledges each message without delivering it, so messages are lost silently. A rule with no path delivers to the app's root path."},
	{"subscription-incomplete", LevelWarning, "a Subscription without a spec",
		"Dapr loads it but it names no pub/sub component and no topic, so it subscribes to nothing."},
	{"feature-enabled-value", LevelWarning, "a Configuration feature whose enabled is not true or false",
		"Dapr reads enabled as a boolean; any other value leaves the feature off."},
	{"subfolder", LevelWarning, "a folder inside a resources path",
		"daprd reads the files of each resources path, not its sub-folders, so resources in a sub-folder are not loaded."},
	{"not-yaml", LevelWarning, "a file without a .yaml or .yml extension in a resources path",
		"daprd logs \"A non-YAML resiliency file … was detected, it will not be loaded\" and skips it."},
	{"feature-flag", LevelWarning, "Dapr 1.8/1.9 without the Resiliency preview feature",
		"Before 1.10 Resiliency was a preview feature: unless a Configuration (passed with --config) has spec.features with name Resiliency and enabled true, Dapr loads no policy at all, not even the built-in ones. Add the feature or check with a newer --dapr."},
	{"scoped-out", LevelWarning, "a resource scoped to other apps than the one checked",
		"A Resiliency with scopes applies only to sidecars whose app id is listed, matched exactly and case-sensitively. For any other app Dapr ignores the whole resource without a message."},
	{"component-api-version", LevelWarning, "a Component with an apiVersion other than dapr.io/v1alpha1",
		"Dapr 1.14 and later skip such a Component; earlier releases checked only the kind."},
	{"component-metadata-ignored", LevelWarning, "a Component metadata key or value Dapr does not use",
		"state.redis reads a fixed set of metadata keys. A key it does not know (often a near-miss such as redisMaxRetry) is ignored, and so is a legacy key spelt with other case (MaxRetries: the legacy keys are looked up exactly, the others case-insensitively). A legacy key next to the key that replaced it is ignored too: from 1.11 maxRetries counts only when redisMaxRetries is empty, and maxRetryBackoff only when redisMinRetryInterval is; before 1.11 redisMaxRetries and redisMaxRetryInterval are laid over them. When a key is given twice, Dapr uses the later entry. Remove what Dapr does not read, or spell the key it does. pubsub.redis does not read the legacy keys at all, and from 1.11 reads redeliverInterval only as a whole number of milliseconds: any other text, a duration such as 5s included, leaves the default 15s."},
	{"component-metadata-value", LevelWarning, "a Component metadata value Dapr reads otherwise than it looks",
		"go-redis reads 0 as its default: redisMaxRetries 0 is 3 retries (-1 is none), redisMinRetryInterval 0 is 8ms (not the 2s Dapr 1.11+ gives state stores when nothing sets it), redisMaxRetryInterval 0 is 512ms, dialTimeout 0 is 5s, readTimeout 0 is 3s. The legacy maxRetryBackoff is a whole number of nanoseconds (2000 is 2µs), and since Dapr 1.11 it sets the backoff's floor, not its cap. A negative bare number on a duration key is kept as nanoseconds (-5 is -5ns), and a negative backoff floor makes every sleep the cap. Write the value you mean with its unit (500ms, 2s) on the redis* keys."},
	{"component-metadata-secret", LevelWarning, "a Component timing key whose value comes from a secret store",
		"daprd resolves secretKeyRef (and envRef) values before the component reads them; sim does not read secret stores or the environment, so it uses the release's default for that key. Write the value in the Component to simulate it."},
	{"client-not-modelled", LevelWarning, "a Component setting that changes the client's timing in a way sim does not model",
		"sim models a single Redis node behind go-redis's retry loop. failover: true (a Sentinel failover client) and redisType: cluster (a cluster client with its own redirects) change what an outage costs; a negative dialTimeout or readTimeout (other than -1) puts go-redis's deadline in the past, so every connect or read fails at once even against a healthy Redis; redisMaxRetries below -1 makes go-redis send no command at all and report success. sim says what it uses instead; treat its timing for this component with care."},
	{"component-metadata-placeholder", LevelWarning, "a {uuid}, {podName} or {namespace} in a Component's metadata",
		"daprd substitutes placeholders in every metadata value before the component reads it: {appID} becomes the app id (sim does the same on pubsub.redis), {namespace} the namespace, a dot and the app id, {podName} the pod's name (self-hosted daprd has no POD_NAME and fails to initialize the component), and each {uuid} a new random UUID at every start of the sidecar. On pubsub.redis's consumerID a {uuid} gives each start a new consumer group, which reads the topic's stream from its first entry, and leaves the old group's pending messages behind. sim puts a fixed stand-in for each and says which; write the value itself to simulate exactly that."},
	{"pubsub-no-redelivery", LevelWarning, "pubsub.redis metadata that turns redelivery off",
		"pubsub.redis redelivers a message whose delivery failed (the app's error, the resiliency policy given up, the breaker open) by reclaiming it from the consumer group's pending list once it has been pending processingTimeout (60s), checked every redeliverInterval (15s). processingTimeout 0 or redeliverInterval 0 stops that loop, and queueDepth 0 makes each of its XPENDING calls ask for no entry: a message that failed then stays pending, unacknowledged, for good, and is never delivered again. With processingTimeout or redeliverInterval 0 a delivery also runs without the processingTimeout deadline. This is sometimes meant (Dapr's own e2e tests count deliveries this way); otherwise leave the defaults, or configure a deadLetterTopic on the subscription. sim lint also reports each declarative Subscription to such a component that has no deadLetterTopic, at its pubsubname: the topics whose failed messages stay stuck."},
	{"pubsub-no-workers", LevelHazard, "pubsub.redis with concurrency 0: no message is ever delivered",
		"pubsub.redis starts concurrency workers, each delivering one message at a time from a queue of queueDepth. With concurrency 0 it starts none: its poll loop still reads new messages with XREADGROUP (so they are pending in the consumer group), fills the queue and then waits forever; the app never receives a message, and nothing is logged. Use 1 to deliver one message at a time."},
	{"binding-probe", LevelNote, "an input binding daprd reads only if the app answers its OPTIONS request",
		"Before it reads an input binding (bindings.cron and others) over HTTP, daprd sends the app OPTIONS /<route> (the route metadata, else the binding's name) and reads the binding only when the answer is 2xx or 405. Any other status (a 404 from an app without that path) makes daprd log \"app has not subscribed to binding <name>.\" at info level and never read it: the schedule never fires, with no error. A failure to reach the app stops the start. From Dapr 1.12, metadata direction: input says the app subscribes, and daprd skips the question."},
	{"binding-direction", LevelWarning, "a binding whose direction metadata leaves out the only side its type has",
		"From Dapr 1.12 daprd initializes a binding's input side only when no metadata entry is named direction or one lists input (comma-separated, any case), and its output side likewise. bindings.cron is input only and bindings.redis output only, so a direction that does not name their side (output on a cron, input or a misspelling such as inbound on a redis) leaves the component doing nothing, without a message: a cron never fires, and invoking a redis binding fails with \"couldn't find output binding <name>\". Write direction: input for bindings.cron and direction: output for bindings.redis, or leave it out."},
	{"component-redefined", LevelWarning, "two Components with the same name",
		"Dapr uses one of them; sim uses the later. Rename one."},
	{"max-retries-zero", LevelWarning, "maxRetries: 0 on Dapr 1.8/1.9",
		"Before 1.10 maxRetries was a plain integer with omitempty, so an explicit 0 was dropped and the default, -1 (retry without limit), applied. From 1.10 it means no retries."},
	{"matching-unknown", LevelWarning, "retry matching before Dapr 1.15",
		"matching arrived in 1.15; earlier releases ignore it and retry every error."},
	{"builtin-protected", LevelWarning, "an override of DaprBuiltInActorNotFoundRetries",
		"Dapr ignores overrides of this built-in policy and keeps constant 1s with 5 retries."},
	{"builtin-min-retries", LevelWarning, "a built-in retry override with fewer than 3 retries",
		"Dapr raises maxRetries of an overridden built-in policy to 3 when it is lower, including -1 and absent: a built-in can neither retry fewer than 3 times nor without limit."},
	{"default-before-1.9", LevelWarning, "a Default…Policy name on Dapr 1.8",
		"Default policies arrived in 1.9; on 1.8 the name is an ordinary policy that applies only where a target names it."},
	{"missing-timeout", LevelWarning, "a target naming a timeout policy that does not exist",
		"Dapr does not check policy names when it loads a resource. A missing timeout reads as 0, which means no timeout at all."},
	{"missing-retry", LevelWarning, "a target naming a retry policy that does not exist",
		"Dapr does not check policy names when it loads a resource. With the retry missing, each call is attempted once."},
	{"missing-breaker", LevelWarning, "an app or actor target naming a circuit breaker that does not exist",
		"Dapr does not check policy names when it loads a resource. For apps and actors a missing breaker means no breaker."},
	{"missing-breaker-crash", LevelHazard, "a component target naming a circuit breaker that does not exist",
		"Dapr does not check policy names when it loads a resource. For a component, the first request that resolves the target's policy creates the breaker from a nil template and dereferences it: the sidecar crashes (a nil pointer panic) on the first call to that component. Fix the name, define the breaker under spec.policies.circuitBreakers in a resource that applies to this app, or remove circuitBreaker from the target."},

	// What only Lint finds.
	{"scopes", LevelNote, "a resource limited to some apps",
		"A Resiliency with scopes applies only to the listed app ids. Without --app-id, sim lint checks the resources once for each app named in any scopes (and once for an app named in none), so every combination Dapr could load is covered; --app-id checks one app and reports resources it does not load."},
	{"unused-policy", LevelWarning, "a policy no target names",
		"A timeout, retry or circuit breaker that no target names, that is not a Default…Policy and not a built-in retry name, is never used by Dapr. Either a target misspells its name or the target is missing."},
	{"retry-before-breaker-timeout", LevelHazard, "retries come back before the breaker's open period ends",
		"When the breaker opens, the retry loop still sleeps its delay (the failure that tripped the breaker is an ordinary error), then asks the breaker again. If the delay is shorter than the breaker's timeout, the breaker is still open: the attempt is refused with \"circuit breaker is open\", Dapr marks that refusal permanent, and the whole call fails at once, even with maxRetries: -1. Every call that arrives while the breaker is open fails the same way, until the first request strictly after the open period becomes the half-open probe. If the intent is to ride out an outage, make the retry delay longer than the breaker's timeout (for example duration 6s with timeout 5s); if failing fast is the intent, this is fine. For an exponential policy the delay is checked at its largest (maxInterval plus 50% jitter, or the largest delay maxRetries allows), and at the retry that follows the failure that trips the breaker when a single call can trip it alone."},
	{"fail-fast-after-trip", LevelNote, "a bounded retry comes back before the breaker's open period ends",
		"As for retry-before-breaker-timeout: once the breaker opens, the next retry is refused, Dapr makes the refusal permanent and the call fails at once. With a bounded maxRetries this is often the intent (give up fast while the dependency is known to be down), so it is a note; if the retries are meant to outlast a short outage, make the delay longer than the breaker's timeout."},
	{"retry-at-breaker-timeout", LevelNote, "a constant retry delay equal to the breaker's timeout",
		"gobreaker half-opens only when the open period has ended strictly before now (expiry < now). In the pure model the retry after the tripping failure arrives exactly at expiry, is refused, and the call fails like a shorter delay would. On a real sidecar the time the runner spends between the failure and the next check (δ > 0: bookkeeping, timer lateness) almost always breaks the tie in favour of the probe, which is what the Dapr resiliency quickstart (retry 5s, breaker timeout 5s) relies on; sim models it with the scenario's overhead. It is a note, not a hazard, because the real outcome is the intended one, but a margin (retry 6s, timeout 5s) does not depend on it."},
	{"interval-before-trip", LevelHazard, "the breaker's interval clears its counts before the trip can be reached",
		"A closed breaker with a non-zero interval starts a new count window when the interval has passed (at the first request strictly after it), clearing every count. If one retrying call needs longer than the interval to produce the failures the trip asks for (trip consecutiveFailures >= 5 with a retry every 5s needs 20s from the first failure to the fifth), the counts are cleared first and that caller never trips the breaker; only denser traffic from several callers can. An interval equal to the time needed trips only in the pure model: a real sidecar's processing time pushes the last failure past the window. Make the interval longer than the time the trip needs, or 0 (never clear)."},
	{"client-outlasts-timeout", LevelWarning, "a timeout shorter than a failing call costs inside the component's client",
		"A state.redis call is one or more Redis commands (a save or delete one, a get two: HGETALL, then GET on any error), and go-redis retries each command inside the Dapr attempt: against a refused Redis it sleeps its backoff before each of its retries (3 retries of 512ms each from Dapr 1.11, so 1.536s per command; 8ms and up, about 80ms per command, before). sim lint adds those sleeps at their smallest. If a timeout policy on the store is shorter, every failing attempt ends by the timeout: from 1.10 the request's context reaches go-redis, so its later tries are cut off and Dapr's runner sees a timeout rather than the store's error; on 1.8 and 1.9 the component runs each command on its own context, so the runner gives up while the command goes on in the background, and each retry adds another command against a Redis that is coming back. Either make the timeout longer than the client's time, or lower the client's (redisMaxRetries, redisMinRetryInterval, redisMaxRetryInterval in the Component's metadata)."},
	{"client-slows-breaker", LevelHazard, "the client's time per failing attempt pushes the breaker's trip past its interval",
		"As for interval-before-trip, a closed breaker with an interval clears its counts when the interval has passed. Each failing attempt on a state.redis store also spends the client's own retry time (go-redis's sleeps, 1.536s per command from Dapr 1.11, or the timeout policy when that is shorter), so one call's k-th failure comes (k-1) × (retry delay + that time) after its first. sim lint reports when the interval is longer than the retry delays alone (so interval-before-trip is quiet) but not longer than that sum: the counts are cleared before the trip is reached and a single caller may never trip the breaker. Make the interval longer, or 0, or lower the client's retries in the Component's metadata."},
	{"client-trip-time", LevelNote, "how long an outage must last before the breaker trips, with the client's time",
		"On a state.redis store each failing attempt spends go-redis's retry sleeps before Dapr's runner sees the error (REDIS-CLIENT.md: 1.536s per command from Dapr 1.11, tens of milliseconds before). sim lint shows, for the policies a store's outbound calls resolve to, when one call's failure that trips the breaker ends, counted from its first attempt: k attempts and k-1 retry delays. An outage shorter than that never opens the breaker — which is why a real Dapr 1.14 sidecar printed no breaker line for the quickstart's 27s outage. The client's settings come from the Component's metadata and the release's defaults."},
	{"delivery-outlasts-processing-timeout", LevelHazard, "an inbound retry that can hold one pub/sub delivery longer than pubsub.redis's processingTimeout",
		"pubsub.redis hands each message to a worker with a context that ends after processingTimeout (60s by default), and reclaims a message still pending processingTimeout after it was handed out, at the next tick of redeliverInterval (15s), for another worker. The resiliency runner around one delivery (the component's inbound retry, timeout and breaker) can hold it longer: sim lint adds every delay at its longest and every attempt at its timeout (an attempt without a timeout policy counts as failing at once), or takes the exponential backoff's maxElapsedTime (15m); maxRetries -1 on a constant policy has no limit. From Dapr 1.13.2 the runner's parent context is Background, so it goes on past processingTimeout: the component reclaims the still-running message and a second worker delivers it again, with a fresh retry budget, while the first still retries; every further processingTimeout to processingTimeout + redeliverInterval adds another copy, each holding one of the concurrency workers, and the app sees duplicates. Up to 1.13.1 the runner runs on the delivery's context instead: it is cancelled at processingTimeout (context deadline exceeded), so the retries planned after it never happen. sim's profiles are per minor release, so for 1.13 the finding gives both. Lint sees only declarative Subscriptions; a component with an inbound target is checked as subscribed too. Keep one delivery's retries well inside processingTimeout (fewer retries, shorter delays, a timeout policy), or raise processingTimeout."},
	{"dead-letter-after-deadline", LevelHazard, "a deadLetterTopic reached only after pubsub.redis's processingTimeout (Dapr 1.12 to 1.14)",
		"When the inbound runner gives up on a delivery (retries exhausted, breaker open, the deadline reached), Dapr publishes the message to the subscription's deadLetterTopic and acknowledges the original. That publish runs on the delivery's own context, which pubsub.redis ends at processingTimeout. If the runner can take processingTimeout or longer (counted as for delivery-outlasts-processing-timeout: cancelled there up to 1.13.1, running past it from 1.13.2), the context has expired by then, the dead-letter publish fails at once, and Dapr 1.12 to 1.14 acknowledge the message anyway: it is in neither topic, lost. From 1.15 a failed dead-letter publish leaves the message pending, to be redelivered, so sim lint does not report it there; releases before 1.12 were not read. Keep one delivery's retries inside processingTimeout, or raise processingTimeout."},
	{"component-breaker-shared", LevelNote, "inbound and outbound of one component naming different circuit breakers",
		"Dapr keeps one circuit breaker per component, keyed by the component's name alone, for both directions: it is built from the template of whichever direction is resolved first and named <template>-<component>, with no direction in the name. On a sidecar that subscribes to a pub/sub component (or reads an input binding) the inbound template is resolved first, when the subscription starts; on one that only publishes, the outbound one at the first publish. The other template is never used, and failures of publishing count against the same breaker that blocks deliveries to the app, and the other way round: a Redis outage seen by publishes can open the breaker that then refuses deliveries, or, with a deadLetterTopic, sends every delivery straight to it. Name the same breaker in both directions so the file says what Dapr does. Checked from 1.9, the oldest release read."},
	{"binding-retries-non-200", LevelNote, "an inbound retry on an input binding: only status 200 counts as success",
		"For an HTTP app, Dapr's runner around an input binding's event counts every attempt whose status is not exactly 200 as a failure, so an app that answers 201 or 204 is called again and again until the retry policy gives up (never, with maxRetries -1), and the event then fails with \"response object is nil\". Without a retry policy any 2xx is accepted. sim lint cannot know the app's status codes, so this is a note on every bindings component whose inbound calls have a retry: make the app answer 200. Checked from 1.10, the oldest release read."},
	{"retry-forever-without-breaker", LevelHazard, "unlimited retries on a target without a working breaker",
		"maxRetries: -1 (also what an absent maxRetries means) retries until the call succeeds. Without a circuit breaker (or with one whose trip can never be true) nothing stops the loop, so while the dependency is down every call the app makes hangs inside the sidecar, holding its request, its connection and its caller: a constant policy forever, an exponential one until its 15-minute maxElapsedTime. Only the caller's own deadline (a gRPC deadline cancels the loop) ends it. Add a circuit breaker to the target, or set maxRetries."},
	{"retry-forever-at-once", LevelHazard, "unlimited retries that do not wait, on a target without a working breaker",
		"A constant policy with duration 0s (or less) and maxRetries: -1 (or absent) retries the moment an attempt fails. While the dependency is down nothing ends the loop and nothing slows it: the sidecar fails and retries as fast as it can, burning CPU and flooding its log, and every call the app makes is stuck in it. sim stops such a run as a hot loop, and sim run, check and sweep print this finding as a warning. Give the policy a duration, a maxRetries, or the target a circuit breaker."},
	{"timeout-beyond-deadline", LevelHazard, "a timeout not shorter than the caller's deadline (--deadline)",
		"A Dapr timeout bounds each attempt. If it is not shorter than the deadline the calling app puts on the whole request, the caller gives up first: the Dapr timeout never fires usefully and no retry gets a chance. Dapr itself puts no deadline on API calls; the caller's client does: a gRPC deadline set by the app cancels the sidecar's work (including a retry loop), while HTTP clients have their own timeouts (for example .NET's HttpClient defaults to 100s), and many SDK calls have none. sim lint checks this only when --deadline gives the caller's deadline."},
	{"trip-never-true", LevelHazard, "a trip expression that can never be true when Dapr evaluates it",
		"Dapr evaluates trip only after a failure while the breaker is closed, with the counts already updated: consecutiveSuccesses is 0, consecutiveFailures is at least 1, totalFailures is at least consecutiveFailures (and more only after a success, so totalSuccesses is then at least 1), and requests is at least totalFailures + totalSuccesses (requests in flight count too). sim lint evaluates the compiled expression, as Dapr compiles it, at every such tuple with each count from 0 to 10 and every integer literal of the expression with its neighbours (n-1, n, n+1), up to 100000. If it is false (or fails to evaluate) at all of them, the breaker never opens: for example consecutiveSuccesses > 0, requests < 0, consecutiveFailures > 5 && consecutiveFailures < 3, or a misspelt variable."},
}
