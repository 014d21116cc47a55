package traces

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

// refAppendScalar is appendScalar as first written (rune by rune), kept to
// check the table-driven one writes the same bytes.
func refAppendScalar(b []byte, v string) []byte {
	if refPlainSafe(v) {
		return append(b, v...)
	}
	b = append(b, '"')
	for i := 0; i < len(v); {
		r, size := utf8.DecodeRuneInString(v[i:])
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == utf8.RuneError && size == 1:
			b = append(b, `\x`...)
			b = append(b, "0123456789abcdef"[v[i]>>4], "0123456789abcdef"[v[i]&15])
		case r < 0x20 || r == 0x7f:
			b = fmt.Appendf(b, `\x%02x`, r)
		default:
			b = append(b, v[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

func refPlainSafe(v string) bool {
	if v == "" {
		return false
	}
	c := v[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return false
	}
	for i := 1; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '/') {
			return false
		}
	}
	switch v {
	case "y", "Y", "n", "N", "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
		"on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL":
		return false
	}
	return true
}

func TestAppendScalarMatchesReference(t *testing.T) {
	check := func(v string) {
		t.Helper()
		if got, want := string(appendScalar(nil, v)), string(refAppendScalar(nil, v)); got != want {
			t.Fatalf("appendScalar(%q) = %s, want %s", v, got, want)
		}
	}
	for _, v := range []string{"", "a", "yes", "order-processor", "Saving Order: { orderId: '5' }", "a\"b\\c\nd\te\x7f\x01", "µs", "\xff\xfe", "é\xc3", "[x]", "a b", "1abc"} {
		check(v)
	}
	alphabet := []string{"a", "Z", "0", "-", "_", ".", "/", " ", ":", "{", "}", "'", "\"", "\\", "\n", "\t", "\r", "\x00", "\x1f", "\x7f", "\x80", "\xff", "é", "µ", "€", "😀", "\xe2\x82"}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 100000; i++ {
		n := r.IntN(12)
		v := ""
		for j := 0; j < n; j++ {
			v += alphabet[r.IntN(len(alphabet))]
		}
		check(v)
	}
	for c := 0; c < 256; c++ {
		check(string([]byte{byte(c)}))
		check("a" + string([]byte{byte(c)}))
	}
}
