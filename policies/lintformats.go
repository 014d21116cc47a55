package policies

import (
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/report"
)

// LintReport is what one `sim lint` found, for the machine-readable forms:
// the findings shown (those at or above Level, sorted as Lint sorts them)
// and the files that could not be read or parsed.
type LintReport struct {
	Findings []Finding
	Level    Level  // the threshold (--level)
	Dapr     string // the release checked against
	AppID    string // the sidecar checked as, "" for every app the scopes name
	Errors   diag.List
}

type lintJSON struct {
	report.Header
	Dapr     string           `json:"dapr"`
	AppID    string           `json:"app_id"`
	Level    string           `json:"level"`
	OK       bool             `json:"ok"`
	Counts   lintCounts       `json:"counts"`
	Findings []findingJSON    `json:"findings"`
	Errors   []inputErrorJSON `json:"errors"`
}

type lintCounts struct {
	Note    int `json:"note"`
	Warning int `json:"warning"`
	Hazard  int `json:"hazard"`
}

type findingJSON struct {
	ID      string `json:"id"`
	Level   string `json:"level"`
	File    string `json:"file"`
	Line    int    `json:"line"`   // 0 when unknown
	Column  int    `json:"column"` // 0 when unknown
	Field   string `json:"field"`  // the YAML path of the policy or target, e.g. spec.policies.retries.slow
	Message string `json:"message"`
	Summary string `json:"summary"` // the check's one-line summary (sim lint --explain ID says more)
}

type inputErrorJSON struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// WriteJSON writes the report as one JSON document (format 1): the options,
// ok (nothing at or above the level, no unreadable file), the counts per
// level, each finding and each input error.
func (r *LintReport) WriteJSON(w io.Writer) error {
	doc := lintJSON{Header: report.NewHeader("lint"), Dapr: r.Dapr, AppID: r.AppID, Level: r.Level.String(),
		OK: len(r.Findings) == 0 && len(r.Errors) == 0, Findings: []findingJSON{}, Errors: []inputErrorJSON{}}
	for _, f := range r.Findings {
		switch f.Level {
		case LevelNote:
			doc.Counts.Note++
		case LevelWarning:
			doc.Counts.Warning++
		case LevelHazard:
			doc.Counts.Hazard++
		}
		c, _ := LintCheck(f.ID)
		doc.Findings = append(doc.Findings, findingJSON{ID: f.ID, Level: f.Level.String(), File: f.File, Line: f.Line,
			Column: f.Col, Field: f.Field, Message: f.Msg, Summary: c.Summary})
	}
	for _, e := range r.Errors {
		doc.Errors = append(doc.Errors, inputErrorJSON{File: e.File, Line: e.Line, Column: e.Col, Field: e.Field, Message: e.Msg})
	}
	return report.Write(w, doc)
}

// SARIFSchema is the schema a SARIF document of WriteSARIF names: the
// OASIS SARIF 2.1.0 schema (errata 01), the one GitHub code scanning reads.
const SARIFSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// The SARIF 2.1.0 objects WriteSARIF fills (OASIS sarif-v2.1.0 §3), with
// only the properties sim has values for.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool        sarifTool         `json:"tool"`
		Invocations []sarifInvocation `json:"invocations"`
		Results     []sarifResult     `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name    string      `json:"name"`
		Version string      `json:"version,omitempty"`
		Rules   []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string             `json:"id"`
		ShortDescription     sarifMessage       `json:"shortDescription"`
		FullDescription      sarifMessage       `json:"fullDescription"`
		Help                 sarifMessage       `json:"help"`
		DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	}
	sarifConfiguration struct {
		Level string `json:"level"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifInvocation struct {
		ExecutionSuccessful bool                `json:"executionSuccessful"`
		Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level     string          `json:"level"`
		Message   sarifMessage    `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		RuleIndex *int            `json:"ruleIndex,omitempty"` // nil for an id no rule has: a wrong index would name another rule
		Level     string          `json:"level"`
		Message   sarifMessage    `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
	sarifLocation struct {
		Physical *sarifPhysical `json:"physicalLocation,omitempty"`
		Logical  []sarifLogical `json:"logicalLocations,omitempty"`
	}
	sarifPhysical struct {
		Artifact sarifArtifact `json:"artifactLocation"`
		Region   *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	sarifLogical struct {
		FullyQualifiedName string `json:"fullyQualifiedName"`
	}
)

// sarifLevel maps a lint level onto SARIF's: a hazard is an error (a spec
// that misbehaves when a dependency fails), a warning a warning, a note a
// note.
func sarifLevel(l Level) string {
	switch l {
	case LevelHazard:
		return "error"
	case LevelWarning:
		return "warning"
	}
	return "note"
}

// WriteSARIF writes the report as a SARIF 2.1.0 log of one run: the tool
// with every lint check as a rule (id, summary, explanation, level), one
// result per finding at its file, line and column, and an invocation that
// failed when a file could not be read (each error a notification).
// Relative file names become URIs relative to %SRCROOT%, the checkout's
// root for GitHub code scanning when sim runs from there.
func (r *LintReport) WriteSARIF(w io.Writer, toolVersion string) error {
	checks := LintChecks()
	index := map[string]int{}
	driver := sarifDriver{Name: "sim", Version: toolVersion, Rules: make([]sarifRule, len(checks))}
	for i, c := range checks {
		index[c.ID] = i
		driver.Rules[i] = sarifRule{ID: c.ID, ShortDescription: sarifMessage{c.Summary}, FullDescription: sarifMessage{c.Explanation},
			Help:                 sarifMessage{c.Explanation + "\n\n`sim lint --explain " + c.ID + "` prints this text."},
			DefaultConfiguration: sarifConfiguration{sarifLevel(c.Level)}}
	}
	run := sarifRun{Tool: sarifTool{driver}, Results: []sarifResult{},
		Invocations: []sarifInvocation{{ExecutionSuccessful: len(r.Errors) == 0}}}
	for _, f := range r.Findings {
		msg := f.Msg
		if f.Field != "" {
			msg = f.Field + ": " + msg
		}
		res := sarifResult{RuleID: f.ID, Level: sarifLevel(f.Level), Message: sarifMessage{msg}}
		if i, ok := index[f.ID]; ok {
			res.RuleIndex = &i
		}
		if loc, ok := sarifLocationOf(f.File, f.Line, f.Col, f.Field); ok {
			res.Locations = []sarifLocation{loc}
		}
		run.Results = append(run.Results, res)
	}
	for _, e := range r.Errors {
		n := sarifNotification{Level: "error", Message: sarifMessage{e.Error()}}
		if loc, ok := sarifLocationOf(e.File, e.Line, e.Col, e.Field); ok {
			n.Locations = []sarifLocation{loc}
		}
		run.Invocations[0].Notifications = append(run.Invocations[0].Notifications, n)
	}
	return report.Write(w, sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

// sarifLocationOf places a finding: its file as a URI (relative ones
// against %SRCROOT%), the line and column when known, and the YAML path as
// a logical location. ok is false when nothing is known.
func sarifLocationOf(file string, line, col int, field string) (sarifLocation, bool) {
	var loc sarifLocation
	if file != "" {
		p := &sarifPhysical{Artifact: artifactOf(file)}
		if line > 0 {
			p.Region = &sarifRegion{StartLine: line}
			if col > 0 {
				p.Region.StartColumn = col
			}
		}
		loc.Physical = p
	}
	if field != "" {
		loc.Logical = []sarifLogical{{FullyQualifiedName: field}}
	}
	return loc, file != "" || field != ""
}

// artifactOf turns a file name as the user gave it into a SARIF artifact
// location: a relative path is a relative URI reference (slashes, each
// segment percent-encoded) against %SRCROOT%; an absolute one a file URI.
func artifactOf(file string) sarifArtifact {
	p := filepath.ToSlash(filepath.Clean(file))
	if p == ".." || strings.HasPrefix(p, "../") {
		// Outside the directory sim runs in, which code scanning takes for
		// the checkout's root: a %SRCROOT%-relative address would climb out
		// of it, so the file is named by its absolute path.
		if abs, err := filepath.Abs(file); err == nil {
			file, p = abs, filepath.ToSlash(abs)
		}
	}
	if filepath.IsAbs(file) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // a Windows volume: file:///C:/…
		}
		return sarifArtifact{URI: (&url.URL{Scheme: "file", Path: p}).String()}
	}
	return sarifArtifact{URI: (&url.URL{Path: p}).String(), URIBaseID: "%SRCROOT%"}
}
