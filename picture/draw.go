package picture

import (
	"time"
	"unicode/utf8"

	"github.com/dapr-sim/sim/traces"
)

// Events records a run's events, in order, into the sink it is handed, as
// a trace reader or an engine does; it may be called more than once and
// records the same events each time. A picture drawn from Events holds
// what it draws (each lane's columns and changes), not the events.
type Events func(traces.Sink) error

// SliceEvents is Events over events already in memory.
func SliceEvents(events []traces.Event) Events {
	return func(sink traces.Sink) error {
		for i := range events {
			if err := sink.Record(&events[i]); err != nil {
				return err
			}
		}
		return nil
	}
}

// drawnLane is a lane as a picture draws it: its name and changes, and
// its columns in the picture's layout.
type drawnLane struct {
	*Lane
	*grid
}

// drawing is what a timeline or an SVG draws: its lanes (BuildLanes'
// order) over the window [from, to] split into n columns.
type drawing struct {
	lanes    []drawnLane
	from, to time.Duration
	n        int
	label    int // the widest label, within minLabelWidth and maxLabelWidth
}

// Label widths bound the column a picture gives lane names: the widest
// label (a lane's terminal label and two spaces) within these.
const (
	minLabelWidth = len("breakers")
	maxLabelWidth = 32
)

// layout is one column count a picture may end with: the one its columns
// function gives for every label width in [minLabel, maxLabel].
type layout struct {
	minLabel, maxLabel int
	n                  int
}

// drawFold is one pass of draw over the run's events: BuildLanes' fold,
// each lane's spans going to the columns of every layout still possible.
//
// How many columns a picture has depends on its widest label, known only
// once every lane is: a breaker's lane, say, appears at its first
// transition, hours into a run. The width grows as lanes appear and never
// shrinks, so the fold keeps each lane's columns for every layout the
// widest label so far still allows (at most 25, fewer as lanes appear),
// and drops a layout as soon as a wider label rules it out.
type drawFold struct {
	*lanesFold
	from, to time.Duration
	ext      bool
	layouts  []layout
	lanes    []*laneAcc
	label    int // the widest label so far, bounded as the picture bounds it
}

// draw folds the run's events into a drawing of the window [from, to]
// (to 0: the end of the run), in the layout columns gives for the widest
// label; ext keeps each column's extent, for tooltips; top is what the
// setup says of where calls go. horizon is the end
// of the run; a later last event extends it, as in BuildLanes.
//
// The events pass once, unless the last one is later than horizon: the
// fold, which closes spans at the horizon, is then done again with the
// horizon known (a trace edited by hand, or one whose header does not
// say; a run's last event is never after its end).
func draw(events Events, horizon, from, to time.Duration, columns func(label int) int, ext bool, top topology) (*drawing, error) {
	f, err := drawPass(events, horizon, from, to, columns, ext, top)
	if err != nil {
		return nil, err
	}
	if f.seen && f.last > horizon {
		if f, err = drawPass(events, f.last, from, to, columns, ext, top); err != nil {
			return nil, err
		}
	}
	if to == 0 {
		to = f.horizon
	}
	if to <= from || from < 0 {
		return nil, ErrEmptyWindow
	}
	accs := f.close()
	d := &drawing{from: from, to: to, lanes: make([]drawnLane, len(accs)), label: f.label}
	for _, l := range f.layouts {
		if f.label >= l.minLabel && f.label <= l.maxLabel {
			d.n = l.n
			for i, a := range accs {
				d.lanes[i] = drawnLane{Lane: &a.Lane, grid: a.grids[0]}
			}
			break
		}
	}
	return d, nil
}

// drawPass is one pass of draw with the horizon taken as horizon.
func drawPass(events Events, horizon, from, to time.Duration, columns func(label int) int, ext bool, top topology) (*drawFold, error) {
	f := &drawFold{from: from, to: to, ext: ext, label: minLabelWidth}
	if f.to == 0 {
		f.to = horizon
	}
	if f.to > f.from && f.from >= 0 {
		for w := minLabelWidth; w <= maxLabelWidth; w++ {
			n := columns(w)
			if k := len(f.layouts); k > 0 && f.layouts[k-1].n == n {
				f.layouts[k-1].maxLabel = w
				continue
			}
			f.layouts = append(f.layouts, layout{minLabel: w, maxLabel: w, n: n})
		}
	}
	// Only tooltips (ext) show a span's detail.
	f.lanesFold = newLanesFold(horizon, ext, f.opened, top)
	if err := events(f.lanesFold); err != nil {
		return nil, err
	}
	return f, nil
}

// opened gives a new lane the columns of every layout still possible,
// after dropping those its label rules out.
func (f *drawFold) opened(a *laneAcc) {
	f.label = min(max(f.label, 2+utf8.RuneCountInString(termLabel(&a.Lane))), maxLabelWidth)
	drop := 0
	for drop < len(f.layouts) && f.layouts[drop].maxLabel < f.label {
		drop++
	}
	if drop > 0 {
		f.layouts = f.layouts[drop:]
		for _, l := range f.lanes {
			clear(l.grids[:drop]) // let the collector have them
			l.grids = l.grids[drop:]
		}
	}
	for _, l := range f.layouts {
		a.grids = append(a.grids, newGrid(f.from, f.to, l.n, f.ext))
	}
	f.lanes = append(f.lanes, a)
}
