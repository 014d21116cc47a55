package main

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/dapr-sim/sim/policies"
	junit "github.com/joshdk/go-junit"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestLintSARIFEndToEnd: what `sim lint --format sarif` prints for the
// shipped examples validates against the SARIF 2.1.0 schema (the copy in
// policies/testdata), and every finding the text form prints is a result
// at the same file and line.
func TestLintSARIFEndToEnd(t *testing.T) {
	f, err := os.Open("../../policies/testdata/sarif-schema-2.1.0.json")
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
	if err := c.AddResource(policies.SARIFSchema, doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile(policies.SARIFSchema)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"lint", "--level", "note", "../../examples/quickstart/resources", "../../examples/pubsub/resources"}
	var text, sarif, stderr bytes.Buffer
	Main(args, &text, &stderr)
	if status := Main(append(args, "--format", "sarif"), &sarif, &stderr); status != exitFailed {
		t.Fatalf("exit %d, want 1 (findings)\n%s", status, stderr.String())
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(sarif.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("the log does not validate: %v", err)
	}
	var log struct {
		Runs []struct {
			Results []json.RawMessage
		}
	}
	if err := json.Unmarshal(sarif.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Count(text.Bytes(), []byte("\n"))
	if lines == 0 || len(log.Runs) != 1 || len(log.Runs[0].Results) != lines {
		t.Errorf("%d text findings, SARIF results %d:\n%s", lines, len(log.Runs[0].Results), text.String())
	}
}

// TestCheckJUnitEndToEnd: the quickstart's expectations on Dapr 1.16 (ten
// fail) as JUnit, read by go-junit: fourteen testcases, ten failures, and
// the exit status of the text form.
func TestCheckJUnitEndToEnd(t *testing.T) {
	var out, stderr bytes.Buffer
	status := Main([]string{"check", "../../examples/quickstart/scenario.yaml", "--dapr", "1.16", "--format", "junit"}, &out, &stderr)
	if status != exitFailed {
		t.Fatalf("exit %d, want 1\n%s", status, stderr.String())
	}
	suites, err := junit.Ingest(out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(suites) != 1 || suites[0].Totals.Tests != 14 || suites[0].Totals.Failed != 10 {
		t.Errorf("suites %+v", suites)
	}
}
