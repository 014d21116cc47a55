package main

import (
	"bytes"
	"context"
	"html"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestGraphDOTRendersWithGraphviz feeds every `sim graph --format dot`
// output to Graphviz (`dot -Tsvg`): it must parse without a warning and
// draw every state. CI installs graphviz (.ci/run).
func TestGraphDOTRendersWithGraphviz(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("Graphviz `dot` is not on PATH: install Debian's graphviz (apt-get install graphviz) to run this test; .ci/run does")
	}
	for _, tc := range []struct {
		name   string
		args   []string
		states []string
	}{
		{"all", nil, []string{">closed<", ">half-open<", ">open<", ">ready<", ">attempting<", ">waiting<", ">idle<", ">running<", ">timed-out<"}},
		{"breaker changes", []string{"--machine", "breaker", "--changes-only"}, []string{">closed<", ">half-open<", ">open<", "failed [trip(counts)]"}},
		{"simpleCB", []string{"--spec", "../../examples/quickstart/resources", "--policy", "simpleCB"}, []string{"consecutiveFailures >= 5", "timeout 5s elapsed"}},
		{"retryForever", []string{"--spec", "../../examples/quickstart/resources", "--policy", "retryForever"}, []string{"after constant 5s", "never (maxRetries -1)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if st := Main(append([]string{"graph", "--format", "dot"}, tc.args...), &out, &errOut); st != 0 {
				t.Fatalf("sim graph: exit %d: %s", st, errOut.String())
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, dot, "-Tsvg")
			cmd.Stdin = &out
			var svg, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &svg, &stderr
			if err := cmd.Run(); err != nil || syntaxComplaints(stderr.String()) != "" {
				t.Fatalf("dot -Tsvg: %v\n%s\ninput:\n%s", err, stderr.String(), out.String())
			}
			s := html.UnescapeString(svg.String()) // dot writes - as &#45;
			if !strings.Contains(s, "<svg") {
				t.Fatalf("dot wrote no SVG:\n%s", s)
			}
			for _, st := range tc.states {
				if !strings.Contains(s, st) {
					t.Errorf("the SVG does not show %q", st)
				}
			}
		})
	}
}

// syntaxComplaints keeps what dot says about its input, dropping what a
// minimal Graphviz install says about its fonts (fontconfig warnings).
func syntaxComplaints(stderr string) string {
	var keep []string
	for _, l := range strings.Split(stderr, "\n") {
		low := strings.ToLower(l)
		if l == "" || strings.HasPrefix(low, "fontconfig") || (strings.Contains(low, "font") && !strings.Contains(low, "syntax")) {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}
