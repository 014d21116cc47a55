package policies

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/interpreter"
)

// tripVariables are the names Dapr binds when it evaluates a trip expression
// (pkg/resiliency/breaker/circuitbreaker.go Initialize), all int64.
var tripVariables = []string{"consecutiveFailures", "consecutiveSuccesses", "requests", "totalFailures", "totalSuccesses"}

// Trip is a compiled circuit-breaker trip expression.
type Trip struct {
	Source string // the CEL text as written
	// Unknown lists, sorted, the identifiers the expression uses that Dapr
	// does not bind. Dapr accepts them, but evaluating them fails, so such a
	// trip never fires.
	Unknown []string

	program cel.Program
}

// errTripLoop is returned when Dapr's compile loop would never end.
var errTripLoop = errors.New("loop")

// CompileTrip compiles src exactly as Dapr's pkg/expr does: compile, and for
// each "undeclared reference to 'X'" declare X as a dynamic variable and
// compile again; any other issue is an error. (Dapr uses the deprecated
// decls.NewVar(X, decls.Any); cel.Variable(X, cel.DynType) is the same
// declaration.)
func CompileTrip(src string) (*Trip, error) {
	const missing = "undeclared reference to '"
	var opts []cel.EnvOption
	declared := map[string]bool{}
	for {
		env, err := cel.NewEnv(opts...)
		if err != nil {
			return nil, err
		}
		ast, iss := env.Compile(src)
		if iss.Err() == nil {
			prg, err := env.Program(ast)
			if err != nil {
				return nil, err
			}
			return &Trip{Source: src, Unknown: unknownNames(declared), program: prg}, nil
		}
		added := false
		for _, e := range iss.Errors() {
			if !strings.HasPrefix(e.Message, missing) {
				return nil, errors.New(iss.Err().Error())
			}
			name := e.Message[len(missing):]
			name = name[:strings.IndexByte(name, '\'')]
			if declared[name] {
				continue
			}
			declared[name] = true
			opts = append(opts, cel.Variable(name, cel.DynType))
			added = true
		}
		if !added {
			// Dapr's loop would compile the same environment forever: this
			// happens for an unknown function, which is reported as an
			// undeclared reference that a variable cannot satisfy.
			return nil, fmt.Errorf("%w: %s", errTripLoop, iss.Err().Error())
		}
	}
}

func unknownNames(declared map[string]bool) []string {
	var out []string
	for name := range declared {
		if !isTripVariable(name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func isTripVariable(name string) bool {
	for _, v := range tripVariables {
		if v == name {
			return true
		}
	}
	return false
}

// Eval reports whether the breaker trips with counts c. Like Dapr, an
// evaluation error (for example an unknown variable) or a result that is not
// a bool returns false.
func (t *Trip) Eval(c breaker.Counts) bool {
	if t == nil || t.program == nil {
		return false
	}
	a := countsActivation(c)
	out, _, err := t.program.Eval(&a)
	if err != nil {
		return false
	}
	b, ok := out.(types.Bool)
	return ok && bool(b)
}

// String returns the source text.
func (t *Trip) String() string {
	if t == nil {
		return ""
	}
	return t.Source
}

// countsActivation binds the five trip variables straight from the counts,
// so evaluating needs no map.
type countsActivation breaker.Counts

// ResolveName implements interpreter.Activation.
func (a *countsActivation) ResolveName(name string) (any, bool) {
	switch name {
	case "consecutiveFailures":
		return types.Int(a.ConsecutiveFailures), true
	case "consecutiveSuccesses":
		return types.Int(a.ConsecutiveSuccesses), true
	case "requests":
		return types.Int(a.Requests), true
	case "totalFailures":
		return types.Int(a.TotalFailures), true
	case "totalSuccesses":
		return types.Int(a.TotalSuccesses), true
	}
	return nil, false
}

// Parent implements interpreter.Activation.
func (a *countsActivation) Parent() interpreter.Activation { return nil }
