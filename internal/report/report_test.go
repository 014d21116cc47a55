package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestFormatSeconds(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0"},
		{5 * time.Second, "5"},
		{time.Millisecond, "0.001"},
		{26405988957, "26.405988957"},
		{-1500 * time.Millisecond, "-1.5"},
		{time.Nanosecond, "0.000000001"},
	} {
		if got := FormatSeconds(c.d); got != c.want {
			t.Errorf("FormatSeconds(%v) = %s, want %s", c.d, got, c.want)
		}
	}
}

// TestWriteSafe: runes a terminal acts on are escaped, and the document
// still decodes to the very strings it encodes.
func TestWriteSafe(t *testing.T) {
	doc := struct {
		Header
		Name string  `json:"name"`
		At   Seconds `json:"at"`
	}{NewHeader("test"), "a\x1b[2J\u202e\x7f\u0085b > c 😀\U000E0001", Seconds(1500 * time.Millisecond)}
	var b strings.Builder
	if err := Write(&b, doc); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"format\": 1,\n  \"command\": \"test\",\n  \"name\": \"a\\u001b[2J\\u202e\\u007f\\u0085b > c 😀\\udb40\\udc01\",\n  \"at\": 1.5\n}\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
	var back struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil || back.Name != doc.Name {
		t.Fatalf("decoded %q, %v; want %q", back.Name, err, doc.Name)
	}
}
