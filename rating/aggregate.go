package rating

import (
	"slices"
	"sort"

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
	lastID, last := uuid.Nil, -1
	for _, ev := range events {
		if ev.ContractID != lastID || last < 0 {
			p, ok := t.byID[ev.ContractID]
			if !ok {
				continue
			}
			lastID, last = ev.ContractID, p.index
		}
		bk := &b[last]
		bk.days = append(bk.days, ev.Day(t.loc))
		bk.qty = append(bk.qty, ev.Quantity)
	}
	for i := range b {
		b[i].prepare()
	}
	return b
}

func (b *bucket) prepare() {
	if !slices.IsSorted(b.days) {
		idx := make([]int, len(b.days))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(i, j int) bool { return b.days[idx[i]] < b.days[idx[j]] })
		days, qty := make([]date.Date, len(idx)), make([]decimal.Decimal, len(idx))
		for i, k := range idx {
			days[i], qty[i] = b.days[k], b.qty[k]
		}
		b.days, b.qty = days, qty
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
