package policies

import (
	"errors"
	"strings"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/policies/client"
	"github.com/dapr-sim/sim/policies/cron"
)

// The binding types sim reads.
const (
	CronBindingType  = "bindings.cron"
	RedisBindingType = "bindings.redis"
)

// Binding is how daprd runs a bindings.cron or bindings.redis component.
type Binding struct {
	Type string
	// Input: daprd initializes the binding's input side and delivers its
	// events to the app; Output: the app can invoke it (POST
	// /v1.0/bindings/<name>). Both follow the type and the direction
	// metadata.
	Input, Output bool
	// Probe: before reading an input binding daprd asks the app OPTIONS
	// /<Route> and reads only when the answer is 2xx or 405; otherwise it
	// logs "app has not subscribed to binding <name>." and never reads it.
	// False when direction lists input (1.12 and later).
	Probe bool
	// Route is the app path input events are POSTed to.
	Route string
	// Schedule is a bindings.cron's schedule; the zero Schedule (never
	// fires) when its value comes from a secret store.
	Schedule cron.Schedule
}

// BindingOf returns the settings of binding component name, and false when
// name is no bindings.cron or bindings.redis component.
func (s *Spec) BindingOf(name string) (Binding, bool) {
	b, ok := s.Bindings[name]
	return b, ok
}

// The operations of bindings.redis by contrib release, in the order its
// Operations() lists them (Dapr's "supported operations" message keeps it):
// create only through 1.9 (contrib@v1.9.7 bindings/redis/redis.go:68-70),
// delete and get from 1.10 (contrib@v1.10.10 :66-72), increment from 1.11
// (contrib@v1.11.5 :68-75).
const (
	bindingGetSince       = 10
	bindingIncrementSince = 11
)

// BindingOperations returns the operations an output binding of type typ
// supports on this release, and nil for a type sim does not run
// (bindings.redis only).
func (p Profile) BindingOperations(typ string) []string {
	switch {
	case typ != RedisBindingType:
		return nil
	case p.minor < bindingGetSince:
		return []string{"create"}
	case p.minor < bindingIncrementSince:
		return []string{"create", "delete", "get"}
	}
	return []string{"create", "delete", "get", "increment"}
}

// bindingDirectionSince: daprd reads a binding's direction metadata from
// 1.12 (dapr@v1.12.5 pkg/runtime/processor/binding/binding.go:225-241,
// send.go:456-467); before, every input binding was probed.
const bindingDirectionSince = 12

// cronOutputTill: bindings.cron was an InputOutputBinding (operation
// delete stops the schedule) through 1.9 (contrib@v1.9.7
// bindings/cron/cron.go:39,103-120); from 1.10 it is input only.
const cronOutputTill = 9

// bindingOf reads a binding component's metadata into Spec.Bindings. A
// schedule bindings.cron's Init rejects is an error, as for a store's
// client (clientOf).
func (b *builder) bindingOf(c Component) {
	delete(b.s.Bindings, c.Name)
	if c.Type != CronBindingType && c.Type != RedisBindingType {
		return
	}
	p := b.s.Profile
	bd := Binding{Type: c.Type, Route: c.Name}
	hasInput, hasOutput := c.Type == CronBindingType, c.Type == RedisBindingType || p.minor <= cronOutputTill

	// dapr@v1.14.4 pkg/runtime/processor/binding/binding.go:235-251: a
	// side is initialized when no entry is named direction (any case) or
	// one lists it; send.go:479-492 skips the probe when one lists input,
	// looked up in the properties map, where a later entry of the same
	// name replaces an earlier one.
	var dirs []int
	explicit := map[string]string{}
	for i, m := range c.Metadata {
		if strings.EqualFold(m.Name, "direction") {
			dirs = append(dirs, i)
			explicit[m.Name] = m.Value
		}
	}
	lists := func(v, dir string) bool {
		for _, d := range strings.Split(v, ",") {
			if strings.TrimSpace(strings.ToLower(d)) == dir {
				return true
			}
		}
		return false
	}
	side := func(dir string) bool {
		if len(dirs) == 0 || p.minor < bindingDirectionSince {
			return true
		}
		for _, i := range dirs {
			if lists(c.Metadata[i].Value, dir) {
				return true
			}
		}
		return false
	}
	bd.Input = hasInput && side("input")
	bd.Output = hasOutput && side("output")
	bd.Probe = bd.Input
	if p.minor >= bindingDirectionSince {
		for _, v := range explicit {
			if lists(v, "input") {
				bd.Probe = false
			}
		}
	}
	for _, i := range dirs {
		m := c.Metadata[i]
		if p.minor < bindingDirectionSince {
			b.warnAt(client.IDIgnored, c.File, m.Line, m.Field, "%s: Dapr %s has no direction metadata (first read in 1.12): it probes the app with OPTIONS /%s before reading any input binding", m.Name, p.Version, bd.Route)
		}
	}
	if len(dirs) > 0 && p.minor >= bindingDirectionSince && !bd.Input && !bd.Output {
		m := c.Metadata[dirs[len(dirs)-1]]
		b.warnAt("binding-direction", c.File, m.Line, m.Field, "%s: %q leaves out the %s side, the only one %s has on Dapr %s: daprd initializes nothing and the binding is never used", m.Name, m.Value, map[bool]string{true: "input", false: "output"}[hasInput], c.Type, p.Version)
	}

	// binding.go:187-193: the first entry named exactly route.
	for _, m := range c.Metadata {
		if m.Name == "route" {
			if m.Unresolved {
				b.warnAt(client.IDSecret, c.File, m.Line, m.Field, "route: sim does not read secret stores or the environment, so it POSTs to /%s; write the route in the Component to simulate it", bd.Route)
			} else {
				bd.Route = m.Value
			}
			break
		}
	}
	if bd.Probe {
		b.warnAt("binding-probe", c.File, c.Line, "metadata.name", "Dapr %s asks the app OPTIONS /%s before reading %s %q and reads it only when the app answers 2xx or 405%s", p.Version, bd.Route, c.Type, c.Name, map[bool]string{true: "; direction: input skips the question", false: ""}[p.minor >= bindingDirectionSince])
	}

	switch c.Type {
	case CronBindingType:
		b.cronSchedule(c, &bd)
	case RedisBindingType:
		for _, m := range c.Metadata {
			if strings.EqualFold(m.Name, "ttlInSeconds") {
				// contrib@v1.14.4 bindings/redis/redis.go:77-90 reads the
				// TTL from each request's metadata only.
				b.warnAt(client.IDIgnored, c.File, m.Line, m.Field, "%s: bindings.redis reads ttlInSeconds from each request's metadata (POST /v1.0/bindings/%s {\"metadata\": {\"ttlInSeconds\": …}}), never from the component's", m.Name, c.Name)
			}
		}
	}
	if b.s.Bindings == nil {
		b.s.Bindings = map[string]Binding{}
	}
	b.s.Bindings[c.Name] = bd
}

// cronSchedule reads a bindings.cron's schedule as its Init does: from
// 1.11 kit's DecodeMetadata into a field named Schedule (mapstructure: that
// exact name, else any case; contrib@v1.14.4 bindings/cron/cron.go:72-78),
// before a map lookup of exactly "schedule" (contrib@v1.10.10 :59-61).
func (b *builder) cronSchedule(c Component, bd *Binding) {
	p := b.s.Profile
	at := -1
	for i, m := range c.Metadata {
		if p.minor >= 11 && m.Name == "Schedule" || p.minor < 11 && m.Name == "schedule" {
			at = i
		}
	}
	if at < 0 && p.minor >= 11 {
		for i, m := range c.Metadata {
			if strings.EqualFold(m.Name, "schedule") {
				at = i
			}
		}
	}
	daprd := "so daprd exits with a fatal error at start"
	if c.IgnoreErrors {
		daprd = "so daprd logs the error and goes on without the component (spec.ignoreErrors: true), which sim does not model"
	}
	if at < 0 || c.Metadata[at].Value == "" && !c.Metadata[at].Unresolved {
		file, line, field := c.File, c.Line, "spec.metadata"
		if at >= 0 {
			line, field = c.Metadata[at].Line, c.Metadata[at].Field
		}
		b.errs = append(b.errs, diag.Errorf(file, line, 0, field, "schedule: want a cron schedule such as \"@every 10s\" or \"*/15 * * * * *\": Dapr %s's bindings.cron fails to initialize (schedule not set), %s", p.Version, daprd))
		return
	}
	m := c.Metadata[at]
	if m.Unresolved {
		b.warnAt(client.IDSecret, c.File, m.Line, m.Field, "%s: sim does not read secret stores or the environment, so this binding never fires; write the schedule in the Component to simulate it", m.Name)
		return
	}
	s, err := cron.Init(p.minor, m.Value)
	switch {
	case errors.Is(err, cron.ErrNotModelled):
		b.errs = append(b.errs, diag.Errorf(c.File, m.Line, 0, m.Field, "%s: %v: sim cannot simulate this schedule", m.Name, err))
	case err != nil:
		b.errs = append(b.errs, diag.Errorf(c.File, m.Line, 0, m.Field, "%s: want a cron schedule such as \"@every 10s\" or \"*/15 * * * * *\", got %q: Dapr %s's bindings.cron fails to initialize (%v), %s", m.Name, m.Value, p.Version, err, daprd))
	default:
		bd.Schedule = s
	}
}
