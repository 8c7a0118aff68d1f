package schedule

import (
	"github.com/rickb777/date/v2"
)

// Grid is the period boundaries of a billing frequency laid from an anchor
// day: period k of the grid is [Boundary(k), Boundary(k+1)). Boundaries are
// computed from the origin, never by chaining, so month ends never drift,
// and any period is reached directly, without walking the ones before it.
//
// A Grid is a small value; the zero Grid is invalid. Build one with
// [BillingFrequency.Grid] or [Every.Grid].
type Grid struct {
	unit      Unit
	n         int // units per period
	eq        bool
	origin    date.Date // boundary 0
	anchorDay int       // the day of the month boundaries fall on (month-based units)
	month0    int       // origin's year × 12 + month − 1 (month-based units)
}

// newGrid lays a grid from origin.
func newGrid(unit Unit, n int, eq bool, origin date.Date, anchorDay int) Grid {
	y, m, _ := civil(origin)
	return Grid{unit: unit, n: max(n, 1), eq: eq, origin: origin, anchorDay: anchorDay, month0: y*12 + m - 1}
}

// Grid returns f's grid for a contract anchored on anchor (its start date):
// anniversary grids start on anchor itself, calendar grids on the calendar
// boundary on or before it (docs/periods.md).
func (f BillingFrequency) Grid(anchor date.Date) Grid {
	origin, anchorDay := anchor, anchor.Day()
	if f.Type == Calendar {
		origin, anchorDay = f.calendarOrigin(anchor)
	}
	return newGrid(f.Unit, f.Interval, f.Eq, origin, anchorDay)
}

// Grid returns the grid of e's recurrences counted from anchor: recurrence
// k starts on e.Nth(anchor, k).
func (e Every) Grid(anchor date.Date) Grid {
	return newGrid(e.Unit, e.N, false, anchor, anchor.Day())
}

// Boundary returns the first day of period k (k may be negative).
func (g Grid) Boundary(k int) date.Date {
	if g.eq || g.unit.months() == 0 {
		return g.origin + date.Date(k*g.n*g.unit.days())
	}
	idx := g.month0 + k*g.n*g.unit.months()
	y := floorDiv(idx, 12)
	m := idx - y*12 + 1
	return fromCivil(y, m, min(g.anchorDay, DaysIn(y, m)))
}

// Index returns the k whose period holds day: Boundary(k) ≤ day <
// Boundary(k+1).
func (g Grid) Index(day date.Date) int {
	var k int
	if g.eq || g.unit.months() == 0 {
		k = floorDiv(int(day-g.origin), g.n*g.unit.days())
	} else {
		y, m, _ := civil(day)
		k = floorDiv(y*12+m-1-g.month0, g.n*g.unit.months())
	}
	for g.Boundary(k) > day {
		k--
	}
	for g.Boundary(k+1) <= day {
		k++
	}
	return k
}

// Period returns period k of the grid clipped to the days [start, end)
// (end 0: no end), keeping the full period it was cut from; ok is false
// when nothing of it lies in that range.
func (g Grid) Period(k int, start, end date.Date) (p Period, ok bool) {
	return Cut(g.Boundary(k), g.Boundary(k+1), start, end)
}

// Cut returns the full period [lo, hi) clipped to the days [start, end)
// (end 0: no end), as [Grid.Period] does; ok is false when nothing of it
// lies in that range.
func Cut(lo, hi, start, end date.Date) (p Period, ok bool) {
	p = Period{Start: max(lo, start), End: hi, FullStart: lo, FullEnd: hi}
	if end != 0 && p.End > end {
		p.End = end
	}
	return p, p.Start < p.End
}
