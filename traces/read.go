package traces

import (
	"fmt"
	"io"
	"time"

	"gopkg.in/yaml.v3"
)

// Trace is a trace file read back: its header as YAML nodes (the scenario and
// spec stay in the form they were written) and its events.
type Trace struct {
	Format int
	Sim    string
	Name   string
	Dapr   string
	Seed   int64
	Events []Event
}

type rawTrace struct {
	Format int                 `yaml:"format"`
	Sim    string              `yaml:"sim"`
	Name   string              `yaml:"name"`
	Dapr   string              `yaml:"dapr"`
	Seed   int64               `yaml:"seed"`
	Events []map[string]string `yaml:"events"`
}

// Read parses a whole YAML trace. It refuses a format version it does not
// know, saying which one it reads.
func Read(r io.Reader) (*Trace, error) {
	var raw rawTrace
	if err := yaml.NewDecoder(r).Decode(&raw); err != nil {
		return nil, fmt.Errorf("read trace: %w", err)
	}
	if raw.Format != FormatVersion {
		return nil, fmt.Errorf("trace format %d: this sim reads format %d", raw.Format, FormatVersion)
	}
	t := &Trace{Format: raw.Format, Sim: raw.Sim, Name: raw.Name, Dapr: raw.Dapr, Seed: raw.Seed}
	t.Events = make([]Event, 0, len(raw.Events))
	for i, m := range raw.Events {
		e, err := eventFromMap(m)
		if err != nil {
			return nil, fmt.Errorf("read trace: event %d: %w", i, err)
		}
		t.Events = append(t.Events, e)
	}
	return t, nil
}

func eventFromMap(m map[string]string) (Event, error) {
	var e Event
	var err error
	get := func(k string) string { return m[k] }
	if e.T, err = time.ParseDuration(get("t")); err != nil {
		return e, fmt.Errorf("t: %w", err)
	}
	k, ok := ParseKind(get("kind"))
	if !ok {
		return e, fmt.Errorf("kind: unknown %q", get("kind"))
	}
	e.Kind = k
	atoi := func(k string) int {
		var n int
		if s, ok := m[k]; ok {
			if _, perr := fmt.Sscan(s, &n); perr != nil && err == nil {
				err = fmt.Errorf("%s: want a number, got %q", k, s)
			}
		}
		return n
	}
	dur := func(k string) time.Duration {
		s, ok := m[k]
		if !ok {
			return 0
		}
		d, perr := time.ParseDuration(s)
		if perr != nil && err == nil {
			err = fmt.Errorf("%s: %w", k, perr)
		}
		return d
	}
	e.App, e.Target, e.Op, e.Operation = get("app"), get("target"), get("op"), get("operation")
	e.Worker, e.Iteration, e.Step = atoi("worker"), atoi("iteration"), atoi("step")
	e.Attempt, e.Attempts = atoi("attempt"), atoi("attempts")
	if s, ok := m["outcome"]; ok {
		if e.Outcome, ok = ParseOutcome(s); !ok {
			return e, fmt.Errorf("outcome: unknown %q", s)
		}
	}
	e.Error, e.Log = get("error"), get("log")
	e.Took, e.Delay = dur("took"), dur("delay")
	e.Notice = get("notice") == "true"
	e.Stale = get("stale") == "true"
	e.Name, e.From, e.To, e.Change, e.Detail = get("name"), get("from"), get("to"), get("change"), get("detail")
	return e, err
}
