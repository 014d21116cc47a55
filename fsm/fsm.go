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

// Enum is what states and events of a Table are: typed small integers,
// as the house style makes every enum, so that (state, event) indexes a
// dense array and choosing a row costs no search.
type Enum interface{ ~uint8 }

// Table is an immutable transition table. Build it with NewTable. It is
// safe for concurrent use.
type Table[S, E Enum, C any] struct {
	// Name names the machine in errors and diagrams, e.g. "breaker".
	Name string

	rows  []Transition[S, E, C]
	index map[key[S, E]][]int // (From, On) → row indices in declaration order
	// byPair holds the same as index at [from*events+on], read by Pick:
	// every event of every machine picks a row, so the lookup is an array
	// read instead of a scan of the (From, On) pairs or a hash.
	byPair [][]int32
	events int // the stride of byPair: one more than the largest event
	states []S
	evlist []E
}

// NewTable returns a table of rows in the given order. It panics if a row
// can never be chosen because an earlier row for the same (From, On) has no
// guard: tables are static program data, so that is a programming error
// found when the package initialises.
func NewTable[S, E Enum, C any](name string, rows ...Transition[S, E, C]) *Table[S, E, C] {
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
		if !slices.Contains(t.evlist, r.On) {
			t.evlist = append(t.evlist, r.On)
		}
	}
	var maxS S
	var maxE E
	for _, r := range t.rows {
		maxS, maxE = max(maxS, r.From), max(maxE, r.On)
	}
	t.events = int(maxE) + 1
	t.byPair = make([][]int32, (int(maxS)+1)*t.events)
	for k, rows := range t.index {
		p := make([]int32, len(rows))
		for j, i := range rows {
			p[j] = int32(i)
		}
		t.byPair[int(k.from)*t.events+int(k.on)] = p
	}
	return t
}

// Fire returns the first row for (from, on) whose guard passes for c. When
// none does, the state does not accept the event and the error is a
// *RejectedError. Fire does not allocate unless it fails.
func (t *Table[S, E, C]) Fire(from S, on E, c C) (Transition[S, E, C], error) {
	r, err := t.Pick(from, on, &c)
	if err != nil {
		return Transition[S, E, C]{}, err
	}
	return *r, nil
}

// Pick is Fire without the copies: it reads the guard context through c
// (c is not kept; each guard that runs gets a copy) and returns the chosen
// row itself, which callers must not modify. Step functions on hot paths
// use it, so that a context is copied only into the guards that run.
func (t *Table[S, E, C]) Pick(from S, on E, c *C) (*Transition[S, E, C], error) {
	if int(on) < t.events {
		if p := int(from)*t.events + int(on); p < len(t.byPair) {
			for _, i := range t.byPair[p] {
				r := &t.rows[i]
				if r.Guard == nil || r.Guard(*c) {
					return r, nil
				}
			}
		}
	}
	return nil, t.Reject(from, on)
}

// Reject is the error Pick returns for a (from, on) pair no row accepts:
// what a compiled step function (see Verify) returns in the same case, so
// a rejection reads the same whichever decided it.
func (t *Table[S, E, C]) Reject(from S, on E) error {
	return &RejectedError{Machine: t.Name, State: describe(from), Event: describe(on)}
}

// Compiled is a table's decision compiled into code (by
// internal/fsmgen): the chosen row's Index and To, or false where Pick
// rejects.
type Compiled[S, E Enum, C any] func(from S, on E, c *C) (row int, to S, ok bool)

// Verify reports the first way pick decides differently from Pick: for
// every state and event up to one past the largest the rows name (so pairs
// no row accepts are tried too) and every guard context of inputs, both must
// choose the same row or both reject. It also fails unless inputs make every
// combination of outcomes of the guards of each (From, On) group, so a
// passing Verify has tried each way through every group, not only the
// inputs' luck: with inputs covering that, pick and the table cannot differ.
func (t *Table[S, E, C]) Verify(pick Compiled[S, E, C], inputs []C) error {
	var maxS S
	var maxE E
	for _, r := range t.rows {
		maxS, maxE = max(maxS, r.From, r.To), max(maxE, r.On)
	}
	for s := 0; s <= int(maxS)+1; s++ {
		for e := 0; e <= int(maxE)+1; e++ {
			from, on := S(s), E(e)
			for i := range inputs {
				c := &inputs[i]
				want, werr := t.Pick(from, on, c)
				row, to, ok := pick(from, on, c)
				switch {
				case werr != nil && ok:
					return fmt.Errorf("%s: (%s, %s) with input %d %+v: the table rejects, compiled pick chose row %d", t.Name, describe(from), describe(on), i, *c, row)
				case werr == nil && !ok:
					return fmt.Errorf("%s: (%s, %s) with input %d %+v: the table chose row %d, compiled pick rejects", t.Name, describe(from), describe(on), i, *c, want.Index)
				case werr == nil && (row != want.Index || to != want.To):
					return fmt.Errorf("%s: (%s, %s) with input %d %+v: the table chose row %d (to %s), compiled pick row %d (to %s)", t.Name, describe(from), describe(on), i, *c, want.Index, describe(want.To), row, describe(to))
				}
			}
		}
	}
	// Every combination of each group's guard outcomes, as bits of a mask,
	// groups in row order so the same gap is always the one reported.
	done := map[key[S, E]]bool{}
	for _, r := range t.rows {
		k := key[S, E]{r.From, r.On}
		if done[k] {
			continue
		}
		done[k] = true
		var guarded []int
		for _, i := range t.index[k] {
			if t.rows[i].Guard != nil {
				guarded = append(guarded, i)
			}
		}
		if len(guarded) == 0 {
			continue
		}
		if len(guarded) > 16 {
			return fmt.Errorf("%s: (%s, %s) has %d guarded rows: too many to try every combination", t.Name, describe(k.from), describe(k.on), len(guarded))
		}
		seen := make([]bool, 1<<len(guarded))
		for _, c := range inputs {
			m := 0
			for b, i := range guarded {
				if t.rows[i].Guard(c) {
					m |= 1 << b
				}
			}
			seen[m] = true
		}
		for m, ok := range seen {
			if ok {
				continue
			}
			var want []string
			for b, i := range guarded {
				want = append(want, fmt.Sprintf("%s=%t", t.rows[i].GuardText, m&(1<<b) != 0))
			}
			return fmt.Errorf("%s: (%s, %s): no input makes %v", t.Name, describe(k.from), describe(k.on), want)
		}
	}
	return nil
}

// Rows returns a copy of the table's rows in declaration order.
func (t *Table[S, E, C]) Rows() []Transition[S, E, C] { return slices.Clone(t.rows) }

// States returns every state the rows mention, in order of first
// appearance (From before To within a row).
func (t *Table[S, E, C]) States() []S { return slices.Clone(t.states) }

// Events returns every event the rows mention, in order of first appearance.
func (t *Table[S, E, C]) Events() []E { return slices.Clone(t.evlist) }

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
