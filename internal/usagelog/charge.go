package usagelog

import (
	"cmp"
	"math"
	"math/big"
	"math/bits"
	"slices"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/fixed"
	"github.com/pricekit/pricekit/usage"
)

// Answer answers requests, already validated, from l: the aggregates of
// each requested period and, where a request asks for it, the charges of
// its events one at a time. It is how a store and rating's usage held in
// memory both answer the aggregation seam.
//
// Many requests over the same periods — a good share of the log's
// contracts at once, as a report or a bulk export asks — are answered by
// one pass over the whole log ([Log.Aggregate]) instead of one walk per
// contract.
func (l *Log) Answer(reqs []usage.Request) [][]usage.Aggregates {
	if out, ok := l.answerAll(reqs); ok {
		return out
	}
	out := usage.Answers(reqs)
	var buf []Total
	for i, r := range reqs {
		groups := l.GroupsOf(r.Contract)
		buf = l.AggregateGroups(buf, groups, r.Bounds, r.Ingested, !r.Wants(usage.WantMax) && !r.Wants(usage.WantLatest))
		for k, t := range buf {
			out[i][k] = t.aggregates(r)
		}
		if r.Charge != nil {
			cs := l.Charges(groups, r.Bounds, r.Ingested, *r.Charge)
			for k := range cs {
				out[i][k].Charges = &cs[k]
			}
		}
	}
	return out
}

// answerAll answers reqs with one pass over the log when they are many,
// share their bounds, name distinct contracts and ask for no charges and
// no ingest window; ok is false otherwise.
func (l *Log) answerAll(reqs []usage.Request) ([][]usage.Aggregates, bool) {
	if len(reqs) < 64 || len(reqs)*4 < l.Groups() {
		return nil, false
	}
	bounds := reqs[0].Bounds
	for _, r := range reqs {
		if r.Charge != nil || r.Ingested != (usage.Window{}) || !slices.Equal(r.Bounds, bounds) {
			return nil, false
		}
	}
	slot := make([]int32, l.Groups())
	for g := range slot {
		slot[g] = -1
	}
	for i, r := range reqs {
		for _, g := range l.GroupsOf(r.Contract) {
			if slot[g] >= 0 {
				return nil, false // a contract asked for twice
			}
			slot[g] = int32(i)
		}
	}
	q := Query{Slot: slot, Slots: len(reqs), Bounds: bounds}
	totals, err := l.Aggregate(nil, q)
	if err != nil {
		return nil, false
	}
	n := q.Periods()
	all := make([]usage.Aggregates, len(reqs)*n)
	out := make([][]usage.Aggregates, len(reqs))
	for i, r := range reqs {
		out[i] = all[i*n : (i+1)*n : (i+1)*n]
		for k := range n {
			out[i][k] = totals[q.Cell(i, k)].aggregates(r)
		}
	}
	return out, true
}

// Charges prices the events of groups within w in each period of bounds
// one at a time under c ([usage.Charge]): period k's charges are at k.
// Events are taken by day, then by ingest position, so the free ones are
// each period's first. Prices are exact: integers at a common scale where
// every value fits, decimals for a period where one does not.
func (l *Log) Charges(groups []int32, bounds []date.Date, w usage.Window, c usage.Charge) []usage.Charges {
	n := max(len(bounds)-1, 0)
	out := make([]usage.Charges, n)
	if n == 0 {
		return out
	}
	lo, hi := int32(bounds[0]), int32(bounds[n])
	// The cells are copied out once, into a slice sized for all of them.
	size := 0
	for _, g := range groups {
		l.runs(g, func(run []cell) { size += len(run) })
	}
	cells := make([]cell, 0, size)
	for _, g := range groups {
		l.runs(g, func(run []cell) {
			for _, x := range run {
				if x.day >= lo && x.day < hi && w.Holds(int64(x.pos)) {
					cells = append(cells, x)
				}
			}
		})
	}
	// Free events are the first by day, then by ingest order; events
	// mostly come in that order already.
	order := func(a, b cell) int { return cmp.Compare(key(a.day, a.pos), key(b.day, b.pos)) }
	if !slices.IsSortedFunc(cells, order) {
		slices.SortFunc(cells, order)
	}
	p := newCharger(c)
	for start := 0; start < len(cells); {
		k, _ := slices.BinarySearch(bounds, date.Date(cells[start].day))
		if bounds[k] != date.Date(cells[start].day) {
			k--
		}
		end := start
		for end < len(cells) && cells[end].day < int32(bounds[k+1]) {
			end++
		}
		paying := cells[start:end]
		paying = paying[min(int64(len(paying)), c.Free):]
		var ok bool
		if out[k], ok = p.fast(paying); !ok {
			qs := make([]decimal.Decimal, len(paying))
			for j, x := range paying {
				qs[j] = l.cellQuantity(x)
			}
			free := c
			free.Free = 0
			out[k] = usage.ChargeEach(free, qs)
		}
		start = end
	}
	return out
}

// cellQuantity returns the quantity of the event of cell x.
func (l *Log) cellQuantity(x cell) decimal.Decimal {
	if x.qty != bigQty {
		return decimal.New(x.qty, -Scale)
	}
	return l.bigQuantity(int(x.pos))
}

// charger is a [usage.Charge] at one integer scale: a quantity at Scale
// times rate (rate/100 at rateScale) gives an amount at scale, to which fee
// adds and between whose bounds it is clamped.
type charger struct {
	ok                  bool // every value of the charge fits
	scale               int32
	rate, fee, min, max int64
	hasMin, hasMax      bool
}

func newCharger(c usage.Charge) charger {
	r := c.Rate.Shift(-2)
	rs := fixed.Scale(r)
	p := charger{scale: Scale + rs, hasMin: c.Minimum.Valid, hasMax: c.Maximum.Valid}
	if p.scale > fixed.MaxScale {
		return p
	}
	var ok [4]bool
	p.rate, ok[0] = fixed.FromDecimal(r, rs)
	p.fee, ok[1] = fixed.FromDecimal(c.Fee, p.scale)
	ok[2], ok[3] = true, true
	if p.hasMin {
		p.min, ok[2] = fixed.FromDecimal(c.Minimum.Decimal, p.scale)
	}
	if p.hasMax {
		p.max, ok[3] = fixed.FromDecimal(c.Maximum.Decimal, p.scale)
	}
	p.ok = ok == [4]bool{true, true, true, true}
	return p
}

// fast prices cells with integers, or reports that some value does not
// fit.
func (p charger) fast(cells []cell) (usage.Charges, bool) {
	if !p.ok {
		return usage.Charges{}, false
	}
	var out usage.Charges
	var qty, amount, raised, lowered wide
	for _, x := range cells {
		if x.qty == bigQty {
			return usage.Charges{}, false
		}
		raw, ok := fixed.Mul(x.qty, p.rate)
		if !ok {
			return usage.Charges{}, false
		}
		if raw, ok = fixed.Add(raw, p.fee); !ok {
			return usage.Charges{}, false
		}
		charged := raw
		if p.hasMin && charged < p.min {
			charged = p.min
			out.Raised++
			raised.add(p.min - raw) // both at most MaxInt64 and raw ≥ 0
		}
		if p.hasMax && charged > p.max {
			charged = p.max
			out.Lowered++
			lowered.add(raw - p.max)
		}
		qty.add(x.qty)
		amount.add(charged)
	}
	out.Events = int64(len(cells))
	out.Quantity = qty.decimal(Scale)
	out.Amount = amount.decimal(p.scale)
	out.RaisedBy = raised.decimal(p.scale)
	out.LoweredBy = lowered.decimal(p.scale)
	return out, true
}

// wide is a 128-bit sum of int64s: no realistic number of additions
// overflows it.
type wide struct {
	lo uint64
	hi int64
}

func (w *wide) add(v int64) {
	var c uint64
	w.lo, c = bits.Add64(w.lo, uint64(v), 0)
	w.hi += int64(c) + v>>63 // sign-extends a negative v
}

// decimal returns w × 10^-scale.
func (w wide) decimal(scale int32) decimal.Decimal {
	if (w.hi == 0 && w.lo <= math.MaxInt64) || (w.hi == -1 && w.lo > math.MaxInt64) {
		return decimal.New(int64(w.lo), -scale)
	}
	var n, lo big.Int
	n.SetInt64(w.hi)
	n.Lsh(&n, 64)
	lo.SetUint64(w.lo)
	n.Add(&n, &lo)
	return decimal.NewFromBigInt(&n, -scale)
}
