package escape

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Safe reports whether s prints as itself: valid UTF-8 whose every rune is
// printable (strconv.IsPrint: letters, marks, numbers, punctuation, symbols
// and the ASCII space). Tabs, newlines, ESC, DEL, C1 controls and Unicode
// format characters such as the bidi overrides are not.
func Safe(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < ' ' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || !strconv.IsPrint(r) {
			return false
		}
		i += n
	}
	return true
}

// Name returns a name as it is when it is safe, else %q-quoted
// (`"st\x1b[2Jore"`): quoted, so the reader sees where the name starts and
// ends, and escaped, so the terminal shows the bytes instead of obeying them.
func Name(s string) string {
	if Safe(s) {
		return s
	}
	return strconv.Quote(s)
}

// Text returns a line with each unprintable rune written as its Go escape
// (\x1b, \r, \u202e, \xff for a byte that is not UTF-8) and everything else
// as it is, quotes and backslashes included: for sim's own sentences that
// carry names, where Name's quotes around the whole line would mislead.
// A trailing newline is the line's end, not its text, and is kept.
func Text(s string) string {
	body, nl := s, ""
	if n := len(s); n > 0 && s[n-1] == '\n' {
		body, nl = s[:n-1], "\n"
	}
	if Safe(body) {
		return s
	}
	b := make([]byte, 0, len(s)+16)
	for i := 0; i < len(body); {
		r, n := utf8.DecodeRuneInString(body[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, `\x`...)
			b = append(b, hex[body[i]>>4], hex[body[i]&0xf])
		case r < utf8.RuneSelf && (r < ' ' || r == 0x7f), !strconv.IsPrint(r):
			q := strconv.QuoteRune(r) // 'x' with the escape inside
			b = append(b, q[1:len(q)-1]...)
		default:
			b = append(b, body[i:i+n]...)
		}
		i += n
	}
	return string(append(b, nl...))
}

// Lines is Text for a message of several lines: each line is escaped and
// the newlines between them are kept, for sim's own multi-line messages
// (an error and its suggestion) that quote names with %q already.
func Lines(s string) string {
	if Safe(strings.ReplaceAll(s, "\n", "")) {
		return s
	}
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		lines[i] = Text(l)
	}
	return strings.Join(lines, "")
}

const hex = "0123456789abcdef"
