package daprlog

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/policies/retry"
	"github.com/dapr-sim/sim/traces"
)

// Slack is how much earlier than its stamp an event may have happened:
// daprd stamps a line just after the fact it reports (a breaker's line is
// written while gobreaker holds its lock), and the checker must only flag
// what is certainly impossible.
const Slack = 10 * time.Millisecond

// Releases are the Dapr releases whose wording the checker knows, oldest
// first.
var Releases = []string{"1.8", "1.9", "1.10", "1.11", "1.12", "1.13", "1.14", "1.15", "1.16"}

// Problem is one inconsistency: the line and why it cannot be.
type Problem struct {
	Entry *Entry
	Msg   string
}

func (p Problem) String() string { return p.Entry.Where() + ": " + p.Msg }

// Wordings returns the releases whose wording and level fit e (all of them
// for a breaker line, which every release words alike).
func Wordings(e *Entry) []string {
	var out []string
	for _, v := range Releases {
		w, err := traces.WordingFor(v)
		if err != nil {
			continue
		}
		switch e.Kind {
		case Notice:
			dotted := strings.HasSuffix(w.Retry("x", time.Second), "Retrying...")
			if dotted != e.Dotted || w.RetryLevel != e.Level {
				continue
			}
		case Recovered:
			dotted := strings.HasSuffix(w.Recovered("x", 2), ".")
			if dotted != e.Dotted || w.RecoveredLevel != e.Level {
				continue
			}
		}
		out = append(out, v)
	}
	return out
}

// Release picks the release to check with: the newest whose wording fits
// every line, and the first line that no remaining release fits (nil when
// all agree).
func Release(entries []Entry) (string, *Entry) {
	fit := map[string]bool{}
	for _, v := range Releases {
		fit[v] = true
	}
	for i := range entries {
		ok := map[string]bool{}
		for _, v := range Wordings(&entries[i]) {
			if fit[v] {
				ok[v] = true
			}
		}
		if len(ok) == 0 {
			return newest(fit), &entries[i]
		}
		fit = ok
	}
	return newest(fit), nil
}

func newest(set map[string]bool) string {
	for i := len(Releases) - 1; i >= 0; i-- {
		if set[Releases[i]] {
			return Releases[i]
		}
	}
	return Releases[len(Releases)-1]
}

// resolve returns the policies Dapr applies to a logged operation name:
// component[NAME] output|input, endpoint[APP, ENDPOINT], actor[TYPE, ID].
func resolve(spec *policies.Spec, op string) (policies.Resolved, bool) {
	inner := func(prefix string) (string, string, bool) {
		if !strings.HasPrefix(op, prefix+"[") {
			return "", "", false
		}
		end := strings.LastIndexByte(op, ']')
		if end < 0 {
			return "", "", false
		}
		return op[len(prefix)+1 : end], strings.TrimSpace(op[end+1:]), true
	}
	if in, dir, ok := inner("component"); ok {
		switch dir {
		case "output":
			return spec.ComponentOutbound(in), true
		case "input":
			return spec.ComponentInbound(in), true
		}
		return policies.Resolved{}, false
	}
	if in, _, ok := inner("endpoint"); ok {
		app, ep, found := strings.Cut(in, ", ")
		if !found {
			return policies.Resolved{}, false
		}
		return spec.App(app, ep), true
	}
	if in, _, ok := inner("actor"); ok {
		typ, id, found := strings.Cut(in, ", ")
		if !found {
			return policies.Resolved{}, false
		}
		a := spec.Actor(typ, id)
		r := a.PreLock
		if a.BuiltIn != nil {
			r.BuiltInRetry = a.BuiltIn.Retry
		}
		return r, true
	}
	return policies.Resolved{}, false
}

// owner finds the targets whose breaker Dapr would log under name: the
// resolutions (with their retry) that share that breaker instance.
func owner(spec *policies.Spec, name string) []policies.Resolved {
	var out []policies.Resolved
	comps := map[string]bool{}
	for c := range spec.Components {
		comps[c] = true
	}
	for c := range spec.Targets.Components {
		comps[c] = true
	}
	names := make([]string, 0, len(comps))
	for c := range comps {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, c := range names {
		for _, r := range []policies.Resolved{spec.ComponentOutbound(c), spec.ComponentInbound(c)} {
			if r.Breaker != nil && r.Breaker.Name == name {
				out = append(out, r)
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	if app, _, ok := strings.Cut(name, ":"); ok {
		if r := spec.App(app, name); r.Breaker != nil && r.Breaker.Name == name {
			return []policies.Resolved{r}
		}
	}
	// Actors: the type, or "<type>-<id>" for an id-scoped breaker.
	for i := 0; i <= len(name); i++ {
		if i < len(name) && name[i] != '-' {
			continue
		}
		typ, id := name[:i], "x"
		if i < len(name) {
			id = name[i+1:]
		}
		a := spec.Actor(typ, id)
		if b := a.PreLock.Breaker; b != nil && b.Name == name {
			return []policies.Resolved{a.PreLock}
		}
	}
	return nil
}

// knownBreakers lists the component breaker names the resources produce,
// for the message about an unknown one.
func knownBreakers(spec *policies.Spec) []string {
	set := map[string]bool{}
	for c := range spec.Components {
		for _, r := range []policies.Resolved{spec.ComponentOutbound(c), spec.ComponentInbound(c)} {
			if r.Breaker != nil {
				set[r.Breaker.Name] = true
			}
		}
	}
	for c := range spec.Targets.Components {
		for _, r := range []policies.Resolved{spec.ComponentOutbound(c), spec.ComponentInbound(c)} {
			if r.Breaker != nil {
				set[r.Breaker.Name] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// minFailures is the fewest failures in one closed generation after which
// trip can be true, or 0 when that cannot be bounded: a trip that reads
// requests or successes can be made true by successes the log never shows,
// so it is not judged.
func minFailures(s breaker.Settings) int {
	s = s.Resolve()
	for _, v := range []string{"requests", "Successes"} {
		if strings.Contains(s.TripText, v) {
			return 0
		}
	}
	for n := 1; n <= 64; n++ {
		for cf := 1; cf <= n; cf++ {
			c := breaker.Counts{Requests: uint32(n), TotalFailures: uint32(n), ConsecutiveFailures: uint32(cf)}
			if s.ReadyToTrip(c) {
				return n
			}
		}
	}
	return 0
}

var validEdge = map[[2]string]bool{
	{"closed", "open"}: true, {"open", "half-open"}: true, {"half-open", "open"}: true, {"half-open", "closed"}: true,
}

type breakerTrack struct {
	state      string
	stateLine  int
	openAt     *Entry // the last closed→open or half-open→open
	closedFrom *Entry // the last half-open→closed (nil: since creation)
}

// Check returns every inconsistency between the log's resiliency lines and
// what spec allows, in log order. release is the Dapr release assumed; a
// line worded otherwise is an inconsistency.
func Check(entries []Entry, spec *policies.Spec, release string) []Problem {
	var out []Problem
	add := func(e *Entry, format string, args ...any) {
		out = append(out, Problem{Entry: e, Msg: fmt.Sprintf(format, args...)})
	}
	pending := map[string]int{}
	tracks := map[string]*breakerTrack{}
	for i := range entries {
		e := &entries[i]
		if e.Kind != Breaker {
			fits := false
			for _, v := range Wordings(e) {
				fits = fits || v == release
			}
			if !fits {
				add(e, "Dapr %s does not word or level this line so (it fits %s)", release, listOr(Wordings(e)))
			}
		}
		switch e.Kind {
		case Notice:
			r, ok := resolve(spec, e.Operation)
			if !ok {
				break
			}
			pending[e.Operation]++
			if r.Retry == nil && r.BuiltInRetry == nil {
				add(e, "a retry notice for %s, but no retry policy applies to it%s", e.Operation, appScope(spec))
				break
			}
			if r.Retry == nil || !e.HasDelay {
				break
			}
			p := r.Retry
			switch p.Kind {
			case retry.Constant:
				if e.Delay != p.Duration {
					add(e, "retry policy %q is constant with duration %s, but the notice says it waits %s", p.Name, p.Duration, e.Delay)
				}
			case retry.Exponential:
				ii := float64(p.InitialInterval)
				lo := time.Duration(ii - p.RandomizationFactor*ii)
				hi := time.Duration(ii + p.RandomizationFactor*ii)
				if e.Delay < lo || e.Delay > hi {
					add(e, "retry policy %q is exponential: its first delay lies in [%s, %s], but the notice says %s", p.Name, lo, hi, e.Delay)
				}
			}
			if p.MaxRetries == 0 {
				add(e, "retry policy %q has maxRetries 0: Dapr stops at the first failure and logs no notice", p.Name)
			}
		case Recovered:
			if pending[e.Operation] == 0 {
				add(e, "recovered %s, but no retry notice for that operation is still open before it: Dapr logs Recovered only in a call that logged a notice", e.Operation)
				break
			}
			pending[e.Operation]--
			if e.Attempts == 1 {
				add(e, "recovered after 1 attempt: a call that logged a notice has failed once already, so it recovers after 2 or more")
			}
		case Breaker:
			out = append(out, checkBreaker(e, entries, spec, tracks)...)
		}
	}
	return out
}

func checkBreaker(e *Entry, entries []Entry, spec *policies.Spec, tracks map[string]*breakerTrack) []Problem {
	var out []Problem
	add := func(format string, args ...any) {
		out = append(out, Problem{Entry: e, Msg: fmt.Sprintf(format, args...)})
	}
	owners := owner(spec, e.Name)
	if len(owners) == 0 {
		known := knownBreakers(spec)
		k := "none"
		if len(known) > 0 {
			k = strings.Join(known, ", ")
		}
		add("no target in the resources makes a breaker named %q%s (component breakers they make: %s)", e.Name, appScope(spec), k)
	}
	if !validEdge[[2]string{e.From, e.To}] {
		add("%s → %s is not a transition gobreaker makes (closed→open, open→half-open, half-open→open, half-open→closed)", e.From, e.To)
	}
	t := tracks[e.Name]
	if t == nil {
		t = &breakerTrack{state: "closed"}
		tracks[e.Name] = t
	}
	if e.From != t.state {
		was := "closed when created"
		if t.stateLine > 0 {
			was = fmt.Sprintf("%s since line %d", t.state, t.stateLine)
		}
		add("the breaker was %s, but this line says it changed from %s", was, e.From)
	}
	if len(owners) > 0 {
		s := owners[0].Breaker.Resolve()
		if e.From == "open" && e.To == "half-open" && t.openAt != nil {
			// gobreaker half-opens on the first check strictly after
			// open + timeout; stamps may lag the facts by Slack and the
			// terminal form truncates to whole seconds.
			if e.Hi() <= t.openAt.Lo()-Slack+s.Timeout {
				add("half-open at %s, but the breaker opened at %s (line %d) and its timeout is %s: gobreaker half-opens only on a request strictly after %s",
					stamp(e), stamp(t.openAt), t.openAt.Line, s.Timeout, describeAfter(t.openAt, s.Timeout))
			}
		}
		if e.From == "closed" && e.To == "open" {
			if p := tripTooEarly(e, entries, spec, owners, t); p != "" {
				add("%s", p)
			}
		}
	}
	t.state, t.stateLine = e.To, e.Line
	switch e.To {
	case "open":
		t.openAt = e
	case "closed":
		t.closedFrom = e
	}
	return out
}

// tripTooEarly bounds the failures the breaker can have counted by the
// open: every call through it that fails is retried (a constant policy
// with maxRetries other than 0), so each logged a notice at its first
// failure and then failed at most once per retry duration. If even the
// largest possible count is below what the trip expression needs, the open
// cannot be.
func tripTooEarly(e *Entry, entries []Entry, spec *policies.Spec, owners []policies.Resolved, t *breakerTrack) string {
	settings := owners[0].Breaker.Resolve()
	need := minFailures(settings)
	if need <= 1 {
		return ""
	}
	var period time.Duration
	var maxRetries int64 = -1
	for _, r := range owners {
		if r.Retry == nil || r.Retry.Kind != retry.Constant || r.Retry.MaxRetries == 0 || r.Retry.Duration <= 0 {
			return "" // some failures would leave no notice: nothing can be bounded
		}
		if period == 0 || r.Retry.Duration < period {
			period = r.Retry.Duration
		}
		if r.Retry.MaxRetries > maxRetries {
			maxRetries = r.Retry.MaxRetries
		}
	}
	hi := e.Hi()
	var gen time.Duration
	hasGen := t.closedFrom != nil
	if hasGen {
		gen = t.closedFrom.Lo() - Slack
	}
	most := 0
	calls := 0
	for i := range entries {
		n := &entries[i]
		if n.Kind != Notice {
			continue
		}
		r, ok := resolve(spec, n.Operation)
		if !ok || r.Breaker == nil || r.Breaker.Name != e.Name {
			continue
		}
		first := n.Lo() - Slack
		if first > hi {
			continue
		}
		from := first
		if hasGen && from < gen {
			from = gen
		}
		k := 1 + int((hi-from)/period)
		if maxRetries >= 0 && int64(k) > maxRetries+1 {
			k = int(maxRetries + 1)
		}
		most += k
		calls++
	}
	if most >= need {
		return ""
	}
	return fmt.Sprintf("opened at %s, but trip `%s` needs at least %d failures and at most %d can have reached the breaker by then (%d retried call(s) through it, each failing at most once per %s after its notice)",
		stamp(e), settings.TripText, need, most, calls, period)
}

func stamp(e *Entry) string {
	if e.Form == TTY {
		return fmt.Sprintf("[%04d]", int64(e.At/time.Second))
	}
	return e.At.String()
}

func describeAfter(open *Entry, timeout time.Duration) string {
	if open.Form == TTY {
		return fmt.Sprintf("%s + %s", stamp(open), timeout)
	}
	return (open.At + timeout).String()
}

func appScope(spec *policies.Spec) string {
	if spec.AppID == "" {
		return ""
	}
	return " for app " + spec.AppID
}

func listOr(vs []string) string {
	if len(vs) == 0 {
		return "no modelled release"
	}
	if len(vs) == 1 {
		return "Dapr " + vs[0]
	}
	return "Dapr " + vs[0] + "–" + vs[len(vs)-1]
}
