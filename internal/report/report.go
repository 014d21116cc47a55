package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"
)

// Format is the version of every JSON document sim writes. Adding a key is
// compatible; renaming or removing one, or changing what a value means, is
// a new version.
const Format = 1

// Header opens every JSON document: {"format": 1, "command": "check", …}.
// Embed it first in a document's struct so its keys come first.
type Header struct {
	Format  int    `json:"format"`
	Command string `json:"command"`
}

// NewHeader is the header of command's document.
func NewHeader(command string) Header { return Header{Format: Format, Command: command} }

// Seconds is a duration written as a JSON number of seconds, exact to the
// nanosecond: 26.405988957, 5, 0.001.
type Seconds time.Duration

// MarshalJSON writes the decimal without a float's rounding.
func (s Seconds) MarshalJSON() ([]byte, error) { return []byte(FormatSeconds(time.Duration(s))), nil }

// FormatSeconds is d in seconds as an exact decimal without trailing zeros.
func FormatSeconds(d time.Duration) string {
	neg := d < 0
	u := uint64(d)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u/uint64(time.Second), 10)
	if frac := u % uint64(time.Second); frac != 0 {
		f := fmt.Sprintf("%09d", frac)
		for f[len(f)-1] == '0' {
			f = f[:len(f)-1]
		}
		s += "." + f
	}
	if neg {
		s = "-" + s
	}
	return s
}

// OptSeconds is d as *Seconds, nil (JSON null) when ok is false.
func OptSeconds(d time.Duration, ok bool) *Seconds {
	if !ok {
		return nil
	}
	s := Seconds(d)
	return &s
}

// Write encodes doc as one JSON document and a final newline. Besides what
// encoding/json escapes, every rune a terminal would act on (DEL, C1
// controls, bidi overrides; see package escape) is written as \uXXXX, so
// a name from an input file cannot disturb the terminal of someone reading
// the document, and the bytes still decode to the same strings.
func Write(w io.Writer, doc any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // trips are full of >, and JSON needs no HTML safety
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := w.Write(safe(buf.Bytes()))
	return err
}

// safe escapes the unprintable runes of encoded JSON. Outside strings the
// encoder writes only printable ASCII, spaces and newlines, so every rune
// escaped here is inside a string, where \uXXXX is valid.
func safe(b []byte) []byte {
	clean := true
	for _, c := range b {
		if c >= utf8.RuneSelf || c == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == '\n' || r == ' ' || strconv.IsPrint(r) {
			out = append(out, b[:n]...)
		} else if r > 0xffff {
			r1, r2 := surrogates(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		b = b[n:]
	}
	return out
}

// surrogates splits r (above U+FFFF) into its UTF-16 pair.
func surrogates(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}
