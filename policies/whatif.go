package policies

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/ynode"
	"github.com/dapr-sim/sim/policies/retry"
)

// WhatIfFields are the fields of an exponential retry policy that dapr/kit
// has and Dapr's YAML has no key for. An Edit may set them all the same, as
// a what-if: it is laid over the loaded policy (ApplyWhatIfs), since the
// documents have nowhere to put it.
var WhatIfFields = []string{"initialInterval", "multiplier", "randomizationFactor", "maxElapsedTime"}

// WhatIf reports whether e is a what-if: it sets one of WhatIfFields, or,
// with no Field, names a retry policy and sets nothing (a scenario's
// `overrides.retries.NAME: {}`, which is still checked against the loaded
// policies). Load leaves what-ifs alone; ApplyWhatIfs takes only them.
func (e Edit) WhatIf() bool {
	return e.Section == "retries" && (e.Field == "" || slices.Contains(WhatIfFields, e.Field))
}

// CheckWhatIf checks a what-if value before anything is loaded, by the rule
// ApplyWhatIfs reads it with; the problem is the message alone, for the
// caller to place. field is one of WhatIfFields.
func CheckWhatIf(field, value string) error {
	var p retry.Policy
	return setWhatIf(&p, field, value)
}

// Check checks what of e can be checked before a run is prepared: the value
// of a what-if, named by e's Origin in any problem. Every other value is
// checked as the Resiliency documents are read, exactly as if the file said
// it.
func (e Edit) Check() error {
	if !e.WhatIf() || e.Field == "" {
		return nil
	}
	if err := CheckWhatIf(e.Field, e.Value); err != nil {
		return &diag.Error{Field: e.Origin(), Msg: err.Error()}
	}
	return nil
}

// setWhatIf is the one rule for a what-if value, whether a scenario's
// overrides or --set gives it.
func setWhatIf(p *retry.Policy, field, value string) error {
	switch field {
	case "initialInterval", "maxElapsedTime":
		d, err := time.ParseDuration(strings.TrimSpace(value))
		switch {
		case err != nil:
			return fmt.Errorf("want a duration such as \"1.5s\", got %q%s", value, ynode.DurationHint(value))
		case d < 0:
			return fmt.Errorf("want a duration of 0 or more, got %q", value)
		case field == "initialInterval":
			p.InitialInterval = d
		default:
			p.MaxElapsedTime = d
		}
	case "multiplier", "randomizationFactor":
		v, err := ynode.ParseFloat(value)
		if err != nil {
			return err
		}
		check, dst := retry.CheckMultiplier, &p.Multiplier
		if field == "randomizationFactor" {
			check, dst = retry.CheckRandomizationFactor, &p.RandomizationFactor
		}
		if err := check(v, value); err != nil {
			return err
		}
		// dapr/kit keeps these as float32; match its rounding.
		*dst = float64(float32(v))
	default:
		return fmt.Errorf("%q is not a what-if field (%s)", field, strings.Join(WhatIfFields, ", "))
	}
	return nil
}

// place is where a problem found with e once the policies are loaded is
// reported: the key of its policy in the file that gave it (under the
// file's overrides), or else its Origin.
func (e Edit) place() (file string, line int, field string) {
	if e.File != "" {
		return e.File, e.Line, "overrides." + e.Section + "." + e.Name
	}
	return "", 0, e.Origin()
}

// sameEntry reports whether a and b come from one entry of a file: the
// edits a file gives one policy key are reported together.
func sameEntry(a, b Edit) bool {
	return a.File != "" && a.File == b.File && a.Line == b.Line && a.Col == b.Col && a.Name == b.Name
}

// ApplyWhatIfs lays the what-ifs among edits over s's retry policies, in
// order, so a later value wins; the other edits were Load's. Each entry (the
// what-ifs a file gives one policy key, or one edit of a flag) is reported
// once: an error when no retry policy has its name, a warning when the
// policy is constant and so ignores them, and a warning naming the fields it
// sets, since no real sidecar can be told them.
func ApplyWhatIfs(s *Spec, edits []Edit) ([]diag.Warning, diag.List) {
	var warns []diag.Warning
	var errs diag.List
	var whatIfs []Edit
	for _, e := range edits {
		if e.WhatIf() {
			whatIfs = append(whatIfs, e)
		}
	}
	for len(whatIfs) > 0 {
		n := 1
		for n < len(whatIfs) && sameEntry(whatIfs[0], whatIfs[n]) {
			n++
		}
		entry := whatIfs[:n]
		whatIfs = whatIfs[n:]
		name := entry[0].Name
		file, line, field := entry[0].place()
		p, ok := s.Retries[name]
		if !ok {
			errs = append(errs, &diag.Error{File: file, Line: line, Field: field,
				Msg: fmt.Sprintf("no retry policy named %q in the loaded resources%s", name, diag.SuggestKey(name, s.Retries))})
			continue
		}
		if p.Kind != retry.Exponential {
			warns = append(warns, diag.Warnf(file, line, 0, field, "%s is a constant policy: these exponential settings change nothing", name))
		}
		set := map[string]bool{}
		for _, e := range entry {
			if e.Field == "" {
				continue
			}
			if err := setWhatIf(&p, e.Field, e.Value); err != nil {
				errs = append(errs, &diag.Error{File: file, Line: line, Field: field, Msg: err.Error()})
				continue
			}
			set[e.Field] = true
		}
		s.Retries[name] = p
		var words []string
		for _, f := range WhatIfFields {
			if set[f] {
				words = append(words, f)
			}
		}
		if len(words) > 0 {
			warns = append(warns, diag.Warnf(file, line, 0, field,
				"what-if: %s cannot be set in a Resiliency file (Dapr %s always runs 500ms, x1.5, ±50%%, 15m); this run goes beyond what a real sidecar can be told", joinWords(words), s.Profile.Version))
		}
	}
	return warns, errs
}

func joinWords(w []string) string {
	switch len(w) {
	case 1:
		return w[0]
	case 2:
		return w[0] + " and " + w[1]
	}
	return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
}
