package sim

import (
	"bytes"
	"slices"
	"sort"

	"github.com/dapr-sim/sim/internal/ynode"
	"gopkg.in/yaml.v3"
)

// A YAML node tree costs about 1.7 KB a fault window, so a scenario with
// hundreds of thousands of windows would hold gigabytes before its first
// event (issue 11). A long block list under a top-level `faults:` is
// therefore decoded a chunk of items at a time: the rest of the scenario is
// parsed with the list replaced by `[]`, then each chunk is parsed on its
// own, its nodes moved to their lines in the file, decoded into
// faults and windows, and dropped. Anything unusual (a flow list, anchors or
// aliases, a syntax error anywhere) takes the ordinary path, so every
// message is the one a whole parse gives.
const (
	longFaults = 10_000 // items a list needs to be decoded in chunks
	faultChunk = 5_000  // items decoded at a time
)

// parseLongFaults parses a scenario whose faults list is long, in chunks;
// ok is false when the scenario is not of that shape.
func parseLongFaults(file string, data []byte) (sc *Scenario, err error, ok bool) {
	if len(data) < longFaults*16 {
		return nil, nil, false
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	key := -1 // the line of `faults:`
	for i, l := range lines {
		t := bytes.TrimRight(l, " \r\n")
		if bytes.Equal(t, []byte("faults:")) {
			if key >= 0 {
				return nil, nil, false // twice: let the whole parse say so
			}
			key = i
		}
	}
	if key < 0 {
		return nil, nil, false
	}
	// The list runs to the next line that starts in column 0 with anything
	// but a `-` item, or a comment.
	end := key + 1
	indent := -1
	var items []int // the first line of each item
	for ; end < len(lines); end++ {
		l := lines[end]
		t := bytes.TrimLeft(l, " ")
		if len(bytes.TrimSpace(t)) == 0 || t[0] == '#' {
			continue
		}
		ind := len(l) - len(t)
		if ind == 0 && t[0] != '-' {
			break
		}
		if bytes.ContainsAny(l, "&*\t") || bytes.HasPrefix(l, []byte("---")) || bytes.HasPrefix(l, []byte("...")) {
			return nil, nil, false
		}
		if indent < 0 {
			indent = ind
		}
		if ind < indent {
			return nil, nil, false
		}
		if ind == indent {
			if t[0] != '-' || (len(t) > 1 && t[1] != ' ' && t[1] != '\n' && t[1] != '\r') {
				return nil, nil, false
			}
			items = append(items, end)
		}
	}
	if len(items) < longFaults || items[0] != firstContent(lines, key+1) {
		return nil, nil, false
	}

	// The scenario without its list, each line where it was.
	var rest bytes.Buffer
	for _, l := range lines[:key] {
		rest.Write(l)
	}
	rest.WriteString("faults: []\n")
	for _, l := range lines[end:] {
		rest.Write(l)
	}
	docs, perr := ynode.Documents(file, rest.Bytes())
	if perr != nil || len(docs) != 1 {
		return nil, nil, false
	}
	shiftLines(docs[0], key+1, end-key-1)
	d := &decoder{file: file}
	sc = d.scenario(docs[0])
	docs = nil

	var faults []Fault
	windows := make([]Window, 0, len(items))
	var chunk bytes.Buffer
	for a := 0; a < len(items); a += faultChunk {
		b := min(a+faultChunk, len(items))
		last := end
		if b < len(items) {
			last = items[b]
		}
		chunk.Reset()
		for _, l := range lines[items[a]:last] {
			chunk.Write(l)
		}
		cd, perr := ynode.Documents(file, chunk.Bytes())
		if perr != nil || len(cd) != 1 {
			return nil, nil, false
		}
		shiftLines(cd[0], 0, items[a])
		d.faultItems("faults", cd[0], a, &faults, &windows)
	}
	if err := d.errs.Err(); err != nil {
		return nil, err, true
	}
	sort.SliceStable(faults, func(i, j int) bool { return faults[i].At < faults[j].At })
	sc.Faults, sc.Windows = faults, slices.Clip(windows)
	sc.File = file
	return sc, nil, true
}

// firstContent is the index of the first line from i on that is neither
// blank nor a comment.
func firstContent(lines [][]byte, i int) int {
	for ; i < len(lines); i++ {
		t := bytes.TrimSpace(lines[i])
		if len(t) > 0 && t[0] != '#' {
			return i
		}
	}
	return i
}

// shiftLines moves every node of the tree below line after down by lines.
func shiftLines(n *yaml.Node, after, lines int) {
	if n.Line > after {
		n.Line += lines
	}
	for _, c := range n.Content {
		shiftLines(c, after, lines)
	}
}
