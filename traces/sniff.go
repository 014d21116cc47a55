package traces

import (
	"bytes"
	"io"
)

// sniffLimit is how much of a file LooksLikeTrace reads at most.
const sniffLimit = 1 << 20

// LooksLikeTrace reports whether r holds a trace rather than a scenario,
// from its first significant line (blank lines, # comments, a --- document
// marker and % directives skipped): a JSON-lines trace's starts with `{`, a
// YAML trace's first key is `format` (a scenario's is anything else,
// usually `version`). It reads at most the first MiB of r; a read error
// counts as the end of the input, left to the reader that follows to
// report.
func LooksLikeTrace(r io.Reader) bool {
	head, _ := io.ReadAll(io.LimitReader(r, sniffLimit))
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		line = bytes.TrimSpace(line)
		switch {
		case len(line) == 0, line[0] == '#', bytes.Equal(line, []byte("---")), bytes.HasPrefix(line, []byte("%")):
			continue
		}
		return line[0] == '{' || bytes.HasPrefix(line, []byte("format:"))
	}
	return false
}
