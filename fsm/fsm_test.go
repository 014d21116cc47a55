package fsm

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

type light uint8

const (
	red light = iota
	green
	yellow
)

func (l light) String() string {
	if int(l) < 3 {
		return [...]string{"red", "green", "yellow"}[l]
	}
	return fmt.Sprintf("light(%d)", uint8(l))
}

type signal uint8

const (
	tick signal = iota
	fault
	reset // on no row: past the largest event the table indexes
)

func (s signal) String() string {
	if int(s) < 3 {
		return [...]string{"tick", "fault", "reset"}[s]
	}
	return fmt.Sprintf("signal(%d)", uint8(s))
}

type ctx struct{ elapsed, limit int }

func testTable() *Table[light, signal, ctx] {
	return NewTable("light",
		Transition[light, signal, ctx]{From: red, On: tick, To: green, Guard: func(c ctx) bool { return c.elapsed >= c.limit }, GuardText: "elapsed >= limit"},
		Transition[light, signal, ctx]{From: red, On: tick, To: red, Note: "still red"},
		Transition[light, signal, ctx]{From: green, On: tick, To: yellow, Guard: func(c ctx) bool { return c.elapsed >= c.limit }, GuardText: "elapsed >= limit"},
		Transition[light, signal, ctx]{From: green, On: tick, To: green, Guard: func(c ctx) bool { return c.elapsed >= 0 }, GuardText: "elapsed >= 0"},
		Transition[light, signal, ctx]{From: yellow, On: tick, To: red},
		Transition[light, signal, ctx]{From: green, On: fault, To: red, Note: "fail safe"},
	)
}

func TestFire(t *testing.T) {
	tab := testTable()
	tests := []struct {
		name    string
		from    light
		on      signal
		c       ctx
		wantRow int
		wantTo  light
		wantErr string
	}{
		{name: "first guard passes", from: red, on: tick, c: ctx{5, 5}, wantRow: 0, wantTo: green},
		{name: "first guard fails, unguarded row", from: red, on: tick, c: ctx{4, 5}, wantRow: 1, wantTo: red},
		{name: "guards in order", from: green, on: tick, c: ctx{9, 5}, wantRow: 2, wantTo: yellow},
		{name: "second guard", from: green, on: tick, c: ctx{1, 5}, wantRow: 3, wantTo: green},
		{name: "all guards fail", from: green, on: tick, c: ctx{-1, 5}, wantErr: `light: state "green" does not accept event "tick"`},
		{name: "no row for pair", from: red, on: fault, wantErr: `light: state "red" does not accept event "fault"`},
		{name: "unguarded single row", from: yellow, on: tick, wantRow: 4, wantTo: red},
		{name: "other event", from: green, on: fault, wantRow: 5, wantTo: red},
		{name: "event on no row", from: yellow, on: reset, wantErr: `light: state "yellow" does not accept event "reset"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tab.Fire(tt.from, tt.on, tt.c)
			if tt.wantErr != "" {
				var rej *RejectedError
				if !errors.As(err, &rej) {
					t.Fatalf("Fire(%v, %v, %+v) error = %v, want *RejectedError %q", tt.from, tt.on, tt.c, err, tt.wantErr)
				}
				if err.Error() != tt.wantErr {
					t.Fatalf("error text:\n got %q\nwant %q", err.Error(), tt.wantErr)
				}
				if rej.Machine != "light" || rej.State != tt.from.String() || rej.Event != tt.on.String() {
					t.Fatalf("error fields = %+v", *rej)
				}
				return
			}
			if err != nil {
				t.Fatalf("Fire(%v, %v, %+v): unexpected error %v", tt.from, tt.on, tt.c, err)
			}
			if got.Index != tt.wantRow || got.To != tt.wantTo || got.From != tt.from || got.On != tt.on {
				t.Fatalf("Fire(%v, %v, %+v) = row %d %v→%v, want row %d →%v", tt.from, tt.on, tt.c, got.Index, got.From, got.To, tt.wantRow, tt.wantTo)
			}
		})
	}
}

func TestRowsStatesEvents(t *testing.T) {
	tab := testTable()
	rows := tab.Rows()
	if len(rows) != 6 {
		t.Fatalf("len(Rows()) = %d, want 6", len(rows))
	}
	for i, r := range rows {
		if r.Index != i {
			t.Errorf("row %d has Index %d", i, r.Index)
		}
	}
	if rows[0].GuardText != "elapsed >= limit" || rows[5].Note != "fail safe" {
		t.Errorf("rows not in declaration order: %+v", rows)
	}
	rows[0].To = yellow // a copy: must not change the table
	if r, _ := tab.Fire(red, tick, ctx{5, 5}); r.To != green {
		t.Errorf("Rows() returned the table's own slice")
	}
	if got, want := tab.States(), []light{red, green, yellow}; !slices.Equal(got, want) {
		t.Errorf("States() = %v, want %v", got, want)
	}
	if got, want := tab.Events(), []signal{tick, fault}; !slices.Equal(got, want) {
		t.Errorf("Events() = %v, want %v", got, want)
	}
}

// A state that never appears as From still counts as a state.
func TestStatesIncludeTargets(t *testing.T) {
	tab := NewTable("t", Transition[light, signal, ctx]{From: green, On: fault, To: red})
	if got, want := tab.States(), []light{green, red}; !slices.Equal(got, want) {
		t.Errorf("States() = %v, want %v", got, want)
	}
}

func TestUnreachableRowPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("NewTable accepted a row shadowed by an unguarded row")
		}
	}()
	NewTable("t",
		Transition[light, signal, ctx]{From: red, On: tick, To: green},
		Transition[light, signal, ctx]{From: red, On: tick, To: red},
	)
}

func TestFireDoesNotAllocate(t *testing.T) {
	tab := testTable()
	c := ctx{1, 5}
	if n := testing.AllocsPerRun(100, func() { _, _ = tab.Fire(green, tick, c) }); n != 0 {
		t.Errorf("Fire allocates %v times per call", n)
	}
}

// pickLight is testTable compiled by hand, as internal/fsmgen would.
func pickLight(from light, on signal, c *ctx) (int, light, bool) {
	switch {
	case from == red && on == tick:
		if c.elapsed >= c.limit {
			return 0, green, true
		}
		return 1, red, true
	case from == green && on == tick:
		if c.elapsed >= c.limit {
			return 2, yellow, true
		}
		if c.elapsed >= 0 {
			return 3, green, true
		}
	case from == yellow && on == tick:
		return 4, red, true
	case from == green && on == fault:
		return 5, red, true
	}
	return -1, from, false
}

func TestVerify(t *testing.T) {
	tab := testTable()
	inputs := []ctx{{5, 5}, {4, 5}, {-1, 5}, {0, -1}, {-2, -3}}
	if err := tab.Verify(pickLight, inputs); err != nil {
		t.Fatalf("Verify of a faithful compilation: %v", err)
	}
	tests := []struct {
		name   string
		pick   Compiled[light, signal, ctx]
		inputs []ctx
		want   string
	}{
		{"other row", func(from light, on signal, c *ctx) (int, light, bool) {
			if from == green && on == fault {
				return 4, red, true
			}
			return pickLight(from, on, c)
		}, inputs, `light: (green, fault) with input 0 {elapsed:5 limit:5}: the table chose row 5 (to red), compiled pick row 4 (to red)`},
		{"accepts what the table rejects", func(from light, on signal, c *ctx) (int, light, bool) {
			if from == red && on == fault {
				return 1, red, true
			}
			return pickLight(from, on, c)
		}, inputs, `light: (red, fault) with input 0 {elapsed:5 limit:5}: the table rejects, compiled pick chose row 1`},
		{"rejects what the table accepts", func(from light, on signal, c *ctx) (int, light, bool) {
			if on == reset+1 || from == yellow {
				return -1, from, false
			}
			return pickLight(from, on, c)
		}, inputs, `light: (yellow, tick) with input 0 {elapsed:5 limit:5}: the table chose row 4, compiled pick rejects`},
		{"inputs miss a combination", pickLight, []ctx{{5, 5}, {4, 5}, {-1, 5}},
			`light: (green, tick): no input makes [elapsed >= limit=true elapsed >= 0=false]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tab.Verify(tt.pick, tt.inputs)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Verify error:\n got %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestRejectIsPicksError(t *testing.T) {
	tab := testTable()
	_, err := tab.Pick(red, fault, &ctx{})
	if got := tab.Reject(red, fault); got.Error() != err.Error() {
		t.Fatalf("Reject = %v, Pick's error %v", got, err)
	}
	var rej *RejectedError
	if !errors.As(tab.Reject(red, fault), &rej) {
		t.Fatal("Reject is not a *RejectedError")
	}
}
