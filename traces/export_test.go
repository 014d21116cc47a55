package traces

import "bytes"

// ReadTree reads data as Read did before it streamed: a YAML trace decoded
// whole by yaml.v3, each line of a JSON-lines trace by encoding/json. The
// reference the streaming reader is checked against.
func ReadTree(data []byte) (*Trace, error) {
	r, err := newReader("trace", bytes.NewReader(data), true)
	if err != nil {
		return nil, err
	}
	return r.collect()
}

// FellBack reports whether r went over to the full-tree decoder.
func FellBack(r *Reader) bool { return r.mode == modeTree }

// SetMaxLine lowers the line limit for a test; the returned function puts
// it back.
func SetMaxLine(n int) (restore func()) {
	old := maxLine
	maxLine = n
	return func() { maxLine = old }
}

// OpenMessages is how many messages m still holds.
func OpenMessages(m *Messages) int { return len(m.open) }
