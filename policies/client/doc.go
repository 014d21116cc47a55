// Package client is the component's own client inside each attempt: the
// retry loop go-redis runs for every command a Redis-backed component
// (state.redis, pubsub.redis) sends, below Dapr's resiliency runners, and
// the rest of what a pubsub.redis runs with: its consumer group and the
// loops that deliver and redeliver its messages (Pubsub).
//
// A Dapr attempt on a state store is one call of the component; the
// component sends one or two Redis commands (a save is one EVAL, a get an
// HGETALL that falls back to GET on any error), and go-redis retries each
// command up to MaxRetries times, sleeping RetryBackoff between tries. So
// against a stopped Redis one Dapr attempt of a save takes 3 × 512 ms on
// Dapr 1.11 and later, and tens of milliseconds before — which decides
// whether a breaker ever trips (issue 12; the per-release numbers and their
// sources are in settings.go).
//
// Settings says what one component's client does (per release, then laid
// over by the Component's metadata: FromMetadata parses it as that
// release's components-contrib does, legacy keys and unit quirks included,
// then applies go-redis's Options.init; PubsubFromMetadata adds the
// subscriber's settings); Command is the machine of one command
// through its tries. Jitter arrives inside events: the machine never draws,
// the engine draws from its seeded source where go-redis draws from its own.
// The package performs no I/O, reads no clock and imports only fsm and
// internal/diag (the edit distance behind its near-miss key warnings).
package client
