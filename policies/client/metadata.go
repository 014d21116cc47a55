package client

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
)

// Property is one entry of a Component's spec.metadata as daprd hands it to
// the component (pkg/runtime/meta convertItemsToProps: the value's text,
// later entries of the same name replacing earlier ones).
type Property struct {
	Name  string
	Value string
	// Unresolved: the value comes from a secret store (secretKeyRef), which
	// sim cannot read; the entry is left out and the default applies.
	Unresolved bool
}

// Problem is one finding about a Component's metadata: Prop indexes the
// property it is about. An Error is a value components-contrib's Init
// rejects (the component fails to initialize); otherwise it is a warning of
// kind ID about a value Dapr accepts.
type Problem struct {
	Prop  int
	Error bool
	ID    string
	Msg   string
	// Dapr is, for an Error, the error components-contrib's Init returns.
	Dapr string
}

// Warning ids of Problem (see policies.LintChecks).
const (
	// IDIgnored: a key or value Dapr accepts and does not use.
	IDIgnored = "component-metadata-ignored"
	// IDValue: a value Dapr reads otherwise than it looks (0 for go-redis's
	// default, a bare integer read as nanoseconds, a negative duration).
	IDValue = "component-metadata-value"
	// IDSecret: a secretKeyRef sim cannot resolve.
	IDSecret = "component-metadata-secret"
	// IDNotModelled: a setting that changes the client's timing in a way
	// sim does not model.
	IDNotModelled = "client-not-modelled"
)

// kind is how components-contrib decodes one metadata key.
type kind uint8

const (
	kString kind = iota
	kInt         // dapr/kit config.Decode: strconv.ParseInt(s, 10, 64)
	kUint        // strconv.ParseUint(s, 10, 64)
	kBool        // strconv.ParseBool
	// kDuration: the component's own Duration.DecodeString
	// (settings.go): a bare integer is milliseconds, a negative one is kept
	// as nanoseconds (so -1 stays -1), anything else time.ParseDuration.
	kDuration
	// kStdDuration: kit's hook for time.Duration: a bare integer
	// (negatives too) is milliseconds, anything else time.ParseDuration.
	kStdDuration
)

var kindWants = [...]string{
	kString:      "text",
	kInt:         "a whole number such as \"3\"",
	kUint:        "a whole number from 0, such as \"100\"",
	kBool:        "true or false",
	kDuration:    "a duration such as \"500ms\" or a number of milliseconds such as \"500\"",
	kStdDuration: "a duration such as \"60s\" or a number of milliseconds",
}

// kitNames is how dapr/kit's decoder names the type in its error.
var kitNames = [...]string{kInt: "int", kUint: "uint", kBool: "bool", kDuration: "Duration", kStdDuration: "duration"}

// field is one key of components-contrib's redis Settings (mapstructure
// tags of internal/component/redis/settings.go, common/… from 1.13), with
// the first and last minor release whose Settings has it (0: open).
type field struct {
	key         string
	kind        kind
	since, till int
}

// settingsFields are the keys settings.Decode reads, matched as mapstructure
// matches them: exactly, else case-insensitively.
var settingsFields = []field{
	{"redisHost", kString, 0, 0}, {"redisPassword", kString, 0, 0}, {"redisUsername", kString, 0, 0},
	{"sentinelPassword", kString, 16, 0}, {"sentinelUsername", kString, 16, 0},
	{"redisDB", kInt, 0, 0}, {"redisType", kString, 0, 0},
	{"redisMaxRetries", kInt, 0, 0}, {"redisMinRetryInterval", kDuration, 0, 0}, {"redisMaxRetryInterval", kDuration, 0, 0},
	{"dialTimeout", kDuration, 0, 0}, {"readTimeout", kDuration, 0, 0}, {"writeTimeout", kDuration, 0, 0},
	{"poolSize", kInt, 0, 0}, {"minIdleConns", kInt, 0, 0}, {"maxConnAge", kDuration, 0, 0},
	{"poolTimeout", kDuration, 0, 0}, {"idleTimeout", kDuration, 0, 0}, {"idleCheckFrequency", kDuration, 0, 0},
	{"sentinelMasterName", kString, 0, 0}, {"failover", kBool, 0, 0}, {"enableTLS", kBool, 0, 0},
	{"clientCert", kString, 14, 0}, {"clientKey", kString, 14, 0},
	// From 1.11 the state and pub/sub keys share the Settings struct, so a
	// state store decodes the pub/sub ones too (mdonly only documents).
	{"ttlInSeconds", kInt, 11, 0}, {"queryIndexes", kString, 11, 0}, {"consumerID", kString, 11, 0},
	{"processingTimeout", kStdDuration, 11, 0}, {"queueDepth", kUint, 11, 0}, {"concurrency", kUint, 11, 0},
	{"maxLenApprox", kInt, 11, 0}, {"streamTTL", kStdDuration, 16, 0}, {"useEntraID", kBool, 14, 0},
}

// Legacy keys, read by exact name (a map index, not the decoder).
const (
	keyMaxRetries      = "maxRetries"
	keyMaxRetryBackoff = "maxRetryBackoff"
	keyTTL             = "ttlInSeconds"
)

// TimingKeys are the metadata keys that set the client's timing, for
// messages and suggestions.
var TimingKeys = []string{"redisMaxRetries", "redisMinRetryInterval", "redisMaxRetryInterval", keyMaxRetries, keyMaxRetryBackoff, "dialTimeout", "readTimeout", "writeTimeout"}

// decoded is the part of components-contrib's Settings that sim uses, before
// go-redis's Options.init.
type decoded struct {
	maxRetries             int64
	minBackoff, maxBackoff time.Duration
	dial, read, write      time.Duration
	failover               bool
	redisType              string
	at                     map[string]int // settings key → property index it came from
}

// FromMetadata returns the settings the client of a component of type typ
// runs with on Dapr 1.minor, given its spec.metadata: the release's
// defaults, the component's parsing (with its legacy keys and unit quirks)
// and go-redis's Options.init. ok is false when sim does not model that
// type's client. Each problem names the property it concerns (callers sort
// them by line); any Error means Dapr's Init fails. A pubsub.redis is read
// as PubsubFromMetadata reads it for an app id of "", which only
// placeholders and the default consumerID depend on.
func FromMetadata(minor int, typ string, props []Property) (s Settings, problems []Problem, ok bool) {
	if typ == PubsubType {
		s, _, problems = PubsubFromMetadata(minor, "", props)
		return s, problems, true
	}
	p, ok := newParser(minor, typ, props)
	if !ok {
		return Settings{}, nil, false
	}
	return p.client(), p.problems, true
}

// newParser checks the keys of props as a component of type typ on
// 1.minor reads them; false when sim does not model that type's client.
func newParser(minor int, typ string, props []Property) (*parser, bool) {
	if !Modelled(typ) {
		return nil, false
	}
	p := &parser{minor: minor, typ: typ, props: props, byName: map[string]int{}, secret: map[string]bool{}}
	for i, pr := range props {
		if pr.Unresolved {
			p.secret[pr.Name] = true
			if exactFold(pr.Name, TimingKeys) != "" || slices.Contains(TimingKeys, pr.Name) || strings.EqualFold(pr.Name, "failover") || strings.EqualFold(pr.Name, "redisType") ||
				(typ == PubsubType && (exactFold(pr.Name, pubsubKeys) != "" || slices.Contains(pubsubKeys, pr.Name))) {
				p.warn(i, IDSecret, "its value comes from a secret store or the environment, which sim does not read: sim uses the default")
			}
			continue
		}
		if j, dup := p.byName[pr.Name]; dup && isKnown(minor, typ, pr.Name) {
			p.warn(j, IDIgnored, "given again below: Dapr uses the later value")
		}
		p.byName[pr.Name] = i
	}
	for i, pr := range props {
		if pr.Unresolved || p.byName[pr.Name] != i || isKnown(minor, typ, pr.Name) {
			continue
		}
		legacy := exactFold(pr.Name, []string{keyMaxRetries, keyMaxRetryBackoff})
		if typ == PubsubType && (legacy != "" || pr.Name == keyMaxRetries || pr.Name == keyMaxRetryBackoff) {
			// ParseClientFromProperties reads the legacy keys for state
			// and lock stores only (contrib@v1.14.4
			// common/component/redis/redis.go:116-135; before 1.11 only
			// state/redis's Init read them).
			p.warn(i, IDIgnored, "ignored: pubsub.redis does not read the legacy key %s (state stores do); write %s", cmp.Or(legacy, pr.Name), map[string]string{keyMaxRetries: "redisMaxRetries", keyMaxRetryBackoff: "redisMinRetryInterval and redisMaxRetryInterval"}[cmp.Or(legacy, pr.Name)])
		} else if legacy != "" {
			p.warn(i, IDIgnored, "ignored: Dapr reads the legacy key %s only spelt exactly so", legacy)
		} else if k := p.exactOnly(pr.Name); k == keyConsumerID {
			p.warn(i, IDIgnored, "ignored: daprd sets consumerID, spelt exactly so, to the app id when no entry of that spelling gives one, and pubsub.redis reads that")
		} else if k != "" {
			p.warn(i, IDIgnored, "ignored: Dapr %s reads %s only spelt exactly so", p.release(), k)
		} else if k := nearest(typ, pr.Name); k != "" {
			p.warn(i, IDIgnored, "not a key %s reads, so Dapr ignores it (did you mean %s?)", typ, k)
		}
	}
	p.d = p.decode()
	return p, true
}

// client is the go-redis settings the parsed metadata gives.
func (p *parser) client() Settings {
	def, _ := ForRelease(p.minor, p.typ)
	return p.init(def, p.d)
}

type parser struct {
	minor  int
	typ    string
	props  []Property
	d      decoded
	byName map[string]int // name → index of the entry daprd keeps
	// secret names the keys whose value daprd resolves from a secret store
	// (or the environment): set in Dapr, unknown to sim.
	secret   map[string]bool
	problems []Problem
}

func (p *parser) warn(i int, id, format string, args ...any) {
	p.problems = append(p.problems, Problem{Prop: i, ID: id, Msg: fmt.Sprintf(format, args...)})
}

// failed reports whether property i was rejected.
func (p *parser) failed(i int) bool {
	for _, pr := range p.problems {
		if pr.Prop == i && pr.Error {
			return true
		}
	}
	return false
}

// fail records a value components-contrib's Init rejects: want says what
// was expected, dapr is the error Init returns.
func (p *parser) fail(i int, want, dapr string) {
	p.problems = append(p.problems, Problem{Prop: i, Error: true, Msg: want, Dapr: dapr})
}

// value is properties[key] (an exact map index): the text and the index of
// the entry, -1 when absent.
func (p *parser) value(key string) (string, int) {
	if i, ok := p.byName[key]; ok {
		return p.props[i].Value, i
	}
	return "", -1
}

// lookup is mapstructure's match of a Settings key: the exact key, else one
// spelt with other case (the last such entry; Go map order decides in Dapr).
func (p *parser) lookup(key string) (string, int) {
	if v, i := p.value(key); i >= 0 {
		return v, i
	}
	best := -1
	for name, i := range p.byName {
		if strings.EqualFold(name, key) && i > best {
			best = i
		}
	}
	if best < 0 {
		return "", -1
	}
	return p.props[best].Value, best
}

// decode is components-contrib's parsing for a state store: the legacy
// keys, the defaults, then settings.Decode over every Settings key.
func (p *parser) decode() decoded {
	d := decoded{at: map[string]int{}}
	// overrides stands in for the properties map as Decode sees it, where a
	// legacy key was copied over a settings key.
	overrides := map[string]int{}
	switch {
	case p.typ != StateType:
		// Other types start from a zero Settings (ForRelease).
	case p.minor < since.legacyStateDefaults:
		// contrib@v1.10.10 internal/component/redis/metadata.go
		// ParseRedisMetadata:40-76, then state/redis Init:133-140:
		// Settings{RedisMaxRetries: maxRetries, RedisMaxRetryInterval:
		// maxRetryBackoff} under settings.Decode.
		d.maxRetries, d.maxBackoff = defaultMaxRetries, 2*time.Second
		if v, i := p.value(keyMaxRetries); i >= 0 && v != "" {
			if n, err := strconv.ParseInt(v, 10, 0); err != nil {
				p.fail(i, fmt.Sprintf("want a whole number such as \"3\", got %q", v), "redis store error: can't parse maxRetries field: "+err.Error())
			} else {
				d.maxRetries = n
				d.at["redisMaxRetries"] = i
			}
		}
		if v, i := p.value(keyMaxRetryBackoff); i >= 0 && v != "" {
			if n, err := strconv.ParseInt(v, 10, 0); err != nil {
				p.fail(i, fmt.Sprintf("want a whole number of nanoseconds such as \"2000000000\" (2s), got %q", v), "redis store error: can't parse maxRetryBackoff field: "+err.Error())
			} else {
				d.maxBackoff = time.Duration(n)
				d.at["redisMaxRetryInterval"] = i
				p.nanos(i, n, "the backoff's cap (redisMaxRetryInterval)")
			}
		}
		if v, i := p.value(keyTTL); i >= 0 && v != "" {
			if _, err := strconv.ParseInt(v, 10, 0); err != nil {
				p.fail(i, fmt.Sprintf("want a whole number of seconds, got %q", v), "redis store error: can't parse ttlInSeconds field: "+err.Error())
			}
		}
	default:
		// contrib@v1.14.4 common/component/redis/redis.go:116-135
		// (ParseClientFromProperties, "legacy defaults").
		d.maxRetries, d.minBackoff = defaultMaxRetries, 2*time.Second
		minV, minI := p.value("redisMinRetryInterval")
		if v, i := p.value(keyMaxRetryBackoff); i >= 0 && v != "" {
			if minV == "" && !p.secret["redisMinRetryInterval"] {
				if n, err := strconv.ParseInt(v, 10, 0); err != nil {
					p.fail(i, fmt.Sprintf("want a whole number of nanoseconds such as \"2000000000\" (2s), got %q", v), "redis store error: can't parse maxRetryBackoff field: "+err.Error())
				} else {
					d.minBackoff = time.Duration(n)
					d.at["redisMinRetryInterval"] = i
					p.nanos(i, n, "the backoff's floor (redisMinRetryInterval) since Dapr 1.11, not its cap")
				}
			} else if minI >= 0 || p.secret["redisMinRetryInterval"] {
				p.warn(i, IDIgnored, "ignored: redisMinRetryInterval is set too, and Dapr %s reads maxRetryBackoff only when it is not", p.release())
			}
		}
		if v, i := p.value(keyMaxRetries); i >= 0 && v != "" {
			if mv, _ := p.value("redisMaxRetries"); mv == "" && !p.secret["redisMaxRetries"] {
				overrides["redisMaxRetries"] = i
			} else {
				p.warn(i, IDIgnored, "ignored: redisMaxRetries is set too, and Dapr %s reads maxRetries only when it is not", p.release())
			}
		}
	}
	for _, f := range settingsFields {
		if f.since > p.minor || (f.till > 0 && f.till < p.minor) {
			continue
		}
		v, i := p.lookup(f.key)
		if j, ok := overrides[f.key]; ok {
			v, i = p.props[j].Value, j
		}
		if i < 0 {
			continue
		}
		p.field(&d, f, v, i)
	}
	if p.typ == StateType && p.minor < since.legacyStateDefaults {
		for _, k := range []string{keyMaxRetries, keyMaxRetryBackoff} {
			_, i := p.value(k)
			if p.failed(i) {
				continue
			}
			set := "redisMaxRetries"
			if k == keyMaxRetryBackoff {
				set = "redisMaxRetryInterval"
			}
			if _, j := p.lookup(set); i >= 0 && j >= 0 && p.props[i].Value != "" {
				p.warn(i, IDIgnored, "ignored: %s is set too, and Dapr %s lays it over %s", set, p.release(), k)
			}
		}
	}
	return d
}

// field decodes one Settings key as dapr/kit's decoder does and keeps what
// sim uses.
func (p *parser) field(d *decoded, f field, v string, i int) {
	bad := func(err error) {
		// dapr/kit's hook error, as mapstructure wraps it (it names the
		// Settings key, whatever case the entry used).
		detail := fmt.Sprintf("error decoding '%s': invalid %s %q", f.key, kitNames[f.kind], v)
		if f.kind == kDuration && err != nil {
			detail += ": " + err.Error()
		}
		p.fail(i, fmt.Sprintf("want %s, got %q", kindWants[f.kind], v), "redis client configuration error: decode failed. "+detail)
	}
	switch f.kind {
	case kString:
		if f.key == "redisType" {
			d.redisType = v
		}
		return
	case kInt:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			bad(err)
			return
		}
		if f.key == "redisMaxRetries" {
			d.maxRetries = n
			d.at[f.key] = i
		}
	case kUint:
		if _, err := strconv.ParseUint(v, 10, 64); err != nil {
			bad(err)
		}
	case kBool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(err)
			return
		}
		if f.key == "failover" {
			d.failover = b
			d.at[f.key] = i
		}
	case kStdDuration:
		if _, err := strconv.Atoi(v); err == nil {
			return
		}
		if _, err := time.ParseDuration(v); err != nil {
			bad(nil)
		}
	case kDuration:
		dur, err := decodeDuration(v)
		if err != nil {
			bad(err)
			return
		}
		var dst *time.Duration
		switch f.key {
		case "redisMinRetryInterval":
			dst = &d.minBackoff
		case "redisMaxRetryInterval":
			dst = &d.maxBackoff
		case "dialTimeout":
			dst = &d.dial
		case "readTimeout":
			dst = &d.read
		case "writeTimeout":
			dst = &d.write
		default:
			return
		}
		*dst = dur
		d.at[f.key] = i
		if n, err := strconv.Atoi(v); err == nil && n < -1 {
			p.warn(i, IDValue, "%d is %dns, not %dms: Dapr keeps a negative number as nanoseconds", n, n, n)
		}
	}
}

// decodeDuration is components-contrib's Duration.DecodeString
// (settings.go:92-113 in every release modelled).
func decodeDuration(v string) (time.Duration, error) {
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return time.Duration(n), nil
		}
		return time.Duration(n) * time.Millisecond, nil
	}
	return time.ParseDuration(v)
}

// nanos warns about a legacy maxRetryBackoff under a millisecond: Dapr
// reads it as nanoseconds.
func (p *parser) nanos(i int, n int64, what string) {
	if n > 0 && n < int64(time.Millisecond) {
		p.warn(i, IDValue, "%d is %s, %s: Dapr reads this legacy key as nanoseconds (write %d for %dms, or use redisMinRetryInterval and redisMaxRetryInterval, which read a bare number as milliseconds)", n, time.Duration(n), what, n*int64(time.Millisecond), n)
	}
}

// init is go-redis's Options.init (v8.11.5 options.go:117-185, the same in
// every v9 modelled) over the decoded values, into def's release flags.
func (p *parser) init(def Settings, d decoded) Settings {
	s := def
	at := func(key string) int {
		if i, ok := d.at[key]; ok {
			return i
		}
		return -1
	}
	zero := func(key, what string) {
		if i := at(key); i >= 0 {
			p.warn(i, IDValue, "%q means go-redis's default, %s", p.props[i].Value, what)
		}
	}
	switch {
	case d.maxRetries == -1:
		s.MaxRetries = 0
	case d.maxRetries == 0:
		s.MaxRetries = defaultMaxRetries
		zero("redisMaxRetries", "3 retries; -1 means none")
	case d.maxRetries < -1:
		s.MaxRetries = 0
		if i := at("redisMaxRetries"); i >= 0 {
			p.warn(i, IDNotModelled, "%d makes go-redis send no command at all and return no error, so Dapr reports success without touching Redis; sim does not model that and uses -1 (no retries)", d.maxRetries)
		}
	default:
		s.MaxRetries = int(d.maxRetries)
	}
	switch {
	case d.minBackoff == -1:
		s.MinBackoff = 0
	case d.minBackoff == 0:
		s.MinBackoff = defaultMinBackoff
		if p.typ == StateType {
			zero("redisMinRetryInterval", "8ms (not the 2s Dapr 1.11+ gives state stores when no key sets it); -1 means no backoff")
		} else {
			zero("redisMinRetryInterval", "8ms; -1 means no backoff")
		}
	default:
		s.MinBackoff = d.minBackoff
	}
	switch {
	case d.maxBackoff == -1:
		s.MaxBackoff = 0
	case d.maxBackoff == 0:
		s.MaxBackoff = defaultMaxBackoff
		zero("redisMaxRetryInterval", "512ms; -1 means no backoff")
	case d.maxBackoff < 0:
		// go-redis clamps every sleep to this cap and sleeps a negative
		// duration as none: the same as a zero cap.
		s.MaxBackoff = 0
	default:
		s.MaxBackoff = d.maxBackoff
	}
	if i := at("redisMinRetryInterval"); i >= 0 && s.MinBackoff < 0 {
		p.warn(i, IDValue, "a negative backoff floor makes go-redis's RetryBackoff overflow check pass at once: every sleep is the cap (%s), with no jitter", s.MaxBackoff)
	}
	// timeout is go-redis's Options.init for one timeout: 0 is dflt, -1
	// none where noneAllowed, another negative a deadline in the past, which
	// sim does not model (it warns and uses dflt).
	timeout := func(key string, v, dflt time.Duration, noneAllowed bool, zeroText, what string) time.Duration {
		switch {
		case v == -1 && noneAllowed:
			return 0
		case v == 0:
			zero(key, zeroText)
			return dflt
		case v < 0:
			if i := at(key); i >= 0 {
				p.warn(i, IDNotModelled, "%q puts go-redis's deadline in the past (a negative %s other than -1), so every %s fails at once, even against a healthy Redis; sim does not model that and uses %s", p.props[i].Value, key, what, dflt)
			}
			return dflt
		}
		return v
	}
	s.DialTimeout = timeout("dialTimeout", d.dial, defaultDialTimeout, false, "5s", "connect")
	s.ReadTimeout = timeout("readTimeout", d.read, defaultReadTimeout, true, "3s; -1 means none", "read")
	s.WriteTimeout = timeout("writeTimeout", d.write, s.ReadTimeout, true, "the read timeout; -1 means none", "write")
	if i := at("failover"); i >= 0 && d.failover {
		p.warn(i, IDNotModelled, "true makes %s a Sentinel failover client; sim models a single Redis node, so its timing in an outage is not modelled", p.typ)
	}
	if _, i := p.lookup("redisType"); i >= 0 {
		switch {
		case d.redisType == "cluster":
			p.warn(i, IDNotModelled, "cluster makes %s a cluster client, with its own redirects and retries; sim models a single Redis node, so its timing in an outage is not modelled", p.typ)
		case d.redisType == "" || d.redisType == "node":
		default:
			// v8client.go/v9client.go: if s.RedisType == ClusterType, an
			// exact comparison; anything else is a node client.
			p.warn(i, IDIgnored, "%q is not \"cluster\" spelt exactly, so %s makes a single-node client", d.redisType, p.typ)
		}
	}
	return s
}

func (p *parser) release() string { return "1." + strconv.Itoa(p.minor) }

// isKnown reports whether a component of type typ on 1.minor reads key.
func isKnown(minor int, typ, key string) bool {
	if typ == PubsubType {
		if slices.Contains(pubsubKeys, key) {
			return true
		}
		// daprd writes consumerID spelt exactly before Init, which the
		// decoder prefers over any other spelling (pubsub.go).
		if strings.EqualFold(key, keyConsumerID) {
			return false
		}
	} else {
		switch key {
		case keyMaxRetries, keyMaxRetryBackoff, keyTTL, "queryIndexes", "actorStateStore", "keyPrefix":
			return true
		}
	}
	for _, f := range settingsFields {
		if strings.EqualFold(f.key, key) && f.since <= minor {
			return true
		}
	}
	return false
}

func exactFold(name string, keys []string) string {
	for _, k := range keys {
		if strings.EqualFold(name, k) && name != k {
			return k
		}
	}
	return ""
}

// nearest is the key of typ's that name is a near-miss of (a timing key,
// or one of pubsub.redis's own), or "".
func nearest(typ, name string) string {
	best, bestD := "", 4
	ln := strings.ToLower(name)
	keys := TimingKeys
	if typ == PubsubType {
		keys = slices.DeleteFunc(slices.Clone(TimingKeys), func(k string) bool { return k == keyMaxRetries || k == keyMaxRetryBackoff })
		keys = append(keys, pubsubKeys...)
	}
	for _, k := range keys {
		// Up to two edits, three for the long redis* keys.
		limit := 3
		if len(k) >= 12 {
			limit = 4
		}
		if d := diag.Distance(ln, strings.ToLower(k)); d < limit && d < bestD {
			best, bestD = k, d
		}
	}
	return best
}
