package policies

import (
	"fmt"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/policies/client"
	"github.com/dapr-sim/sim/policies/retry"
)

// FailedCommandCost is the shortest time one Redis command takes inside
// the component's client against a refused Redis (REDIS-CLIENT.md §4): a
// refused connect costs about nothing, so it is the sum of go-redis's
// sleeps before its retries, each at its smallest (no jitter). A state save
// or delete is one command, a get two (HGETALL, then GET on any error).
func FailedCommandCost(c client.Settings) time.Duration {
	var total time.Duration
	for retry := 1; retry < c.Tries(); retry++ {
		total += c.Backoff(retry, 0)
	}
	return total
}

// clientChecks looks at the client of every state store whose client sim
// models, with the policies its outbound calls resolve to: where the
// client's own retry time defeats the timeout, delays the breaker's trip
// past its interval, or (a note) how long the trip takes with it.
func (l *linter) clientChecks(s *Spec, idx *siteIndex) {
	for _, name := range sortedKeys(s.Components) {
		c, ok := s.ClientOf(name)
		// The costs weighed here are a state call's commands; a pub/sub
		// publish or delivery is not resolved as a store's outbound call.
		if !ok || s.Components[name] != client.StateType {
			continue
		}
		n := s.StateStoreOutbound(name).Policies
		if n == (PolicyNames{}) {
			continue
		}
		// Report at the target's references, or at the default policies'
		// definitions for an untargeted store.
		at := func(kind, ref string) (lintSite, bool) {
			return idx.refSite("components/"+name+"/outbound", kind, ref)
		}
		cost := FailedCommandCost(c)
		why := fmt.Sprintf("component %q's client (Dapr %s, %s)", name, s.Profile.Version, c)

		// client-outlasts-timeout
		timeout := s.Timeouts[n.Timeout]
		if n.Timeout != "" && timeout > 0 && timeout < 2*cost {
			if st, ok := at("timeout", n.Timeout); ok {
				ops := "a failing get (two commands, at least " + (2 * cost).String() + ")"
				if timeout < cost {
					ops = "every failing save, delete (one command, at least " + cost.String() + ") and get (two, " + (2 * cost).String() + ")"
				}
				after := "go-redis's later tries are cut off and Dapr's runner sees a timeout, not the store's error"
				if !c.CancelledByTimeout {
					after = "Dapr's runner gives up at the timeout while the command runs on in the background (before 1.10 the component does not pass the request's context to go-redis), so each retry adds a command against the recovering Redis"
				}
				l.add(Finding{File: st.file, Line: st.line, Field: st.field, ID: "client-outlasts-timeout",
					Msg: fmt.Sprintf("timeout %q (%s) ends %s against a refused Redis before %s gives up: %s", n.Timeout, timeout, ops, why, after)})
			}
		}

		pol, okRetry := s.Retries[n.Retry]
		cb, okCB := s.CircuitBreakers[n.CircuitBreaker]
		if n.Retry == "" || n.CircuitBreaker == "" || !okRetry || !okCB || pol.MaxRetries == 0 {
			continue
		}
		facts := l.facts(cb.Trip)
		k := facts.single
		if !facts.possible || k <= 0 || (pol.MaxRetries >= 0 && pol.MaxRetries+1 < k) || cost <= 0 {
			continue
		}
		// Each failing attempt costs the client's time, or the timeout
		// when that ends it first.
		attempt := cost
		if timeout > 0 && timeout < attempt {
			attempt = timeout
		}
		spend := fmt.Sprintf("at least %s inside %s", attempt, why)
		if attempt < cost {
			spend = fmt.Sprintf("%s, ended by timeout %q (inside %s it would take at least %s)", attempt, n.Timeout, why, cost)
		}
		bare := timeForFailures(pol, k)
		withClient := bare + time.Duration(k-1)*attempt
		st := cb.settings(n.CircuitBreaker)
		where, ok := at("circuit breaker", n.CircuitBreaker)
		if !ok {
			continue
		}
		// client-slows-breaker: the interval is long enough for the
		// failures alone (interval-before-trip stays quiet) but not with
		// the client's time added between them.
		if st.Interval > bare && st.Interval <= withClient {
			l.add(Finding{File: where.file, Line: where.line, Field: where.field, ID: "client-slows-breaker",
				Msg: fmt.Sprintf("circuit breaker %q clears its counts every %s; with retry %q alone one call reaches the %s failure the trip asks for %s after its first, but each failing attempt also spends %s, so it needs %s: the counts are cleared first and it may never trip",
					n.CircuitBreaker, st.Interval, n.Retry, diag.Ordinal(k), bare, spend, withClient)})
		}
		// client-trip-time (a note): how long an outage must last before
		// the breaker opens, with the client's time.
		if pol.Kind == retry.Constant || pol.Kind == retry.Exponential {
			first := attempt
			l.add(Finding{File: where.file, Line: where.line, Field: where.field, ID: "client-trip-time",
				Msg: fmt.Sprintf("against a refused Redis each failing save spends %s, so with retry %q one call's %s failure, which trips circuit breaker %q, ends at the earliest %s after its first attempt starts (%s without the client's time): an outage must last about that long before the breaker opens",
					spend, n.Retry, diag.Ordinal(k), n.CircuitBreaker, withClient+first, bare)})
		}
	}
}
