package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"sim": func() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) },
		// sim-exit runs sim and reports its exit status as the last line of
		// stderr, `[exit N]`, then succeeds: scripts assert exact statuses
		// (2 for bad input) that `! exec` cannot tell apart.
		"sim-exit": func() {
			status := Main(os.Args[1:], os.Stdout, os.Stderr)
			fmt.Fprintf(os.Stderr, "[exit %d]\n", status)
			os.Exit(0)
		},
	})
}

// TestScript runs the txtar scripts in testdata/script. Each works in a copy
// of examples/ so scripts can name the bundled scenarios by relative path.
// SIM_UPDATE_GOLDEN=1 rewrites the scripts' golden files from the output.
func TestScript(t *testing.T) {
	examples, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       os.Getenv("SIM_UPDATE_GOLDEN") != "",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			return os.CopyFS(filepath.Join(env.WorkDir, "examples"), os.DirFS(examples))
		},
	})
}
