package traces_test

import (
	"strings"
	"testing"

	"github.com/dapr-sim/sim/traces"
)

func TestLooksLikeTrace(t *testing.T) {
	for name, c := range map[string]struct {
		data string
		want bool
	}{
		"yaml-trace":    {"# sim trace\nformat: 1\nsim: x\n", true},
		"jsonl-trace":   {"\n{\"format\":1}\n", true},
		"long-jsonl":    {"{\"format\":1,\"x\":\"" + strings.Repeat("x", 2<<20) + "\"}\n", true},
		"directive":     {"%YAML 1.2\n---\nformat: 1\n", true},
		"scenario":      {"# comment\n---\nversion: 1\nname: q\n", false},
		"format-later":  {"version: 1\nformat: 1\n", false},
		"no-final-line": {"\r\n  format: 1", true},
		"empty":         {"", false},
		"only-comments": {"# a\n\n# b\n", false},
	} {
		if got := traces.LooksLikeTrace(strings.NewReader(c.data)); got != c.want {
			t.Errorf("%s: LooksLikeTrace = %v, want %v", name, got, c.want)
		}
	}
}
