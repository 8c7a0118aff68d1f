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
// pass, in ingest order: the totals of slot s in period k are at
// q.Cell(s, k). It reuses dst's memory when it is large enough.
//
// The pass touches three compact columns and adds integers (see [Scale]):
// it allocates nothing per event, and only the quantities that do not fit
// an int64 cost decimal arithmetic.
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

	slot := q.Slot
	span := uint64(hi - lo)
	big := 0 // cursor into l.big, which is in event order
	for ci, c := range l.chunks {
		groups := c.group
		days, qtys := c.day[:len(groups)], c.qty[:len(groups)]
		for j, g := range groups {
			if uint(g) >= uint(len(slot)) {
				continue
			}
			s := slot[g]
			day := int64(days[j])
			off := uint64(day - lo)
			if s < 0 || off >= span {
				continue
			}
			var k int
			if table != nil {
				k = int(table[off])
			} else {
				k = period(day)
			}
			t := &dst[int(s)*nP+k]
			if v := qtys[j]; v != bigQty {
				// Total.addFast by hand: the call is the larger part of
				// the cost when it is not inlined.
				if t.n == 0 || day >= t.latestDay {
					t.latest, t.latestDay, t.latestBig = v, day, false
				}
				if !t.hasMax || v > t.max {
					t.max, t.hasMax = v, true
				}
				t.n++
				var carry uint64
				t.lo, carry = bits.Add64(t.lo, uint64(v), 0)
				t.hi += int64(carry) // v ≥ 0: stored quantities are never negative
				continue
			}
			i := ci<<chunkBits | j
			for int(l.big[big].i) < i {
				big++
			}
			t.addBig(l.big[big].q, day)
		}
	}
	return dst, nil
}
