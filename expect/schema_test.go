package expect

import (
	"strings"
	"testing"

	"github.com/dapr-sim/sim/internal/schema"
)

// TestItemSchema: every key Parse allows has a doc, and every doc a kind
// that allows its key.
func TestItemSchema(t *testing.T) {
	item, err := ItemSchema()
	if err != nil {
		t.Fatal(err)
	}
	if len(item.AnyOf) != len(kinds) {
		t.Errorf("%d branches for %d kinds", len(item.AnyOf), len(kinds))
	}
}

// TestItemSchemaCatchesDrift shows itemSchema catching a key Parse allows
// that the schema does not describe, and a described key no kind allows.
func TestItemSchemaCatchesDrift(t *testing.T) {
	docs := map[string]*schema.Schema{}
	for k, v := range itemDocs {
		docs[k] = v
	}
	delete(docs, "within")
	docs["around"] = schema.Duration("")
	_, err := itemSchema(kinds, docs)
	for _, want := range []string{
		"Parse allows within (with transition) and the schema does not describe it",
		"the schema describes around and Parse allows it in no assertion",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want an error with %q", err, want)
		}
	}
}
