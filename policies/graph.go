package policies

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/dapr-sim/sim/fsm"
	"github.com/dapr-sim/sim/internal/escape"
	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/policies/retry"
	"github.com/dapr-sim/sim/policies/timeout"
)

// Machines names the policy machines, in the order `sim graph --machine
// all` draws them.
var Machines = []string{"breaker", "retry", "timeout"}

// Graph returns the diagram of one policy machine (see Machines), straight
// from its fsm table: the guard texts are the table's own.
func Graph(machine string) (fsm.Diagram, error) {
	switch machine {
	case "breaker":
		return fsm.DiagramOf(breaker.Table()), nil
	case "retry":
		return fsm.DiagramOf(retry.Table()), nil
	case "timeout":
		return fsm.DiagramOf(timeout.Table()), nil
	}
	return fsm.Diagram{}, fmt.Errorf("unknown machine %q: want one of breaker, retry, timeout", machine)
}

// BreakerGraph is the breaker machine's diagram with the numbers of one
// breaker's settings (gobreaker's defaults applied) in its guards: the trip
// expression itself, the open timeout, maxRequests, the counting interval.
func BreakerGraph(s breaker.Settings) fsm.Diagram {
	s = s.Resolve()
	d := fsm.DiagramOf(breaker.Table())
	d.Title = fmt.Sprintf("circuit breaker %s: maxRequests %d, interval %s, timeout %s, trip %s",
		escape.Name(s.Name), s.MaxRequests, durText(s.Interval), durText(s.Timeout), escape.Text(s.TripText))
	interval := fmt.Sprintf("interval %s elapsed (expiry < now)", durText(s.Interval))
	if s.Interval == 0 {
		interval = "never (interval 0 keeps the counts)"
	}
	fill(&d, map[string]string{
		"trip(counts)":                        escape.Text(s.TripText),
		"expiry < now":                        fmt.Sprintf("timeout %s elapsed (expiry < now)", durText(s.Timeout)),
		"expiry != 0 && expiry < now":         interval,
		"requests < maxRequests":              "requests < maxRequests " + strconv.FormatUint(uint64(s.MaxRequests), 10),
		"consecutiveSuccesses >= maxRequests": "consecutiveSuccesses >= maxRequests " + strconv.FormatUint(uint64(s.MaxRequests), 10),
	})
	return d
}

// RetryGraph is the per-call retry machine's diagram with one policy's
// numbers: the backoff on the wait and when nextBackOff says stop.
func RetryGraph(p retry.Policy) fsm.Diagram {
	d := fsm.DiagramOf(retry.Table())
	var backoff, stop string
	if p.Kind == retry.Exponential {
		backoff = fmt.Sprintf("exponential from %s ×%g ±%g%%, at most %s", durText(p.InitialInterval), p.Multiplier,
			p.RandomizationFactor*100, durText(p.MaxInterval))
		stop = fmt.Sprintf("maxRetries %s or maxElapsedTime %s", retriesText(p.MaxRetries), durText(p.MaxElapsedTime))
	} else {
		backoff = "constant " + durText(p.Duration)
		stop = "maxRetries " + retriesText(p.MaxRetries)
	}
	d.Title = fmt.Sprintf("retry %s: %s, maxRetries %d", escape.Name(p.Name), backoff, p.MaxRetries)
	never := p.MaxRetries < 0 && (p.Kind != retry.Exponential || p.MaxElapsedTime == 0)
	if never {
		stop = "never (maxRetries -1)"
	} else {
		stop = "nextBackOff = stop (" + stop + ")"
	}
	fill(&d, map[string]string{"nextBackOff = stop": stop})
	for i := range d.Edges {
		if e := &d.Edges[i]; e.Event == retry.WaitElapsed.String() && e.Guard == "" {
			e.Guard = "after " + backoff
		}
	}
	return d
}

// TimeoutGraph is the per-attempt timeout machine's diagram for a timeout
// policy of duration dur.
func TimeoutGraph(name string, dur time.Duration) fsm.Diagram {
	d := fsm.DiagramOf(timeout.Table())
	d.Title = fmt.Sprintf("timeout %s: %s", escape.Name(name), durText(dur))
	fill(&d, map[string]string{
		"timeout > 0":                     fmt.Sprintf("timeout %s > 0", durText(dur)),
		"deadline set && deadline <= now": fmt.Sprintf("start + %s <= now", durText(dur)),
	})
	return d
}

// Graphs returns the diagrams of every policy named name in s whose
// machine is machine ("" or "all": any), breaker before retry before
// timeout. No policy of that name is an error listing the names there are.
func (s *Spec) Graphs(name, machine string) ([]fsm.Diagram, error) {
	all := machine == "" || machine == "all"
	var out []fsm.Diagram
	if cb, ok := s.CircuitBreakers[name]; ok && (all || machine == "breaker") {
		out = append(out, BreakerGraph(cb.settings(name)))
	}
	if p, ok := s.Retries[name]; ok && (all || machine == "retry") {
		out = append(out, RetryGraph(p))
	}
	if d, ok := s.Timeouts[name]; ok && (all || machine == "timeout") {
		out = append(out, TimeoutGraph(name, d))
	}
	if len(out) == 0 {
		kind, names := "policy", s.policyNames(machine)
		if !all {
			kind = machine + " policy"
		}
		return nil, fmt.Errorf("no %s named %q: the spec has %s", kind, name, quoteList(names))
	}
	return out, nil
}

// policyNames lists, sorted, the names of the policies of machine ("" or
// "all": every kind), built-ins left out.
func (s *Spec) policyNames(machine string) []string {
	all := machine == "" || machine == "all"
	set := map[string]bool{}
	if all || machine == "breaker" {
		for n := range s.CircuitBreakers {
			set[n] = true
		}
	}
	if all || machine == "retry" {
		for n := range s.Retries {
			switch n {
			case BuiltInServiceRetries, BuiltInActorRetries, BuiltInActorReminderRetries, BuiltInInitializationRetries, BuiltInActorNotFoundRetries:
			default:
				set[n] = true
			}
		}
	}
	if all || machine == "timeout" {
		for n := range s.Timeouts {
			set[n] = true
		}
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// fill replaces guard texts of d by the filled-in ones of texts.
func fill(d *fsm.Diagram, texts map[string]string) {
	for i := range d.Edges {
		if t, ok := texts[d.Edges[i].Guard]; ok {
			d.Edges[i].Guard = t
		}
	}
}

func retriesText(n int64) string {
	if n < 0 {
		return strconv.FormatInt(n, 10) + " (forever)"
	}
	return strconv.FormatInt(n, 10)
}

// durText writes a duration the way a Resiliency file would: 5s, 500ms, 1m0s.
func durText(d time.Duration) string { return d.String() }
