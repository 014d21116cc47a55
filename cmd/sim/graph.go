package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/dapr-sim/sim/fsm"
	"github.com/dapr-sim/sim/policies"
	"github.com/spf13/cobra"
)

func newGraphCommand(stdout, stderr io.Writer) *cobra.Command {
	var machine, format, spec, policy, appID string
	var changesOnly bool
	c := &cobra.Command{
		Use:   "graph [--machine breaker|retry|timeout|all] [--format mermaid|dot] [--spec FILE|DIR --policy NAME]",
		Short: "Draw the policy state machines as Mermaid or Graphviz DOT",
		Long: "graph prints each policy machine's diagram — the circuit breaker, a call's retry loop,\n" +
			"an attempt's timeout — generated from the same fsm tables the engine runs, one arrow\n" +
			"per row, labelled `event [guard]` (`[else]`: no earlier guard for that event held).\n" +
			"--format mermaid (default) writes a Mermaid stateDiagram-v2, --format dot a Graphviz\n" +
			"digraph (`sim graph --format dot | dot -Tsvg > breaker.svg`).\n\n" +
			"--spec FILE|DIR --policy NAME reads Resiliency resources (a file, or a folder read like\n" +
			"--resources-path) and fills the named policy's numbers into the guards: the trip\n" +
			"expression, the open timeout, maxRequests, the backoff, maxRetries. Resources scoped\n" +
			"to apps are read as the first scoped app that has the policy, or as --app-id.\n" +
			"--changes-only leaves out the rows that keep the state.\n\n" +
			"Exit status: 0 drawn; 2 a bad flag, or resources that could not be read; 4 the\n" +
			"diagram could not be written.",
		Example: "  sim graph --machine breaker\n" +
			"  sim graph --format dot | dot -Tsvg > machines.svg\n" +
			"  sim graph --spec examples/quickstart/resources --policy simpleCB",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 0 {
				return fmt.Errorf("%w: graph takes no arguments, got %d (see `sim graph --help`)", errUsage, len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if format != "mermaid" && format != "dot" {
				return fmt.Errorf("%w: --format: want mermaid or dot, got %q", errUsage, format)
			}
			if machine != "all" && !slices.Contains(policies.Machines, machine) {
				return fmt.Errorf("%w: --machine: want breaker, retry, timeout or all, got %q", errUsage, machine)
			}
			if (spec == "") != (policy == "") {
				return fmt.Errorf("%w: --spec and --policy go together: the resources, and the policy in them to draw", errUsage)
			}
			if appID != "" && spec == "" {
				return fmt.Errorf("%w: --app-id goes with --spec", errUsage)
			}
			var ds []fsm.Diagram
			if spec != "" {
				var err error
				if ds, err = specGraphs(spec, policy, machine, appID, stderr); err != nil {
					return err
				}
			} else {
				for _, m := range policies.Machines {
					if machine == "all" || machine == m {
						d, err := policies.Graph(m)
						if err != nil {
							return err
						}
						ds = append(ds, d)
					}
				}
			}
			var b strings.Builder
			for i, d := range ds {
				if changesOnly {
					d = d.ChangesOnly()
				}
				if i > 0 {
					b.WriteString("\n")
				}
				if format == "dot" {
					b.WriteString(d.DOT())
				} else {
					b.WriteString(d.Mermaid())
				}
			}
			if _, err := io.WriteString(stdout, b.String()); err != nil {
				return writeErrorf("write graph: %w", err)
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&machine, "machine", "all", "which machine to draw: breaker, retry, timeout or all")
	f.StringVar(&format, "format", "mermaid", "mermaid (stateDiagram-v2) or dot (Graphviz)")
	f.StringVar(&spec, "spec", "", "Resiliency resources (a `FILE` or folder) holding --policy")
	f.StringVar(&policy, "policy", "", "the policy of --spec whose numbers fill the guards")
	f.StringVar(&appID, "app-id", "", "with --spec: read the resources as this app's sidecar (default: the first scoped app that has the policy)")
	f.BoolVar(&changesOnly, "changes-only", false, "leave out the rows that keep the state (self-loops)")
	return c
}

// specGraphs loads the resources at path and draws policy name. Resources
// scoped away from the app are dropped by Dapr, so without --app-id each
// app the resources name in scopes is tried in order, then none.
func specGraphs(path, name, machine, appID string, stderr io.Writer) ([]fsm.Diagram, error) {
	profile, err := policies.ProfileFor(policies.Newest)
	if err != nil {
		return nil, err
	}
	apps := []string{appID}
	if appID == "" {
		files, _, err := policies.ReadFiles([]string{path})
		if err != nil {
			return nil, err
		}
		set := map[string]bool{}
		for _, f := range files {
			for _, r := range f.Resiliencies {
				for _, s := range r.Scopes {
					set[s] = true
				}
			}
		}
		apps = apps[:0]
		for a := range set {
			apps = append(apps, a)
		}
		sort.Strings(apps)
		apps = append(apps, "")
	}
	var firstErr error
	for _, app := range apps {
		s, _, err := policies.Load([]string{path}, app, profile)
		if err != nil {
			return nil, err
		}
		ds, err := s.Graphs(name, machine)
		if err == nil {
			return ds, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, statusError{status: exitBadInput, err: fmt.Errorf("--policy: %w", firstErr)}
}
