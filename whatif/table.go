package whatif

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dapr-sim/sim/internal/escape"
)

// The metric columns, in order: the names csv and json use, and the
// headings of table and markdown.
var (
	metricKeys     = []string{"failed", "shed", "attempts", "detect_s", "recover_s", "stall_s"}
	metricHeadings = []string{"failed", "shed", "attempts", "detect", "recover", "stall"}
	// The message columns follow when the scenario has messages
	// (Sweep.Messages).
	messageKeys     = []string{"published", "delivered", "redelivered", "deadlettered", "dropped", "lost", "pending", "duplicates", "delay_s"}
	messageHeadings = []string{"published", "delivered", "redelivered", "deadlettered", "dropped", "lost", "pending", "duplicates", "delay"}
)

// keys are the metric columns' csv and json names, headings their table
// and markdown headings.
func (s *Sweep) keys() []string {
	if s.Messages {
		return append(metricKeys[:len(metricKeys):len(metricKeys)], messageKeys...)
	}
	return metricKeys
}

func (s *Sweep) metricHeadings() []string {
	if s.Messages {
		return append(metricHeadings[:len(metricHeadings):len(metricHeadings)], messageHeadings...)
	}
	return metricHeadings
}

// cell is one metric of a row: a count, or a duration that may not apply.
type cell struct {
	n        int
	d        time.Duration
	duration bool
	ok       bool // a duration that applies
}

func (s *Sweep) cells(r Row) []cell {
	m := r.Metrics
	c := []cell{
		{n: m.FailedOps}, {n: m.Shed}, {n: m.Attempts},
		{d: m.Detect, duration: true, ok: m.HasDetect},
		{d: m.Recover, duration: true, ok: m.HasRecover},
		{d: m.LongestStall, duration: true, ok: m.Ops > 0},
	}
	if s.Messages {
		c = append(c,
			cell{n: m.Published}, cell{n: m.Delivered}, cell{n: m.Redelivered},
			cell{n: m.DeadLettered}, cell{n: m.Dropped}, cell{n: m.Lost},
			cell{n: m.Pending}, cell{n: m.Duplicates},
			cell{d: m.WorstDelay, duration: true, ok: m.HasDelay})
	}
	return c
}

// text is the cell for people: a count, a Go duration, or "-".
func (c cell) text() string {
	switch {
	case !c.duration:
		return strconv.Itoa(c.n)
	case !c.ok:
		return "-"
	}
	return c.d.String()
}

// number is the cell for machines: a count, seconds as an exact decimal,
// or "" when the duration does not apply.
func (c cell) number() string {
	switch {
	case !c.duration:
		return strconv.Itoa(c.n)
	case !c.ok:
		return ""
	}
	return seconds(c.d)
}

// seconds writes d in seconds with as many decimals as it needs (up to
// nanoseconds), exactly: 20.013013, 5, 0.000001.
func seconds(d time.Duration) string {
	sign := ""
	u := uint64(d)
	if d < 0 {
		sign, u = "-", uint64(-d)
	}
	s := sign + strconv.FormatUint(u/1e9, 10)
	if frac := u % 1e9; frac != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%09d", frac), "0")
	}
	return s
}

// Write prints the rows in a format: table (aligned columns; a seed column
// when the grid has several seeds, a run column when sharded), markdown
// (the same as a pipe table), csv (a header on shard 0 only, then every
// column, durations in seconds as decimals) or json (an array of objects
// with the csv's keys in the same order, one per line).
func (s *Sweep) Write(w io.Writer, format string, rows []Row) error {
	var b strings.Builder
	switch format {
	case "csv":
		if err := s.writeCSV(&b, rows); err != nil {
			return err
		}
	case "json":
		s.writeJSON(&b, rows)
	case "markdown":
		s.writeMarkdown(&b, rows)
	default:
		s.writeTable(&b, rows)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// headings are the columns of table and markdown: the run when sharded
// (the rows are a slice of the grid), the paths, the seed when it varies,
// the metrics.
func (s *Sweep) headings() []string {
	var h []string
	if s.Sharded {
		h = append(h, "run")
	}
	for _, a := range s.Axes {
		h = append(h, escape.Text(a.Edit.Path()))
	}
	if s.grid.Seeds() > 1 {
		h = append(h, "seed")
	}
	return append(h, s.metricHeadings()...)
}

func (s *Sweep) textCells(r Row) []string {
	var out []string
	if s.Sharded {
		out = append(out, strconv.Itoa(r.Run.Index))
	}
	for _, v := range r.Run.Values {
		out = append(out, escape.Text(v))
	}
	if s.grid.Seeds() > 1 {
		out = append(out, strconv.FormatInt(r.Run.Seed, 10))
	}
	for _, c := range s.cells(r) {
		out = append(out, c.text())
	}
	return out
}

func (s *Sweep) writeTable(b *strings.Builder, rows []Row) {
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(s.headings(), "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(s.textCells(r), "\t"))
	}
	tw.Flush()
}

// writeMarkdown writes a pipe table, padded so it reads as a table before
// it is rendered too; metrics are right-aligned. A | in a value (a trip
// with ||) is escaped.
func (s *Sweep) writeMarkdown(b *strings.Builder, rows []Row) {
	head := s.headings()
	table := [][]string{head}
	for _, r := range rows {
		cells := s.textCells(r)
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		table = append(table, cells)
	}
	width := make([]int, len(head))
	for _, r := range table {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)), 3)
		}
	}
	right := len(head) - len(s.metricHeadings())
	line := func(cells []string) {
		b.WriteString("|")
		for i, c := range cells {
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if i >= right {
				b.WriteString(" " + pad + c + " |")
			} else {
				b.WriteString(" " + c + pad + " |")
			}
		}
		b.WriteString("\n")
	}
	line(head)
	b.WriteString("|")
	for i, w := range width {
		if i >= right {
			b.WriteString(" " + strings.Repeat("-", w-1) + ": |")
		} else {
			b.WriteString(" " + strings.Repeat("-", w) + " |")
		}
	}
	b.WriteString("\n")
	for _, r := range table[1:] {
		line(r)
	}
}

// machineKeys are the csv header and the json keys: every column, always.
func (s *Sweep) machineKeys() []string {
	keys := []string{"run"}
	for _, a := range s.Axes {
		keys = append(keys, escape.Text(a.Edit.Path()))
	}
	keys = append(keys, "seed")
	return append(keys, s.keys()...)
}

// writeCSV writes the header only on the first shard, so the shards'
// outputs concatenate into one CSV.
func (s *Sweep) writeCSV(b *strings.Builder, rows []Row) error {
	w := csv.NewWriter(b)
	if s.Shard.I == 0 {
		if err := w.Write(s.machineKeys()); err != nil {
			return err
		}
	}
	for _, r := range rows {
		rec := []string{strconv.Itoa(r.Run.Index)}
		for _, v := range r.Run.Values {
			rec = append(rec, escape.Text(v))
		}
		rec = append(rec, strconv.FormatInt(r.Run.Seed, 10))
		for _, c := range s.cells(r) {
			rec = append(rec, c.number())
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// writeJSON writes an array of objects, one a line, keys in column order
// (a map would sort them).
func (s *Sweep) writeJSON(b *strings.Builder, rows []Row) {
	keys := s.machineKeys()
	quote := func(v string) string {
		// Not json.Marshal: it writes > as \u003e, and trips are full of >.
		var q strings.Builder
		enc := json.NewEncoder(&q)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v) // a string always encodes
		return strings.TrimSuffix(q.String(), "\n")
	}
	b.WriteString("[")
	for i, r := range rows {
		if i > 0 {
			b.WriteString(",")
		}
		vals := []string{strconv.Itoa(r.Run.Index)}
		for _, v := range r.Run.Values {
			vals = append(vals, quote(v))
		}
		vals = append(vals, strconv.FormatInt(r.Run.Seed, 10))
		for _, c := range s.cells(r) {
			v := c.number()
			if v == "" {
				v = "null"
			}
			vals = append(vals, v)
		}
		b.WriteString("\n  {")
		for k, key := range keys {
			if k > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quote(key) + ": " + vals[k])
		}
		b.WriteString("}")
	}
	if len(rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
}
