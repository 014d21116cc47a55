package fsmgen

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const directive = "//go:generate go run github.com/dapr-sim/sim/internal/fsmgen/gen"

// TestGeneratedIsCurrent regenerates every file a go:generate line of the
// module asks of gen and compares it with the committed one: a row edited
// without `go generate ./...` fails here.
func TestGeneratedIsCurrent(t *testing.T) {
	root := filepath.Join("..", "..")
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(src), "\n") {
			if !strings.HasPrefix(line, directive+" ") {
				continue
			}
			found++
			checkDirective(t, filepath.Dir(path), strings.Fields(strings.TrimPrefix(line, directive)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 4 {
		t.Fatalf("found %d go:generate lines for gen; the four policy machines have one each", found)
	}
}

// checkDirective runs gen's arguments args in dir as gen would, without
// writing.
func checkDirective(t *testing.T, dir string, args []string) {
	t.Helper()
	fl := flag.NewFlagSet("gen", flag.ContinueOnError)
	rows := fl.String("rows", "rows", "")
	name := fl.String("func", "pick", "")
	if err := fl.Parse(args); err != nil || fl.NArg() != 1 {
		t.Errorf("%s: go:generate %v: want [-rows v] [-func f] file.go", dir, args)
		return
	}
	file := fl.Arg(0)
	src, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Error(err)
		return
	}
	want, err := Generate(file, src, *rows, *name)
	if err != nil {
		t.Errorf("%s: %v", dir, err)
		return
	}
	got, err := os.ReadFile(filepath.Join(dir, Output(file)))
	if err != nil {
		t.Errorf("%s: %v (run go generate ./...)", dir, err)
		return
	}
	if !bytes.Equal(got, want) {
		rel, _ := filepath.Rel(filepath.Join("..", ".."), dir)
		t.Errorf("%s is stale: run go generate ./%s", filepath.Join(rel, Output(file)), filepath.ToSlash(rel))
	}
}

const machine = `package m

type row = fsm.Transition[State, Event, In]

const (
	rowA = iota
	rowB
	rowC
	rowCount
)

func ready(in In) bool { return in.N > 0 && in.OK }

var rows = [rowCount]row{
	rowA: {From: S0, On: E0, To: S1, Guard: ready, GuardText: "ready"},
	rowB: {From: S0, On: E0, To: S0, Guard: func(x In) bool { return check(x) }, GuardText: "check"},
	rowC: {From: S1, On: E1, To: S0},
}
`

func TestGenerate(t *testing.T) {
	out, err := Generate("m.go", []byte(machine), "rows", "pick")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"func pick(from State, on Event, g *In) (int, State, bool) {",
		"if g.N > 0 && g.OK { // ready\n\t\t\t\treturn rowA, S1, true",
		"if check((*g)) { // check\n\t\t\t\treturn rowB, S0, true",
		"case S1:\n\t\tswitch on {\n\t\tcase E1:\n\t\t\treturn rowC, S0, true",
		"return -1, from, false",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("generated code lacks %q:\n%s", want, out)
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	lineA := "\trowA: {From: S0, On: E0, To: S1, Guard: ready, GuardText: \"ready\"},\n"
	tests := []struct{ name, src, want string }{
		{"no rows", "package m\n", "no package-level variable rows"},
		{"out of order", strings.Replace(strings.Replace(machine, lineA, "", 1), "\trowC:", lineA+"\trowC:", 1), "row rowA is out of its constants' order"},
		{"unkeyed", strings.Replace(machine, "rowC: {From", "{From", 1), "rows must be keyed"},
		{"unknown constant", strings.Replace(machine, "rowA: {", "rowX: {", 1), "row constant rowX is not declared"},
		{"no To", strings.Replace(machine, "To: S0}", "}", 1), "row rowC: From, On and To must be written out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate("m.go", []byte(tt.src), "rows", "pick")
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
