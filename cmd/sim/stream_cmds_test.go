package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// TestDayCommandsStream: sim check, sim timeline and sim render -o
// FILE.svg hand the run's events, as the engine or the trace reader
// records them, to what decides or draws them (expect.Evaluator,
// picture.WriteTimelineFrom, picture.WriteSVGFrom), which keep no events
// (expect's TestFoldsMatchWholeRun, picture's TestPicturesStreamInOnePass):
// none of their files may reach for a way of holding the whole run.
func TestDayCommandsStream(t *testing.T) {
	holds := map[string]string{
		"traces.ReadFile":       "reads every event of a trace",
		"traces.Read":           "reads every event of a trace",
		"traces.Collector":      "keeps every event of a run",
		"expect.NewTimeline":    "indexes every event of a run",
		"expect.NewTimelineFor": "indexes every event of a run",
		"expect.Evaluate":       "evaluates over every event held",
		"picture.WriteTimeline": "draws from every event held",
		"picture.WriteSVG":      "draws from every event held",
		"picture.BuildLanes":    "keeps every span of a run",
		"picture.TraceHorizon":  "needs every event of a trace",
		"picture.SliceEvents":   "draws from every event held",
	}
	for _, file := range []string{"check.go", "timeline.go", "render.go"} {
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); ok {
				if why, bad := holds[pkg.Name+"."+sel.Sel.Name]; bad {
					t.Errorf("%s uses %s.%s, which %s", file, pkg.Name, sel.Sel.Name, why)
				}
			}
			return true
		})
	}
}
