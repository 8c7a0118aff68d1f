package rating

import (
	"slices"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/fixed"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/usage"
)

// Aggregator answers the usage rating asks for: for each request, one
// [usage.Aggregates] per period, in the order asked. Rating asks for the
// periods it prices, a window of statements at a time, so an Aggregator
// backed by a store aggregates where the data is and never hands over
// events. Package billing provides one over a store; [Input.Usage] is
// aggregated in memory by the same rules.
//
// Rating calls Aggregate from the goroutine that called [Rate] and returns
// the first error it gives.
type Aggregator interface {
	Aggregate(reqs []usage.Request) ([][]usage.Aggregates, error)
}

// window is how many product periods one call to an Aggregator asks for at
// most (unless one statement alone needs more): enough that rating a year
// of a contract is one call, few enough that replaying decades of daily
// periods never holds them all.
const window = 4096

// agg is the aggregates of one product period, by its first day.
type agg struct {
	start date.Date
	a     usage.Aggregates
}

// quantity returns a's value for the plan's aggregation.
func quantity(a usage.Aggregates, kind plan.Aggregation) decimal.Decimal {
	switch kind {
	case plan.Max:
		return a.Max
	case plan.Count:
		return decimal.NewFromInt(a.Count)
	case plan.Latest:
		return a.Latest
	}
	return a.Sum
}

// fetch asks the aggregator for the usage of every product period landing
// on the statements from k on: as many statements as fit a window, through
// the last one to rate.
func (e *engine) fetch(k, last int) error {
	root := e.t.root
	start, _ := root.period(k)
	end := k
	// Grow the window while it holds few periods, doubling its length.
	for step := 1; end < last; step *= 2 {
		next := min(last, end+step)
		p, _ := root.period(next)
		if e.count(start.Start, p.End) > window {
			break
		}
		end = next
	}
	p, _ := root.period(end)
	reqs := make([]usage.Request, 0, len(e.t.products))
	owners := make([]*product, 0, len(e.t.products))
	for _, pr := range e.t.products {
		if b := e.bounds(pr, start.Start, p.End); len(b) > 1 {
			reqs = append(reqs, usage.Request{Contract: pr.pc.ID, Bounds: b})
			owners = append(owners, pr)
		}
	}
	e.fetched = end + 1
	if len(reqs) == 0 {
		return nil
	}
	got, err := e.src.Aggregate(reqs)
	if err != nil {
		return err
	}
	for i, pr := range owners {
		cache := e.cache[pr.index][:0]
		for k, a := range got[i] {
			cache = append(cache, agg{start: reqs[i].Bounds[k], a: a})
		}
		e.cache[pr.index], e.next[pr.index] = cache, 0
	}
	return nil
}

// landing returns the first and last index of product p's periods whose
// last day lies in [s, end), and whether there is any.
func (p *product) landing(s, end date.Date) (int, int, bool) {
	lo, hi := max(s, p.start), bound(p.end, end)
	if lo >= hi {
		return 0, 0, false
	}
	first := p.grid.Index(lo)
	last := p.grid.Index(hi - 1)
	if q, _ := p.grid.Period(last, p.start, p.end); q.Last() >= end {
		last--
	}
	return first, last, first <= last
}

// count is the number of product periods landing in [s, end).
func (e *engine) count(s, end date.Date) int {
	n := 0
	for _, p := range e.t.products {
		if p.active {
			if first, last, ok := p.landing(s, end); ok {
				n += last - first + 1
			}
		}
	}
	return n
}

// bounds returns the boundaries of product p's periods landing in [s,
// end), for a request; nil when there are none.
func (e *engine) bounds(p *product, s, end date.Date) []date.Date {
	if !p.active {
		return nil
	}
	first, last, ok := p.landing(s, end)
	if !ok {
		return nil
	}
	b := make([]date.Date, 0, last-first+2)
	var q schedule.Period
	for k := first; k <= last; k++ {
		q, _ = p.grid.Period(k, p.start, p.end)
		b = append(b, q.Start)
	}
	return append(b, q.End)
}

// aggregates returns the fetched aggregates of product p's period
// starting on start.
func (e *engine) aggregates(p *product, start date.Date) usage.Aggregates {
	cache := e.cache[p.index]
	for i := e.next[p.index]; i < len(cache); i++ {
		if cache[i].start == start {
			e.next[p.index] = i + 1
			return cache[i].a
		}
	}
	// Not fetched: cannot happen, since fetch asks for every period that
	// lands in its window; answer from the aggregator alone rather than
	// price a period as empty.
	q, _ := p.grid.Period(p.grid.Index(start), p.start, p.end)
	got, err := e.src.Aggregate([]usage.Request{{Contract: p.pc.ID, Bounds: []date.Date{q.Start, q.End}}})
	if err != nil {
		if e.err == nil {
			e.err = err
		}
		return usage.Aggregates{}
	}
	return got[0][0]
}

// events aggregates usage events held in memory: an [Aggregator] over the
// events of [Input.Usage], once they have been accepted.
type events struct {
	buckets map[uuid.UUID]*bucket
}

// bucket holds one product contract's events sorted by day (stable, so
// ingest order is kept within a day), with their quantities also as
// scaled integers when every one fits: then a period's sum is a run of
// integer additions, exact.
type bucket struct {
	days  []date.Date
	qty   []decimal.Decimal
	qi    []int64 // qty × 10^scale, when fast
	scale int32
	fast  bool
}

// newEvents buckets accepted events by product contract, each on its day
// in the parent contract's time zone.
func newEvents(t *tree, evs []usage.Event) *events {
	src := &events{buckets: map[uuid.UUID]*bucket{}}
	for _, ev := range evs {
		b := src.buckets[ev.ContractID]
		if b == nil {
			b = &bucket{}
			src.buckets[ev.ContractID] = b
		}
		b.days = append(b.days, ev.Day(t.loc))
		b.qty = append(b.qty, ev.Quantity)
	}
	for _, b := range src.buckets {
		b.prepare()
	}
	return src
}

// Aggregate implements [Aggregator].
func (src *events) Aggregate(reqs []usage.Request) ([][]usage.Aggregates, error) {
	if err := usage.ValidateRequests(reqs); err != nil {
		return nil, err
	}
	out := make([][]usage.Aggregates, len(reqs))
	for i, r := range reqs {
		out[i] = make([]usage.Aggregates, r.Periods())
		b := src.buckets[r.Contract]
		if b == nil {
			continue
		}
		for k := range r.Periods() {
			out[i][k] = b.aggregate(r.Bounds[k], r.Bounds[k+1])
		}
	}
	return out, nil
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

// aggregate returns the aggregates of the events with a day in [start,
// end): the latest is the last by day, then by ingest order.
func (b *bucket) aggregate(start, end date.Date) usage.Aggregates {
	lo, _ := slices.BinarySearch(b.days, start)
	hi, _ := slices.BinarySearch(b.days, end)
	if lo >= hi {
		return usage.Aggregates{}
	}
	a := usage.Aggregates{Count: int64(hi - lo), Latest: b.qty[hi-1], Max: b.qty[lo]}
	for _, q := range b.qty[lo+1 : hi] {
		if q.GreaterThan(a.Max) {
			a.Max = q
		}
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
			a.Sum = fixed.ToDecimal(sum, b.scale)
			return a
		}
	}
	for _, q := range b.qty[lo:hi] {
		a.Sum = a.Sum.Add(q)
	}
	return a
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
