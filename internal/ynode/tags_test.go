package ynode

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// One row per tag (or tag and value): what sim's own files (Documents) and
// Dapr's resource files (Resources) make of `a:\n  b: VALUE`. own and res
// are "" (read, no message), "error: …" or, for res, "warning: …" (a
// prefix of the message after "f.yaml:2: a.b: "); tag and value are the
// node Resources hands on.
func TestTags(t *testing.T) {
	tests := []struct {
		value       string
		own, res    string
		tag, value2 string
	}{
		{"5", "", "", "!!int", "5"},
		{"!!str 5", "", "", "!!str", "5"},
		{"!!int 5", "", "", "!!int", "5"},
		{"!!int 0x1F", "", "", "!!int", "0x1F"},
		{"!!int abc", `error: want a whole number after the tag !!int, got "abc"`, `error: want a whole number after the tag !!int`, "", ""},
		{"!!float 1", "", "", "!!float", "1"},
		{"!!float x", "error: want a number after the tag !!float", "error: want a number after the tag !!float", "", ""},
		{"!!bool true", "", "", "!!bool", "true"},
		{"!!bool yes", "error: want true or false after the tag !!bool", "error: want true or false", "", ""},
		{"!!null", "", "", "!!null", ""},
		{"!!null abc", "error: want null", "error: want null", "", ""},
		{"!!timestamp 2001-12-14", "", "", "!!timestamp", "2001-12-14"},
		{"!!timestamp soon", "error: want a timestamp", "error: want a timestamp", "", ""},
		{"!!map {x: 1}", "", "", "!!map", ""},
		{"!!map [1]", "error: want a mapping after the tag !!map, got a list", "error: want a mapping", "", ""},
		{"!!seq [1]", "", "", "!!seq", ""},
		{"!!seq x", `error: want a list after the tag !!seq, got "x"`, "error: want a list", "", ""},
		{"!!str {x: 1}", "error: want a single value after the tag !!str, got a mapping", "error: want a single value", "", ""},
		{"!!int [1]", "error: want a whole number after the tag !!int, got a list", "error: want a whole number", "", ""},
		{"!foo 5", "error: the YAML tag !foo means nothing to sim", "warning: the YAML tag !foo means nothing to Dapr", "!!str", "5"},
		{"!foo {x: 1}", "error: the YAML tag !foo means nothing to sim", "warning: the YAML tag !foo means nothing to Dapr", "!!map", ""},
		{"!foo [1]", "error: the YAML tag !foo means nothing to sim", "warning: the YAML tag !foo means nothing to Dapr", "!!seq", ""},
		{"!<tag:example.com,2024:x> 5", "error: the YAML tag !<tag:example.com,2024:x> means nothing to sim", "warning: the YAML tag", "!!str", "5"},
		{"!!set {x, y}", "error: the YAML tag !!set means nothing to sim", "warning: the YAML tag !!set means nothing to Dapr", "!!map", ""},
		{"!!omap [{x: 1}]", "error: the YAML tag !!omap", "warning: the YAML tag !!omap", "!!seq", ""},
		{"!!binary aGk=", "error: the YAML tag !!binary means nothing to sim", `warning: the YAML tag !!binary: Dapr decodes the base64, so this reads as "hi"`, "!!str", "hi"},
		{"!!binary |\n    aGVs\n    bG8=", "error: the YAML tag !!binary", `warning: the YAML tag !!binary: Dapr decodes the base64, so this reads as "hello"`, "!!str", "hello"},
		{"!!binary /w==", "error: the YAML tag !!binary", "warning: the YAML tag !!binary: Dapr decodes the base64, so this reads as \"\ufffd\"", "!!str", "\ufffd"},
		{"!!binary not base64", "error: the YAML tag !!binary", `error: want base64 data after the tag !!binary, got "not base64": Dapr cannot decode this resource`, "", ""},
	}
	for _, tt := range tests {
		data := []byte("a:\n  b: " + tt.value + "\n")
		check := func(kind, want, got string) {
			t.Helper()
			const at = "f.yaml:2: a.b: "
			switch {
			case want == "" && got != "":
				t.Errorf("%s %q: got %s, want nothing", kind, tt.value, got)
			case want != "" && !strings.HasPrefix(got, at) && !strings.HasPrefix(got, "warning: "):
				t.Errorf("%s %q: got %q, want %s%s…", kind, tt.value, got, at, want)
			case want != "" && !strings.HasPrefix(strings.TrimPrefix(got, at), want):
				t.Errorf("%s %q: got %q, want %s%s…", kind, tt.value, got, at, want)
			}
		}
		_, err := Documents("f.yaml", data)
		got := ""
		if err != nil {
			got = "f.yaml:2: a.b: error: " + strings.TrimPrefix(err.Error(), "f.yaml:2: a.b: ")
			if !strings.HasPrefix(err.Error(), "f.yaml:2: a.b: ") {
				got = err.Error()
			}
		}
		check("own", tt.own, got)

		docs, ws, err := Resources("f.yaml", data)
		got = ""
		switch {
		case err != nil:
			got = "f.yaml:2: a.b: error: " + strings.TrimPrefix(err.Error(), "f.yaml:2: a.b: ")
			if !strings.HasPrefix(err.Error(), "f.yaml:2: a.b: ") {
				got = err.Error()
			}
		case len(ws) > 1:
			t.Errorf("resource %q: %d warnings: %v", tt.value, len(ws), ws)
		case len(ws) == 1:
			if ws[0].ID != TagWarning {
				t.Errorf("resource %q: warning id %q", tt.value, ws[0].ID)
			}
			got = "f.yaml:2: a.b: warning: " + ws[0].Msg
			if ws[0].String() != "f.yaml:2: warning: a.b: "+ws[0].Msg {
				t.Errorf("resource %q: warning %q", tt.value, ws[0])
			}
		}
		check("resource", tt.res, got)
		if err != nil || tt.tag == "" {
			continue
		}
		b := docs[0].Content[1].Content[1]
		if b.Tag != tt.tag || (b.Kind == yaml.ScalarNode && b.Value != tt.value2) {
			t.Errorf("resource %q: node %s %q, want %s %q", tt.value, b.Tag, b.Value, tt.tag, tt.value2)
		}
	}
}

// A tag on a key, and in a later document, is found at its line; the
// first problem of a file is the one reported.
func TestTagsWhere(t *testing.T) {
	data := []byte("a: 1\n---\nb:\n  - x\n  - !foo y\n!bar c: 2\n")
	_, err := Documents("f.yaml", data)
	if err == nil || err.Error() != "f.yaml:5: b[1]: the YAML tag !foo means nothing to sim: remove it (sim reads only !!str, !!int, !!float, !!bool, !!null, !!map, !!seq and !!timestamp)" {
		t.Errorf("got %v", err)
	}
	_, ws, err := Resources("f.yaml", data)
	if err != nil || len(ws) != 2 || !strings.HasPrefix(ws[0].String(), "f.yaml:5: warning: b[1]: the YAML tag !foo") ||
		!strings.HasPrefix(ws[1].String(), "f.yaml:6: warning: the YAML tag !bar") {
		t.Errorf("got %v, %v", ws, err)
	}
}
