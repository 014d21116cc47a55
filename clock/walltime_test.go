package clock

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoWallClock keeps the package's production code off the real clock
// and off goroutines: a simulation that read either would not be a pure
// function of its inputs. Duration arithmetic and time.Time values are fine.
// The --speed playback, when it comes, will be the one file allowed here.
func TestNoWallClock(t *testing.T) {
	forbidden := map[string]map[string]bool{
		"time": {
			"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
			"AfterFunc": true, "NewTimer": true, "NewTicker": true, "Tick": true,
		},
		// New is benbjohnson's real-time clock; Mock.Add and Mock.Set sleep
		// for real, but they are methods and are caught by name below.
		"github.com/benbjohnson/clock": {"New": true},
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		imports := map[string]string{} // local name -> import path
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			local := path[strings.LastIndex(path, "/")+1:]
			if imp.Name != nil {
				local = imp.Name.Name
			}
			imports[local] = path
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: go statement: the clock must not start goroutines", fset.Position(n.Pos()))
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && forbidden[imports[id.Name]][n.Sel.Name] {
					t.Errorf("%s: %s.%s reads or waits on the real clock", fset.Position(n.Pos()), id.Name, n.Sel.Name)
				}
				if n.Sel.Name == "Add" || n.Sel.Name == "Set" {
					if call, ok := n.X.(*ast.CallExpr); ok {
						if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "NewMock" {
							t.Errorf("%s: Mock.%s sleeps a real millisecond", fset.Position(n.Pos()), n.Sel.Name)
						}
					}
				}
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no production files found to check")
	}
}
