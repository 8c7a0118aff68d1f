package usagelog

import (
	"fmt"
	"math/bits"
	"sort"

	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit"
)

// Query shapes one aggregation pass over a [Log]: which groups count,
// where each one's totals go, and the periods to split them by.
type Query struct {
	// Slot maps a group (an index of [Log.Key]) to its output slot; a
	// group with a negative slot, or beyond the end of Slot, is skipped.
	// Several groups may share a slot.
	Slot []int32
	// Slots is the number of output slots: every Slot value is below it.
	Slots int
	// Bounds are the period boundaries shared by every slot, increasing:
	// period k is the half-open day range [Bounds[k], Bounds[k+1]). Events
	// on days before Bounds[0] or from Bounds[len(Bounds)-1] on are skipped.
	Bounds []date.Date
}

// Periods returns the number of periods of q.
func (q Query) Periods() int { return max(len(q.Bounds)-1, 0) }

// Cell returns the index in Aggregate's result of slot s and period k.
func (q Query) Cell(s, k int) int { return s*q.Periods() + k }

func (q Query) validate() error {
	bad := func(field, format string, args ...any) error {
		return pricekit.Errorf(pricekit.ErrInvalidInput, "usage", field, fmt.Sprintf(format, args...))
	}
	if len(q.Bounds) < 2 {
		return bad("bounds", "want at least two period boundaries, got %d", len(q.Bounds))
	}
	for k := 1; k < len(q.Bounds); k++ {
		if q.Bounds[k] <= q.Bounds[k-1] {
			return bad(fmt.Sprintf("bounds[%d]", k), "%s does not follow %s", q.Bounds[k], q.Bounds[k-1])
		}
	}
	if q.Slots < 0 {
		return bad("slots", "negative number of slots %d", q.Slots)
	}
	for g, s := range q.Slot {
		if int(s) >= q.Slots {
			return bad(fmt.Sprintf("slot[%d]", g), "slot %d is not below %d", s, q.Slots)
		}
	}
	return nil
}

// denseSpan is the longest day range for which Aggregate finds an event's
// period through a table indexed by day (4 bytes a day) rather than by a
// binary search over the bounds.
const denseSpan = 1 << 16

// Aggregate folds every event of l into per (slot, period) totals in one
// pass: the totals of slot s in period k are at q.Cell(s, k). It reuses
// dst's memory when it is large enough.
//
// The pass walks each group's cells in turn, so it reads memory in order
// and each group's events land in a few neighbouring totals; it adds
// integers (see [Scale]), allocates nothing per event, and only the
// quantities that do not fit an int64 cost decimal arithmetic. Groups that
// share a slot still give the latest by day, then by ingest position.
func (l *Log) Aggregate(dst []Total, q Query) ([]Total, error) {
	if err := q.validate(); err != nil {
		return dst[:0], err
	}
	nP := q.Periods()
	cells := q.Slots * nP
	if cap(dst) < cells {
		dst = make([]Total, cells)
	} else {
		dst = dst[:cells]
		clear(dst)
	}
	lo, hi := int64(q.Bounds[0]), int64(q.Bounds[nP])
	var table []int32
	if hi-lo <= denseSpan {
		table = make([]int32, hi-lo)
		for k := range nP {
			for d := int64(q.Bounds[k]); d < int64(q.Bounds[k+1]); d++ {
				table[d-lo] = int32(k)
			}
		}
	}
	period := func(day int64) int {
		return sort.Search(nP, func(k int) bool { return int64(q.Bounds[k+1]) > day })
	}

	a := pass{dst: dst, slot: q.Slot, nP: nP, table: table, lo: lo, span: uint64(hi - lo), period: period}
	// Walk the segments side by side, group by group, so each group's
	// totals are touched while they are in the cache: every segment is
	// read in order, and the totals once.
	next := make([]int, len(l.segs)) // each segment's next group
	for g := range int32(len(l.keys)) {
		if int(g) >= len(a.slot) || a.slot[g] < 0 {
			for k := range l.segs {
				if i := next[k]; i < len(l.segs[k].groups) && l.segs[k].groups[i] == g {
					next[k]++
				}
			}
			continue
		}
		base := int(a.slot[g]) * nP
		for k := range l.segs {
			seg := &l.segs[k]
			if i := next[k]; i < len(seg.groups) && seg.groups[i] == g {
				l.fold(&a, base, seg.cells[seg.starts[i]:seg.starts[i+1]])
				next[k]++
			}
		}
		if run := l.open[g]; len(run) > 0 {
			l.fold(&a, base, run)
		}
	}
	return dst, nil
}

// pass is one aggregation in progress.
type pass struct {
	dst    []Total
	slot   []int32
	nP     int
	table  []int32 // period by day - lo, when the bounds span few days
	lo     int64
	span   uint64
	period func(int64) int
}

// fold adds one group's run of cells to the totals from base on.
func (l *Log) fold(a *pass, base int, run []cell) {
	dst, table := a.dst, a.table
	for _, c := range run {
		day := int64(c.day)
		off := uint64(day - a.lo)
		if off >= a.span {
			continue
		}
		var k int
		if table != nil {
			k = int(table[off])
		} else {
			k = a.period(day)
		}
		t := &dst[base+k]
		v := c.qty
		if v == bigQty {
			t.addBig(l.bigQuantity(int(c.pos)), key(c.day, c.pos))
			continue
		}
		// Total.addFast by hand, as selects: days and sizes come in no
		// predictable order, so these compile to conditional moves. The
		// first event of a total is always the latest (every key is above
		// the zero key) and its largest (quantities are never negative).
		kk := key(c.day, c.pos)
		latest, latestKey, latestBig, mx := t.latest, t.latestKey, t.latestBig, t.max
		if kk >= latestKey {
			latest, latestKey, latestBig = v, kk, false
		}
		if v > mx {
			mx = v
		}
		t.latest, t.latestKey, t.latestBig, t.max, t.hasMax = latest, latestKey, latestBig, mx, true
		t.n++
		var carry uint64
		t.lo, carry = bits.Add64(t.lo, uint64(v), 0)
		t.hi += int64(carry) // v ≥ 0: stored quantities are never negative
	}
}
