package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(removesBenchDay{m}, map[string]func(){
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
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"edit":     cmdEdit,
			"swapnext": cmdSwapNext,
			"cutlines": cmdCutLines,
			"dupline":  cmdDupLine,
		},
	})
}

// edit FILE OLD NEW replaces the first OLD in FILE with NEW (scripts tamper
// with traces this way).
func cmdEdit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: edit FILE OLD NEW")
	}
	data := ts.ReadFile(args[0])
	if !strings.Contains(data, args[1]) {
		ts.Fatalf("edit: %q not in %s", args[1], args[0])
	}
	writeLines(ts, args[0], strings.Replace(data, args[1], args[2], 1))
}

// swapnext FILE REGEXP swaps the first line matching REGEXP with the next.
func cmdSwapNext(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: swapnext FILE REGEXP")
	}
	re := regexp.MustCompile(args[1])
	lines := strings.SplitAfter(ts.ReadFile(args[0]), "\n")
	for i := 0; i+1 < len(lines); i++ {
		if re.MatchString(lines[i]) {
			lines[i], lines[i+1] = lines[i+1], lines[i]
			writeLines(ts, args[0], strings.Join(lines, ""))
			return
		}
	}
	ts.Fatalf("swapnext: no line of %s matches %s", args[0], args[1])
}

// dupline FILE REGEXP repeats the first line matching REGEXP right after it.
func cmdDupLine(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: dupline FILE REGEXP")
	}
	re := regexp.MustCompile(args[1])
	lines := strings.SplitAfter(ts.ReadFile(args[0]), "\n")
	for i, l := range lines {
		if re.MatchString(l) {
			lines = append(lines[:i+1], lines[i:]...)
			writeLines(ts, args[0], strings.Join(lines, ""))
			return
		}
	}
	ts.Fatalf("dupline: no line of %s matches %s", args[0], args[1])
}

// cutlines FILE N drops the last N lines of FILE; cutlines FILE N BYTES
// then drops BYTES more bytes, cutting the file inside a line.
func cmdCutLines(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: cutlines FILE N [BYTES]")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	lines := strings.SplitAfter(ts.ReadFile(args[0]), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if n > len(lines) {
		ts.Fatalf("cutlines: %s has only %d lines", args[0], len(lines))
	}
	out := strings.Join(lines[:len(lines)-n], "")
	if len(args) == 3 {
		b, err := strconv.Atoi(args[2])
		ts.Check(err)
		out = out[:len(out)-b]
	}
	writeLines(ts, args[0], out)
}

func writeLines(ts *testscript.TestScript, name, data string) {
	ts.Check(os.WriteFile(ts.MkAbs(name), []byte(data), 0o644))
}
