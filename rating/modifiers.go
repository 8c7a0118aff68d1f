package rating

import (
	"slices"

	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/money"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/schedule"
)

// slice is one slice of a node period being modified (docs/modifiers.md): the lines
// of the period that land on one parent statement. Each step of the
// modifier pipeline reads what the steps before it left in due and adds
// its lines.
type slice struct {
	n        *node
	period   schedule.Period
	st       *periodState
	subtotal decimal.Decimal // the slice's charges
	due      decimal.Decimal // what the slice bills after the steps so far
	last     bool            // the period's last slice: its minimum is due
	acc      *acc
	out      []entry
}

// step is one modifier of the pipeline; the steps run in the order of docs/modifiers.md.
type step func(e *engine, sl *slice)

var pipeline = []step{(*engine).discounts, (*engine).minimumStep, (*engine).maximums, (*engine).adjustments,
	(*engine).credits}

// modify runs n's modifiers over one slice of its period p, appending
// their lines to dst, each landing with the slice's latest line.
func (e *engine) modify(dst []entry, n *node, p schedule.Period, st *periodState, a *acc, last bool) []entry {
	sl := &slice{n: n, period: p, st: st, subtotal: a.subtotal, due: a.subtotal, last: last, acc: a, out: dst}
	for _, s := range pipeline {
		s(e, sl)
	}
	st.slices++
	return sl.out
}

// add appends a modifier line of sl's node for its period.
func (sl *slice) add(k Kind, item int, l Line) {
	l.ContractID, l.Kind = sl.n.id, k
	l.PeriodStart, l.PeriodEnd = sl.period.Start, sl.period.Last()
	sl.out = append(sl.out, entry{line: l, land: sl.acc.land, rank: rank(k, item)})
}

// discounts applies the node's discounts progressively: each earns what it
// would on the period's cumulative subtotal (docs/modifiers.md: only on a positive
// subtotal, from its threshold on, together never more than the subtotal,
// a later one cut first), less what earlier slices of the period gave,
// never below zero and together never more than this slice's subtotal.
func (e *engine) discounts(sl *slice) {
	n, st := sl.n, sl.st
	if len(n.discounts) == 0 {
		st.cum = st.cum.Add(sl.subtotal)
		return
	}
	cum := st.cum.Add(sl.subtotal)
	var earnedSum, givenNow decimal.Decimal
	for i, vs := range n.discounts {
		d := contract.At(vs, contract.DiscountFrom, sl.period.Start)
		if !applies(n, d, sl.period) {
			continue // outside its periods it counts for nothing
		}
		raw := money.Round(d.Apply(cum), e.places)
		earned := decimal.Min(raw, cum.Sub(earnedSum))
		if earned.IsNegative() {
			earned = decimal.Zero
		}
		earnedSum = earnedSum.Add(earned)
		amt := earned.Sub(st.given[i])
		room := sl.subtotal.Sub(givenNow)
		capped := amt.GreaterThan(room)
		if capped {
			amt = room
		}
		if !amt.IsPositive() {
			continue
		}
		givenNow = givenNow.Add(amt)
		var calc string
		if e.explain {
			calc = discountText(*d, cum, raw, earned, st.given[i], amt, capped, st.slices > 0, e.places)
		}
		st.given[i] = st.given[i].Add(amt)
		sl.add(KindDiscount, i, Line{ModifierID: d.ID, Amount: amt.Neg(), Calculation: CalculationText(calc),
			EffectiveFrom: d.EffectiveFrom})
	}
	st.cum = cum
	st.discounted = st.discounted.Add(givenNow)
	sl.due = sl.due.Sub(givenNow)
}

// applies reports whether discount d of node n applies to n's period p
// (docs/modifiers.md): p begins on or after d's start date (default: n's
// start) and, with a duration, is one of the first that many such periods
// of n, counted as n bills them.
//
// The periods are counted from the node's effective start at the earliest,
// and, for a dated version, from the day it takes effect: "2.00 off for
// two months" saved from June counts June's periods.
func applies(n *node, d *modifier.Discount, p schedule.Period) bool {
	from := max(d.StartDate, n.start, d.EffectiveFrom)
	if p.Start < from {
		return false
	}
	if d.Duration == 0 {
		return true
	}
	first := n.grid.Index(from)
	if q, ok := n.period(first); !ok || q.Start < from {
		first++
	}
	return n.grid.Index(p.Start)-first < d.Duration
}

// minimum returns the largest of n's minimums for period p, prorated by
// its factor and rounded, or zero when n has none.
func (e *engine) minimum(n *node, p schedule.Period) decimal.Decimal {
	_, _, amt := e.largestMinimum(n, p)
	return amt
}

// largestMinimum returns the largest of n's minimums for period p, as the
// version in force on its first day, with its amount prorated and rounded
// (nil and zero when n has none).
func (e *engine) largestMinimum(n *node, p schedule.Period) (*modifier.Minimum, int, decimal.Decimal) {
	var best *modifier.Minimum
	at, bestAmt := -1, decimal.Zero
	for i, vs := range n.minimums {
		m := contract.At(vs, contract.MinimumFrom, p.Start)
		if !m.Period.IsZero() {
			continue // a term commitment (see terms)
		}
		if amt := p.Prorate(m.Amount, e.places); best == nil || amt.GreaterThan(bestAmt) {
			best, at, bestAmt = m, i, amt
		}
	}
	return best, at, bestAmt
}

// minimumStep trues the period up to its largest minimum at its last slice,
// on the whole period: the minimum less the period's discounted subtotal
// over all its slices. Then, when the period is the last of a term
// commitment's window, it trues the window up (see terms).
func (e *engine) minimumStep(sl *slice) {
	if !sl.last || len(sl.n.minimums) == 0 {
		return
	}
	e.periodMinimum(sl)
	e.terms(sl)
}

func (e *engine) periodMinimum(sl *slice) {
	low, at, m := e.largestMinimum(sl.n, sl.period)
	billed := sl.st.cum.Sub(sl.st.discounted)
	if low == nil || !billed.LessThan(m) {
		return
	}
	up := m.Sub(billed)
	var calc string
	if e.explain {
		calc = minimumText(low.Amount, m, billed, up, sl.period, sl.st.slices > 0, e.places)
	}
	sl.add(KindMinimum, at, Line{ModifierID: low.ID, Amount: up, Calculation: CalculationText(calc),
		EffectiveFrom: low.EffectiveFrom})
	sl.due = sl.due.Add(up)
	sl.st.raised = up
}

// term is what a term commitment's window has billed so far: the sum,
// over the node's periods whose first day lies in it, of their discounted
// subtotals and per-period true-ups.
type term struct {
	every  schedule.Every
	window int // its index in every's grid from the node's own start
	billed decimal.Decimal
}

// terms adds the period's billed amount to the window of each of the
// node's term commitments (docs/modifiers.md) that holds the period's
// first day and, when the period is the window's last, trues the window up
// to the largest commitment over it, with a minimum line for the window,
// after the period's own.
func (e *engine) terms(sl *slice) {
	n, p := sl.n, sl.period
	billed := sl.st.cum.Sub(sl.st.discounted).Add(sl.st.raised)
	var done []schedule.Every
	for i, vs := range n.minimums {
		m := contract.At(vs, contract.MinimumFrom, p.Start)
		if m.Period.IsZero() || slices.Contains(done, m.Period) {
			continue
		}
		every := m.Period
		done = append(done, every)
		g := every.Grid(n.ownStart)
		r := g.Index(p.Start)
		w, ok := g.Period(r, n.start, n.end)
		if !ok {
			continue
		}
		st := n.term(every, r)
		st.billed = st.billed.Add(billed)
		if next, ok := n.period(n.grid.Index(p.Start) + 1); ok && next.Start < w.End {
			continue // the window goes on
		}
		// The window's last period: the largest commitment over it, as the
		// version in force on the window's first day.
		best, at, bestAmt := (*modifier.Minimum)(nil), -1, decimal.Zero
		for j, vs := range n.minimums[i:] {
			c := contract.At(vs, contract.MinimumFrom, w.Start)
			if c.Period != every {
				continue
			}
			if amt := w.Prorate(c.Amount, e.places); best == nil || amt.GreaterThan(bestAmt) {
				best, at, bestAmt = c, i+j, amt
			}
		}
		n.closeTerm(every, r)
		if best == nil || !st.billed.LessThan(bestAmt) {
			continue
		}
		up := bestAmt.Sub(st.billed)
		var calc string
		if e.explain {
			calc = termText(best.Amount, bestAmt, st.billed, up, w, e.places)
		}
		l := Line{ContractID: n.id, Kind: KindMinimum, ModifierID: best.ID, PeriodStart: w.Start, PeriodEnd: w.Last(),
			Amount: up, Calculation: CalculationText(calc), EffectiveFrom: best.EffectiveFrom}
		sl.out = append(sl.out, entry{line: l, land: sl.acc.land, rank: rank(KindMinimum, termRank+at)})
		sl.due = sl.due.Add(up)
		sl.st.raised = sl.st.raised.Add(up)
	}
}

// termRank places a term commitment's line after the period's own minimum.
const termRank = 1 << 19

// term returns the state of n's window r of every, new when it has none.
func (n *node) term(every schedule.Every, r int) *term {
	for _, t := range n.windows {
		if t.every == every && t.window == r {
			return t
		}
	}
	t := &term{every: every, window: r}
	n.windows = append(n.windows, t)
	return t
}

// closeTerm forgets the state of n's window r of every: it is trued up.
func (n *node) closeTerm(every schedule.Every, r int) {
	n.windows = slices.DeleteFunc(n.windows, func(t *term) bool { return t.every == every && t.window == r })
}

// smallestMaximum returns the smallest of n's maximums for period p, as
// the version in force on its first day, with its amount prorated and
// rounded; the first in document order on a tie (nil when n has none).
func (e *engine) smallestMaximum(n *node, p schedule.Period) (*modifier.Maximum, int, decimal.Decimal) {
	var best *modifier.Maximum
	at, bestAmt := -1, decimal.Zero
	for i, vs := range n.maximums {
		m := contract.At(vs, contract.MaximumFrom, p.Start)
		if amt := p.Prorate(m.Amount, e.places); best == nil || amt.LessThan(bestAmt) {
			best, at, bestAmt = m, i, amt
		}
	}
	return best, at, bestAmt
}

// maximums caps the period's result progressively: at each slice, the
// cut that the period's result so far (its discounted subtotal over the
// slices so far, plus its minimum's true-up once given) earns above the
// smallest maximum, less what earlier slices cut, never more than the
// slice bills (docs/modifiers.md).
func (e *engine) maximums(sl *slice) {
	if len(sl.n.maximums) == 0 {
		return
	}
	st := sl.st
	capDoc, at, capAmt := e.smallestMaximum(sl.n, sl.period)
	result := st.cum.Sub(st.discounted).Add(st.raised)
	earned := result.Sub(capAmt)
	if !earned.IsPositive() {
		return
	}
	amt := earned.Sub(st.cut)
	capped := amt.GreaterThan(sl.due)
	if capped {
		amt = sl.due
	}
	if !amt.IsPositive() {
		return
	}
	var calc string
	if e.explain {
		calc = maximumText(capDoc.Amount, capAmt, result, st.cut, amt, sl.period, st.slices > 0, capped, e.places)
	}
	st.cut = st.cut.Add(amt)
	sl.add(KindMaximum, at, Line{ModifierID: capDoc.ID, Amount: amt.Neg(), Calculation: CalculationText(calc),
		EffectiveFrom: capDoc.EffectiveFrom})
	sl.due = sl.due.Sub(amt)
}

// adjustments places the open statement's adjustments on the parent's
// slice, after its discounts and minimums and before its credits, which
// pay them like any charge (docs/statements.md).
func (e *engine) adjustments(sl *slice) {
	if sl.n.parent != nil || len(e.adjust) == 0 {
		return
	}
	for i, l := range e.adjust {
		sl.out = append(sl.out, entry{line: l, land: sl.acc.land, rank: rank(KindAdjustment, i)})
		sl.due = sl.due.Add(l.Amount)
	}
	e.adjust = nil
}

// credits pays what the slice bills with the node's credits valid on its
// period's first day, in burn order, never below zero. In an issued period
// rated again, each pays exactly what it paid on that statement.
func (e *engine) credits(sl *slice) {
	if e.pinned != nil {
		for i, g := range sl.n.credits {
			k := lineKey{kind: KindCredit, contract: sl.n.id, item: g.credit.ID, start: sl.period.Start}
			if pay := e.pinned[k]; !pay.IsZero() {
				g.debit(sl.period.Start, pay)
				sl.due = sl.due.Sub(pay)
				sl.add(KindCredit, i, Line{ModifierID: g.credit.ID, Amount: pay.Neg()})
				delete(e.pinned, k)
			}
		}
		return
	}
	for i, g := range sl.n.credits {
		if !sl.due.IsPositive() {
			return
		}
		pay, before, after := g.pay(sl.period.Start, sl.due)
		if !pay.IsPositive() {
			continue
		}
		sl.due = sl.due.Sub(pay)
		var calc string
		if e.explain {
			calc = creditText(before, pay, after, e.places)
		}
		sl.add(KindCredit, i, Line{ModifierID: g.credit.ID, Amount: pay.Neg(), Calculation: CalculationText(calc)})
	}
}
