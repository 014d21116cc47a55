package sim

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestFieldTables holds every dump struct of the trace header to the
// decoder's table of the same mapping: a key the decoder reads is written
// by the header (or its row says why not), under the same name and in the
// same order, and the header writes no key the decoder cannot read back.
func TestFieldTables(t *testing.T) {
	for name, err := range map[string]error{
		"scenario": checkTable(scenarioFields),
		"app":      checkTable(appFields),
		"step":     checkTable(stepFields),
		"invoke":   checkTable(invokeFields),
		"publish":  checkTable(publishFields),
		"binding":  checkTable(bindingFields),
		"actor":    checkTable(actorFields),
		"store":    checkTable(storeFields),
		"fault":    checkTable(faultFields),
	} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestFieldTablesCatchDrift shows that checkTable catches each way the
// decoder and the header could drift apart.
func TestFieldTablesCatchDrift(t *testing.T) {
	noop := func(*decoder, *storeIn, string, *yaml.Node) {}
	dump := func(*storeIn, *storeDump) {}
	type twoKeys struct {
		Latency string `yaml:"latency"`
		Jitter  string `yaml:"jitter,omitempty"`
	}
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"a key the decoder reads and the header drops silently",
			checkTable([]field[storeIn, storeDump]{{key: "latency", decode: noop, dump: dump}, {key: "jitter", decode: noop}}),
			"key jitter: the header leaves it out and does not say why"},
		{"a key the decoder reads and the dump struct lacks",
			checkTable([]field[storeIn, storeDump]{{key: "latency", decode: noop, dump: dump}, {key: "jitter", decode: noop, dump: dump}}),
			"sim.storeDump writes [latency], the table dumps [latency jitter]"},
		{"a field of the dump struct the decoder cannot read",
			checkTable([]field[storeIn, twoKeys]{{key: "latency", decode: noop, dump: func(*storeIn, *twoKeys) {}}}),
			"sim.twoKeys writes [latency jitter], the table dumps [latency]"},
		{"the header's order differs from the table's",
			checkTable([]field[storeIn, twoKeys]{{key: "jitter", decode: noop, dump: func(*storeIn, *twoKeys) {}}, {key: "latency", decode: noop, dump: func(*storeIn, *twoKeys) {}}}),
			"writes [latency jitter], the table dumps [jitter latency]"},
		{"a key given twice",
			checkTable([]field[storeIn, storeDump]{{key: "latency", decode: noop, dump: dump}, {key: "latency", decode: noop, why: "x"}}),
			"key latency given twice"},
		{"a row the decoder cannot read",
			checkTable([]field[storeIn, storeDump]{{key: "latency", dump: dump}}),
			"key latency: no decode"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q", c.name, c.err, c.want)
		}
	}
}
