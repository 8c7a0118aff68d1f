package rating

import (
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/usagelog"
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

// few is how many statements fetchRuns fetches without counting their
// periods: the window bounds memory, and a few statements of daily
// periods stay near it.
const few = 4

// agg is the aggregates of one product period, by its first day.
type agg struct {
	start date.Date
	a     usage.Aggregates
}

// Quantity returns the value of a that the plan's aggregation kind takes:
// the sum, the largest, the count or the latest quantity.
func Quantity(a usage.Aggregates, kind plan.Aggregation) decimal.Decimal {
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

// wants is the aggregate that a plan's aggregation kind reads, all a
// request for its usage needs.
func wants(kind plan.Aggregation) usage.Want {
	switch kind {
	case plan.Max:
		return usage.WantMax
	case plan.Count:
		return usage.WantCount
	case plan.Latest:
		return usage.WantLatest
	}
	return usage.WantSum
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
		reqs, owners = e.requests(reqs, owners, pr, start.Start, p.End)
	}
	e.fetched = end + 1
	e.days = nil // the requests keep their bounds; the next window gets its own
	return e.answer(reqs, owners)
}

// answer asks the aggregator for reqs, in one call, and keeps each
// answer in the cache of the product that owns its request, in order.
func (e *engine) answer(reqs []usage.Request, owners []*product) error {
	if len(reqs) == 0 {
		return nil
	}
	got, err := e.src.Aggregate(reqs)
	if err != nil {
		return err
	}
	for _, pr := range owners {
		e.cache[pr.index], e.next[pr.index] = e.cache[pr.index][:0], 0
	}
	for i, pr := range owners {
		for k, a := range got[i] {
			e.cache[pr.index] = append(e.cache[pr.index], agg{start: reqs[i].Bounds[k], a: a})
		}
	}
	return nil
}

// requests appends the requests for product p's periods landing in [s,
// end), with their owner: one, unless the versions of its plan price some
// of them by percentage, which the request's Charge carries: then one for
// each run of periods priced alike.
func (e *engine) requests(reqs []usage.Request, owners []*product, p *product, s, end date.Date) ([]usage.Request, []*product) {
	b := e.bounds(p, s, end)
	if len(b) < 2 {
		return reqs, owners
	}
	if !p.charged {
		return append(reqs, usage.Request{Contract: p.pc.ID, Bounds: b, Want: p.want}), append(owners, p)
	}
	from := 0
	for k := 1; k < len(b); k++ {
		v := p.pricer(b[from])
		if k < len(b)-1 && p.pricer(b[k]) == v {
			continue
		}
		r := usage.Request{Contract: p.pc.ID, Bounds: b[from : k+1], Want: wants(v.pricer.Aggregation()),
			Charge: v.pricer.Charge()}
		if r.Charge != nil {
			r.Want = usage.WantSum // the line's quantity: every event's, free ones too
		}
		reqs, owners = append(reqs, r), append(owners, p)
		from = k
	}
	return reqs, owners
}

// fetchRuns asks the aggregator, in one call, for the usage of every
// product period landing on the statements of runs, when they are few
// enough for one window; it reports whether it did. Rating an open
// statement and the issued periods a change reaches is then one call, not
// one per run.
func (e *engine) fetchRuns(runs [][2]int) (bool, error) {
	root := e.t.root
	type span struct{ s, end date.Date }
	spans := make([]span, len(runs))
	statements := 0
	for _, r := range runs {
		statements += r[1] - r[0] + 1
	}
	total := 0
	for i, r := range runs {
		a, _ := root.period(r[0])
		b, _ := root.period(r[1])
		spans[i] = span{a.Start, b.End}
		if statements <= few {
			continue // few enough without counting
		}
		if total += e.count(a.Start, b.End); total > window {
			return false, nil
		}
	}
	var reqs []usage.Request
	var owners []*product
	for _, pr := range e.t.products {
		for _, sp := range spans {
			reqs, owners = e.requests(reqs, owners, pr, sp.s, sp.end)
		}
	}
	e.days = nil
	if err := e.answer(reqs, owners); err != nil {
		return false, err
	}
	return true, nil
}

// landing returns the first and last index of product p's periods whose
// last day lies in [s, end), and whether there is any.
func (p *product) landing(s, end date.Date) (int, int, bool) {
	lo, hi := max(s, p.start), bound(p.end, end)
	if lo >= hi {
		return 0, 0, false
	}
	first := p.indexOf(lo)
	last := p.indexOf(hi - 1)
	if q, _ := p.period(last); q.Last() >= end {
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
	n := last - first + 2
	if cap(e.days)-len(e.days) < n {
		e.days = make([]date.Date, 0, max(n, 64)) // one allocation for a window's requests
	}
	b := e.days[len(e.days) : len(e.days) : len(e.days)+n]
	e.days = e.days[:len(e.days)+n]
	var q schedule.Period
	for k := first; k <= last; k++ {
		q, _ = p.period(k)
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
	q, _ := p.period(p.indexOf(start))
	got, err := e.src.Aggregate([]usage.Request{{Contract: p.pc.ID, Bounds: []date.Date{q.Start, q.End},
		Want: p.want, Charge: p.pricer(q.Start).pricer.Charge()}})
	if err != nil {
		if e.err == nil {
			e.err = err
		}
		return usage.Aggregates{}
	}
	return got[0][0]
}

// events is usage held in memory, accepted by the one acceptance rule
// into the same columnar log the memory store keeps, and aggregated by the
// same code.
type events struct {
	log usagelog.Log
}

// newEvents accepts evs for the product contracts of t.
func newEvents(t *tree, evs []usage.Event) (*events, error) {
	src := &events{}
	if len(evs) == 0 {
		return src, nil
	}
	if _, _, err := src.log.Ingest(evs, t.target); err != nil {
		return nil, err
	}
	return src, nil
}

// Aggregate implements [Aggregator].
func (src *events) Aggregate(reqs []usage.Request) ([][]usage.Aggregates, error) {
	if err := usage.ValidateRequests(reqs); err != nil {
		return nil, err
	}
	return src.log.Answer(reqs), nil
}
