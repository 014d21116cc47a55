package daprlog

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A daprd log line longer than the limit is an error naming the file and
// the line (issue 11), not bufio's "token too long".
func TestReadLineLimit(t *testing.T) {
	defer setMaxLine(100)()
	log := "INFO[0001] a line\n" + strings.Repeat("x", 101) + "\nINFO[0002] after\n"
	_, err := Read("daprd.log", strings.NewReader(log))
	if err == nil || err.Error() != "daprd.log:2: line longer than 100 bytes, the most a daprd log reader takes" {
		t.Errorf("got %v, want daprd.log:2: line longer than 100 bytes", err)
	}
	if _, err := Read("daprd.log", strings.NewReader("INFO[0001] x\n"+strings.Repeat("y", 100)+"\n")); err != nil {
		t.Errorf("a line at the limit: %v, want it read", err)
	}
}

func setMaxLine(n int) (restore func()) {
	old := maxLine
	maxLine = n
	return func() { maxLine = old }
}

var lineLongErr = regexp.MustCompile(`^daprd\.log:([0-9]+): line longer than 64 bytes`)

// FuzzReadLineLimit: with the limit lowered to 64 bytes, whatever a log
// holds, a "line longer" error points at a line that is longer, and no
// other error comes without file and line.
func FuzzReadLineLimit(f *testing.F) {
	for _, s := range []string{
		"INFO[0001] " + strings.Repeat("m", 60) + "\n",
		"INFO[0001] x\n" + strings.Repeat("\x00", 65),
		strings.Repeat("z", 64) + "\r\n",
		`{"time":"2024-01-01T00:00:00Z","level":"info","msg":"` + strings.Repeat("j", 40) + `"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer setMaxLine(64)()
		_, err := Read("daprd.log", bytes.NewReader(data))
		if err == nil {
			return
		}
		m := lineLongErr.FindStringSubmatch(err.Error())
		if m == nil {
			if !strings.HasPrefix(err.Error(), "daprd.log:") {
				t.Fatalf("error without the file: %v", err)
			}
			return
		}
		n, _ := strconv.Atoi(m[1])
		lines := bytes.SplitAfter(data, []byte{'\n'})
		if n < 1 || n > len(lines) || len(bytes.TrimSuffix(lines[n-1], []byte{'\n'})) <= 64 {
			t.Fatalf("%v: line %d is not longer than 64 bytes", err, n)
		}
	})
}
