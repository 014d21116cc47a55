package expect

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/dapr-sim/sim/internal/escape"
	"github.com/dapr-sim/sim/internal/report"
)

// Run names what a report was evaluated over, for the machine-readable
// forms: the scenario file and name, and the release and seed it ran with.
type Run struct {
	File string // the scenario file, as the user named it
	Name string // its name: field
	Dapr string // the profile's version
	Seed int64
}

// checkJSON is the document of `sim check --format json` (format 1).
type checkJSON struct {
	report.Header
	Scenario     string            `json:"scenario"`
	Name         string            `json:"name"`
	Dapr         string            `json:"dapr"`
	Seed         int64             `json:"seed"`
	OK           bool              `json:"ok"`
	Passed       int               `json:"passed"`
	Failed       int               `json:"failed"`
	Expectations []expectationJSON `json:"expectations"`
}

type expectationJSON struct {
	File        string   `json:"file"`
	Line        int      `json:"line"`
	Name        string   `json:"name,omitempty"` // the item's name:, when it has one
	Description string   `json:"description"`    // the check in words
	OK          bool     `json:"ok"`
	Expected    string   `json:"expected"`
	Actual      string   `json:"actual"`
	Note        string   `json:"note,omitempty"`
	Nearest     []string `json:"nearest"` // failed checks: the relevant events nearest the instant or window
}

// WriteJSON writes the report as one JSON document: the run, the totals,
// and every expectation in file order with its verdict, what it expected,
// what happened, and for a failure the nearest relevant events.
func (r *Report) WriteJSON(w io.Writer, run Run) error {
	doc := checkJSON{Header: report.NewHeader("check"), Scenario: run.File, Name: run.Name,
		Dapr: run.Dapr, Seed: run.Seed, OK: r.OK(), Passed: r.Passed, Failed: r.Failed,
		Expectations: make([]expectationJSON, len(r.Verdicts))}
	for i := range r.Verdicts {
		v := &r.Verdicts[i]
		e := expectationJSON{File: v.File, Line: v.Line, Name: v.Name, Description: v.Check.Describe(),
			OK: v.OK, Expected: v.Expected, Actual: v.Actual, Note: v.Note, Nearest: []string{}}
		if !v.OK && v.Nearest != nil {
			e.Nearest = v.Nearest
		}
		doc.Expectations[i] = e
	}
	return report.Write(w, doc)
}

// The JUnit XML elements, in the form Jenkins, GitLab and GitHub's test
// reporters read (the de-facto schema of Ant's JUnit task): one testsuite
// per scenario, one testcase per expectation, a failure element for each
// expectation that does not hold.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	File       string          `xml:"file,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Line      int           `xml:"line,attr"`
	Failure   *junitFailure `xml:"failure"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"` // readable lines; Detail has escaped every control character
}

// WriteJUnit writes the report as JUnit XML. A testcase is named as the
// text report names the expectation (`file:line: label`), so a CI page and
// a terminal show the same words; its classname is the scenario's name. No
// time attributes: the wall-clock time of a run is not part of its result,
// and output must not change from one run to the next. Names and file
// names are written as the text report writes them (escape.Text): XML 1.0
// has no way to write most control characters, not even in CDATA, and
// encoding/xml would turn those of an attribute into U+FFFD.
func (r *Report) WriteJUnit(w io.Writer, run Run) error {
	class := escape.Text(run.Name)
	if class == "" {
		class = escape.Text(run.File) // a scenario without a name: still a class to group by
	}
	suite := junitSuite{Name: escape.Text(run.File), Tests: len(r.Verdicts), Failures: r.Failed, File: escape.Text(run.File),
		Properties: []junitProperty{{"scenario", escape.Text(run.Name)}, {"dapr", run.Dapr}, {"seed", fmt.Sprint(run.Seed)}}}
	for i := range r.Verdicts {
		v := &r.Verdicts[i]
		file, label := escape.Text(v.File), escape.Text(v.Label())
		c := junitCase{Name: fmt.Sprintf("%s:%d: %s", file, v.Line, label), Classname: class, File: file, Line: v.Line}
		if v.OK {
			if v.Note != "" {
				c.SystemOut = "note: " + escape.Text(v.Note)
			}
		} else {
			c.Failure = &junitFailure{
				Message: fmt.Sprintf("%s:%d: expected %s; actual %s", file, v.Line, escape.Text(v.Expected), escape.Text(v.Actual)),
				Type:    "expectation",
				Text:    fmt.Sprintf("%s:%d: %s\n%s", file, v.Line, label, strings.TrimSuffix(v.Result.Detail(""), "\n")),
			}
		}
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{Name: "sim check", Tests: len(r.Verdicts), Failures: r.Failed, Suites: []junitSuite{suite}}
	var b strings.Builder
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
