package policies

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/policies/retry"
)

// Finding is one problem sim lint reports.
type Finding struct {
	File  string
	Line  int
	Col   int // 1-based; 0 when unknown (findings of the whole spec name a line only)
	Field string
	ID    string // a Check id
	Level Level
	Msg   string
}

// String renders "file:line: level: field: message [id]"; for warnings the
// text before the id is exactly the diag.Warning's.
func (f Finding) String() string {
	var b strings.Builder
	if f.File != "" {
		b.WriteString(f.File)
		if f.Line > 0 {
			fmt.Fprintf(&b, ":%d", f.Line)
		}
		b.WriteString(": ")
	}
	b.WriteString(f.Level.String())
	b.WriteString(": ")
	if f.Field != "" {
		b.WriteString(f.Field)
		b.WriteString(": ")
	}
	b.WriteString(f.Msg)
	fmt.Fprintf(&b, " [%s]", f.ID)
	return b.String()
}

// LintOptions choose what Lint checks.
type LintOptions struct {
	// AppID is the sidecar's app id. Empty: every app the resources could
	// apply to (each app named in any scopes, and an app named in none).
	AppID string
	// Profile is the Dapr release; the zero Profile means the newest.
	Profile Profile
	// Deadline is the caller's own deadline for one request; 0 skips the
	// timeout-beyond-deadline check.
	Deadline time.Duration
}

// Lint checks parsed resources: it turns the parser's warnings (readWarnings,
// as ParseFile or ReadFiles returned them) and the builder's into findings
// and adds what only a whole-spec view shows: unused policies and timing
// hazards. The result is sorted by file, line and id, without duplicates. It
// performs no I/O. err is a diag.List when a Component's metadata holds a
// value Dapr rejects; the findings are complete all the same.
func Lint(files []*File, readWarnings []diag.Warning, o LintOptions) ([]Finding, error) {
	p := o.Profile
	if p.minor == 0 {
		var err error
		if p, err = ProfileFor(Newest); err != nil {
			return nil, err
		}
	}
	l := &linter{seen: map[string]bool{}, tripFacts: map[*Trip]tripFacts{}}
	for _, w := range readWarnings {
		l.warning(w)
	}

	var res []*Resiliency
	for _, f := range files {
		res = append(res, f.Resiliencies...)
	}
	apps := []string{o.AppID}
	every := o.AppID == ""
	if every {
		apps = lintApps(res)
		for _, r := range res {
			if len(r.Scopes) > 0 {
				l.add(Finding{File: r.File, Line: r.ScopesLine, Field: "scopes", ID: "scopes",
					Msg: fmt.Sprintf("resource %q applies only to %s: checked as each of them", r.Name, quoteList(r.Scopes))})
			}
		}
	}

	// A policy is unused when no run that loads its definition uses it.
	type def struct{ file, field, kind, name string }
	loaded := map[def]int{}
	unused := map[def]int{}
	lines := map[def]int{}
	var inputErrs diag.List
	seenErr := map[string]bool{}
	for _, app := range apps {
		s, ws, err := Build(files, app, p)
		var dl diag.List
		switch {
		case errors.As(err, &dl):
			// Values a component's Init rejects: reported once, the rest
			// of the spec still linted.
			for _, e := range dl {
				if !seenErr[e.Error()] {
					seenErr[e.Error()] = true
					inputErrs = append(inputErrs, e)
				}
			}
		case err != nil:
			return nil, err
		}
		for _, w := range ws {
			if every && w.ID == "scoped-out" {
				continue // reported once per resource as "scopes"
			}
			l.warning(w)
		}
		if !s.Enabled {
			continue
		}
		idx := newSiteIndex(res, app)
		used := idx.usedNames()
		for _, d := range idx.defs {
			k := def{d.file, d.field, d.kind, d.name}
			lines[k] = d.line
			loaded[k]++
			if !used[d.kind+"/"+d.name] && !isBuiltIn(d.name) && !(p.DefaultPolicies && defaultName.MatchString(d.name)) {
				unused[k]++
			}
		}
		l.hazards(s, idx, o.Deadline)
	}
	for k, n := range unused {
		if n == loaded[k] {
			l.add(Finding{File: k.file, Line: lines[k], Field: k.field, ID: "unused-policy",
				Msg: fmt.Sprintf("no target names %s policy %q, and it is not a default or built-in name: Dapr never uses it", k.kind, k.name)})
		}
	}

	// Definition-level checks, whatever app loads the resource.
	for _, r := range res {
		for _, bs := range r.CircuitBreakers {
			if bs.Trip == nil {
				continue
			}
			if f := l.facts(bs.Trip); f.partial {
				l.add(Finding{File: r.File, Line: bs.TripLine, Field: "spec.policies.circuitBreakers." + bs.Name + ".trip", ID: "trip-grid-budget",
					Msg: fmt.Sprintf("lint stopped evaluating this trip after %d CEL cost units (its budget) over %d count values: whether it can ever be true is not checked", TripGridBudget, len(tripGridValues(bs.Trip.Source)))})
			}
			if !l.facts(bs.Trip).possible {
				l.add(Finding{File: r.File, Line: bs.TripLine, Field: "spec.policies.circuitBreakers." + bs.Name + ".trip", ID: "trip-never-true",
					Msg: fmt.Sprintf("%q is false at every count Dapr can evaluate it with (after a failure while closed): this breaker never opens", bs.Trip.Source)})
			}
		}
		if o.Deadline > 0 {
			for _, t := range r.Timeouts {
				if t.Duration > 0 && t.Duration >= o.Deadline {
					l.add(Finding{File: r.File, Line: t.Line, Field: "spec.policies.timeouts." + t.Name, ID: "timeout-beyond-deadline",
						Msg: fmt.Sprintf("%s is not shorter than the caller's deadline (%s): the caller gives up before this timeout fires, so no retry follows it", t.Duration, o.Deadline)})
				}
			}
		}
	}
	inputErrs.Sort()
	return l.sorted(), inputErrs.Err()
}

// lintApps returns the app ids to check when none is given: each app named
// in any scopes, sorted, and "" (an app named in none) when a resource has
// no scopes or there is no resource.
func lintApps(res []*Resiliency) []string {
	set := map[string]bool{}
	unscoped := len(res) == 0
	for _, r := range res {
		if len(r.Scopes) == 0 {
			unscoped = true
		}
		for _, s := range r.Scopes {
			set[s] = true
		}
	}
	apps := sortedKeys(set)
	if unscoped {
		apps = append([]string{""}, apps...)
	}
	return apps
}

type linter struct {
	out       []Finding
	seen      map[string]bool
	tripFacts map[*Trip]tripFacts
}

func (l *linter) add(f Finding) {
	if c, ok := LintCheck(f.ID); ok {
		f.Level = c.Level
	}
	key := fmt.Sprintf("%s\x00%d\x00%s\x00%s\x00%s", f.File, f.Line, f.ID, f.Field, f.Msg)
	if l.seen[key] {
		return
	}
	l.seen[key] = true
	l.out = append(l.out, f)
}

func (l *linter) warning(w diag.Warning) {
	id := w.ID
	if id == "" {
		id = "unknown-key" // never expected: every warning of this package has an id
	}
	l.add(Finding{File: w.File, Line: w.Line, Col: w.Col, Field: w.Field, ID: id, Msg: w.Msg})
}

func (l *linter) sorted() []Finding {
	sort.SliceStable(l.out, func(i, j int) bool {
		a, b := l.out[i], l.out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if a.Field != b.Field {
			return a.Field < b.Field
		}
		return a.Msg < b.Msg
	})
	return l.out
}

// siteIndex records, for one app, where each policy and target that Build
// merged was written (the last definition wins, as in Build).
type siteIndex struct {
	defs    []policyDef
	defAt   map[string]policyDef // kind/name → last definition
	targets []targetSite
}

type policyDef struct {
	file, field, kind, name string
	line                    int
}

type targetSite struct {
	key, file, path, what string // what: "component statestore outbound", …
	line                  int
	refs                  Refs
	component             bool
}

func newSiteIndex(res []*Resiliency, app string) *siteIndex {
	idx := &siteIndex{defAt: map[string]policyDef{}}
	targets := map[string]targetSite{}
	addDef := func(d policyDef) {
		idx.defs = append(idx.defs, d)
		idx.defAt[d.kind+"/"+d.name] = d
	}
	for _, r := range res {
		if !inScope(r.Scopes, app) {
			continue
		}
		for _, t := range r.Timeouts {
			addDef(policyDef{r.File, "spec.policies.timeouts." + t.Name, "timeout", t.Name, t.Line})
		}
		for _, rs := range r.Retries {
			addDef(policyDef{r.File, "spec.policies.retries." + rs.Name, "retry", rs.Name, rs.Line})
		}
		for _, bs := range r.CircuitBreakers {
			addDef(policyDef{r.File, "spec.policies.circuitBreakers." + bs.Name, "circuit breaker", bs.Name, bs.Line})
		}
		for _, t := range r.Apps {
			targets["apps/"+t.Name] = targetSite{key: "apps/" + t.Name, file: r.File, path: "spec.targets.apps." + t.Name, what: "app " + t.Name, line: t.Line, refs: t.Refs}
		}
		for _, t := range r.Actors {
			refs := t.Refs
			targets["actors/"+t.Name] = targetSite{key: "actors/" + t.Name, file: r.File, path: "spec.targets.actors." + t.Name, what: "actor type " + t.Name, line: t.Line, refs: refs}
		}
		for _, t := range r.Components {
			path := "spec.targets.components." + t.Name
			targets["components/"+t.Name+"/inbound"] = targetSite{key: "components/" + t.Name + "/inbound", file: r.File, path: path + ".inbound", what: "component " + t.Name + " inbound", line: t.Line, refs: t.Inbound, component: true}
			targets["components/"+t.Name+"/outbound"] = targetSite{key: "components/" + t.Name + "/outbound", file: r.File, path: path + ".outbound", what: "component " + t.Name + " outbound", line: t.Line, refs: t.Outbound, component: true}
		}
	}
	for _, k := range sortedKeys(targets) {
		idx.targets = append(idx.targets, targets[k])
	}
	return idx
}

// usedNames returns kind/name of every policy a final target names.
func (idx *siteIndex) usedNames() map[string]bool {
	used := map[string]bool{}
	for _, t := range idx.targets {
		if t.refs.Timeout.Name != "" {
			used["timeout/"+t.refs.Timeout.Name] = true
		}
		if t.refs.Retry.Name != "" {
			used["retry/"+t.refs.Retry.Name] = true
		}
		if t.refs.CircuitBreaker.Name != "" {
			used["circuit breaker/"+t.refs.CircuitBreaker.Name] = true
		}
	}
	return used
}

// combo is one set of policies Dapr runs requests with, and where to report
// problems of the combination.
type combo struct {
	names PolicyNames
	// file and lines to report at: the target's references, or the
	// policies' definitions for default policies.
	file                   string
	retryLine, breakerLine int
	retryField, cbField    string
	where                  string
}

// hazards checks every target of s, and every combination of default
// policies an untargeted app, actor or component would use.
func (l *linter) hazards(s *Spec, idx *siteIndex, deadline time.Duration) {
	var combos []combo
	for _, t := range idx.targets {
		n := names(t.refs)
		if n == (PolicyNames{}) {
			continue
		}
		if t.component && n.CircuitBreaker != "" {
			if _, ok := s.CircuitBreakers[n.CircuitBreaker]; !ok {
				continue // missing-breaker-crash already says it all
			}
		}
		c := combo{names: n, file: t.file, where: t.what,
			retryLine: t.refs.Retry.Line, breakerLine: t.refs.CircuitBreaker.Line,
			retryField: t.path + ".retry", cbField: t.path + ".circuitBreaker"}
		if c.retryLine == 0 {
			c.retryLine, c.retryField = t.line, t.path
		}
		if c.breakerLine == 0 {
			c.breakerLine, c.cbField = t.line, t.path
		}
		combos = append(combos, c)
	}
	if s.Profile.DefaultPolicies {
		seen := map[PolicyNames]bool{}
		add := func(n PolicyNames) {
			if n == (PolicyNames{}) || seen[n] {
				return
			}
			seen[n] = true
			c := combo{names: n, where: "untargeted calls (default policies)"}
			// Report at the retry's definition, else the breaker's.
			for _, kn := range [][2]string{{"retry", n.Retry}, {"circuit breaker", n.CircuitBreaker}} {
				if d, ok := idx.defAt[kn[0]+"/"+kn[1]]; ok && kn[1] != "" {
					if c.file == "" {
						c.file = d.file
					}
					if kn[0] == "retry" {
						c.retryLine, c.retryField = d.line, d.field
					} else {
						c.breakerLine, c.cbField = d.line, d.field
					}
				}
			}
			if c.retryLine == 0 {
				c.retryLine, c.retryField = c.breakerLine, c.cbField
			}
			if c.breakerLine == 0 {
				c.breakerLine, c.cbField = c.retryLine, c.retryField
			}
			if c.file != "" {
				combos = append(combos, c)
			}
		}
		add(s.defaults("App"))
		add(s.defaults("Actor"))
		for _, dir := range []string{"Outbound", "Inbound"} {
			for _, t := range componentTypes {
				if word := s.Profile.ComponentType(t.prefix + ".x"); word != "" {
					add(s.defaults(word+"Component"+dir, "Component"+dir, "Component"))
				}
			}
		}
	}
	for _, c := range combos {
		l.combo(s, c)
	}
	l.clientChecks(s, idx)
	l.messagingChecks(s, idx)
}

// combo checks one combination of retry, breaker and timeout.
func (l *linter) combo(s *Spec, c combo) {
	var (
		pol   *retry.Policy
		cb    *CircuitBreaker
		st    breaker.Settings
		facts tripFacts
	)
	if p, ok := s.Retries[c.names.Retry]; ok && c.names.Retry != "" {
		pol = &p
	}
	if b, ok := s.CircuitBreakers[c.names.CircuitBreaker]; ok && c.names.CircuitBreaker != "" {
		cb = &b
		st = b.settings(c.names.CircuitBreaker)
		facts = l.facts(b.Trip)
	}
	retries := pol != nil && pol.MaxRetries != 0

	// retry-forever-without-breaker
	if pol != nil && pol.MaxRetries < 0 && (cb == nil || !facts.possible) {
		how := "forever"
		if pol.Kind == retry.Exponential && pol.MaxElapsedTime > 0 {
			how = fmt.Sprintf("for up to %s (the exponential backoff's maxElapsedTime)", pol.MaxElapsedTime)
		}
		why := "no circuit breaker"
		if cb != nil {
			why = fmt.Sprintf("circuit breaker %q can never trip", c.names.CircuitBreaker)
		}
		l.add(Finding{File: c.file, Line: c.retryLine, Field: c.retryField, ID: "retry-forever-without-breaker",
			Msg: fmt.Sprintf("retry %q has no retry limit and %s: while the dependency is down every call holds %s", c.names.Retry, why, how)})
	}
	// retry-forever-at-once
	if pol != nil && pol.MaxRetries < 0 && pol.Kind == retry.Constant && pol.Duration <= 0 && (cb == nil || !facts.possible) {
		why := "no circuit breaker"
		if cb != nil {
			why = fmt.Sprintf("circuit breaker %q can never trip", c.names.CircuitBreaker)
		}
		l.add(Finding{File: c.file, Line: c.retryLine, Field: c.retryField, ID: "retry-forever-at-once",
			Msg: fmt.Sprintf("retry %q retries without limit after %s and %s: while the dependency is down each call is a hot loop, failing as fast as the sidecar can try", c.names.Retry, pol.Duration, why)})
	}
	if !retries || cb == nil || !facts.possible {
		return
	}

	// retry-before-breaker-timeout / retry-at-breaker-timeout. Coming back
	// before the open period ends defeats a retry meant to ride out an
	// outage (maxRetries: -1): a hazard. With a bounded retry it may well be
	// the intent (fail fast once the breaker opens): a note.
	early := "retry-before-breaker-timeout"
	if pol.MaxRetries >= 0 {
		early = "fail-fast-after-trip"
	}
	open := st.Timeout
	switch pol.Kind {
	case retry.Constant:
		switch {
		case pol.Duration < open:
			l.add(Finding{File: c.file, Line: c.retryLine, Field: c.retryField, ID: early,
				Msg: fmt.Sprintf("retry %q waits %s, less than circuit breaker %q stays open (%s): once it opens, the next retry is refused and the call fails, even with maxRetries: -1", c.names.Retry, pol.Duration, c.names.CircuitBreaker, open)})
		case pol.Duration == open:
			l.add(Finding{File: c.file, Line: c.retryLine, Field: c.retryField, ID: "retry-at-breaker-timeout",
				Msg: fmt.Sprintf("retry %q waits %s, exactly as long as circuit breaker %q stays open: the retry becomes the half-open probe only because a real sidecar spends a little time between attempts", c.names.Retry, pol.Duration, c.names.CircuitBreaker)})
		}
	case retry.Exponential:
		_, largest := pol.DelayBounds(pol.MaxRetries)
		switch {
		case largest <= open:
			l.add(Finding{File: c.file, Line: c.retryLine, Field: c.retryField, ID: early,
				Msg: fmt.Sprintf("retry %q never waits more than %s, not longer than circuit breaker %q stays open (%s): once it opens, the next retry is refused and the call fails", c.names.Retry, largest, c.names.CircuitBreaker, open)})
		case facts.single > 0 && (pol.MaxRetries < 0 || pol.MaxRetries >= facts.single):
			if _, d := pol.DelayBounds(facts.single); d <= open {
				l.add(Finding{File: c.file, Line: c.retryLine, Field: c.retryField, ID: early,
					Msg: fmt.Sprintf("retry %q waits at most %s after the failure that trips circuit breaker %q (failure %d of one call), not longer than it stays open (%s): the next retry is refused and the call fails", c.names.Retry, d, c.names.CircuitBreaker, facts.single, open)})
			}
		}
	}

	// interval-before-trip: only a single call that can trip the breaker
	// alone gives a spacing to compare with.
	if st.Interval > 0 && facts.single > 0 && (pol.MaxRetries < 0 || pol.MaxRetries+1 >= facts.single) {
		need := timeForFailures(*pol, facts.single)
		if st.Interval <= need {
			l.add(Finding{File: c.file, Line: c.breakerLine, Field: c.cbField, ID: "interval-before-trip",
				Msg: fmt.Sprintf("circuit breaker %q clears its counts every %s, but with retry %q one call needs %s from its first failure to the %s the trip asks for: the counts are cleared first and it may never trip", c.names.CircuitBreaker, st.Interval, c.names.Retry, need, diag.Ordinal(facts.single)+" failure")})
		}
	}
}

// timeForFailures is the shortest time one call needs from its first
// failure to its k-th, with failures taking no time: k-1 delays, each at its
// smallest (for an exponential policy, jitter at its minimum).
func timeForFailures(p retry.Policy, k int64) time.Duration {
	var total time.Duration
	for i := int64(1); i < k; i++ {
		lo, _ := p.DelayBounds(i)
		total += lo
	}
	return total
}

// tripFacts is what the grid evaluation found about a trip expression.
type tripFacts struct {
	// possible: true at some count tuple Dapr can evaluate it with.
	possible bool
	// single is the failure (1-based) of one call, failing every attempt
	// from a fresh count window, at which the trip first becomes true; 0
	// when that never happens within the grid.
	single int64
	// partial: the grid was cut short at TripGridBudget; possible is then
	// true because nothing was proved.
	partial bool
}

// facts evaluates t (nil: gobreaker's default) over the grid, once per
// expression.
func (l *linter) facts(t *Trip) tripFacts {
	if t == nil {
		return tripFacts{possible: true, single: 6}
	}
	if f, ok := l.tripFacts[t]; ok {
		return f
	}
	f := evalTripGrid(t)
	l.tripFacts[t] = f
	return f
}

// gridCap bounds the counts the grid tries: a literal beyond it is clamped.
const gridCap = 100000

var intLiteral = regexp.MustCompile(`\d+`)

// tripGridValues are the counts the grid tries: 0 to 10, and each integer
// literal of the expression with its neighbours, clamped to gridCap.
func tripGridValues(src string) []int64 {
	set := map[int64]bool{}
	for v := int64(0); v <= 10; v++ {
		set[v] = true
	}
	for _, lit := range intLiteral.FindAllString(src, -1) {
		n, err := strconv.ParseInt(lit, 10, 64)
		if err != nil || n > gridCap {
			n = gridCap
		}
		for _, v := range []int64{n - 1, n, n + 1} {
			if v >= 0 && v <= gridCap+1 {
				set[v] = true
			}
		}
	}
	vals := make([]int64, 0, len(set))
	for v := range set {
		vals = append(vals, v)
	}
	sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
	return vals
}

// TripGridBudget bounds, in CEL cost units, what lint spends evaluating one
// trip expression over its grid: the grid grows with the fourth power of the
// literals an expression holds, and lint must end. Each evaluation is charged
// the expression's estimated worst case (at least 1), so the bound does not
// depend on the machine. A grid cut short proves nothing: the trip counts as
// possible, and no hazard is claimed from it.
const TripGridBudget = 4_000_000

// evalTripGrid evaluates t at every consistent count tuple of the grid: what
// gobreaker hands ReadyToTrip after a failure while closed.
func evalTripGrid(t *Trip) tripFacts {
	f, _ := evalTripGridBudget(t, TripGridBudget)
	return f
}

// evalTripGridBudget is evalTripGrid within budget cost units; it also
// reports what it spent.
func evalTripGridBudget(t *Trip, budget uint64) (tripFacts, uint64) {
	vals := tripGridValues(t.Source)
	var f tripFacts
	counts := func(req, tf, ts, cf int64) breaker.Counts {
		return breaker.Counts{Requests: uint32(req), TotalFailures: uint32(tf), TotalSuccesses: uint32(ts), ConsecutiveFailures: uint32(cf)}
	}
	each := max(t.Cost.Max, 1)
	var spent uint64
	eval := func(c breaker.Counts) (tripped, ok bool) {
		if spent+each > budget {
			return false, false
		}
		spent += each
		return t.Eval(c), true
	}
	// One call failing every attempt from a fresh window: all counts equal.
	for _, n := range vals {
		if n < 1 {
			continue
		}
		tripped, ok := eval(counts(n, n, 0, n))
		if !ok {
			f.possible, f.partial = true, true // out of budget: unknown
			return f, spent
		}
		if tripped {
			f.single, f.possible = n, true
			break
		}
	}
	if f.possible {
		return f, spent
	}
	for _, cf := range vals {
		if cf < 1 {
			continue
		}
		for _, tf := range vals {
			if tf < cf {
				continue
			}
			for _, ts := range vals {
				// More failures than the current run means a success ended
				// an earlier run.
				if tf > cf && ts < 1 {
					continue
				}
				reqs := append([]int64{tf + ts}, vals...)
				for _, req := range reqs {
					if req < tf+ts {
						continue
					}
					tripped, ok := eval(counts(req, tf, ts, cf))
					if tripped || !ok {
						f.possible, f.partial = true, !ok // true here, or out of budget: unknown
						return f, spent
					}
				}
			}
		}
	}
	return f, spent
}

// runHazards are the lint checks whose findings every command that runs a
// scenario reports as warnings: they say why the run itself will misbehave.
var runHazards = map[string]bool{"retry-forever-at-once": true}

// hazardWarnings returns the run hazards of spec s, built from files for its
// app, as warnings.
func hazardWarnings(files []*File, s *Spec) []diag.Warning {
	if s == nil || !s.Enabled {
		return nil
	}
	var res []*Resiliency
	for _, f := range files {
		res = append(res, f.Resiliencies...)
	}
	l := &linter{seen: map[string]bool{}, tripFacts: map[*Trip]tripFacts{}}
	l.hazards(s, newSiteIndex(res, s.AppID), 0)
	var out []diag.Warning
	for _, f := range l.sorted() {
		if runHazards[f.ID] {
			out = append(out, diag.Warning{File: f.File, Line: f.Line, Field: f.Field, Msg: f.Msg + " [" + f.ID + "]", ID: f.ID})
		}
	}
	return out
}
