package policies

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifFixture has a finding with a column (a misspelt key), a hazard
// without one (a retry that never gives up) and a finding of a whole spec.
const sarifFixture = `apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata:
  name: forever
spec:
  policies:
    retries:
      forever:
        duration: 2s
        maxRetrys: 3
  targets:
    components:
      statestore:
        outbound:
          retry: forever
`

func lintFixture(t *testing.T) LintReport {
	t.Helper()
	f, ws, err := ParseFile("dir with space/res.yaml", []byte(sarifFixture))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := Lint([]*File{f}, ws, LintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return LintReport{Findings: fs, Level: LevelNote, Dapr: "1.16",
		Errors: diag.List{{File: "broken.yaml", Line: 3, Col: 5, Field: "spec", Msg: "want a mapping"}}}
}

// sarifSchema compiles the OASIS schema shipped in testdata (provenance in
// testdata/README.md) with format assertions on (uri, uri-reference).
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(SARIFSchema, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(SARIFSchema)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, text string) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, text)
	}
	return s.Validate(inst)
}

// TestSARIFValidates: the log validates against the SARIF 2.1.0 schema,
// places each finding at its YAML line (and column when known) under a
// URI relative to %SRCROOT%, lists every lint check as a rule, and fails
// the invocation for an unreadable file. A log the schema refuses is
// caught: the same check fails on a copy with a region at line 0.
func TestSARIFValidates(t *testing.T) {
	s := sarifSchema(t)
	r := lintFixture(t)
	var b strings.Builder
	if err := r.WriteSARIF(&b, "0.1.0"); err != nil {
		t.Fatal(err)
	}
	if err := validate(t, s, b.String()); err != nil {
		t.Fatalf("the SARIF log does not validate: %v\n%s", err, b.String())
	}

	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID                   string
						DefaultConfiguration struct{ Level string }
					}
				}
			}
			Invocations []struct {
				ExecutionSuccessful        bool
				ToolExecutionNotifications []json.RawMessage
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI, URIBaseID string }
						Region           struct{ StartLine, StartColumn int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(b.String()), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != len(LintChecks()) {
		t.Errorf("%d rules, want every check (%d)", len(run.Tool.Driver.Rules), len(LintChecks()))
	}
	if run.Invocations[0].ExecutionSuccessful || len(run.Invocations[0].ToolExecutionNotifications) != 1 {
		t.Errorf("invocation %+v: want unsuccessful with the one input error", run.Invocations[0])
	}
	if len(run.Results) != len(r.Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(r.Findings))
	}
	for i, res := range run.Results {
		f := r.Findings[i]
		rule := run.Tool.Driver.Rules[res.RuleIndex]
		if res.RuleID != f.ID || rule.ID != f.ID {
			t.Errorf("result %d: ruleId %s, rule %s, want %s", i, res.RuleID, rule.ID, f.ID)
		}
		if res.Level != sarifLevel(f.Level) || rule.DefaultConfiguration.Level != sarifLevel(f.Level) {
			t.Errorf("result %d (%s): level %s, rule's %s", i, f.ID, res.Level, rule.DefaultConfiguration.Level)
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI != "dir%20with%20space/res.yaml" || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" {
			t.Errorf("result %d: artifact %+v", i, loc.ArtifactLocation)
		}
		if loc.Region.StartLine != f.Line || loc.Region.StartColumn != f.Col {
			t.Errorf("result %d (%s): region %+v, want line %d column %d", i, f.ID, loc.Region, f.Line, f.Col)
		}
	}
	ids := map[string]int{}
	for _, f := range r.Findings {
		ids[f.ID] = f.Col
	}
	if col, ok := ids["unknown-key"]; !ok || col == 0 {
		t.Errorf("findings %v: want unknown-key with its column", ids)
	}
	if _, ok := ids["retry-forever-without-breaker"]; !ok {
		t.Errorf("findings %v: want retry-forever-without-breaker", ids)
	}

	bad := strings.Replace(b.String(), `"startLine": 10`, `"startLine": 0`, 1)
	if bad == b.String() {
		t.Fatalf("no region at line 10 to break:\n%s", b.String())
	}
	if err := validate(t, s, bad); err == nil {
		t.Error("a region at line 0 validates: the schema check catches nothing")
	}
}

// A finding whose id no rule has carries no ruleIndex (index 0 would name
// the first rule); the first rule's findings keep their index 0.
func TestSARIFRuleIndex(t *testing.T) {
	first := LintChecks()[0].ID
	r := &LintReport{Findings: []Finding{{ID: "no-such-check", Level: LevelWarning, File: "a.yaml", Line: 1}, {ID: first, Level: LevelWarning, File: "a.yaml", Line: 2}}}
	var b strings.Builder
	if err := r.WriteSARIF(&b, "0.1.0"); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct{ Results []map[string]any }
	}
	if err := json.Unmarshal([]byte(b.String()), &log); err != nil {
		t.Fatal(err)
	}
	res := log.Runs[0].Results
	if _, ok := res[0]["ruleIndex"]; ok {
		t.Errorf("an unknown rule's result has ruleIndex %v", res[0]["ruleIndex"])
	}
	if i, ok := res[1]["ruleIndex"]; !ok || i != 0.0 {
		t.Errorf("the first rule's result has ruleIndex %v (present: %v), want 0", i, ok)
	}
}

// TestSARIFAbsolutePath: an absolute file name is a file URI, not one
// relative to %SRCROOT%.
func TestSARIFAbsolutePath(t *testing.T) {
	a := artifactOf("/srv/res/a b.yaml")
	if a.URI != "file:///srv/res/a%20b.yaml" || a.URIBaseID != "" {
		t.Errorf("artifact %+v", a)
	}
	if a := artifactOf("./res/../res/x:y.yaml"); a.URI != "res/x:y.yaml" && a.URI != "./res/x:y.yaml" {
		t.Errorf("artifact %+v", a)
	}
	// Outside the working directory: an absolute file URI, not a
	// %SRCROOT%-relative one that climbs out of the checkout.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	want := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(filepath.Dir(wd), "x.yaml"))}).String()
	if a := artifactOf("../x.yaml"); a.URI != want || a.URIBaseID != "" {
		t.Errorf("artifact of ../x.yaml: %+v, want %s", a, want)
	}
}

// TestLintJSONShape pins the keys of the lint document and its counts.
func TestLintJSONShape(t *testing.T) {
	r := lintFixture(t)
	var b strings.Builder
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Format   int
		Command  string
		OK       bool
		Counts   map[string]int
		Findings []map[string]any
		Errors   []map[string]any
	}
	if err := json.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Format != 1 || doc.Command != "lint" || doc.OK || len(doc.Findings) != len(r.Findings) || len(doc.Errors) != 1 {
		t.Errorf("document:\n%s", b.String())
	}
	if n := doc.Counts["note"] + doc.Counts["warning"] + doc.Counts["hazard"]; n != len(r.Findings) {
		t.Errorf("counts %v for %d findings", doc.Counts, len(r.Findings))
	}
	for _, key := range []string{"id", "level", "file", "line", "column", "field", "message", "summary"} {
		if _, ok := doc.Findings[0][key]; !ok {
			t.Errorf("a finding lacks %q: %v", key, doc.Findings[0])
		}
	}
}
