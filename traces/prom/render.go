package prom

import (
	"bufio"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Sample is one value of a series at one scrape.
type sample struct {
	suffix string // _bucket, _count, _sum, or ""
	le     string // the bucket's bound, for _bucket
	value  string
}

// sorted returns the series of each family in family order, then by
// labels: the order both renderings write them in.
func (r *Recorder) sorted() []*series {
	out := make([]*series, 0, len(r.series))
	for _, s := range r.series {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].fam != out[j].fam {
			return out[i].fam < out[j].fam
		}
		return out[i].labels < out[j].labels
	})
	return out
}

// points calls f with the samples of s at each scrape from its first on.
func (r *Recorder) points(s *series, f func(i int, samples []sample)) {
	var (
		total   uint64
		buckets = make([]uint64, len(latencyBounds)+1)
		sum     int64
		c       int // next change of a gauge
		v       = ""
		out     []sample
	)
	for i := 0; i <= r.last; i++ {
		out = out[:0]
		switch families[s.fam].typ {
		case typeCounter:
			if i < len(s.delta) {
				total += s.delta[i]
			}
			out = append(out, sample{value: strconv.FormatUint(total, 10)})
		case typeHistogram:
			if i < len(s.buckets) && s.buckets[i] != nil {
				for b, n := range s.buckets[i] {
					buckets[b] += n
				}
				sum += s.sumMs[i]
			}
			var cum uint64
			for b, n := range buckets {
				cum += n
				le := "+Inf"
				if b < len(latencyBounds) {
					le = formatBound(latencyBounds[b])
				}
				out = append(out, sample{suffix: "_bucket", le: le, value: strconv.FormatUint(cum, 10)})
			}
			out = append(out, sample{suffix: "_count", value: strconv.FormatUint(cum, 10)},
				sample{suffix: "_sum", value: strconv.FormatInt(sum, 10)})
		case typeGauge:
			at := time.Duration(i) * r.o.Interval
			for c < len(s.changes) && s.changes[c].t <= at {
				v = s.changes[c].state
				c++
			}
			out = append(out, sample{value: v})
		}
		if i >= s.first {
			f(i, out)
		}
	}
}

// formatBound writes a bucket bound as OpenMetrics' canonical form wants
// it: a float, "1.0" rather than "1".
func formatBound(b float64) string {
	s := strconv.FormatFloat(b, 'f', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// timestamp is scrape i's instant in seconds since the Unix epoch, to the
// millisecond (Prometheus' resolution).
func (r *Recorder) timestamp(i int) string {
	ms := r.o.Start.Add(time.Duration(i) * r.o.Interval).UnixMilli()
	s := strconv.FormatInt(ms/1000, 10)
	if f := ms % 1000; f != 0 {
		s += "." + strings.TrimRight(strconv.FormatInt(1000+f, 10)[1:], "0")
	}
	return s
}

// omName is the name of a family in OpenMetrics' terms, and the type to
// declare. OpenMetrics wants a counter's samples to end in _total and its
// family named without it; Dapr's count views are counters named without
// the suffix (dapr_resiliency_count), and a Prometheus scraping Dapr
// stores them under that name, which rules and dashboards use. Such a
// family is declared unknown, so its samples keep Dapr's name.
func omName(f family) (name, typ string) {
	if f.typ != typeCounter {
		return f.name, f.typ
	}
	if n, ok := strings.CutSuffix(f.name, "_total"); ok {
		return n, typeCounter
	}
	return f.name, "unknown"
}

// WriteOpenMetrics writes every series as an OpenMetrics text exposition
// with one sample per scrape, each with its timestamp: a family at a
// time, its series by labels, each series' points in time order, then
// "# EOF".
func (r *Recorder) WriteOpenMetrics(w io.Writer) error {
	bw := bufio.NewWriter(w)
	last := famID(255)
	for _, s := range r.sorted() {
		f := families[s.fam]
		name, typ := omName(f)
		if s.fam != last {
			last = s.fam
			bw.WriteString("# HELP " + name + " " + escapeHelp(f.help) + "\n")
			bw.WriteString("# TYPE " + name + " " + typ + "\n")
		}
		r.points(s, func(i int, samples []sample) {
			ts := r.timestamp(i)
			for _, sm := range samples {
				bw.WriteString(f.name)
				bw.WriteString(sm.suffix)
				bw.WriteString(sampleLabels(s.labels, sm.le))
				bw.WriteString(" " + sm.value + " " + ts + "\n")
			}
		})
	}
	bw.WriteString("# EOF\n")
	return bw.Flush()
}

func sampleLabels(ls, le string) string {
	if le != "" {
		if ls != "" {
			ls += ","
		}
		ls += `le="` + le + `"`
	}
	if ls == "" {
		return ""
	}
	return "{" + ls + "}"
}

func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

// Series is one series as a `promtool test rules` file's input_series
// gives it: the selector, and its values from the first scrape on in
// promtool's expanding notation ("_" before the series exists).
type Series struct {
	Series string
	Values string
}

// InputSeries returns every series of the run, in the order
// WriteOpenMetrics writes them, for promtool's unit tests: scrape i is
// the test's time i × interval. Each series is encoded as its values are
// produced, so memory follows the runs of equal steps, not the scrapes.
func (r *Recorder) InputSeries() []Series {
	var out []Series
	for _, s := range r.sorted() {
		f := families[s.fam]
		var (
			lines []string
			encs  []runs
		)
		r.points(s, func(i int, samples []sample) {
			if lines == nil {
				for _, sm := range samples {
					lines = append(lines, f.name+sm.suffix+sampleLabels(s.labels, sm.le))
					encs = append(encs, runs{blanks: i})
				}
			}
			for k, sm := range samples {
				encs[k].push(sm.value)
			}
		})
		for k := range lines {
			out = append(out, Series{Series: lines[k], Values: encs[k].String()})
		}
	}
	return out
}

// SampleLines is the number of sample lines WriteOpenMetrics writes: each
// series' lines per scrape (a histogram's buckets, count and sum) times
// the scrapes from its first to the last. It is known once the run has
// ended, before anything is written, to bound the output.
func (r *Recorder) SampleLines() int64 {
	var n int64
	for _, s := range r.series {
		per := int64(1)
		if families[s.fam].typ == typeHistogram {
			per = int64(len(latencyBounds)) + 3 // buckets up to +Inf, _count, _sum
		}
		if s.first <= r.last {
			n += per * int64(r.last-s.first+1)
		}
	}
	return n
}

// runs writes values, pushed one at a time, in promtool's expanding
// notation: "_" for a missing value, "_xN" for N of them (not N+1,
// unlike a value's "xN"), "a+bxN" for a, a+b, … a+N·b. Values are
// integers ("" for missing); each value extends the run under way or
// ends it, so only the finished parts are held.
type runs struct {
	parts  []string
	blanks int   // missing values not yet written
	n      int64 // values in the run under way
	a, d   int64 // its first value and step
	prev   int64 // its last value
}

func (e *runs) push(v string) {
	if v == "" {
		e.endRun()
		e.blanks++
		return
	}
	e.endBlanks()
	x, _ := strconv.ParseInt(v, 10, 64)
	switch {
	case e.n == 0:
		e.a, e.n = x, 1
	case e.n == 1:
		e.d, e.n = x-e.prev, 2
	case x-e.prev == e.d:
		e.n++
	default:
		e.endRun()
		e.a, e.n = x, 1
	}
	e.prev = x
}

func (e *runs) endBlanks() {
	switch {
	case e.blanks == 1:
		e.parts = append(e.parts, "_")
	case e.blanks > 1:
		e.parts = append(e.parts, "_x"+strconv.Itoa(e.blanks))
	}
	e.blanks = 0
}

func (e *runs) endRun() {
	switch {
	case e.n == 1:
		e.parts = append(e.parts, strconv.FormatInt(e.a, 10))
	case e.n > 1 && e.d < 0:
		e.parts = append(e.parts, strconv.FormatInt(e.a, 10)+strconv.FormatInt(e.d, 10)+"x"+strconv.FormatInt(e.n-1, 10))
	case e.n > 1:
		e.parts = append(e.parts, strconv.FormatInt(e.a, 10)+"+"+strconv.FormatInt(e.d, 10)+"x"+strconv.FormatInt(e.n-1, 10))
	}
	e.n = 0
}

// String ends what is under way and returns the notation.
func (e *runs) String() string {
	e.endRun()
	e.endBlanks()
	return strings.Join(e.parts, " ")
}

// expand writes vals in promtool's expanding notation (see runs).
func expand(vals []string) string {
	var e runs
	for _, v := range vals {
		e.push(v)
	}
	return e.String()
}

// Metric is one series as of everything recorded so far: what a sidecar's
// /metrics shows at that moment of a played run.
type Metric struct {
	Name   string // as exported, dapr_…
	Type   string // counter, gauge or histogram
	Help   string
	Labels []string // name, value, name, value …: sorted by name, empty values left out
	Value  float64  // counter, gauge
	// Histogram: Bounds and the cumulative count of each (Buckets), Count
	// and Sum (milliseconds).
	Bounds  []float64
	Buckets []uint64
	Count   uint64
	Sum     float64
}

// Current returns every series as of what has been recorded, in the order
// WriteOpenMetrics writes them. An operation's resolve is counted when the
// operation ends, so a live count lags the scrape file's by its duration.
func (r *Recorder) Current() []Metric {
	var out []Metric
	for _, s := range r.sorted() {
		f := families[s.fam]
		m := Metric{Name: f.name, Type: f.typ, Help: f.help}
		for _, l := range s.pairs {
			m.Labels = append(m.Labels, l.name, l.value)
		}
		switch f.typ {
		case typeCounter:
			m.Value = float64(s.total)
		case typeGauge:
			if n := len(s.changes); n > 0 && s.changes[n-1].state == "1" {
				m.Value = 1
			}
		case typeHistogram:
			m.Bounds = latencyBounds
			m.Buckets = make([]uint64, len(latencyBounds))
			var total uint64
			for k, n := range s.counts {
				total += n
				if k < len(latencyBounds) {
					m.Buckets[k] = total
				}
			}
			m.Count, m.Sum = total, float64(s.sum)
		}
		out = append(out, m)
	}
	return out
}
