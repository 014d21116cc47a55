package ynode

import (
	"errors"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/internal/diag"
)

// Malformed YAML is reported at the line a person would point to, whether
// libyaml's scanner or its parser found the problem.
func TestSyntaxErrorLines(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		line      int
	}{
		{"unclosed flow sequence (parser)", "a: 1\nb: 2\nc: [a\n", 3},
		{"unclosed flow mapping (parser)", "a: 1\nb: 2\nc: {x\nd: 3\n", 3},
		{"tab indentation (scanner)", "a: 1\nb:\n\t- x\n", 3},
		{"mapping in a scalar (scanner)", "a: 1\n  b: 2\n", 2},
		{"unterminated quote (scanner)", "a: 1\nb: 2\nc: \"x\n", 3},
		{"block sequence misplaced (parser)", "a:\n  b: 1\n - c\n", 3},
		{"not UTF-8", "a: 1\nb: \xff\xfe\n", 2},
	} {
		_, err := Documents("f.yaml", []byte(tc.src))
		var de *diag.Error
		if !errors.As(err, &de) {
			t.Errorf("%s: got %v, want a *diag.Error", tc.name, err)
			continue
		}
		if de.Line != tc.line || de.File != "f.yaml" {
			t.Errorf("%s: got %s, want line %d", tc.name, de, tc.line)
		}
	}
}

func TestDocuments(t *testing.T) {
	docs, err := Documents("f.yaml", []byte("a: 1\n---\nb: 2\n---\n"))
	if err != nil || len(docs) != 2 {
		t.Fatalf("got %d docs, %v; want 2", len(docs), err)
	}
	if docs[1].Line != 3 {
		t.Errorf("second document at line %d, want 3", docs[1].Line)
	}
}

func TestDurationHint(t *testing.T) {
	for in, want := range map[string]string{"5 s": ` (did you mean "5s"?)`, "5": ` (add a unit: "5s")`, "soon": ""} {
		if got := DurationHint(in); got != want {
			t.Errorf("DurationHint(%q) = %q, want %q", in, got, want)
		}
	}
}

// Found by FuzzDocuments: yaml.v3 reports some syntax errors without a line
// (an unterminated quote runs into the end of the text); the error still
// names one.
func TestSyntaxErrorsWithoutLineGetOne(t *testing.T) {
	for in, want := range map[string]int{
		"'":                  1,
		"a: 1\nb: 'x\n":      2,
		"a: 1\nb: \"x\n\n\n": 2,
		"a: 1\nb: \x01\n":    2,
	} {
		_, err := Documents("f.yaml", []byte(in))
		var de *diag.Error
		if !errors.As(err, &de) || de.Line != want {
			t.Errorf("Documents(%q) = %v, want an error at line %d", in, err, want)
		}
	}
}

func TestDurationHintTooLong(t *testing.T) {
	if got := DurationHint("1000000000h"); !strings.Contains(got, "at most 2562047h") {
		t.Errorf("DurationHint(1000000000h) = %q, want the limit", got)
	}
	if got := DurationHint("5 s"); got != ` (did you mean "5s"?)` {
		t.Errorf("DurationHint(5 s) = %q", got)
	}
}
