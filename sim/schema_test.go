package sim

import (
	"strings"
	"testing"

	"github.com/dapr-sim/sim/internal/schema"
	"gopkg.in/yaml.v3"
)

// TestSchemaTables: every decoder table has a doc for each of its keys and
// none for a key it does not read (ScenarioSchema reports both).
func TestSchemaTables(t *testing.T) {
	if _, err := ScenarioSchema(&schema.Schema{}); err != nil {
		t.Fatal(err)
	}
}

// TestSchemaCatchesDrift shows schemaProps catching each way a decoder
// table and its schema docs could drift apart.
func TestSchemaCatchesDrift(t *testing.T) {
	noop := func(*decoder, *storeIn, string, *yaml.Node) {}
	table := []field[storeIn, storeDump]{{key: "latency", decode: noop}, {key: "jitter", decode: noop}}
	docs := map[string]*schema.Schema{"latency": schema.Duration("x"), "burst": schema.Duration("y")}
	_, props, err := schemaProps("store", table, docs)
	for _, want := range []string{
		"the decoder reads jitter and the schema does not describe it",
		"the schema describes burst and the decoder does not read it",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want an error with %q", err, want)
		}
	}
	if got := len(props); got != 1 || props[0].Key != "latency" {
		t.Errorf("the properties are %v, want latency alone", props)
	}
	if _, _, err := schemaProps("store", storeFields, storeDocs); err != nil {
		t.Errorf("the store's own table: %v", err)
	}
}
