package main

import (
	"regexp"
	"slices"
	"strings"

	"github.com/dapr-sim/sim/policies"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// fixedChoices are the values of flags that take one of a fixed set,
// by flag name, whatever the command: what the shell completes. The values
// come from where the flag's parser finds them (policies for releases,
// levels and machines), so a release added there completes too.
var fixedChoices = map[string]func() []string{
	"dapr":         policies.Releases,
	"level":        policies.Levels,
	"machine":      func() []string { return append(slices.Clone(policies.Machines), "all") },
	"trace-format": func() []string { return []string{"yaml", "jsonl"} },
	"color":        func() []string { return []string{"auto", "always", "never"} },
}

// lintIDFlags are flags that take lint finding ids (`sim lint --explain`
// takes them as arguments; a flag of these names, as an --ignore would be,
// is completed the same way).
var lintIDFlags = []string{"ignore", "only", "disable", "enable"}

// addCompletion sets up `sim completion` (cobra's, with sim's wording of
// what it does and its exit statuses) and registers the completion of every
// fixed-choice flag of every command: those in fixedChoices, lint ids, and
// any flag named format, whose choices are read from its usage text — so a
// --format added to a command completes without an entry here.
func addCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		const status = "\n\nExit status: 0 the script was printed; 4 it could not be written."
		c.Long = strings.TrimRight(c.Long, "\n") + "\n\nSee docs/cli-conventions.md for installing the script in each shell." + status
		for _, sub := range c.Commands() {
			sub.Long = strings.TrimRight(sub.Long, "\n") + status
			// cobra's script writers return the error of writing stdout:
			// an output not written, as for every command.
			if run := sub.RunE; run != nil {
				sub.RunE = func(c *cobra.Command, args []string) error {
					if err := run(c, args); err != nil {
						return writeErrorf("write completion script: %w", err)
					}
					return nil
				}
			}
		}
	}
	walk(root, func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			var choices func() []string
			switch {
			case fixedChoices[f.Name] != nil:
				choices = fixedChoices[f.Name]
			case f.Name == "format":
				values := usageChoices(f.Usage)
				choices = func() []string { return values }
			case slices.Contains(lintIDFlags, f.Name):
				choices = lintIDs
			default:
				return
			}
			complete := func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
				return withPrefix(choices(), toComplete), cobra.ShellCompDirectiveNoFileComp
			}
			// The error is a flag that does not exist or a second
			// registration; neither can happen for a flag just visited.
			_ = c.RegisterFlagCompletionFunc(f.Name, complete)
		})
	})
	if lint, _, err := root.Find([]string{"lint"}); err == nil && lint.Name() == "lint" {
		// `sim lint --explain <TAB>` completes finding ids; otherwise the
		// arguments are files.
		lint.ValidArgsFunction = func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if explain, _ := c.Flags().GetBool("explain"); explain {
				return withPrefix(lintIDs(), toComplete), cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveDefault
		}
	}
}

// withPrefix keeps the choices that start with what is typed (shells
// filter too, but not all of them, and fewer lines cross the pipe).
func withPrefix(choices []string, typed string) []string {
	var out []string
	for _, c := range choices {
		if strings.HasPrefix(c, typed) {
			out = append(out, c)
		}
	}
	return out
}

// walk calls f for c and every command below it.
func walk(c *cobra.Command, f func(*cobra.Command)) {
	f(c)
	for _, sub := range c.Commands() {
		walk(sub, f)
	}
}

func lintIDs() []string {
	var ids []string
	for _, c := range policies.LintChecks() {
		ids = append(ids, c.ID)
	}
	return ids
}

// choiceWord is a value as usage texts list them: a lower-case word.
var choiceWord = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// usageChoices reads the values a --format flag's usage lists, as every
// one of them words it: "output: table, csv, json or markdown", "mermaid
// (stateDiagram-v2) or dot (Graphviz)", "text or json". A parenthesis is a
// gloss, not a value; the text before a colon is a label.
func usageChoices(usage string) []string {
	var b strings.Builder
	depth := 0
	for _, r := range usage {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	list := b.String()
	if i := strings.LastIndex(list, ":"); i >= 0 {
		list = list[i+1:]
	}
	var out []string
	for _, w := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '|' }) {
		if w != "or" && choiceWord.MatchString(w) && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
