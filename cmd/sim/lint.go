package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/escape"
	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/sim"
	"github.com/spf13/cobra"
)

func newLintCommand(stdout, stderr io.Writer) *cobra.Command {
	var (
		appID    string
		dapr     string
		level    string
		explain  bool
		deadline durationFlag
		format   = newFormatFlag("text", "json", "sarif")
	)
	c := &cobra.Command{
		Use:   "lint FILE|DIR...",
		Short: "Check Resiliency YAML for mistakes and timing hazards",
		Long: "lint reads Dapr resources (files, or folders read like daprd's --resources-path) and\n" +
			"reports, one line each with file:line, level and id, what Dapr would ignore or change,\n" +
			"policies no target uses, and timing hazards (retries refused by an open breaker, a\n" +
			"breaker that never trips, calls held forever, a timeout beyond the caller's deadline).\n" +
			"`sim lint --explain ID` explains a finding; `sim lint --explain` lists them all.\n\n" +
			"Levels, lowest first: note, warning, hazard. Findings below --level are not shown.\n" +
			"--format json writes the findings as one JSON document, --format sarif as a SARIF\n" +
			"2.1.0 log for code scanning (docs/output-formats.md); the statuses are the same.\n" +
			"Exit status: 0 nothing at or above --level; 1 findings at or above it; 2 a file could\n" +
			"not be read or parsed (its errors are printed, the other files are still checked);\n" +
			"4 the findings could not be written.",
		Example: "  sim lint examples/quickstart/resources\n" +
			"  sim lint --app-id order-processor --deadline 30s resiliency.yaml\n" +
			"  sim lint --format sarif resources > sim-lint.sarif\n" +
			"  sim lint --explain retry-before-breaker-timeout",
		RunE: func(c *cobra.Command, args []string) error {
			if explain {
				if format.value != "text" {
					return fmt.Errorf("%w: --explain prints text; the SARIF rules (--format sarif) carry the same explanations", errUsage)
				}
				return explainChecks(stdout, args)
			}
			if len(args) == 0 {
				return fmt.Errorf("%w: want at least one file or folder (see `sim lint --help`)", errUsage)
			}
			threshold, err := policies.ParseLevel(level)
			if err != nil {
				return fmt.Errorf("%w: --level: %v", errUsage, err)
			}
			p, err := policies.ProfileFor(dapr)
			if err != nil {
				return fmt.Errorf("%w: --dapr: %v", errUsage, err)
			}
			return lint(args, policies.LintOptions{AppID: appID, Profile: p, Deadline: deadline.d}, threshold, format.value, stdout, stderr)
		},
	}
	f := c.Flags()
	f.StringVar(&appID, "app-id", "", "check as the sidecar of `APP` (default: every app the resources' scopes name, and an app they do not)")
	f.StringVar(&dapr, "dapr", policies.Newest, "Dapr release to check against, 1.8 … 1.16")
	f.StringVar(&level, "level", "warning", "lowest level shown and counted for the exit status: note, warning or hazard")
	f.BoolVar(&explain, "explain", false, "explain the finding ids given as arguments, or list every id")
	format.addTo(f, "output: text, json or sarif (SARIF 2.1.0)")
	f.Var(&deadline, "deadline", "the caller's own deadline for one request, e.g. 30s: report timeouts that are not shorter (default: none, not checked)")
	return c
}

// lint prints the findings at or above threshold on stdout and parse
// errors on stderr; in json and sarif the document on stdout holds both.
func lint(paths []string, o policies.LintOptions, threshold policies.Level, format string, stdout, stderr io.Writer) error {
	files, warns, readErr := policies.ReadFiles(paths)
	findings, err := policies.Lint(files, warns, o)
	var inputErrs diag.List
	if errors.As(err, &inputErrs) {
		// A component's metadata Dapr rejects: reported with the read
		// errors, after the findings.
		var l diag.List
		if errors.As(readErr, &l) {
			inputErrs = append(l, inputErrs...)
		} else if readErr != nil {
			return readErr
		}
		inputErrs.Sort()
		readErr, err = inputErrs, nil
	}
	if err != nil {
		return err
	}
	var shown []policies.Finding
	for _, fd := range findings {
		if fd.Level >= threshold {
			shown = append(shown, fd)
		}
	}
	if err := writeFindings(stdout, format, shown, readErr, threshold, o); err != nil {
		return writeErrorf("write findings: %w", err)
	}
	if readErr != nil {
		var l diag.List
		if errors.As(readErr, &l) {
			printError(stderr, l)
		} else {
			printError(stderr, readErr)
		}
		return statusError{status: exitBadInput}
	}
	if len(shown) > 0 {
		return statusError{status: exitFailed}
	}
	return nil
}

// writeFindings writes the findings shown in format: text, one line each;
// json or sarif, one document holding the input errors too.
func writeFindings(w io.Writer, format string, shown []policies.Finding, readErr error, threshold policies.Level, o policies.LintOptions) error {
	if format == "text" {
		for _, fd := range shown {
			if _, err := fmt.Fprintln(w, escape.Lines(fd.String())); err != nil {
				return err
			}
		}
		return nil
	}
	r := policies.LintReport{Findings: shown, Level: threshold, Dapr: o.Profile.Version, AppID: o.AppID}
	if readErr != nil {
		var l diag.List
		if !errors.As(readErr, &l) {
			l = diag.List{diag.In("", readErr)}
		}
		r.Errors = l
	}
	if format == "sarif" {
		return r.WriteSARIF(w, sim.Version)
	}
	return r.WriteJSON(w)
}

// explainChecks prints the explanation of each id, or the list of every id.
func explainChecks(stdout io.Writer, ids []string) error {
	w := &stickyWriter{w: stdout}
	if len(ids) == 0 {
		for _, c := range policies.LintChecks() {
			fmt.Fprintf(w, "%-30s %-8s %s\n", c.ID, c.Level, c.Summary)
		}
		if w.err != nil {
			return writeErrorf("write explanations: %w", w.err)
		}
		return nil
	}
	for i, id := range ids {
		c, ok := policies.LintCheck(id)
		if !ok {
			return fmt.Errorf("%w: unknown finding id %q (`sim lint --explain` lists them)", errUsage, id)
		}
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (%s): %s\n\n%s\n", c.ID, c.Level, c.Summary, wrap(c.Explanation, 80))
	}
	if w.err != nil {
		return writeErrorf("write explanations: %w", w.err)
	}
	return nil
}

// wrap breaks text into lines of at most width characters at spaces.
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		if n > 0 && n+1+len([]rune(word)) > width {
			b.WriteByte('\n')
			n = 0
		} else if n > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len([]rune(word))
	}
	return b.String()
}

// durationFlag is a positive duration such as 30s; the zero value is unset.
type durationFlag struct{ d time.Duration }

func (f *durationFlag) String() string {
	if f.d == 0 {
		return ""
	}
	return f.d.String()
}

func (f *durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("want a positive duration such as \"30s\", got %q", s)
	}
	f.d = d
	return nil
}

func (f *durationFlag) Type() string { return "duration" }
