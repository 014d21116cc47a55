package whatif

import (
	"fmt"
	"strings"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/grid"
	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/sim"
)

// Axis is one --set flag: the edit it makes and the values it sweeps.
type Axis struct {
	Edit   policies.Edit // without a value
	Values []string
}

// Path is the axis' path as --set spells it, such as retries.r.duration.
func (a Axis) Path() string { return a.Edit.Path() }

// Set lays one of the axis' values over o, as a policy edit; a what-if
// value (Edit.WhatIf) is checked here, every other when the run is
// prepared.
func (a Axis) Set(o *sim.Overrides, value string) error {
	e := a.Edit
	e.Value = value
	if err := e.Check(); err != nil {
		return err
	}
	o.Edits = append(o.Edits, e)
	return nil
}

// ParseSets reads --set flags (PATH=V1,V2,...): the axes of those that
// parse, and the problems of the others' paths or value lists, under
// `--set PATH`.
func ParseSets(sets []string) ([]Axis, diag.List) {
	var axes []Axis
	var errs diag.List
	seen := map[string]bool{}
	for _, s := range sets {
		path, list, ok := strings.Cut(s, "=")
		path = strings.TrimSpace(path)
		if !ok {
			errs = append(errs, &diag.Error{Field: "--set " + s, Msg: "want PATH=VALUE[,VALUE...], such as retries.retryForever.duration=1s,5s"})
			continue
		}
		e, err := policies.ParseEditPath(path)
		if err != nil {
			errs = append(errs, &diag.Error{Field: "--set " + path, Msg: err.Error()})
			continue
		}
		e.Flag = "--set"
		if seen[e.Path()] {
			errs = append(errs, &diag.Error{Field: "--set " + path, Msg: "given twice: list all its values in one --set, separated by commas"})
			continue
		}
		seen[e.Path()] = true
		values, err := grid.SplitValues(list)
		if err != nil {
			errs = append(errs, &diag.Error{Field: "--set " + s, Msg: err.Error()})
			continue
		}
		axes = append(axes, Axis{Edit: e, Values: values})
	}
	return axes, errs
}

// Apply reads the --set flags of a command that plays one run (sim run,
// check, diff) into o: sim sweep's paths and value rules, one value each,
// so any row of a sweep can be played again and its log or trace looked at.
func Apply(sets []string, o *sim.Overrides) error {
	axes, errs := ParseSets(sets)
	for _, a := range axes {
		if len(a.Values) != 1 {
			errs = append(errs, &diag.Error{Field: "--set " + a.Edit.Path(),
				Msg: fmt.Sprintf("want one value here, got %d; to compare several, use sim sweep", len(a.Values))})
			continue
		}
		if err := a.Set(o, a.Values[0]); err != nil {
			errs = diag.Collect(errs, err, "")
		}
	}
	return errs.Err()
}
