package rating

import (
	"math"
	"slices"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/money"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/usage"
)

// usageLines appends the usage lines of product p that land on the
// statement [s, end): one for each of its periods (clipped to its
// effective dates) whose last day lies in it, billed in arrears.
func (e *engine) usageLines(dst []entry, p *product, s, end date.Date) []entry {
	lo, hi := max(s, p.start), bound(p.end, end)
	if lo >= hi {
		return dst
	}
	for k := p.indexOf(lo); ; k++ {
		q, ok := p.period(k)
		if !ok || q.Last() >= end {
			return dst
		}
		dst = append(dst, entry{land: q.Last(), line: e.usageLine(p, q)})
	}
}

// usageLine prices product p's usage in its period q.
func (e *engine) usageLine(p *product, q schedule.Period) Line {
	v := p.pricer(q.Start)
	a := e.aggregates(p, q.Start)
	var raw, qty, amount decimal.Decimal
	var x plan.Explanation
	if v.pricer.Charge() != nil {
		// Percentage pricing: the events were priced one at a time where
		// they are kept.
		var c usage.Charges
		if a.Charges != nil {
			c = *a.Charges
		}
		raw = money.Trim(a.Sum) // every event's quantity, free ones too
		qty = raw
		amount, x = v.pricer.ChargeLine(c, q, e.places)
	} else {
		raw = money.Trim(Quantity(a, v.pricer.Aggregation()))
		qty = v.pricer.Rounding().Apply(raw)
		amount, x = v.pricer.LineIn(qty, q, e.places)
	}
	l := Line{ContractID: p.pc.ID, Kind: KindUsage, ProductID: p.pc.ProductID, PlanID: p.pc.PlanID,
		PeriodStart: q.Start, PeriodEnd: q.Last(), Quantity: qty, EffectiveFrom: v.from}
	l.Amount = amount
	if e.explain {
		l.Calculation = usageCalculation(x, raw)
	}
	return l
}

// feeLines appends the lines of fixed fee vs (its versions) of node n that
// land on the statement [s, end) (docs/pricing.md): each period, or
// recurrence, priced by the version in force on its first day
// (docs/versions.md).
func (e *engine) feeLines(dst []entry, n *node, vs []plan.FixedFee, s, end date.Date) []entry {
	if len(vs) == 1 {
		return e.feeVersion(dst, n, vs[0], s, end, 0, endOfTime)
	}
	mark := len(dst)
	for i, f := range vs {
		from, until := f.EffectiveFrom, date.Date(endOfTime)
		if i == 0 {
			from = 0
		}
		if i+1 < len(vs) {
			until = vs[i+1].EffectiveFrom
		}
		dst = e.feeVersion(dst, n, f, s, end, from, until)
	}
	// By date, whatever version each line came from.
	slices.SortStableFunc(dst[mark:], func(a, b entry) int { return int(a.line.PeriodStart) - int(b.line.PeriodStart) })
	return dst
}

// endOfTime is a day after every day a document can name.
const endOfTime = math.MaxInt32

// feeVersion appends the lines of fee version f whose period, or
// recurrence, starts in [from, until).
func (e *engine) feeVersion(dst []entry, n *node, f plan.FixedFee, s, end, from, until date.Date) []entry {
	lo, hi := max(s, n.start), bound(n.end, end)
	if lo >= hi {
		return dst
	}
	in := func(p schedule.Period) bool { return p.Start >= from && p.Start < until }
	switch {
	case f.Period.Once:
		if p, land, ok := e.once(n); ok && land >= s && land < end && in(p) {
			amt := money.Round(f.Amount, e.places)
			dst = append(dst, entry{land: land, line: e.feeLine(n, f, p, amt, "once")})
		}
	case !f.Period.Every.IsZero():
		// Its own recurrences from the node's own start, each landing on
		// the first day of the part the effective dates keep.
		g := f.Period.Every.Grid(n.ownStart)
		for r := g.Index(lo); ; r++ {
			rec, ok := g.Period(r, n.start, n.end)
			if !ok || rec.Start >= hi {
				break
			}
			if rec.Start < s || !in(rec) {
				continue
			}
			dst = append(dst, entry{land: rec.Start, line: e.feeLine(n, f, rec, rec.Prorate(f.Amount, e.places),
				"every "+f.Period.Every.String())})
		}
	default:
		for k := n.grid.Index(lo); ; k++ {
			p, ok := n.period(k)
			if !ok || p.Start >= hi {
				break
			}
			land := landing(n, p)
			if land >= end {
				break
			}
			if land >= s && in(p) {
				dst = append(dst, entry{land: land, line: e.feeLine(n, f, p, p.Prorate(f.Amount, e.places), "per period")})
			}
		}
	}
	return dst
}

// feeLine is fee f's line for period p (a node period or a recurrence).
func (e *engine) feeLine(n *node, f plan.FixedFee, p schedule.Period, amount decimal.Decimal, how string) Line {
	l := Line{ContractID: n.id, Kind: KindFixedFee, FeeID: f.ID, PeriodStart: p.Start, PeriodEnd: p.Last(),
		Amount: amount, Proration: one, EffectiveFrom: f.EffectiveFrom}
	if how != "once" {
		l.Proration = p.Factor()
	}
	if e.explain {
		l.Calculation = Calculation{fee: &feeCalculation{amount: f.Amount, got: amount, how: how, period: p,
			prorated: how != "once", places: e.places}}
	}
	return l
}

var one = decimal.NewFromInt(1)

// once returns the period of node n that a "once" fee is charged with, its
// first effective one, and the day the fee lands: the period's first day
// for anchor S, its last for anchor E.
func (e *engine) once(n *node) (schedule.Period, date.Date, bool) {
	p, ok := n.period(n.grid.Index(n.start))
	return p, landing(n, p), ok
}

// landing is the day fees of n's period p land on: its first day in
// advance (anchor S), its last in arrears (anchor E).
func landing(n *node, p schedule.Period) date.Date {
	if n.anchor == schedule.AnchorEnd {
		return p.Last()
	}
	return p.Start
}

// feeLandsIn reports whether fee vs (its versions) of n has a line landing
// in [a, b). Versions of one fee almost always share its period; when they
// do not, a day where any of them would land counts.
func (e *engine) feeLandsIn(n *node, vs []plan.FixedFee, a, b date.Date) bool {
	for _, f := range vs {
		if e.versionLandsIn(n, f, a, b) {
			return true
		}
	}
	return false
}

func (e *engine) versionLandsIn(n *node, f plan.FixedFee, a, b date.Date) bool {
	lo, hi := max(a, n.start), bound(n.end, b)
	if lo >= hi {
		return false
	}
	switch {
	case f.Period.Once:
		_, land, ok := e.once(n)
		return ok && land >= a && land < b
	case !f.Period.Every.IsZero():
		g := f.Period.Every.Grid(n.ownStart)
		r := g.Index(lo)
		rec, ok := g.Period(r, n.start, n.end)
		if ok && rec.Start >= a && rec.Start < hi {
			return true
		}
		next, ok := g.Period(r+1, n.start, n.end)
		return ok && next.Start < hi
	}
	k := n.grid.Index(lo)
	p, _ := n.period(k)
	if land := landing(n, p); land >= a && land < b {
		return true
	}
	next, ok := n.period(k + 1)
	if !ok || next.Start >= hi {
		return false
	}
	land := landing(n, next)
	return land >= a && land < b
}
