package harness

import "time"

// Case is one conformance scenario: the folder scenarios/Name holds a
// scenario.yaml that sim reads as it is, and the Dapr resources it names.
type Case struct {
	Name string
	// Skip, when set, says why the case cannot run yet.
	Skip string
	// Jitter, when set, switches to bounds checking of backoff delays.
	Jitter *Jitter
	// Deviations maps a sim profile ("1.14") to a line the diff must
	// contain: a known, documented difference (DEVIATIONS.md).
	Deviations map[string]string
}

// Cases is the conformance suite, run by every release module.
var Cases = []Case{
	{Name: "quickstart"},
	{Name: "constant_maxretries"},
	{Name: "exponential_bounds", Jitter: &Jitter{
		// Dapr 1.14–1.16 cannot set initialInterval/multiplier from YAML:
		// 500ms ×1.5 with ±50 %, capped by maxInterval (here 1s).
		Nominal: []time.Duration{500 * time.Millisecond, 750 * time.Millisecond, time.Second},
		Factor:  0.5,
		Calls:   3,
	}},
	{Name: "timeout_slow_store"},
	{Name: "interval_clearing"},
	{Name: "halfopen_workers"},
	{Name: "trip_requests_failures"},
	{Name: "flapping_store"},
	{Name: "breaker_only"},
	{Name: "scoped_away"},
	{Name: "default_policies"},
	// Without a Component resource the state API still names the kind:
	// Statestore defaults apply (a gap this suite found and sim fixed).
	{Name: "default_policies_nocomponent"},
	// Service invocation (pkg/api/http/directmessaging.go around
	// pkg/messaging's invokeWithRetry) and actor calls (the pre-lock
	// runner, the router's built-in runner, the host's post-lock runner).
	{Name: "app_target"},
	{Name: "app_builtin"},
	{Name: "app_default_nested"},
	{Name: "actor_targeted_scopes"},
	// 3 built-in retries on 1.14, 5 on 1.16: the call at 3s fails on one,
	// recovers on the other, on both sides.
	{Name: "actor_untargeted"},
	// Pub/sub delivery: the inbound policy's runner around the app
	// (pkg/runtime/subscription), one delivery per message.
	{Name: "deliver_retry"},
	{Name: "deliver_breaker"},
	{Name: "deliver_timeout"},
	{Name: "deliver_answers"},
	// matching on the inbound retry: from 1.15 the app's status is a
	// code error, so a 500 outside httpStatusCodes is not retried.
	{Name: "deliver_matching"},
	// A gRPC subscriber: publishMessageGRPC's reading of its answers,
	// Unimplemented acknowledged unretried, and from 1.15 its error code
	// matched against gRPCStatusCodes.
	{Name: "deliver_grpc"},
}
