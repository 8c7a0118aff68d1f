package rating

import (
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/usage"
)

// Input is everything a rating needs: the documents of a contract tree (a
// bundle holding at least the parent and all it references), the parent's
// id, its usage, and the days to rate.
type Input struct {
	Objects  contract.Objects
	Contract uuid.UUID // a parent contract in Objects
	Usage    []usage.Event
	// From and To (inclusive) select the statements: every billing period
	// of the parent that overlaps [From, To]. Zero values default to the
	// contract's dates; an evergreen contract needs To.
	From, To date.Date
}

// Rate validates in and returns the statements of the parent contract for
// every billing period overlapping [From, To], in date order (SPEC 4.3–4.4).
// Balances of credits are replayed from the contract's start, so a
// statement depends only on the contract and its usage.
//
// Bad input gets a SPEC error and no statements: invalid documents,
// unknown_reference, cycle, not_found for an id that is not a parent
// contract, and for usage invalid_input, duplicate_usage and
// usage_out_of_contract, naming every bad event.
func Rate(in Input) ([]Statement, error) {
	if err := in.Objects.Validate(); err != nil {
		return nil, err
	}
	t, err := resolve(in.Objects, in.Contract)
	if err != nil {
		return nil, err
	}
	from, to, err := t.days(in.From, in.To)
	if err != nil {
		return nil, err
	}
	events, err := usage.Accept(in.Usage, t.target, func(string) (usage.Event, bool) { return usage.Event{}, false })
	if err != nil && !(len(in.Usage) == 0 && errors.Is(err, pricekit.ErrMissingInput)) {
		return nil, err
	}
	return t.rate(events, from, to), nil
}

// resolve builds the tree of parent contract id from a bundle.
func resolve(o contract.Objects, id uuid.UUID) (*tree, error) {
	ix := newIndex(o)
	parent, ok := ix.parents[id]
	if !ok {
		return nil, pricekit.Errorf(pricekit.ErrNotFound, "rating", "contract_id", fmt.Sprintf("no parent contract %s", id))
	}
	loc, err := parent.Location()
	if err != nil {
		return nil, err
	}
	t := &tree{parent: parent, loc: loc, places: parent.Currency.MinorUnit(), byID: map[uuid.UUID]*product{}}
	b := &builder{ix: ix, visiting: map[uuid.UUID]bool{}, pricers: map[uuid.UUID]*plan.Pricer{}, t: t}
	root, err := b.build("parent_contracts", parent.SubContract, schedule.AnchorStart, false)
	if err != nil {
		return nil, err
	}
	if err := errors.Join(b.errs...); err != nil {
		return nil, err
	}
	if root.freq == nil {
		m := schedule.Monthly
		root.freq = &m
	}
	t.root = root
	return t, nil
}

// days applies the defaults of the run's range.
func (t *tree) days(from, to date.Date) (date.Date, date.Date, error) {
	if from == 0 {
		from = t.parent.Start
	}
	if to == 0 {
		if t.parent.End == 0 {
			return 0, 0, pricekit.Errorf(pricekit.ErrInvalidInput, "rating", "to", "an evergreen contract needs an end day to rate to")
		}
		to = t.parent.End
	}
	if to < from {
		return 0, 0, pricekit.Errorf(pricekit.ErrInvalidInput, "rating", "to", fmt.Sprintf("to %s is before from %s", to, from))
	}
	return from, to, nil
}

// target is what usage of product contract id must fit.
func (t *tree) target(id uuid.UUID) (usage.Target, bool) {
	p, ok := t.byID[id]
	if !ok {
		return usage.Target{}, false
	}
	return usage.Target{ProductID: p.pc.ProductID, Start: p.pc.Start, End: p.pc.End, Location: t.loc}, true
}

// entry is a line with the day that decides the statement it lands on.
type entry struct {
	line Line
	land date.Date
}

// engine rates one tree.
type engine struct {
	t        *tree
	places   int32
	limit    date.Date // the end of the last statement's period
	usage    []bucket  // events by product index
	balances []*grant  // credits whose modifiers apply, in statement order
}

// grant is one credit of one node, with what it paid and when.
type grant struct {
	credit        modifier.Credit
	grant, expiry date.Date
	initial       decimal.Decimal
	balance       decimal.Decimal
	paid          []entry
}

func (t *tree) rate(events []usage.Event, from, to date.Date) []Statement {
	root := t.root
	all := root.freq.Periods(root.dates.Start, root.dates.EndExclusive(), to+1)
	var stmts []schedule.Period
	for _, p := range all {
		if p.Start <= to && p.Last() >= from {
			stmts = append(stmts, p)
		}
	}
	if len(stmts) == 0 {
		return []Statement{}
	}
	e := &engine{t: t, places: t.places, limit: stmts[len(stmts)-1].End}
	root.periods = all
	e.assign(root, all)
	e.usage = fill(t, events)
	out := e.node(root)

	statements := make([]Statement, 0, len(stmts))
	// Each line lands on at most one statement: bucket them in one pass,
	// keeping their order.
	lands := make([][]Line, len(stmts))
	for _, en := range out {
		if k := periodOf(stmts, en.land); k >= 0 {
			lands[k] = append(lands[k], en.line)
		}
	}
	for k, sp := range stmts {
		s := Statement{ContractID: t.parent.ID, Currency: t.parent.Currency.Code(), PeriodStart: sp.Start,
			PeriodEnd: sp.Last(), places: t.places, Lines: lands[k]}
		for _, l := range s.Lines {
			switch l.Kind {
			case KindUsage, KindFixedFee:
				s.Subtotal = s.Subtotal.Add(l.Amount)
			case KindDiscount:
				s.Discounts = s.Discounts.Add(l.Amount)
			case KindMinimum:
				s.Minimums = s.Minimums.Add(l.Amount)
			case KindCredit:
				s.Credits = s.Credits.Add(l.Amount)
			}
			s.Total = s.Total.Add(l.Amount)
		}
		if s.Lines == nil {
			s.Lines = []Line{}
		}
		s.CreditBalances = e.creditBalances(sp.End)
		statements = append(statements, s)
	}
	return statements
}

// assign gives every node and product contract its periods: its own
// frequency's, or its parent's clipped to its dates.
func (e *engine) assign(n *node, parent []schedule.Period) {
	if n != e.t.root {
		if n.freq != nil {
			n.periods = n.freq.Periods(n.dates.Start, n.dates.EndExclusive(), e.limit)
		} else {
			n.periods = schedule.Clip(parent, n.dates.Start, n.dates.EndExclusive())
		}
	}
	for _, c := range n.children {
		e.assign(c, n.periods)
	}
}

func (e *engine) productPeriods(n *node, p *product) []schedule.Period {
	if p.freq != nil {
		return p.freq.Periods(p.pc.Start, p.pc.EndExclusive(), e.limit)
	}
	return schedule.Clip(n.periods, p.pc.Start, p.pc.EndExclusive())
}

// node rates n and everything beneath it, returning its lines in statement
// order, each with the day it lands on; lines landing outside n's periods
// are dropped (not billed).
func (e *engine) node(n *node) []entry {
	var out []entry
	for _, p := range n.products {
		for _, per := range e.productPeriods(n, p) {
			out = append(out, e.usageLine(p, per))
		}
	}
	for _, f := range n.fees {
		out = append(out, e.feeLines(n, f)...)
	}
	for _, c := range n.children {
		out = append(out, e.node(c)...)
	}

	subtotals := make([]decimal.Decimal, len(n.periods))
	kept := out[:0]
	for _, en := range out {
		k := periodOf(n.periods, en.land)
		if k < 0 {
			continue
		}
		subtotals[k] = subtotals[k].Add(en.line.Amount)
		kept = append(kept, en)
	}
	out = kept
	if len(n.discounts) == 0 && len(n.minimums) == 0 && len(n.credits) == 0 {
		return out
	}

	discounts := make([][]entry, len(n.discounts))
	var minimums []entry
	grants := e.grants(n)
	var used []*grant // in order of first use
	for k, q := range n.periods {
		s := subtotals[k]
		total := decimal.Decimal{}
		for i, d := range n.discounts {
			amt := d.Apply(s).Round(e.places)
			if room := s.Sub(total); amt.GreaterThan(room) {
				amt = room
			}
			if !amt.IsPositive() {
				continue
			}
			total = total.Add(amt)
			discounts[i] = append(discounts[i], entry{land: q.Last(), line: Line{ContractID: n.id, Kind: KindDiscount,
				ModifierID: d.ID, PeriodStart: q.Start, PeriodEnd: q.Last(), Amount: amt.Neg(),
				Calculation: discountText(d, s, amt, e.places)}})
		}
		due := s.Sub(total)
		best, bestAmt := -1, decimal.Decimal{}
		for i, m := range n.minimums {
			if amt := q.Prorate(m.Amount, e.places); best < 0 || amt.GreaterThan(bestAmt) {
				best, bestAmt = i, amt
			}
		}
		if best >= 0 && due.LessThan(bestAmt) {
			up := bestAmt.Sub(due)
			calc := "minimum " + money(bestAmt, e.places)
			if q.Partial() {
				calc = "minimum " + money(n.minimums[best].Amount, e.places) + prorationText(q) + " = " + money(bestAmt, e.places)
			}
			minimums = append(minimums, entry{land: q.Last(), line: Line{ContractID: n.id, Kind: KindMinimum,
				ModifierID: n.minimums[best].ID, PeriodStart: q.Start, PeriodEnd: q.Last(), Amount: up,
				Calculation: calc + " − " + money(due, e.places) + " = " + money(up, e.places)}})
			due = bestAmt
		}
		for _, g := range grants {
			if !due.IsPositive() {
				break
			}
			if q.Start < g.grant || (g.expiry != 0 && q.Start >= g.expiry) || !g.balance.IsPositive() {
				continue
			}
			pay := decimal.Min(g.balance, due)
			before := g.balance
			g.balance = g.balance.Sub(pay)
			due = due.Sub(pay)
			en := entry{land: q.Last(), line: Line{ContractID: n.id, Kind: KindCredit, ModifierID: g.credit.ID,
				PeriodStart: q.Start, PeriodEnd: q.Last(), Amount: pay.Neg(),
				Calculation: "credit balance " + money(before, e.places) + " pays " + money(pay, e.places) + ", leaves " + money(g.balance, e.places)}}
			if len(g.paid) == 0 {
				used = append(used, g)
			}
			g.paid = append(g.paid, en)
		}
	}
	for _, d := range discounts {
		out = append(out, d...)
	}
	out = append(out, minimums...)
	for _, g := range used {
		out = append(out, g.paid...)
	}
	return out
}

// grants returns n's credits in burn order (SPEC 4.3) and records them for
// the statements' credit_balances (sub contracts come before their parent
// because children are rated first).
func (e *engine) grants(n *node) []*grant {
	gs := make([]*grant, 0, len(n.credits))
	for _, c := range n.credits {
		g := &grant{credit: c, initial: c.Amount.Round(e.places)}
		g.grant, g.expiry = c.Window(n.dates.Start)
		g.balance = g.initial
		gs = append(gs, g)
	}
	slices.SortStableFunc(gs, func(a, b *grant) int {
		switch {
		case a.credit.Priority != b.credit.Priority:
			return a.credit.Priority - b.credit.Priority
		case a.expiry != b.expiry:
			if a.expiry == 0 {
				return 1
			}
			if b.expiry == 0 {
				return -1
			}
			return int(a.expiry - b.expiry)
		case a.grant != b.grant:
			return int(a.grant - b.grant)
		}
		return slices.Compare(a.credit.ID[:], b.credit.ID[:])
	})
	e.balances = append(e.balances, gs...)
	return gs
}

// creditBalances reports every credit after the statement ending at end.
func (e *engine) creditBalances(end date.Date) []CreditBalance {
	out := make([]CreditBalance, 0, len(e.balances))
	for _, g := range e.balances {
		left := g.initial
		for _, p := range g.paid {
			if p.land < end {
				left = left.Add(p.line.Amount)
			}
		}
		b := CreditBalance{CreditID: g.credit.ID, Remaining: left}
		if g.expiry != 0 {
			b.Expires = g.expiry - 1
		}
		out = append(out, b)
	}
	return out
}

// periodOf returns the index of the period holding day, or -1.
func periodOf(periods []schedule.Period, day date.Date) int {
	i, _ := slices.BinarySearchFunc(periods, day, func(p schedule.Period, d date.Date) int {
		switch {
		case p.End <= d:
			return -1
		case p.Start > d:
			return 1
		}
		return 0
	})
	if i < len(periods) && periods[i].Contains(day) {
		return i
	}
	return -1
}

// usageLine prices product p's usage in one of its periods.
func (e *engine) usageLine(p *product, per schedule.Period) entry {
	rounding := p.pricer.Rounding()
	raw := trimZeros(e.usage[p.index].aggregate(p.pricer.Aggregation(), per.Start, per.End))
	q := rounding.Apply(raw)
	amount, calc := p.pricer.Explain(q)
	if !q.Equal(raw) {
		calc = "rounded " + rounding.Mode.String() + " " + raw.String() + " → " + q.String() + "; " + calc
	}
	return entry{land: per.Last(), line: Line{ContractID: p.pc.ID, Kind: KindUsage, ProductID: p.pc.ProductID,
		PlanID: p.pc.PlanID, PeriodStart: per.Start, PeriodEnd: per.Last(), Quantity: q,
		Amount: amount.Round(e.places), Calculation: calc}}
}

// feeLines charges fixed fee f of node n (SPEC 4.2 and 6).
func (e *engine) feeLines(n *node, f plan.FixedFee) []entry {
	line := func(start, last date.Date, amount, proration decimal.Decimal, calc string) Line {
		return Line{ContractID: n.id, Kind: KindFixedFee, FeeID: f.ID, PeriodStart: start, PeriodEnd: last,
			Amount: amount, Proration: proration, Calculation: calc}
	}
	land := func(q schedule.Period) date.Date {
		if n.anchor == schedule.AnchorEnd {
			return q.Last()
		}
		return q.Start
	}
	one := decimal.NewFromInt(1)
	switch {
	case f.Period.Once:
		if len(n.periods) == 0 {
			return nil
		}
		q := n.periods[0]
		amt := f.Amount.Round(e.places)
		return []entry{{land: land(q), line: line(q.Start, q.Last(), amt, one, money(amt, e.places)+" once")}}
	case !f.Period.Every.IsZero():
		var out []entry
		end := n.dates.EndExclusive()
		for k := 0; ; k++ {
			r := f.Period.Every.Nth(n.dates.Start, k)
			if r >= e.limit || (end != 0 && r >= end) {
				break
			}
			next := f.Period.Every.Nth(n.dates.Start, k+1)
			rec := schedule.Period{Start: r, End: next, FullStart: r, FullEnd: next}
			if end != 0 && end < next {
				rec.End = end
			}
			amt := rec.Prorate(f.Amount, e.places)
			out = append(out, entry{land: r, line: line(rec.Start, rec.Last(), amt, rec.Factor(),
				money(f.Amount, e.places)+" every "+f.Period.Every.String()+prorationText(rec)+" = "+money(amt, e.places))})
		}
		return out
	}
	out := make([]entry, 0, len(n.periods))
	for _, q := range n.periods {
		amt := q.Prorate(f.Amount, e.places)
		out = append(out, entry{land: land(q), line: line(q.Start, q.Last(), amt, q.Factor(),
			money(f.Amount, e.places)+" per period"+prorationText(q)+" = "+money(amt, e.places))})
	}
	return out
}

func prorationText(p schedule.Period) string {
	if !p.Partial() {
		return ""
	}
	return " × " + p.FactorText() + " days"
}

func discountText(d modifier.Discount, s, amt decimal.Decimal, places int32) string {
	if d.Percentage.Valid {
		return d.Percentage.Decimal.String() + "% of " + money(s, places) + " = " + money(amt, places)
	}
	return money(d.Amount.Decimal, places) + " off " + money(s, places) + " = " + money(amt, places)
}

func money(d decimal.Decimal, places int32) string { return d.StringFixed(places) }

// trimZeros drops trailing zeros (150.0 → 150), so a quantity and the
// calculation that prices it never depend on the scale of other events.
func trimZeros(d decimal.Decimal) decimal.Decimal {
	if d.Exponent() >= 0 {
		return d
	}
	return decimal.RequireFromString(d.String()) // String drops trailing zeros
}
