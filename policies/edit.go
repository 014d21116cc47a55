package policies

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/ynode"
	"gopkg.in/yaml.v3"
)

// Edit sets one field of a named policy in the Resiliency documents before
// they are read, as `sim sweep --set` does. The value replaces what the file
// says (or is added when the file is silent) in the parsed YAML, so it is
// then read exactly as if the file had said it: the same checks, defaults,
// profile rules and warnings, with the same messages.
type Edit struct {
	// Section is retries, timeouts or circuitBreakers; Name the policy;
	// Field the key under it as the YAML spells it (matching.httpStatusCodes
	// for a nested one), "" for a timeout, which is a bare duration.
	Section, Name, Field string
	// Value is the text of a YAML scalar: 5s, -1, 'a,b', consecutiveFailures >= 5.
	Value string
	// Flag names where the edit came from, e.g. "--set": a problem with it
	// is reported as `--set PATH=VALUE: …` (`--set PATH: …` when the value is
	// not at fault) instead of at a file line.
	Flag string
	// File, Line and Col are where a file gave the edit instead (a
	// scenario's overrides): the key of its policy there, at which a
	// problem found once the policies are loaded is reported. The edits of
	// one key are one entry, reported once.
	File      string
	Line, Col int
}

// Path is the edit's address, SECTION.NAME[.FIELD].
func (e Edit) Path() string {
	if e.Field == "" {
		return e.Section + "." + e.Name
	}
	return e.Section + "." + e.Name + "." + e.Field
}

// Origin is the edit as the user wrote it, its Flag first: `--set
// retries.r.duration=5s` (`edit PATH=VALUE` when it has no Flag). Problems
// with the edit's value are reported under it.
func (e Edit) Origin() string { return e.origin(true) }

// origin is the edit as the user wrote it, valueless for problems of the
// path alone.
func (e Edit) origin(withValue bool) string {
	s := e.Path()
	if withValue {
		s += "=" + e.Value
	}
	if e.Flag != "" {
		return e.Flag + " " + s
	}
	return "edit " + s
}

// editFields are the settable fields of each section, as Dapr's YAML spells
// them (a timeout is a bare duration).
var editFields = map[string][]string{
	"retries":         {"policy", "duration", "maxInterval", "maxRetries", "matching.httpStatusCodes", "matching.gRPCStatusCodes"},
	"timeouts":        nil,
	"circuitBreakers": {"maxRequests", "interval", "timeout", "trip"},
}

var editSections = []string{"retries", "timeouts", "circuitBreakers"}

// sectionWord names one policy of a section in messages.
var sectionWord = map[string]string{"retries": "retry policy", "timeouts": "timeout", "circuitBreakers": "circuit breaker"}

// ParseEditPath reads an address such as retries.NAME.FIELD,
// circuitBreakers.NAME.FIELD or timeouts.NAME into an Edit without a value;
// FIELD may be a what-if retry field (WhatIfFields).
// A policy name may itself contain dots: the section is the first segment
// and the field the last (or the last two, for matching.*).
func ParseEditPath(path string) (Edit, error) {
	section, rest, _ := strings.Cut(path, ".")
	fields, ok := editFields[section]
	if !ok {
		msg := fmt.Sprintf("unknown section %q: want retries, timeouts or circuitBreakers", section)
		if h := diag.Suggest(section, editSections); h != "" {
			msg += h
		} else if s := diag.Nearest(section, []string{"retry", "timeout", "circuitBreaker"}); s != "" {
			msg += diag.DidYouMean(map[string]string{"retry": "retries", "timeout": "timeouts", "circuitBreaker": "circuitBreakers"}[s])
		}
		return Edit{}, fmt.Errorf("%s", msg)
	}
	if section == "timeouts" {
		if rest == "" {
			return Edit{}, fmt.Errorf("want timeouts.NAME: a timeout policy is a bare duration")
		}
		return Edit{Section: section, Name: rest}, nil
	}
	word := sectionWord[section]
	if section == "retries" {
		for _, f := range WhatIfFields {
			if name, ok := strings.CutSuffix(rest, "."+f); ok && name != "" {
				return Edit{Section: section, Name: name, Field: f}, nil
			}
		}
	}
	for _, f := range fields {
		if name, ok := strings.CutSuffix(rest, "."+f); ok && name != "" {
			return Edit{Section: section, Name: name, Field: f}, nil
		}
	}
	i := strings.LastIndex(rest, ".")
	if i <= 0 {
		return Edit{}, fmt.Errorf("want %s.NAME.FIELD, where FIELD is one of %s", section, strings.Join(fields, ", "))
	}
	field := rest[i+1:]
	switch {
	case section == "retries" && strings.EqualFold(field, "matching"):
		return Edit{}, fmt.Errorf("matching is a mapping: set matching.httpStatusCodes or matching.gRPCStatusCodes")
	}
	msg := fmt.Sprintf("a %s has no field %q", word, field)
	if h := diag.Suggest(field, fields); h != "" {
		msg += h
	} else {
		msg += "; the fields are " + strings.Join(fields, ", ")
	}
	return Edit{}, fmt.Errorf("%s", msg)
}

// LoadEdited is Load with edits laid over the Resiliency documents as they
// are read. Besides Load's checks, every edit must name a policy a resource
// kept for appID defines; a problem with an edit's value is reported under
// its Flag, path and value. What-ifs (Edit.WhatIf) have no key in the
// documents: they are left for ApplyWhatIfs.
func LoadEdited(paths []string, appID string, p Profile, edits []Edit) (*Spec, []diag.Warning, error) {
	return ReadSources(paths).Load(appID, p, edits)
}

// Load is LoadEdited over files read already.
func (src *Sources) Load(appID string, p Profile, edits []Edit) (*Spec, []diag.Warning, error) {
	// The edits are numbered among those laid over the documents (editLine).
	edits = slices.DeleteFunc(slices.Clone(edits), Edit.WhatIf)
	files, warns, err := src.parse(edits)
	var s *Spec
	if err == nil {
		var ws []diag.Warning
		s, ws, err = Build(files, appID, p)
		warns = append(warns, ws...)
		if err == nil {
			err = checkEdits(files, s, appID, edits)
		}
		if err == nil {
			warns = append(warns, hazardWarnings(files, s)...)
		}
	}
	if len(edits) > 0 {
		warns, err = blameEdits(warns, err, edits)
	}
	diag.SortWarnings(warns)
	return s, warns, err
}

// The nodes an edit adds carry line -(i+1) for edit i: any message built
// from their position, in the parser or later in Build, can then be traced
// to the edit and reported under it.
func editLine(i int) int { return -(i + 1) }

func blameEdits(warns []diag.Warning, err error, edits []Edit) ([]diag.Warning, error) {
	blame := func(file *string, line, col *int, field *string) {
		if *line < 0 && -*line <= len(edits) {
			*file, *field = "", edits[-*line-1].origin(true)
			*line, *col = 0, 0
		}
	}
	// Blamed, the same problem found in each resource that defines the
	// policy reads the same: say it once.
	seen := map[string]bool{}
	kept := warns[:0]
	for _, w := range warns {
		blame(&w.File, &w.Line, &w.Col, &w.Field)
		if s := w.String(); !seen[s] {
			seen[s] = true
			kept = append(kept, w)
		}
	}
	warns = kept
	switch e := err.(type) {
	case diag.List:
		var l diag.List
		for _, d := range e {
			blame(&d.File, &d.Line, &d.Col, &d.Field)
			if s := d.Error(); !seen[s] {
				seen[s] = true
				l = append(l, d)
			}
		}
		return warns, l.Err()
	case *diag.Error:
		blame(&e.File, &e.Line, &e.Col, &e.Field)
	}
	return warns, err
}

// checkEdits reports edits that change nothing: a policy no Resiliency
// defines, or only one Dapr does not load for appID.
func checkEdits(files []*File, s *Spec, appID string, edits []Edit) error {
	var errs diag.List
	for i, e := range edits {
		applied, kept := false, false
		var names []string
		for _, f := range files {
			for _, r := range f.Resiliencies {
				if slices.Contains(r.edited, i) {
					applied = true
					kept = kept || (s.Enabled && inScope(r.Scopes, appID))
				}
				names = append(names, r.policyNames(e.Section)...)
			}
		}
		if kept {
			continue
		}
		word := sectionWord[e.Section]
		var msg string
		switch {
		case applied && !s.Enabled:
			msg = fmt.Sprintf("Dapr %s loads no Resiliency here (see the warning about its Configuration), so this changes nothing", s.Profile.Version)
		case applied:
			msg = fmt.Sprintf("%s %q is defined only in resources scoped to other apps than %q: Dapr does not load them", word, e.Name, appID)
		default:
			msg = fmt.Sprintf("no %s named %q in the resources%s", word, e.Name, nameHint(e, names))
		}
		errs = append(errs, &diag.Error{Field: e.origin(false), Msg: msg})
	}
	return errs.Err()
}

func nameHint(e Edit, names []string) string {
	slices.Sort(names)
	names = slices.Compact(names)
	if h := diag.Suggest(e.Name, names); h != "" {
		return h
	}
	if e.Section == "timeouts" {
		// timeouts.slow.duration: the habit of the other sections.
		for _, n := range names {
			if strings.HasPrefix(e.Name, n+".") {
				return fmt.Sprintf(" (a timeout is a bare duration: write timeouts.%s=VALUE)", n)
			}
		}
	}
	if len(names) == 0 {
		return fmt.Sprintf(" (they define no %s)", sectionWord[e.Section])
	}
	return ""
}

func (r *Resiliency) policyNames(section string) []string {
	var out []string
	switch section {
	case "retries":
		for _, p := range r.Retries {
			out = append(out, p.Name)
		}
	case "timeouts":
		for _, p := range r.Timeouts {
			out = append(out, p.Name)
		}
	case "circuitBreakers":
		for _, p := range r.CircuitBreakers {
			out = append(out, p.Name)
		}
	}
	return out
}

// applyEdits lays edits over a copy of a Resiliency document and returns
// it with the indexes of the edits that found their policy in it. Nodes on
// the way down are copied before they change, the document's own first:
// an anchor may be shared, and an edit of one policy must not reach
// another through an alias, nor an edited load the document as parsed,
// which other loads read (Sources).
func applyEdits(doc *yaml.Node, edits []Edit) (*yaml.Node, []int) {
	root := *doc
	root.Content = slices.Clone(doc.Content)
	doc = &root
	var applied []int
	for i, e := range edits {
		sec := ownMapping(doc, "spec", "policies", e.Section)
		if sec == nil {
			continue
		}
		found := false
		for j := 0; j+1 < len(sec.Content); j += 2 {
			if sec.Content[j].Value != e.Name {
				continue // policy names are map keys: case-sensitive
			}
			found = true
			if e.Field == "" {
				sec.Content[j+1] = valueNode(e.Value, editLine(i))
				continue
			}
			pol := ownValue(sec, j+1, editLine(i))
			if pol == nil {
				continue // not a mapping: the unedited file is rejected already
			}
			if parent, field, nested := strings.Cut(e.Field, "."); nested {
				m := ownValue(pol, setKey(pol, parent, nil, editLine(i)), editLine(i))
				if m != nil {
					setKey(m, field, valueNode(e.Value, editLine(i)), editLine(i))
				}
				continue
			}
			setKey(pol, e.Field, valueNode(e.Value, editLine(i)), editLine(i))
		}
		if found {
			applied = append(applied, i)
		}
	}
	return doc, applied
}

// ownMapping walks keys down from n, matched as Dapr matches them
// (case-insensitively, the last one winning), replacing each mapping on
// the way by a copy; nil when a key is missing or not a mapping.
func ownMapping(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		at := -1
		for j := 0; j+1 < len(n.Content); j += 2 {
			if strings.EqualFold(n.Content[j].Value, k) {
				at = j + 1
			}
		}
		if at < 0 {
			return nil
		}
		if v := ynode.Resolve(n.Content[at]); v == nil || v.Kind != yaml.MappingNode {
			return nil
		}
		n = ownValue(n, at, 0)
	}
	return n
}

// ownValue replaces parent.Content[at] by a copy of the mapping it holds
// (an empty one, at line, for null) and returns the copy; nil for anything
// else.
func ownValue(parent *yaml.Node, at, line int) *yaml.Node {
	v := ynode.Resolve(parent.Content[at])
	switch {
	case ynode.IsNull(v):
		c := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line}
		parent.Content[at] = c
		return c
	case v.Kind != yaml.MappingNode:
		return nil
	}
	c := *v
	c.Anchor = ""
	c.Content = slices.Clone(v.Content)
	parent.Content[at] = &c
	return &c
}

// setKey makes value the only value of key in mapping m: every key Dapr
// would read as key (any case) goes, and key is added at the end. A nil
// value keeps the value Dapr would have read (null when none) and returns
// its index, for descending into it.
func setKey(m *yaml.Node, key string, value *yaml.Node, line int) int {
	kept := m.Content[:0]
	var read *yaml.Node
	for j := 0; j+1 < len(m.Content); j += 2 {
		if strings.EqualFold(m.Content[j].Value, key) {
			read = m.Content[j+1]
			continue
		}
		kept = append(kept, m.Content[j], m.Content[j+1])
	}
	switch {
	case value != nil:
	case read != nil:
		value = read
	default:
		value = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: line}
	}
	keyN := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: line}
	m.Content = append(kept, keyN, value)
	return len(m.Content) - 1
}

// valueNode reads text as the value of a key in a YAML file would be read
// (`duration: 5s`, `maxRetries: -1`, `trip: 'a, b'`), at line. Text that is
// not one scalar there (a list, a quoted string with more after it, a
// comment) stays the string it is: reading it then fails, or succeeds, with
// the field's own rules and message. So does text with a YAML tag
// (`!!int 5`, `!foo`): a --set value is plain text, never a tag.
func valueNode(text string, line int) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: text}
	var doc yaml.Node
	if yaml.Unmarshal([]byte("v: "+text), &doc) == nil && len(doc.Content) == 1 {
		m := doc.Content[0]
		if m.Kind == yaml.MappingNode && len(m.Content) == 2 {
			v := m.Content[1]
			if v.Kind == yaml.ScalarNode && v.Style&yaml.TaggedStyle == 0 && v.HeadComment == "" && v.LineComment == "" && v.FootComment == "" && m.Content[0].LineComment == "" {
				n = v
			}
		}
	}
	n.Line, n.Column = line, 0
	return n
}
