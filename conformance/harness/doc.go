// Package harness runs one conformance scenario twice — once through sim's
// engine, once through Dapr's own pkg/resiliency code under testing/synctest —
// and compares what the two did.
//
// It holds everything that does not depend on a Dapr release: the scenario
// list, the app loop that drives Dapr's runner (Drive), the parsing of Dapr's
// log lines, the projection of sim's events, and the comparison. A
// per-release module (dapr1.14, dapr1.16) supplies the few lines that import
// github.com/dapr/dapr as a Release, because one Go module cannot require two
// versions of Dapr.
//
// Both sides run the pure model: no time passes while code computes. Under
// synctest that is what Dapr's code does; sim is told so with `overhead: 0s`.
// The comparison is per stream, to the millisecond: breaker transitions,
// retry notices, recovered lines, attempts and app-level outcomes.
//
// The Client* suites (client.go) time components-contrib's real state.redis
// client against sim's model of it; a release module runs each as a
// TestClient* test through an OpenStateStore of its own, since the harness
// must not import components-contrib. Redis is the miniredis server they
// drive it against.
//
// BenchmarkDrive (oracle.go) times Drive alone: the oracle sim's speed is
// measured against.
//
// The harness imports sim, traces, policies/client and internal/rss; it
// never imports Dapr, components-contrib or go-redis.
package harness
