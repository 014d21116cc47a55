package expect

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/ynode"
	"gopkg.in/yaml.v3"
)

// Assertion is one item of an `expect:` list: its check, where it is written,
// and the name the item gives itself, if any.
type Assertion struct {
	File  string
	Line  int
	Name  string // the item's `name:`; "" when it has none
	Check Check
}

// Label is what a report calls the assertion: its name, else its check's
// description.
func (a *Assertion) Label() string {
	if a.Name != "" {
		return a.Name
	}
	return a.Check.Describe()
}

// The keys each kind of item takes. An item's kind is decided by the first
// of breaker+state, breaker+transition, log, count or maxDelay it has.
var (
	stateKeys      = []string{"name", "breaker", "state", "at", "from", "to"}
	transitionKeys = []string{"name", "breaker", "transition", "within", "times", "never"}
	logKeys        = []string{"name", "log", "within", "times", "never"}
	countKeys      = []string{"name", "count", "target", "app", "op", "result", "within", "equals", "atLeast", "atMost"}
	delayKeys      = []string{"name", "maxDelay", "target", "app", "within"}
	// opNames are the op of op and call events (sim.OpKind's words):
	// deliver and trigger name a delivery's attempts and its deliver
	// event, of a subscription or an input binding.
	opNames = []string{"save", "get", "delete", "invoke", "actor", "publish", "binding", "deliver", "trigger"}
)

// Parse reads an `expect:` block: n is the node sim.Scenario.Expect keeps
// (nil or null: no assertions), file the scenario file it is in. Every
// problem is reported, together, as a diag.List of "file:line: field:
// message" errors.
func Parse(file string, n *yaml.Node) ([]Assertion, error) {
	n = ynode.Resolve(n)
	if ynode.IsNull(n) {
		return nil, nil
	}
	p := &parser{file: file}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "expect", "want a list of assertions, got %s", ynode.Describe(n))
		return nil, p.errs.Err()
	}
	var out []Assertion
	for i, item := range n.Content {
		if a, ok := p.item(fmt.Sprintf("expect[%d]", i), ynode.Resolve(item)); ok {
			out = append(out, a)
		}
	}
	if err := p.errs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

type parser struct {
	file string
	errs diag.List
}

func (p *parser) errorf(n *yaml.Node, field, format string, args ...any) {
	p.errs = append(p.errs, ynode.Errorf(p.file, n, field, format, args...))
}

func (p *parser) fail(err error) {
	p.errs = append(p.errs, diag.In(p.file, err))
}

// item parses one assertion; ok is false when it has errors (reported).
func (p *parser) item(path string, n *yaml.Node) (Assertion, bool) {
	a := Assertion{File: p.file, Line: n.Line}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "want an assertion such as {breaker: NAME, state: open, at: 27s}, got %s", ynode.Describe(n))
		return a, false
	}
	pairs, err := ynode.Pairs(p.file, path, n)
	if err != nil {
		p.fail(err)
		return a, false
	}
	f := map[string]*yaml.Node{}
	keys := map[string]*yaml.Node{}
	for _, kv := range pairs {
		if _, dup := f[kv.Key]; dup {
			p.errorf(kv.KeyN, path+"."+kv.Key, "given twice")
			return a, false
		}
		f[kv.Key], keys[kv.Key] = kv.Value, kv.KeyN
	}
	var allowed []string
	switch {
	case f["breaker"] != nil && f["state"] != nil && f["transition"] != nil:
		p.errorf(keys["transition"], path+".transition", "give state or transition, not both: one assertion per item")
		return a, false
	case f["breaker"] != nil && f["state"] != nil:
		allowed = stateKeys
	case f["breaker"] != nil && f["transition"] != nil:
		allowed = transitionKeys
	case f["log"] != nil:
		allowed = logKeys
	case f["count"] != nil:
		allowed = countKeys
	case f["maxDelay"] != nil:
		allowed = delayKeys
	case f["breaker"] != nil:
		p.errorf(keys["breaker"], path, "a breaker assertion needs state (with at, or from and to) or transition (such as closed->open)")
		return a, false
	default:
		p.errorf(n, path, "want an assertion starting with breaker, log, count or maxDelay, got keys %s", keyList(pairs))
		return a, false
	}
	before := len(p.errs)
	for _, kv := range pairs {
		if !slices.Contains(allowed, kv.Key) {
			p.unknown(kv, path, allowed)
		}
	}
	if nn := f["name"]; nn != nil {
		a.Name = p.str(path+".name", nn)
	}
	switch {
	case f["breaker"] != nil && f["state"] != nil:
		a.Check = p.state(path, n, f)
	case f["breaker"] != nil && f["transition"] != nil:
		a.Check = p.transition(path, f)
	case f["log"] != nil:
		a.Check = p.log(path, f)
	case f["maxDelay"] != nil:
		a.Check = p.delay(path, f)
	default:
		a.Check = p.count(path, n, f)
	}
	return a, len(p.errs) == before && a.Check != nil
}

func keyList(pairs []ynode.Pair) string {
	if len(pairs) == 0 {
		return "none"
	}
	ks := make([]string, len(pairs))
	for i, kv := range pairs {
		ks[i] = kv.Key
	}
	return strings.Join(ks, ", ")
}

// hints explain keys that belong to another kind of assertion.
var hints = map[string]string{
	"within": "a state throughout a window is written from: and to:",
	"at":     "only a breaker state is checked at an instant; write within: [from, to]",
	"from":   "write the window as within: [from, to]",
	"to":     "write the window as within: [from, to]",
}

func (p *parser) unknown(kv ynode.Pair, path string, allowed []string) {
	field := path + "." + kv.Key
	msg := "unknown field"
	if h, ok := hints[kv.Key]; ok {
		msg += ": " + h
	} else if h := diag.Suggest(kv.Key, allowed); h != "" {
		msg += h
	} else {
		known := append([]string(nil), allowed...)
		sort.Strings(known)
		msg += " here (known: " + strings.Join(known, ", ") + ")"
	}
	p.errorf(kv.KeyN, field, "%s", msg)
}

func (p *parser) str(field string, n *yaml.Node) string {
	v, err := ynode.Scalar(p.file, field, n)
	if err != nil {
		p.fail(err)
		return ""
	}
	if v == "" {
		p.errorf(n, field, "want a value, got an empty string")
	}
	return v
}

func (p *parser) duration(field string, n *yaml.Node) (time.Duration, bool) {
	v, err := ynode.Duration(p.file, field, n)
	if err != nil {
		p.fail(err)
		return 0, false
	}
	if v < 0 {
		p.errorf(n, field, "want a time of 0s or more since the run started, got %q", n.Value)
		return 0, false
	}
	return v, true
}

func (p *parser) count0(field string, n *yaml.Node) (int, bool) {
	v, err := ynode.Int(p.file, field, n)
	if err != nil {
		p.fail(err)
		return 0, false
	}
	if v < 0 || v > 1<<31 {
		p.errorf(n, field, "want a count of 0 or more, got %d", v)
		return 0, false
	}
	return int(v), true
}

func (p *parser) boolean(field string, n *yaml.Node) (bool, bool) {
	v, err := ynode.Scalar(p.file, field, n)
	if err != nil {
		p.fail(err)
		return false, false
	}
	b, perr := strconv.ParseBool(v)
	if perr != nil || n.Tag != "!!bool" {
		p.errorf(n, field, "want true or false, got %q", v)
		return false, false
	}
	return b, true
}

// window reads `within: [from, to]`.
func (p *parser) window(field string, n *yaml.Node) *Window {
	if n.Kind != yaml.SequenceNode || len(n.Content) != 2 {
		p.errorf(n, field, "want [from, to], two times such as [25s, 27s], got %s", ynode.Describe(n))
		return nil
	}
	from, ok1 := p.duration(field+"[0]", n.Content[0])
	to, ok2 := p.duration(field+"[1]", n.Content[1])
	if !ok1 || !ok2 {
		return nil
	}
	if from > to {
		p.errorf(n, field, "from (%s) is after to (%s)", n.Content[0].Value, n.Content[1].Value)
		return nil
	}
	return &Window{From: from, To: to}
}

func (p *parser) breakerState(field string, n *yaml.Node) string {
	v := p.str(field, n)
	if v != "" && !slices.Contains(breakerStates, v) {
		p.errorf(n, field, "want a breaker state, one of %s, got %q", strings.Join(breakerStates, ", "), v)
		return ""
	}
	return v
}

func (p *parser) state(path string, item *yaml.Node, f map[string]*yaml.Node) Check {
	c := &BreakerState{Breaker: p.str(path+".breaker", f["breaker"]), State: p.breakerState(path+".state", f["state"])}
	at, from, to := f["at"], f["from"], f["to"]
	switch {
	case at != nil && (from != nil || to != nil):
		p.errorf(at, path+".at", "give at (an instant) or from and to (a window), not both")
	case at != nil:
		c.At, _ = p.duration(path+".at", at)
	case from != nil && to != nil:
		fv, ok1 := p.duration(path+".from", from)
		tv, ok2 := p.duration(path+".to", to)
		if ok1 && ok2 && fv > tv {
			p.errorf(to, path+".to", "to (%s) is before from (%s)", to.Value, from.Value)
		}
		c.Throughout = &Window{From: fv, To: tv}
	case from != nil:
		p.errorf(from, path, "from needs to: the state holds from one time to another")
	case to != nil:
		p.errorf(to, path, "to needs from: the state holds from one time to another")
	case f["within"] != nil:
		// Reported as an unknown field, with the way to write it.
	default:
		p.errorf(item, path, "say when: at: 27s, or from: 40s and to: 60s")
	}
	return c
}

// bound reads times and never, the count of a transition or a log line.
func (p *parser) bound(path string, f map[string]*yaml.Node) Bound {
	b := AtLeastOnce
	never := false
	if n := f["never"]; n != nil {
		never, _ = p.boolean(path+".never", n)
		if never {
			b = Never
		}
	}
	if n := f["times"]; n != nil {
		if never {
			p.errorf(n, path+".times", "give times or never: true, not both")
			return b
		}
		if v, ok := p.count0(path+".times", n); ok {
			b = Exactly(v)
		}
	}
	return b
}

func (p *parser) transition(path string, f map[string]*yaml.Node) Check {
	c := &Transition{Breaker: p.str(path+".breaker", f["breaker"])}
	field, n := path+".transition", f["transition"]
	v := p.str(field, n)
	from, to, ok := strings.Cut(v, "->")
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	switch {
	case v == "":
	case !ok:
		p.errorf(n, field, "want FROM->TO such as closed->open, got %q", v)
	case !slices.Contains(breakerStates, from) || !slices.Contains(breakerStates, to):
		p.errorf(n, field, "want FROM->TO with states %s, got %q", strings.Join(breakerStates, ", "), v)
	case from == to:
		p.errorf(n, field, "a transition changes the state, got %q", v)
	}
	c.From, c.To = from, to
	if w := f["within"]; w != nil {
		c.Window = p.window(path+".within", w)
	}
	c.Times = p.bound(path, f)
	return c
}

func (p *parser) log(path string, f map[string]*yaml.Node) Check {
	field, n := path+".log", f["log"]
	c := &Log{}
	v := p.str(field, n)
	if len(v) >= 2 && strings.HasPrefix(v, "/") && strings.HasSuffix(v, "/") {
		re, err := regexp.Compile(v[1 : len(v)-1])
		if err != nil {
			p.errorf(n, field, "bad regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		c.Regexp = re
	} else {
		c.Text = v
	}
	if w := f["within"]; w != nil {
		c.Window = p.window(path+".within", w)
	}
	c.Times = p.bound(path, f)
	return c
}

func (p *parser) count(path string, item *yaml.Node, f map[string]*yaml.Node) Check {
	c := &Count{}
	field, n := path+".count", f["count"]
	if v := p.str(field, n); v != "" {
		what, ok := ParseCounter(v)
		if !ok {
			p.errorf(n, field, "unknown count %q%s: want one of %s", v, diag.Suggest(v, Counters()), strings.Join(Counters(), ", "))
		}
		c.What = what
	}
	if n := f["target"]; n != nil {
		c.Target = p.str(path+".target", n)
	}
	if n := f["app"]; n != nil {
		c.App = p.str(path+".app", n)
	}
	if n := f["op"]; n != nil {
		c.Op = p.str(path+".op", n)
		if c.Op != "" && !slices.Contains(opNames, c.Op) {
			p.errorf(n, path+".op", "want one of %s, got %q", strings.Join(opNames, ", "), c.Op)
		}
	}
	if n := f["result"]; n != nil {
		c.Result = p.str(path+".result", n)
		if c.Result != "" && !slices.Contains(deliverResults, c.Result) {
			p.errorf(n, path+".result", "want a deliver event's result, one of %s, got %q", strings.Join(deliverResults, ", "), c.Result)
		}
	}
	if w := f["within"]; w != nil {
		c.Window = p.window(path+".within", w)
	}
	eq, lo, hi := f["equals"], f["atLeast"], f["atMost"]
	c.Bound = Bound{Min: 0, Max: -1}
	switch {
	case eq != nil && (lo != nil || hi != nil):
		p.errorf(eq, path+".equals", "give equals, or atLeast and/or atMost, not both")
	case eq != nil:
		v, _ := p.count0(path+".equals", eq)
		c.Bound = Exactly(v)
	case lo == nil && hi == nil:
		p.errorf(item, path, "say how many: equals, atLeast or atMost")
	default:
		if lo != nil {
			c.Bound.Min, _ = p.count0(path+".atLeast", lo)
		}
		if hi != nil {
			if v, ok := p.count0(path+".atMost", hi); ok {
				c.Bound.Max = v
				if c.Bound.Min > v {
					p.errorf(hi, path+".atMost", "atMost (%d) is below atLeast (%d)", v, c.Bound.Min)
				}
			}
		}
	}
	return c
}

func (p *parser) delay(path string, f map[string]*yaml.Node) Check {
	c := &Delay{}
	c.Max, _ = p.duration(path+".maxDelay", f["maxDelay"])
	if n := f["target"]; n != nil {
		c.Target = p.str(path+".target", n)
	}
	if n := f["app"]; n != nil {
		c.App = p.str(path+".app", n)
	}
	if w := f["within"]; w != nil {
		c.Window = p.window(path+".within", w)
	}
	return c
}
