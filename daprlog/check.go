package daprlog

import (
	"fmt"
	"slices"
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
	// at orders the lines Compare finds missing before one line: by the
	// instant the simulation puts them at.
	at time.Duration
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

// wordingKey is what Wordings looks at in an entry.
type wordingKey struct {
	kind   Kind
	dotted bool
	level  string
}

// wordingCache remembers Wordings for each (kind, dotted, level): a log has
// few of them.
type wordingCache map[wordingKey][]string

func (c wordingCache) of(e *Entry) []string {
	k := wordingKey{e.Kind, e.Dotted, e.Level}
	if e.Kind == Breaker {
		k.dotted, k.level = false, ""
	}
	ws, ok := c[k]
	if !ok {
		ws = Wordings(e)
		c[k] = ws
	}
	return ws
}

// Release picks the release to check with: the newest whose wording fits
// every line, and the first line that no remaining release fits (nil when
// all agree).
func Release(entries []Entry) (string, *Entry) {
	fit := map[string]bool{}
	for _, v := range Releases {
		fit[v] = true
	}
	cache := wordingCache{}
	for i := range entries {
		ok := map[string]bool{}
		for _, v := range cache.of(&entries[i]) {
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

// validEdge holds the state changes the breaker's table makes, as Dapr
// logs them ("closed", "open"); edgeList names them for messages.
var validEdge, edgeList = breakerEdges()

func breakerEdges() (map[[2]string]bool, string) {
	valid := map[[2]string]bool{}
	var list []string
	for _, e := range breaker.Edges() {
		valid[[2]string{e.From.String(), e.To.String()}] = true
		list = append(list, e.String())
	}
	return valid, strings.Join(list, ", ")
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
//
// It takes time linear in the number of entries (plus a sort when the
// notices' stamps are out of order): what depends only on the resources
// (an operation's policies, a breaker's owners and trip bound, a wording)
// is worked out once per name, and the notices are indexed by breaker, so
// a breaker's open looks only at the notices it needs.
func Check(entries []Entry, spec *policies.Spec, release string) []Problem {
	c := newChecker(spec)
	return c.check(entries, release)
}

// checker holds what Check works out once per name, and counts its steps
// (TestCheckIsLinear).
type checker struct {
	spec     *policies.Spec
	steps    int
	resolved map[string]resolution
	breakers map[string]*breakerFacts
	notices  map[string]*noticeIndex
	wordings wordingCache
	known    []string
}

type resolution struct {
	r  policies.Resolved
	ok bool
}

// breakerFacts is what the resources say about the breaker Dapr logs
// under one name.
type breakerFacts struct {
	owners   []policies.Resolved
	settings breaker.Settings // owners[0]'s, resolved
	need     int              // minFailures(settings)
	// bounded: every owner retries with a constant policy that logs a
	// notice at each call's first failure; period is the shortest
	// duration, maxRetries the largest (-1: unbounded).
	bounded    bool
	period     time.Duration
	maxRetries int64
}

// noticeIndex is the first instants (Lo - Slack) of the notices of calls
// through one breaker, ascending, and a cursor for opens that come in
// order.
type noticeIndex struct {
	first  []time.Duration
	cursor int           // first[:cursor] are all <= lastHi
	lastHi time.Duration // the hi the cursor was moved to
}

func newChecker(spec *policies.Spec) *checker {
	return &checker{
		spec:     spec,
		resolved: map[string]resolution{},
		breakers: map[string]*breakerFacts{},
		notices:  map[string]*noticeIndex{},
		wordings: wordingCache{},
	}
}

func (c *checker) resolve(op string) (policies.Resolved, bool) {
	res, seen := c.resolved[op]
	if !seen {
		res.r, res.ok = resolve(c.spec, op)
		c.resolved[op] = res
	}
	return res.r, res.ok
}

func (c *checker) breaker(name string) *breakerFacts {
	f := c.breakers[name]
	if f != nil {
		return f
	}
	f = &breakerFacts{owners: owner(c.spec, name), maxRetries: -1}
	if len(f.owners) > 0 {
		f.settings = f.owners[0].Breaker.Resolve()
		f.need = minFailures(f.settings)
		f.bounded = true
		for _, r := range f.owners {
			if r.Retry == nil || r.Retry.Kind != retry.Constant || r.Retry.MaxRetries == 0 || r.Retry.Duration <= 0 {
				f.bounded = false // some failures would leave no notice
				break
			}
			if f.period == 0 || r.Retry.Duration < f.period {
				f.period = r.Retry.Duration
			}
			if r.Retry.MaxRetries > f.maxRetries {
				f.maxRetries = r.Retry.MaxRetries
			}
		}
	}
	c.breakers[name] = f
	return f
}

// index files every notice under the breaker its operation goes through.
func (c *checker) index(entries []Entry) {
	for i := range entries {
		c.steps++
		n := &entries[i]
		if n.Kind != Notice {
			continue
		}
		r, ok := c.resolve(n.Operation)
		if !ok || r.Breaker == nil {
			continue
		}
		x := c.notices[r.Breaker.Name]
		if x == nil {
			x = &noticeIndex{}
			c.notices[r.Breaker.Name] = x
		}
		x.first = append(x.first, n.Lo()-Slack)
	}
	for _, x := range c.notices {
		c.steps += len(x.first)
		if !slices.IsSorted(x.first) {
			slices.Sort(x.first)
		}
	}
}

// upTo returns how many of x's notices came at or before hi: by moving the
// cursor when opens come in order (each notice passed once), else by
// binary search.
func (c *checker) upTo(x *noticeIndex, hi time.Duration) int {
	if hi < x.lastHi {
		c.steps++
		return sort.Search(len(x.first), func(i int) bool { c.steps++; return x.first[i] > hi })
	}
	for x.cursor < len(x.first) && x.first[x.cursor] <= hi {
		c.steps++
		x.cursor++
	}
	x.lastHi = hi
	return x.cursor
}

func (c *checker) check(entries []Entry, release string) []Problem {
	c.index(entries)
	var out []Problem
	add := func(e *Entry, format string, args ...any) {
		out = append(out, Problem{Entry: e, Msg: fmt.Sprintf(format, args...)})
	}
	pending := map[string]int{}
	tracks := map[string]*breakerTrack{}
	for i := range entries {
		c.steps++
		e := &entries[i]
		if e.Kind != Breaker {
			ws := c.wordings.of(e)
			if !slices.Contains(ws, release) {
				add(e, "Dapr %s does not word or level this line so (it fits %s)", release, listOr(ws))
			}
		}
		switch e.Kind {
		case Notice:
			r, ok := c.resolve(e.Operation)
			if !ok {
				break
			}
			pending[e.Operation]++
			if r.Retry == nil && r.BuiltInRetry == nil {
				add(e, "a retry notice for %s, but no retry policy applies to it%s", e.Operation, appScope(c.spec))
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
				lo, hi := p.DelayBounds(1)
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
			out = append(out, c.checkBreaker(e, tracks)...)
		}
	}
	return out
}

func (c *checker) knownBreakers() []string {
	if c.known == nil {
		c.known = knownBreakers(c.spec)
	}
	return c.known
}

func (c *checker) checkBreaker(e *Entry, tracks map[string]*breakerTrack) []Problem {
	var out []Problem
	add := func(format string, args ...any) {
		out = append(out, Problem{Entry: e, Msg: fmt.Sprintf(format, args...)})
	}
	f := c.breaker(e.Name)
	if len(f.owners) == 0 {
		known := c.knownBreakers()
		k := "none"
		if len(known) > 0 {
			k = strings.Join(known, ", ")
		}
		add("no target in the resources makes a breaker named %q%s (component breakers they make: %s)", e.Name, appScope(c.spec), k)
	}
	if !validEdge[[2]string{e.From, e.To}] {
		add("%s → %s is not a transition gobreaker makes (%s)", e.From, e.To, edgeList)
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
	if len(f.owners) > 0 {
		s := f.settings
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
			if p := c.tripTooEarly(e, f, t); p != "" {
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
//
// A notice at or before the open adds at least one failure when the
// generation began no later than the open, so once need notices are
// counted the open is possible: only the first need of the index are
// summed, which keeps Check linear.
func (c *checker) tripTooEarly(e *Entry, f *breakerFacts, t *breakerTrack) string {
	need := f.need
	if need <= 1 || !f.bounded {
		return ""
	}
	hi := e.Hi()
	var gen time.Duration
	hasGen := t.closedFrom != nil
	if hasGen {
		gen = t.closedFrom.Lo() - Slack
	}
	x := c.notices[e.Name]
	calls := 0
	if x != nil {
		calls = c.upTo(x, hi)
	}
	limit := func(k int) int {
		if f.maxRetries >= 0 && int64(k) > f.maxRetries+1 {
			return int(f.maxRetries + 1)
		}
		return k
	}
	most := 0
	if hasGen && gen > hi {
		// Stamps out of order: every notice counts from the generation,
		// alike (and possibly not at all).
		most = calls * limit(1+int((hi-gen)/f.period))
	} else {
		for i := 0; i < calls && most < need; i++ {
			c.steps++
			from := x.first[i]
			if hasGen && from < gen {
				from = gen
			}
			most += limit(1 + int((hi-from)/f.period))
		}
	}
	if most >= need {
		return ""
	}
	return fmt.Sprintf("opened at %s, but trip `%s` needs at least %d failures and at most %d can have reached the breaker by then (%d retried call(s) through it, each failing at most once per %s after its notice)",
		stamp(e), f.settings.TripText, need, most, calls, f.period)
}

// stamp writes a line's instant as the line itself stamps it.
func stamp(e *Entry) string {
	if e.Form == TTY || e.Time.IsZero() {
		return fmt.Sprintf("[%04d]", int64(e.At/time.Second))
	}
	return e.Time.Format(e.layout)
}

func describeAfter(open *Entry, timeout time.Duration) string {
	if open.Form == TTY || open.Time.IsZero() {
		return fmt.Sprintf("%s + %s", stamp(open), timeout)
	}
	return open.Time.Add(timeout).Format(open.layout)
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
