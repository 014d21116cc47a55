package escape

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"statestore", "statestore"},
		{"simpleCB-statestore", "simpleCB-statestore"},
		{"with space", "with space"},
		{"naïve-日本", "naïve-日本"},
		{`quote"and\back`, `quote"and\back`},
		{"st\x1b[2Jore", `"st\x1b[2Jore"`},
		{"a\rb", `"a\rb"`},
		{"tab\there", `"tab\there"`},
		{"nl\n", `"nl\n"`},
		{"del\x7f", `"del\x7f"`},
		{"c1\u009b2J", `"c1\u009b2J"`},
		{"bidi\u202eevil", `"bidi\u202eevil"`},
		{"bad\xffutf8", `"bad\xffutf8"`},
		{"", ""},
	} {
		if got := Name(c.in); got != c.want {
			t.Errorf("Name(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain line\n", "plain line\n"},
		{`policy "re\x1b"` + "\n", `policy "re\x1b"` + "\n"},
		{"component[st\x1b[2Jore] output\n", `component[st\x1b[2Jore] output` + "\n"},
		{"two\nlines", `two\nlines`},
		{"cr\r\n", `cr\r` + "\n"},
		{"bad\xff", `bad\xff`},
		{"c1\u009b", `c1\u009b`},
		{"日本\x07", `日本\a`},
	} {
		if got := Text(c.in); got != c.want {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestNothingUnsafeSurvives is the package's promise for every string: what
// Name and Text return holds no byte a terminal would obey.
func TestNothingUnsafeSurvives(t *testing.T) {
	var all strings.Builder
	for b := 0; b < 256; b++ {
		all.WriteByte(byte(b))
	}
	for r := rune(0x80); r < 0x3000; r++ {
		all.WriteRune(r)
	}
	all.WriteString("\u202a\u202e\u2066\u2069\ufeff\U000e0001")
	in := all.String()
	for name, out := range map[string]string{"Name": Name(in), "Text": strings.TrimSuffix(Text(in+"\n"), "\n")} {
		if !Safe(out) {
			t.Errorf("%s left an unprintable rune in its result", name)
		}
		if !utf8.ValidString(out) {
			t.Errorf("%s returned invalid UTF-8", name)
		}
	}
}

func TestLines(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"error: x\n  did you mean y?\n", "error: x\n  did you mean y?\n"},
		{"a\x1b[2J\nb\r\n", `a\x1b[2J` + "\n" + `b\r` + "\n"},
		{"no newline\x07", `no newline\a`},
	} {
		if got := Lines(c.in); got != c.want {
			t.Errorf("Lines(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSafeTextIsNotCopied(t *testing.T) {
	s := "INFO[0026] Circuit breaker \"simpleCB-statestore\" changed state from closed to open\n"
	if n := testing.AllocsPerRun(100, func() { _ = Text(s) }); n != 0 {
		t.Errorf("Text of a safe line allocates %v times, want 0", n)
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"", "ok", "st\x1b[2Jore", "\xff\xfe", "\u202e", "a\r\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if out := Text(s); !Safe(strings.TrimSuffix(out, "\n")) {
			t.Errorf("Text(%q) = %q holds an unprintable rune", s, out)
		}
		if out := Name(s); !Safe(out) {
			t.Errorf("Name(%q) = %q holds an unprintable rune", s, out)
		}
		if Safe(s) && (Name(s) != s || Text(s) != s) {
			t.Errorf("safe %q was changed", s)
		}
	})
}
