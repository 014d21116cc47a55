package policies

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/ynode"
	"github.com/dapr-sim/sim/policies/retry"
	"gopkg.in/yaml.v3"
)

// APIVersion is the only apiVersion of the Dapr resources modelled here.
const APIVersion = "dapr.io/v1alpha1"

// File is what ParseFile found in one file, in file order.
type File struct {
	Name           string
	Resiliencies   []*Resiliency
	Components     []Component
	Configurations []Configuration
	Subscriptions  []Subscription
}

// Resiliency is one Resiliency resource as written: policies and targets in
// file order, durations parsed, nothing defaulted yet (Load does that, per
// profile).
type Resiliency struct {
	File       string
	Line       int // of the document's first key
	Name       string
	APIVersion string
	Scopes     []string // nil or empty: every app
	ScopesLine int

	Timeouts        []Timeout
	Retries         []RetrySpec
	CircuitBreakers []BreakerSpec

	Apps       []AppTarget
	Actors     []ActorTarget
	Components []ComponentTarget

	edited []int // indexes of the edits laid over this resource (LoadEdited)
}

// Timeout is one entry of spec.policies.timeouts.
type Timeout struct {
	Name     string
	Line     int
	Duration time.Duration
}

// RetrySpec is one entry of spec.policies.retries; a nil field was absent
// (Dapr's omitempty drops empty strings and nulls, so those count as absent).
type RetrySpec struct {
	Name        string
	Line        int
	Policy      *retry.Kind
	Duration    *time.Duration
	MaxInterval *time.Duration
	MaxRetries  *int64
	// MaxRetriesLine is the line of maxRetries, for profile warnings.
	MaxRetriesLine int
	// MatchingLine is the line of matching (a 1.15+ key), 0 when absent,
	// negative when an edit added it (editLine).
	MatchingLine int
	// Matching holds the parsed status code lists (nil lists: every code).
	Matching *retry.Matching
}

// BreakerSpec is one entry of spec.policies.circuitBreakers; zero values are
// what Dapr hands to gobreaker, which turns them into its defaults.
type BreakerSpec struct {
	Name        string
	Line        int
	MaxRequests uint32
	Interval    time.Duration
	Timeout     time.Duration
	Trip        *Trip // nil: gobreaker's default (consecutiveFailures > 5)
	TripLine    int   // of trip, 0 when absent
}

// Ref is a policy name used by a target, with its line.
type Ref struct {
	Name string
	Line int
}

// Refs are the policy names a target lists; an empty Name is absent.
type Refs struct {
	Timeout, Retry, CircuitBreaker Ref
}

// AppTarget is spec.targets.apps.<appID>.
type AppTarget struct {
	Name string
	Line int
	Refs
	CircuitBreakerCacheSize int64
}

// ActorTarget is spec.targets.actors.<actorType>.
type ActorTarget struct {
	Name string
	Line int
	Refs
	CircuitBreakerScope     string
	CircuitBreakerCacheSize int64
}

// ComponentTarget is spec.targets.components.<componentName>.
type ComponentTarget struct {
	Name              string
	Line              int
	Inbound, Outbound Refs
}

// Component is the part of a Component resource sim needs.
type Component struct {
	File       string
	Line       int
	Name       string
	Type       string // spec.type, e.g. state.redis
	APIVersion string
	// IgnoreErrors is spec.ignoreErrors: daprd goes on without the
	// component when its Init fails, instead of exiting.
	IgnoreErrors bool
	// Metadata is spec.metadata in file order; Load reads the keys of the
	// components whose client sim models (package client).
	Metadata []MetadataItem
}

// MetadataItem is one entry of a Component's spec.metadata.
type MetadataItem struct {
	Name string
	// Value is the text daprd hands the component: a string as written, a
	// number or bool as JSON writes it, "" when absent or null.
	Value string
	Line  int    // of the value (of the entry when it has none)
	Field string // spec.metadata[3].value, or .secretKeyRef / .envRef
	// Unresolved: the value comes from a secret store or the environment
	// (secretKeyRef, envRef), which sim does not read.
	Unresolved bool
	// NotScalar describes a mapping or list given as the value ("" for a
	// scalar): daprd hands the component its JSON text.
	NotScalar string
}

// Configuration is the part of a Configuration resource sim needs.
type Configuration struct {
	File     string
	Line     int
	Name     string
	Features []Feature
}

// Feature is one entry of a Configuration's spec.features.
type Feature struct {
	Name    string
	Enabled bool
	Line    int
}

// ParseFile reads the Dapr resources in one file. data is the file's content
// and file its name as the user gave it (used in messages only).
//
// Multi-document files: Dapr's components loader splits a file on "---" and
// reads every document, but its Resiliency loader (LoadLocalResiliency, and
// LoadStandaloneResiliency in 1.8) unmarshals the whole file with
// sigs.k8s.io/yaml, which reads only the first document. So Components and
// Configurations are taken from every document, a Resiliency only from the
// first; a Resiliency in a later document is reported and ignored.
//
// Subscriptions are read from every document too, as Dapr's subscription
// loader does. Documents of other kinds (HTTPEndpoint, fragments without a
// kind, …) are skipped silently, as Dapr's Resiliency loader does.
//
// ParseFile does not depend on the profile or the app id; Load applies those.
// Errors are a diag.List (or a *diag.Error for malformed YAML).
func ParseFile(file string, data []byte) (*File, []diag.Warning, error) {
	return parseFile(file, data, nil)
}

// parseFile is ParseFile with edits laid over the Resiliency it reads.
func parseFile(file string, data []byte, edits []Edit) (*File, []diag.Warning, error) {
	docs, tagWarns, err := ynode.Resources(file, data)
	if err != nil {
		return nil, nil, err
	}
	return walkFile(file, docs, tagWarns, edits)
}

// walkFile reads the documents of a resource file as parsed (with the
// warnings their tags drew), edits laid over the Resiliency. It leaves
// docs as they are (an edit goes on copies), so documents parsed once may
// serve many walks at once (Sources).
func walkFile(file string, docs []*yaml.Node, tagWarns []diag.Warning, edits []Edit) (*File, []diag.Warning, error) {
	w := &walker{file: file, warns: slices.Clone(tagWarns)}
	out := &File{Name: file}
	for i, doc := range docs {
		if doc.Kind != yaml.MappingNode {
			if !ynode.IsNull(doc) {
				w.warn("not-a-mapping", doc, "", "not a mapping (%s): Dapr cannot read its kind and skips it", ynode.Describe(doc))
			}
			continue
		}
		kind := scalarText(lookupFold(doc, "kind"))
		if kind != "Resiliency" && looksLikeResiliency(doc) {
			what := "no kind"
			if kind != "" {
				what = fmt.Sprintf("kind %q", kind)
			}
			w.warn("not-a-resiliency", doc, "", "resiliency policies in a document with %s: Dapr loads policies only from kind: Resiliency (with apiVersion, metadata and spec), so it skips these", what)
		}
		switch kind {
		case "Resiliency":
			if i > 0 {
				w.warn("second-document", doc, "", "a Resiliency in document %d of a file: Dapr reads only the first document of a file for Resiliency resources, so this one is ignored", i+1)
				continue
			}
			var edited []int
			if len(edits) > 0 {
				doc, edited = applyEdits(doc, edits)
			}
			r := w.resiliency(doc)
			r.edited = edited
			out.Resiliencies = append(out.Resiliencies, r)
		case "Component":
			out.Components = append(out.Components, w.component(doc))
		case "Configuration":
			out.Configurations = append(out.Configurations, w.configuration(doc))
		case "Subscription":
			if s, ok := w.subscription(doc); ok {
				out.Subscriptions = append(out.Subscriptions, s)
			}
		}
	}
	return out, w.warns, w.errs.Err()
}

// looksLikeResiliency reports whether doc holds Resiliency policies or
// targets anywhere in its first levels: under spec, under a misspelt or
// invented key (specs, spec.resiliency) or at the top level, as in a copied
// fragment. A policies section is a mapping with retries, timeouts or
// circuitBreakers; a targets section one with apps, actors or components.
func looksLikeResiliency(doc *yaml.Node) bool {
	var walk func(n *yaml.Node, depth int) bool
	walk = func(n *yaml.Node, depth int) bool {
		n = ynode.Resolve(n)
		if n == nil || n.Kind != yaml.MappingNode || depth > 3 {
			return false
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			v := ynode.Resolve(n.Content[i+1])
			isMap := v != nil && v.Kind == yaml.MappingNode
			switch strings.ToLower(n.Content[i].Value) {
			case "retries", "timeouts", "circuitbreakers":
				if isMap {
					return true
				}
			case "targets":
				if lookupFold(v, "apps") != nil || lookupFold(v, "actors") != nil || lookupFold(v, "components") != nil {
					return true
				}
			}
			if walk(v, depth+1) {
				return true
			}
		}
		return false
	}
	return walk(doc, 0)
}

// walker collects errors and warnings for one file.
type walker struct {
	file  string
	errs  diag.List
	warns []diag.Warning
}

// warn records a warning of kind id (see LintChecks) at n.
func (w *walker) warn(id string, n *yaml.Node, field, format string, args ...any) {
	w.warns = append(w.warns, ynode.Warnf(w.file, n, field, format, args...).WithID(id))
}

func (w *walker) fail(err error) {
	if err != nil {
		w.errs = append(w.errs, diag.In(w.file, err))
	}
}

func (w *walker) failf(n *yaml.Node, field, format string, args ...any) {
	w.errs = append(w.errs, ynode.Errorf(w.file, n, field, format, args...))
}

// notSettable are dapr/kit retry settings that Dapr's YAML schema lacks; a
// user writing them probably expects them to work.
var notSettable = map[string]string{
	"initialInterval":     "500ms",
	"randomizationFactor": "0.5",
	"multiplier":          "1.5",
	"maxElapsedTime":      "15m",
}

// synonyms are words users write for a key Dapr spells differently.
var synonyms = map[string]string{"input": "inbound", "output": "outbound"}

// belongs says where a misplaced key of the schema goes.
var belongs = map[string]string{
	"scopes":          "at the top level, next to spec",
	"policies":        "under spec",
	"targets":         "under spec",
	"timeouts":        "under spec.policies",
	"retries":         "under spec.policies",
	"circuitBreakers": "under spec.policies",
	"timeout":         "under the target's inbound or outbound for a component",
	"retry":           "under the target's inbound or outbound for a component",
	"circuitBreaker":  "under the target's inbound or outbound for a component",
}

// fields returns the values of n's known keys the way encoding/json (behind
// sigs.k8s.io/yaml) matches them: exact or case-insensitive, the last
// occurrence winning. A key matched only case-insensitively and an unknown key
// (which Dapr ignores) each produce a warning. n must be a mapping or null.
func (w *walker) fields(path string, n *yaml.Node, known ...string) map[string]*yaml.Node {
	pairs, err := ynode.Pairs(w.file, path, n)
	if err != nil {
		w.fail(err)
		return nil
	}
	out := make(map[string]*yaml.Node, len(pairs))
	seen := map[string]bool{}
	for _, p := range pairs {
		field := ynode.Join(path, p.Key)
		name := ""
		for _, k := range known {
			if k == p.Key {
				name = k
				break
			}
		}
		if name == "" {
			for _, k := range known {
				if strings.EqualFold(k, p.Key) {
					name = k
					w.warn("key-case", p.KeyN, field, "Dapr matches keys case-insensitively and reads this as %q; write %q", k, k)
					break
				}
			}
		}
		if name == "" {
			w.unknownKey(p.KeyN, field, p.Key, known)
			continue
		}
		if seen[name] {
			w.warn("duplicate-key", p.KeyN, field, "%q is given twice: Dapr uses the last one", name)
		}
		seen[name] = true
		out[name] = p.Value
	}
	return out
}

func (w *walker) unknownKey(n *yaml.Node, field, key string, known []string) {
	if def, ok := notSettable[key]; ok && slices.Contains(known, "maxInterval") {
		w.warn("not-settable", n, field, "Dapr's Resiliency schema has no %q: Dapr ignores it and uses %s (a scenario's overrides can change it)", key, def)
		return
	}
	msg := "Dapr does not know this key and ignores it"
	if h := diag.Suggest(key, known); h != "" {
		msg += h
	} else if s, ok := synonyms[key]; ok && slices.Contains(known, s) {
		msg += diag.DidYouMean(s)
	} else if where, ok := belongs[key]; ok && (slices.Contains(known, "outbound") || !strings.Contains(where, "component")) {
		msg += " (" + key + " belongs " + where + ")"
	}
	w.warn("unknown-key", n, field, "%s", msg)
}

// entries returns a user-keyed mapping (policy or target names) in file
// order, warning about duplicate names (the last one wins, as in Dapr).
func (w *walker) entries(path string, n *yaml.Node) []ynode.Pair {
	pairs, err := ynode.Pairs(w.file, path, n)
	if err != nil {
		w.fail(err)
		return nil
	}
	seen := map[string]bool{}
	for _, p := range pairs {
		if seen[p.Key] {
			w.warn("duplicate-name", p.KeyN, ynode.Join(path, p.Key), "defined twice in this mapping: Dapr uses the last one")
		}
		seen[p.Key] = true
	}
	return pairs
}

// str reads a string field; ok is false when absent, null or empty.
func (w *walker) str(field string, n *yaml.Node) (string, bool) {
	if n == nil {
		return "", false
	}
	s, ok, err := stringValue(w.file, field, n)
	if err != nil {
		w.fail(err)
		return "", false
	}
	return s, ok && s != ""
}

// dur reads a duration field.
func (w *walker) dur(field string, n *yaml.Node) (time.Duration, bool) {
	if n == nil {
		return 0, false
	}
	d, ok, err := durationField(w.file, field, n)
	if err != nil {
		w.fail(err)
		return 0, false
	}
	return d, ok
}

// integer reads an integer field the way encoding/json fills an int: a YAML
// integer, or a float with no fraction; a quoted string is a type error that
// makes Dapr skip the whole file.
func (w *walker) integer(field string, n *yaml.Node) (int64, bool) {
	if n == nil || ynode.IsNull(n) {
		return 0, false
	}
	s, err := ynode.Scalar(w.file, field, n)
	if err != nil {
		w.fail(err)
		return 0, false
	}
	switch ynode.Resolve(n).Tag {
	case "!!int":
		v, perr := ynode.ParseInt(s)
		if perr == nil {
			return v, true
		}
		w.fail(ynode.Errorf(w.file, n, field, "%s", perr.Error()))
		return 0, false
	case "!!float":
		if f, perr := ynode.ParseFloat(s); perr == nil && f == math.Trunc(f) && math.Abs(f) < 1<<62 {
			return int64(f), true
		}
	}
	w.failf(n, field, "want a whole number, got %s", ynode.Describe(n))
	return 0, false
}

func (w *walker) resiliency(doc *yaml.Node) *Resiliency {
	r := &Resiliency{File: w.file, Line: doc.Line}
	top := w.fields("", doc, "apiVersion", "kind", "metadata", "spec", "scopes")
	if v, ok := w.str("apiVersion", top["apiVersion"]); ok {
		r.APIVersion = v
	}
	if r.APIVersion != APIVersion {
		at := top["apiVersion"]
		if at == nil {
			at = top["kind"]
		}
		w.warn("api-version", at, "apiVersion", "want %q, got %q: Dapr checks only the kind, so it loads this resource anyway", APIVersion, r.APIVersion)
	}
	if md := top["metadata"]; md != nil {
		pairs, err := ynode.Pairs(w.file, "metadata", md)
		w.fail(err)
		for _, p := range pairs {
			// Other ObjectMeta keys (namespace, labels, …) are valid and unused.
			if strings.EqualFold(p.Key, "name") {
				r.Name, _ = w.str("metadata.name", p.Value)
			}
		}
	}
	if sc := top["scopes"]; sc != nil && !ynode.IsNull(sc) {
		r.ScopesLine = sc.Line
		if k := keyFold(doc, "scopes"); k != nil {
			r.ScopesLine = k.Line
		}
		if sc.Kind != yaml.SequenceNode {
			w.failf(sc, "scopes", "want a list of app ids, got %s", ynode.Describe(sc))
		} else {
			r.Scopes = []string{}
			for i, item := range sc.Content {
				if s, ok := w.str(fmt.Sprintf("scopes[%d]", i), item); ok {
					r.Scopes = append(r.Scopes, s)
				}
			}
		}
	}
	spec := w.fields("spec", top["spec"], "policies", "targets")
	pol := w.fields("spec.policies", spec["policies"], "timeouts", "retries", "circuitBreakers")
	for _, p := range w.entries("spec.policies.timeouts", pol["timeouts"]) {
		field := ynode.Join("spec.policies.timeouts", p.Key)
		if d, ok := w.dur(field, p.Value); ok {
			r.Timeouts = append(r.Timeouts, Timeout{Name: p.Key, Line: p.KeyN.Line, Duration: d})
		}
	}
	for _, p := range w.entries("spec.policies.retries", pol["retries"]) {
		r.Retries = append(r.Retries, w.retry(ynode.Join("spec.policies.retries", p.Key), p))
	}
	for _, p := range w.entries("spec.policies.circuitBreakers", pol["circuitBreakers"]) {
		r.CircuitBreakers = append(r.CircuitBreakers, w.breaker(ynode.Join("spec.policies.circuitBreakers", p.Key), p))
	}
	tg := w.fields("spec.targets", spec["targets"], "apps", "actors", "components")
	for _, p := range w.entries("spec.targets.apps", tg["apps"]) {
		path := ynode.Join("spec.targets.apps", p.Key)
		f := w.fields(path, p.Value, "timeout", "retry", "circuitBreaker", "circuitBreakerCacheSize")
		t := AppTarget{Name: p.Key, Line: p.KeyN.Line, Refs: w.refs(path, f)}
		t.CircuitBreakerCacheSize = w.cacheSize(path, f)
		r.Apps = append(r.Apps, t)
	}
	for _, p := range w.entries("spec.targets.actors", tg["actors"]) {
		path := ynode.Join("spec.targets.actors", p.Key)
		f := w.fields(path, p.Value, "timeout", "retry", "circuitBreaker", "circuitBreakerScope", "circuitBreakerCacheSize")
		t := ActorTarget{Name: p.Key, Line: p.KeyN.Line, Refs: w.refs(path, f)}
		t.CircuitBreakerCacheSize = w.cacheSize(path, f)
		scopeField := path + ".circuitBreakerScope"
		t.CircuitBreakerScope, _ = w.str(scopeField, f["circuitBreakerScope"])
		switch {
		case t.CircuitBreaker.Name == "" && t.CircuitBreakerScope != "":
			w.warn("scope-without-breaker", f["circuitBreakerScope"], scopeField, "ignored: the target names no circuitBreaker")
		case t.CircuitBreaker.Name == "":
		case t.CircuitBreakerScope == "":
			w.failf(p.KeyN, path, "want a circuitBreakerScope (type, id or both) with a circuitBreaker: Dapr rejects the resource (actor circuit breakers must include scope)")
		case t.CircuitBreakerScope == "type" || t.CircuitBreakerScope == "id":
		case t.CircuitBreakerScope == "both":
			w.warn("actor-scope-both", f["circuitBreakerScope"], scopeField, "\"both\" behaves exactly like \"id\" in Dapr (a breaker per actor id)")
		default:
			w.failf(f["circuitBreakerScope"], scopeField, "want type, id or both, got %q", t.CircuitBreakerScope)
		}
		r.Actors = append(r.Actors, t)
	}
	for _, p := range w.entries("spec.targets.components", tg["components"]) {
		path := ynode.Join("spec.targets.components", p.Key)
		f := w.fields(path, p.Value, "inbound", "outbound")
		in := w.fields(path+".inbound", f["inbound"], "timeout", "retry", "circuitBreaker")
		out := w.fields(path+".outbound", f["outbound"], "timeout", "retry", "circuitBreaker")
		r.Components = append(r.Components, ComponentTarget{
			Name: p.Key, Line: p.KeyN.Line,
			Inbound:  w.refs(path+".inbound", in),
			Outbound: w.refs(path+".outbound", out),
		})
	}
	return r
}

func (w *walker) refs(path string, f map[string]*yaml.Node) Refs {
	ref := func(key string) Ref {
		n := f[key]
		s, ok := w.str(ynode.Join(path, key), n)
		if !ok {
			return Ref{}
		}
		return Ref{Name: s, Line: n.Line}
	}
	return Refs{Timeout: ref("timeout"), Retry: ref("retry"), CircuitBreaker: ref("circuitBreaker")}
}

func (w *walker) cacheSize(path string, f map[string]*yaml.Node) int64 {
	field := ynode.Join(path, "circuitBreakerCacheSize")
	v, ok := w.integer(field, f["circuitBreakerCacheSize"])
	if ok && v < 0 {
		w.failf(f["circuitBreakerCacheSize"], field, "want 0 (the default) or more, got %d", v)
	}
	return v
}

func (w *walker) retry(path string, p ynode.Pair) RetrySpec {
	rs := RetrySpec{Name: p.Key, Line: p.KeyN.Line}
	f := w.fields(path, p.Value, "policy", "duration", "maxInterval", "maxRetries", "matching")
	if s, ok := w.str(path+".policy", f["policy"]); ok {
		switch strings.ToLower(s) {
		case "constant":
			k := retry.Constant
			rs.Policy = &k
		case "exponential":
			k := retry.Exponential
			rs.Policy = &k
		default:
			w.failf(f["policy"], path+".policy", "want constant or exponential, got %q", s)
		}
	}
	if d, ok := w.dur(path+".duration", f["duration"]); ok {
		rs.Duration = &d
	}
	if d, ok := w.dur(path+".maxInterval", f["maxInterval"]); ok {
		rs.MaxInterval = &d
	}
	if v, ok := w.integer(path+".maxRetries", f["maxRetries"]); ok {
		rs.MaxRetries = &v
		rs.MaxRetriesLine = f["maxRetries"].Line
	}
	if m := f["matching"]; m != nil && !ynode.IsNull(m) {
		rs.MatchingLine = m.Line
		mf := w.fields(path+".matching", m, "httpStatusCodes", "gRPCStatusCodes")
		rs.Matching = &retry.Matching{}
		codes := func(key string, valid retry.CodeRange, dst *[]retry.CodeRange) {
			s, ok := w.str(path+".matching."+key, mf[key])
			if !ok {
				return
			}
			rs, err := retry.ParseCodes(s, valid)
			if err != nil {
				w.failf(mf[key], path+".matching."+key, "%s (want codes or ranges such as \"500-599,404\", within %d-%d)", err, valid.Start, valid.End)
				return
			}
			*dst = rs
		}
		codes("httpStatusCodes", retry.HTTPCodes, &rs.Matching.HTTPStatusCodes)
		codes("gRPCStatusCodes", retry.GRPCCodes, &rs.Matching.GRPCStatusCodes)
	}
	constant := rs.Policy == nil || *rs.Policy == retry.Constant
	def := retry.Default("")
	if constant && rs.MaxInterval != nil {
		used := def.Duration.String() + ", the default"
		if rs.Duration != nil {
			used = rs.Duration.String()
		}
		w.warn("constant-max-interval", f["maxInterval"], path+".maxInterval", "has no effect on a constant policy: Dapr waits duration (%s) between attempts; write duration instead", used)
	}
	if !constant && rs.Duration != nil {
		used := def.MaxInterval
		if rs.MaxInterval != nil {
			used = *rs.MaxInterval
		}
		w.warn("exponential-duration", f["duration"], path+".duration", "has no effect on an exponential policy: the delay starts near %s and grows by %g up to maxInterval (%s)", def.InitialInterval, def.Multiplier, used)
	}
	return rs
}

func (w *walker) breaker(path string, p ynode.Pair) BreakerSpec {
	bs := BreakerSpec{Name: p.Key, Line: p.KeyN.Line}
	f := w.fields(path, p.Value, "maxRequests", "interval", "timeout", "trip")
	if v, ok := w.integer(path+".maxRequests", f["maxRequests"]); ok {
		if v < 0 || v > math.MaxUint32 {
			w.failf(f["maxRequests"], path+".maxRequests", "want a whole number from 0 to %d, got %d", uint32(math.MaxUint32), v)
		} else {
			bs.MaxRequests = uint32(v)
		}
	}
	bs.Interval, _ = w.dur(path+".interval", f["interval"])
	bs.Timeout, _ = w.dur(path+".timeout", f["timeout"])
	if src, ok := w.str(path+".trip", f["trip"]); ok {
		n := f["trip"]
		bs.TripLine = n.Line
		t, err := CompileTrip(src)
		var costErr *TripCostError
		switch {
		case errors.As(err, &costErr):
			w.failf(n, path+".trip", "%s", costErr.Error())
		case errors.Is(err, errTripLoop):
			w.failf(n, path+".trip", "Dapr's compiler loop never ends on this expression (the sidecar hangs at start): %s", celMessage(err))
		case err != nil:
			w.failf(n, path+".trip", "invalid CEL expression: %s", celMessage(err))
		default:
			bs.Trip = t
			if t.Result != "" {
				w.warn("trip-not-bool", n, path+".trip", "%q gives %s %s, not a bool: Dapr trips only on true, so this breaker never opens", src, article(t.Result), t.Result)
			}
			for _, u := range t.Unknown {
				msg := fmt.Sprintf("%q is not a trip variable: Dapr accepts the expression, but any part that reads it fails to evaluate, and a failed evaluation never trips the breaker", u)
				if h := diag.Suggest(u, tripVariables); h != "" {
					msg += h
				} else {
					msg += " (the variables are " + strings.Join(tripVariables, ", ") + ")"
				}
				w.warn("trip-unknown-variable", n, path+".trip", "%s", msg)
			}
		}
	}
	return bs
}

// celMessage flattens cel-go's multi-line issue text to its error lines.
func celMessage(err error) string {
	text := strings.TrimPrefix(err.Error(), errTripLoop.Error()+": ")
	var parts []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "ERROR: ") {
			parts = append(parts, strings.TrimPrefix(strings.TrimPrefix(l, "ERROR: "), "<input>:"))
		}
	}
	if len(parts) == 0 {
		return text
	}
	return strings.Join(parts, "; ")
}

// shape reports a value of the wrong shape where Dapr's decoder expects a
// mapping, a list or a single value: Dapr cannot decode the resource.
func (w *walker) shape(n *yaml.Node, field string, want yaml.Kind, what string) bool {
	n = ynode.Resolve(n)
	if n == nil || ynode.IsNull(n) || n.Kind == want {
		return true
	}
	w.failf(n, field, "want %s, got %s: Dapr cannot decode this resource", what, ynode.Describe(n))
	return false
}

func (w *walker) component(doc *yaml.Node) Component {
	c := Component{File: w.file, Line: doc.Line}
	md, spec := lookupFold(doc, "metadata"), lookupFold(doc, "spec")
	if w.shape(md, "metadata", yaml.MappingNode, "a mapping with name") {
		w.shape(lookupFold(md, "name"), "metadata.name", yaml.ScalarNode, "a name")
	}
	if w.shape(spec, "spec", yaml.MappingNode, "a mapping with type, version and metadata") {
		w.shape(lookupFold(spec, "type"), "spec.type", yaml.ScalarNode, "a component type such as state.redis")
	}
	c.APIVersion = scalarText(lookupFold(doc, "apiVersion"))
	c.Name = scalarText(lookupFold(lookupFold(doc, "metadata"), "name"))
	c.Type = scalarText(lookupFold(lookupFold(doc, "spec"), "type"))
	if c.Name == "" {
		w.warn("component-no-name", doc, "metadata.name", "a Component without a name: Dapr rejects it")
	}
	if ie := lookupFold(spec, "ignoreErrors"); ie != nil && ie.Tag == "!!bool" && strings.EqualFold(ie.Value, "true") {
		c.IgnoreErrors = true
	}
	items := ynode.Resolve(lookupFold(spec, "metadata"))
	if !w.shape(items, "spec.metadata", yaml.SequenceNode, "a list of {name, value}") || items == nil {
		return c
	}
	for i, item := range items.Content {
		field := fmt.Sprintf("spec.metadata[%d]", i)
		if !w.shape(item, field, yaml.MappingNode, "a mapping with name and value") || ynode.IsNull(item) {
			continue
		}
		item = ynode.Resolve(item)
		w.shape(lookupFold(item, "name"), field+".name", yaml.ScalarNode, "a metadata name")
		m := MetadataItem{Name: scalarText(lookupFold(item, "name")), Line: item.Line, Field: field + ".value"}
		for _, ref := range []string{"secretKeyRef", "envRef"} {
			if n := lookupFold(item, ref); n != nil && !ynode.IsNull(n) {
				m.Unresolved, m.Field, m.Line = true, field+"."+ref, keyFold(item, ref).Line
			}
		}
		if v := lookupFold(item, "value"); v != nil && !m.Unresolved {
			m.Line = v.Line
			m.Value, m.NotScalar = metadataText(v)
		}
		c.Metadata = append(c.Metadata, m)
	}
	return c
}

// metadataText is the text daprd makes of a metadata value (DynamicValue:
// the JSON sigs.k8s.io/yaml writes, a JSON string unquoted), and for a
// mapping or list a description of it.
func metadataText(n *yaml.Node) (text, notScalar string) {
	n = ynode.Resolve(n)
	switch {
	case n == nil || ynode.IsNull(n):
		return "", ""
	case n.Kind != yaml.ScalarNode:
		return "", ynode.Describe(n)
	}
	switch n.Tag {
	case "!!int":
		if v, err := ynode.ParseInt(n.Value); err == nil {
			return strconv.FormatInt(v, 10), ""
		}
	case "!!float":
		if v, err := ynode.ParseFloat(n.Value); err == nil {
			if b, err := json.Marshal(v); err == nil {
				return string(b), ""
			}
		}
	case "!!bool":
		return strings.ToLower(n.Value), ""
	}
	return n.Value, ""
}

func (w *walker) configuration(doc *yaml.Node) Configuration {
	c := Configuration{File: w.file, Line: doc.Line}
	c.Name = scalarText(lookupFold(lookupFold(doc, "metadata"), "name"))
	w.shape(lookupFold(doc, "metadata"), "metadata", yaml.MappingNode, "a mapping with name")
	spec := lookupFold(doc, "spec")
	if !w.shape(spec, "spec", yaml.MappingNode, "a mapping") {
		return c
	}
	feats := ynode.Resolve(lookupFold(spec, "features"))
	if !w.shape(feats, "spec.features", yaml.SequenceNode, "a list such as [{name: Resiliency, enabled: true}]") || feats == nil {
		return c
	}
	for i, item := range feats.Content {
		field := fmt.Sprintf("spec.features[%d]", i)
		if !w.shape(item, field, yaml.MappingNode, "a mapping with name and enabled") {
			continue
		}
		w.shape(lookupFold(item, "name"), field+".name", yaml.ScalarNode, "a feature name")
		f := Feature{Name: scalarText(lookupFold(item, "name")), Line: ynode.Resolve(item).Line}
		if en := ynode.Resolve(lookupFold(item, "enabled")); en != nil {
			switch {
			case en.Tag == "!!bool" && strings.EqualFold(en.Value, "true"):
				f.Enabled = true
			case en.Tag == "!!bool":
			default:
				w.warn("feature-enabled-value", en, field+".enabled", "want true or false, got %s", ynode.Describe(en))
			}
		}
		c.Features = append(c.Features, f)
	}
	return c
}

// lookupFold returns the value of key in mapping n, matched as encoding/json
// does (case-insensitively, the last match winning), or nil.
func lookupFold(n *yaml.Node, key string) *yaml.Node {
	n = ynode.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var v *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if strings.EqualFold(n.Content[i].Value, key) {
			v = ynode.Resolve(n.Content[i+1])
		}
	}
	return v
}

// keyFold returns the key node lookupFold would take the value of, or nil.
func keyFold(n *yaml.Node, key string) *yaml.Node {
	n = ynode.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var k *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if strings.EqualFold(n.Content[i].Value, key) {
			k = n.Content[i]
		}
	}
	return k
}

// scalarText is a scalar's text, or "" for anything else.
func scalarText(n *yaml.Node) string {
	n = ynode.Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// article is "a" or "an" for a CEL type name.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}
