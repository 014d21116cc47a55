package sim

import (
	"slices"
	"strings"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/policies"
	"gopkg.in/yaml.v3"
)

// WhatIfFields are the retry fields only a scenario's overrides (or --set)
// can change: Dapr's YAML has no key for them.
var WhatIfFields = []string{"initialInterval", "multiplier", "randomizationFactor", "maxElapsedTime"}

// ParseEditPath reads the address of a policy edit, as --set gives it: a
// what-if retry field (retries.NAME.FIELD, FIELD one of WhatIfFields), or
// any address policies.ParseEditPath reads. The edit has no value yet.
func ParseEditPath(path string) (policies.Edit, error) {
	if rest, ok := strings.CutPrefix(path, "retries."); ok {
		for _, f := range WhatIfFields {
			if name, ok := strings.CutSuffix(rest, "."+f); ok && name != "" {
				return policies.Edit{Section: "retries", Name: name, Field: f}, nil
			}
		}
	}
	return policies.ParseEditPath(path)
}

// IsWhatIf reports whether e sets a what-if retry field rather than a key
// of the Resiliency documents.
func IsWhatIf(e policies.Edit) bool {
	return e.Section == "retries" && slices.Contains(WhatIfFields, e.Field)
}

// CheckEdit checks what of an edit can be checked before a run is
// prepared: a what-if value, with the rules of a scenario's overrides, named
// by e.Origin in any problem. Every other value is checked as the
// Resiliency documents are read, exactly as if the file said it.
func CheckEdit(e policies.Edit) error {
	if !IsWhatIf(e) {
		return nil
	}
	_, err := whatIfOverride(e)
	return err
}

func whatIfOverride(e policies.Edit) (Override, error) {
	return overrideFromFlag(e.Name, e.Field, e.Value, e.Origin())
}

// splitEdits parts the edits of a run: those laid over the Resiliency
// documents, and the what-ifs, as overrides laid over the scenario's.
func splitEdits(all []policies.Edit) (edits []policies.Edit, whatIfs []Override, err error) {
	for _, e := range all {
		if !IsWhatIf(e) {
			edits = append(edits, e)
			continue
		}
		o, err := whatIfOverride(e)
		if err != nil {
			return nil, nil, err
		}
		whatIfs = append(whatIfs, o)
	}
	return edits, whatIfs, nil
}

// overrideFromFlag reads a what-if retry value given on the command line
// with the rules of a scenario's overrides: origin (e.g. `--set
// retries.expo.multiplier=0.5`) names it in any problem.
func overrideFromFlag(policy, field, value, origin string) (Override, error) {
	scalar := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	mapping := func(k string, v *yaml.Node) *yaml.Node {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{scalar(k), v}}
	}
	d := &decoder{}
	out := d.overrides("overrides", mapping("retries", mapping(policy, mapping(field, scalar(value)))))
	if len(d.errs) > 0 {
		// The decoder's words, under the flag: "want a value from 0 to 1".
		e := d.errs[0]
		return Override{}, &diag.Error{Field: origin, Msg: e.Msg}
	}
	o := out[0]
	o.Line, o.Origin = 0, origin
	return o, nil
}
