package rating

import (
	"slices"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/fixed"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/usage"
)

// bucket holds one product contract's events sorted by day (stable, so
// ingest order is kept within a day), with their quantities also as
// scaled integers when every one fits: then a period's sum is a run of
// integer additions, exact, and decimals are built once per period.
type bucket struct {
	days  []date.Date
	qty   []decimal.Decimal
	qi    []int64 // qty × 10^scale, when fast
	scale int32
	fast  bool
}

// fill sorts events into buckets by the dense index of their product
// contract. Events of contracts outside the tree are ignored (Accept has
// refused them already).
func fill(t *tree, events []usage.Event) []bucket {
	b := make([]bucket, len(t.products))
	index := make([]int32, len(events)) // product index of each event, -1: not in the tree
	counts := make([]int, len(t.products))
	lastID, last := uuid.Nil, int32(-1)
	for i, ev := range events {
		if ev.ContractID != lastID || i == 0 {
			lastID, last = ev.ContractID, -1
			if p, ok := t.byID[ev.ContractID]; ok {
				last = int32(p.index)
			}
		}
		index[i] = last
		if last >= 0 {
			counts[last]++
		}
	}
	for i, n := range counts {
		b[i].days, b[i].qty = make([]date.Date, 0, n), make([]decimal.Decimal, 0, n)
	}
	for i, ev := range events {
		if k := index[i]; k >= 0 {
			bk := &b[k]
			bk.days = append(bk.days, ev.Day(t.loc))
			bk.qty = append(bk.qty, ev.Quantity)
		}
	}
	for i := range b {
		b[i].prepare()
	}
	return b
}

func (b *bucket) prepare() {
	if !slices.IsSorted(b.days) {
		b.sortByDay()
	}
	for _, q := range b.qty {
		b.scale = max(b.scale, fixed.Scale(q))
	}
	if b.scale > 9 {
		return
	}
	b.qi = make([]int64, len(b.qty))
	for i, q := range b.qty {
		v, ok := fixed.FromDecimal(q, b.scale)
		if !ok {
			b.qi = nil
			return
		}
		b.qi[i] = v
	}
	b.fast = true
}

// aggregate turns the events with a day in [start, end) into one quantity.
func (b *bucket) aggregate(kind plan.Aggregation, start, end date.Date) decimal.Decimal {
	lo, _ := slices.BinarySearch(b.days, start)
	hi, _ := slices.BinarySearch(b.days, end)
	if lo >= hi {
		return decimal.Decimal{}
	}
	switch kind {
	case plan.Count:
		return decimal.NewFromInt(int64(hi - lo))
	case plan.Latest:
		return b.qty[hi-1]
	case plan.Max:
		m := b.qty[lo]
		for _, q := range b.qty[lo+1 : hi] {
			if q.GreaterThan(m) {
				m = q
			}
		}
		return m
	}
	if b.fast {
		var sum int64
		ok := true
		for _, v := range b.qi[lo:hi] {
			if sum, ok = fixed.Add(sum, v); !ok {
				break
			}
		}
		if ok {
			return fixed.ToDecimal(sum, b.scale)
		}
	}
	sum := decimal.Decimal{}
	for _, q := range b.qty[lo:hi] {
		sum = sum.Add(q)
	}
	return sum
}

// sortByDay orders the events by day, keeping ingest order within a day: a
// counting sort over the days the events span (a month or a year of days
// for one statement), or a stable sort when they span far more.
func (b *bucket) sortByDay() {
	lo, hi := slices.Min(b.days), slices.Max(b.days)
	n := len(b.days)
	days, qty := make([]date.Date, n), make([]decimal.Decimal, n)
	if span := int(hi - lo); span <= 4*n+1024 {
		count := make([]int, span+2)
		for _, d := range b.days {
			count[int(d-lo)+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for i, d := range b.days {
			k := count[int(d-lo)]
			count[int(d-lo)]++
			days[k], qty[k] = d, b.qty[i]
		}
	} else {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(i, j int) int { return int(b.days[i] - b.days[j]) })
		for i, k := range idx {
			days[i], qty[i] = b.days[k], b.qty[k]
		}
	}
	b.days, b.qty = days, qty
}
