package policies

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/interpreter"
)

// TripCostLimit is the most a trip expression may cost to evaluate once, in
// cel-go's cost units (about one per operation, a comprehension costing its
// body once per element). `consecutiveFailures >= 5` costs 2; nested
// comprehensions multiply: six nested over a ten-element list cost 17555551
// and take seconds each time, and the breaker evaluates its trip after every
// failure. CompileTrip refuses an expression whose estimated worst case is
// above the limit, and the program stops at it at run time, should the
// estimate ever be short.
const TripCostLimit = 10000

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
	// Cost is cel-go's estimate of one evaluation, in cost units: at most
	// TripCostLimit.
	Cost checker.CostEstimate
	// Result names the CEL type of the result when it is known not to be a
	// bool ("int", "string"): such a trip never trips. Empty for a bool, or
	// when the type is known only at run time and the result at zero counts
	// was a bool or an error.
	Result string

	program cel.Program
}

// errTripLoop is returned when Dapr's compile loop would never end.
var errTripLoop = errors.New("loop")

// TripCostError is returned by CompileTrip for an expression whose estimated
// cost is above TripCostLimit.
type TripCostError struct {
	Source string
	Cost   checker.CostEstimate
}

func (e *TripCostError) Error() string {
	if e.Cost.Max == math.MaxUint64 {
		return fmt.Sprintf("%q has no cost bound cel-go can estimate (a comprehension over a list of unknown size), and a trip may cost at most %d CEL cost units per evaluation: simplify the expression", e.Source, TripCostLimit)
	}
	return fmt.Sprintf("%q costs up to %d CEL cost units per evaluation (estimated), over the limit of %d: nested comprehensions multiply, and Dapr evaluates the trip after every failure; simplify the expression", e.Source, e.Cost.Max, TripCostLimit)
}

// CompileTrip compiles src exactly as Dapr's pkg/expr does: compile, and for
// each "undeclared reference to 'X'" declare X as a dynamic variable and
// compile again; any other issue is an error. (Dapr uses the deprecated
// decls.NewVar(X, decls.Any); cel.Variable(X, cel.DynType) is the same
// declaration.)
//
// A *Trip is shared: the same text gives the same *Trip, which no caller
// may modify.
func CompileTrip(src string) (*Trip, error) {
	return trips.get(src, compileTrip)
}

func compileTrip(src string) (*Trip, error) {
	env, ast, declared, err := compileDapr(src)
	if err != nil {
		return nil, err
	}
	return finishTrip(env, ast, src, declared)
}

// compileDapr is pkg/expr's compile loop, shared by trips and routing
// rules: the environment, the checked AST and the names it declared.
func compileDapr(src string) (*cel.Env, *cel.Ast, map[string]bool, error) {
	const missing = "undeclared reference to '"
	var opts []cel.EnvOption
	declared := map[string]bool{}
	for {
		env, err := cel.NewEnv(opts...)
		if err != nil {
			return nil, nil, nil, err
		}
		ast, iss := env.Compile(src)
		if iss.Err() == nil {
			return env, ast, declared, nil
		}
		added := false
		for _, e := range iss.Errors() {
			if !strings.HasPrefix(e.Message, missing) {
				return nil, nil, nil, errors.New(iss.Err().Error())
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
			return nil, nil, nil, fmt.Errorf("%w: %s", errTripLoop, iss.Err().Error())
		}
	}
}

// finishTrip estimates the cost of a compiled trip, refuses it above
// TripCostLimit, and builds its program with the limit as a run-time stop.
func finishTrip(env *cel.Env, ast *cel.Ast, src string, declared map[string]bool) (*Trip, error) {
	loops := celast.MatchDescendants(celast.NavigateAST(ast.NativeRep()), celast.KindMatcher(celast.ComprehensionKind))
	sizes := tripSizes{declared: declared}
	for _, l := range loops {
		if v := l.AsComprehension().IterVar(); declared[v] || isTripVariable(v) {
			// A loop variable hides a trip variable: its size is not 0.
			sizes.declared, sizes.shadowed = nil, true
		}
	}
	cost, err := env.EstimateCost(ast, sizes)
	if err != nil {
		return nil, err
	}
	if cost.Max > TripCostLimit {
		return nil, &TripCostError{Source: src, Cost: cost}
	}
	var opts []cel.ProgramOption
	if len(loops) > 0 {
		// Only a comprehension can cost more than its text is long, so
		// only then does the program track cost (which allocates on every
		// evaluation) and stop at the limit, should the estimate be short.
		opts = append(opts, cel.CostLimit(TripCostLimit))
	}
	prg, err := env.Program(ast, opts...)
	if err != nil {
		return nil, err
	}
	t := &Trip{Source: src, Unknown: unknownNames(declared), Cost: cost, program: prg}
	switch out := ast.OutputType(); {
	case out.IsExactType(types.BoolType):
	case out.IsExactType(types.DynType):
		// Known only at run time: look at zero counts. An error says
		// nothing (Dapr counts it as false, as Eval does).
		var a countsActivation
		if v, _, err := prg.Eval(&a); err == nil && v.Type() != types.BoolType {
			t.Result = typeName(v)
		}
	default:
		t.Result = out.String()
	}
	return t, nil
}

func typeName(v ref.Val) string {
	return v.Type().TypeName()
}

// tripSizes tells cel-go's cost estimator what it cannot see: a trip's
// variables are integers (or unbound, and fail to evaluate), so a
// comprehension over one never runs; it costs nothing beyond the failed
// lookup. Everything else keeps cel-go's own estimate.
type tripSizes struct {
	declared map[string]bool
	shadowed bool // a loop variable hides a trip variable: no rule applies
}

// EstimateSize implements checker.CostEstimator.
func (s tripSizes) EstimateSize(n checker.AstNode) *checker.SizeEstimate {
	if id := n.Expr().AsIdent(); id != "" && !s.shadowed && (s.declared[id] || isTripVariable(id)) {
		return &checker.SizeEstimate{Min: 0, Max: 0}
	}
	return nil
}

// EstimateCallCost implements checker.CostEstimator.
func (tripSizes) EstimateCallCost(function, overloadID string, target *checker.AstNode, args []checker.AstNode) *checker.CallEstimate {
	return nil
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
