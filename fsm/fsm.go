package fsm

import (
	"fmt"
	"slices"
)

// Transition is one row of a Table: in state From, event On leads to state
// To when Guard passes.
type Transition[S, E comparable, C any] struct {
	From S
	On   E
	To   S
	// Guard decides whether the row applies, given the machine's guard
	// context. nil means always. Rows for the same (From, On) are tried in
	// declaration order; the first whose guard passes wins.
	Guard func(C) bool
	// GuardText describes Guard on diagrams, e.g. "expiry < now".
	GuardText string
	// Note says why the row exists; a row that deliberately ignores an
	// event says so here.
	Note string
	// Index is the row's position in declaration order, set by NewTable.
	// Step functions switch on it to apply the row they were given.
	Index int
}

type key[S, E comparable] struct {
	from S
	on   E
}

type group[S, E comparable] struct {
	from S
	on   E
	rows []int
}

// Table is an immutable transition table. Build it with NewTable.
type Table[S, E comparable, C any] struct {
	// Name names the machine in errors and diagrams, e.g. "breaker".
	Name string

	rows  []Transition[S, E, C]
	index map[key[S, E]][]int // (From, On) → row indices in declaration order
	// groups holds the same as index, scanned by Fire: tables have a
	// dozen or so (From, On) pairs, and comparing small keys in a slice is
	// faster than hashing them.
	groups []group[S, E]
	states []S
	events []E
}

// NewTable returns a table of rows in the given order. It panics if a row
// can never be chosen because an earlier row for the same (From, On) has no
// guard: tables are static program data, so that is a programming error
// found when the package initialises.
func NewTable[S, E comparable, C any](name string, rows ...Transition[S, E, C]) *Table[S, E, C] {
	t := &Table[S, E, C]{
		Name:  name,
		rows:  slices.Clone(rows),
		index: make(map[key[S, E]][]int),
	}
	for i := range t.rows {
		r := &t.rows[i]
		r.Index = i
		k := key[S, E]{r.From, r.On}
		for _, j := range t.index[k] {
			if t.rows[j].Guard == nil {
				panic(fmt.Sprintf("fsm: %s: row %d (%s, %s) is unreachable: row %d has no guard",
					name, i, describe(r.From), describe(r.On), j))
			}
		}
		t.index[k] = append(t.index[k], i)
		if !slices.Contains(t.states, r.From) {
			t.states = append(t.states, r.From)
		}
		if !slices.Contains(t.states, r.To) {
			t.states = append(t.states, r.To)
		}
		if !slices.Contains(t.events, r.On) {
			t.events = append(t.events, r.On)
		}
	}
	for i := range t.rows {
		k := key[S, E]{t.rows[i].From, t.rows[i].On}
		if rows := t.index[k]; rows[0] == i {
			t.groups = append(t.groups, group[S, E]{from: k.from, on: k.on, rows: rows})
		}
	}
	return t
}

// Fire returns the first row for (from, on) whose guard passes for c. When
// none does, the state does not accept the event and the error is a
// *RejectedError. Fire does not allocate unless it fails.
func (t *Table[S, E, C]) Fire(from S, on E, c C) (Transition[S, E, C], error) {
	r, err := t.Pick(from, on, c)
	if err != nil {
		return Transition[S, E, C]{}, err
	}
	return *r, nil
}

// Pick is Fire without the copy: it returns the chosen row itself, which
// callers must not modify. Step functions on hot paths use it.
func (t *Table[S, E, C]) Pick(from S, on E, c C) (*Transition[S, E, C], error) {
	for g := range t.groups {
		if t.groups[g].from != from || t.groups[g].on != on {
			continue
		}
		for _, i := range t.groups[g].rows {
			r := &t.rows[i]
			if r.Guard == nil || r.Guard(c) {
				return r, nil
			}
		}
		break
	}
	return nil, &RejectedError{Machine: t.Name, State: describe(from), Event: describe(on)}
}

// Rows returns a copy of the table's rows in declaration order.
func (t *Table[S, E, C]) Rows() []Transition[S, E, C] { return slices.Clone(t.rows) }

// States returns every state the rows mention, in order of first
// appearance (From before To within a row).
func (t *Table[S, E, C]) States() []S { return slices.Clone(t.states) }

// Events returns every event the rows mention, in order of first appearance.
func (t *Table[S, E, C]) Events() []E { return slices.Clone(t.events) }

// RejectedError reports an event that the machine's current state does not
// accept. For a simulation engine it is a broken invariant: the engine
// stops and reports it with the sequence number and time.
type RejectedError struct {
	Machine string // the table's Name
	State   string // the state's String()
	Event   string // the event's String()
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("%s: state %q does not accept event %q", e.Machine, e.State, e.Event)
}

func describe(v any) string {
	if s, ok := v.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprint(v)
}
