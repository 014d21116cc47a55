package policies

import (
	"errors"
	"fmt"

	"github.com/google/cel-go/cel"
)

// Match is a compiled routing rule: a CEL expression over the CloudEvent a
// subscription delivers, read as `event` (Dapr's findMatchingRoute evaluates
// it with {"event": cloudEvent}).
type Match struct {
	Source  string
	program cel.Program
}

// CompileMatch compiles a routing rule's match as Dapr's pkg/expr does (an
// undeclared name becomes a dynamic variable). The same text gives the
// same *Match, which no caller may modify.
func CompileMatch(src string) (*Match, error) {
	return matches.get(src, compileMatch)
}

func compileMatch(src string) (*Match, error) {
	env, ast, _, err := compileDapr(src)
	if err != nil {
		if errors.Is(err, errTripLoop) {
			return nil, fmt.Errorf("the compiler loop of Dapr never ends on this expression (the sidecar hangs at start): %s", celMessage(err))
		}
		return nil, fmt.Errorf("invalid CEL expression: %s", celMessage(err))
	}
	prg, err := env.Program(ast)
	if err != nil {
		return nil, err
	}
	return &Match{Source: src, program: prg}, nil
}

// Eval reports whether the rule matches event. As in Dapr's
// matchRoutingRule, a result that is not a bool and an evaluation error are
// errors: the message is not delivered.
func (m *Match) Eval(event map[string]any) (bool, error) {
	v, _, err := m.program.Eval(map[string]any{"event": event})
	if err != nil {
		return false, err
	}
	b, ok := v.Value().(bool)
	if !ok {
		return false, fmt.Errorf("the result of match expression %s was not a boolean", m.Source)
	}
	return b, nil
}
