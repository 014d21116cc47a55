package traces

import (
	"bytes"
	"testing"

	"gopkg.in/yaml.v3"
)

type splitItem struct {
	At     string   `yaml:"at,omitempty"`
	Target string   `yaml:"target,omitempty"`
	Ops    []string `yaml:"ops,omitempty"`
}

type splitScenario struct {
	Version int               `yaml:"version"`
	Stores  map[string]string `yaml:"stores"`
	Faults  []splitItem       `yaml:"faults,omitempty"`
}

func (s splitScenario) SplitLast() (any, int, func(a, b int) any) {
	rest := s
	rest.Faults = nil
	return rest, len(s.Faults), func(a, b int) any {
		return struct {
			Faults []splitItem `yaml:"faults"`
		}{s.Faults[a:b]}
	}
}

// TestIssue11LongHeaderListInChunks: a header whose scenario ends in a long
// list is encoded a chunk at a time (yaml.v3's emitter keeps every event of
// a document: 15 KB an item) into the bytes of one yaml.Marshal.
func TestIssue11LongHeaderListInChunks(t *testing.T) {
	defer func(l, c int) { longList, listChunk = l, c }(longList, listChunk)
	longList, listChunk = 3, 2
	sc := splitScenario{Version: 1, Stores: map[string]string{"s": "x"}}
	for i := range 7 {
		it := splitItem{At: "1s", Target: "s"}
		if i%3 == 0 {
			it.Ops = []string{"get", "save"}
		}
		sc.Faults = append(sc.Faults, it)
	}
	h := Header{Format: FormatVersion, Sim: "t", Dapr: "1.16", Scenario: sc, Spec: map[string]int{"n": 1}}
	got, err := marshalHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	want, err := yaml.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("chunked header:\n%s\nwant\n%s", got, want)
	}
	// Below longList, the whole is marshalled at once: the same bytes.
	sc.Faults = sc.Faults[:2]
	h.Scenario = sc
	got, _ = marshalHeader(h)
	want, _ = yaml.Marshal(h)
	if !bytes.Equal(got, want) {
		t.Fatalf("short header:\n%s\nwant\n%s", got, want)
	}
}
