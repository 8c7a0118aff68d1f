package rating

import (
	"slices"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/money"
	"github.com/pricekit/pricekit/modifier"
)

// grant is one credit of one node: a credit reused by two nodes is a
// grant for each. It pays node periods whose first day lies in [from,
// expiry) (expiry 0: never), and its balance carries from statement to
// statement. A recurring credit (docs/modifiers.md) is granted anew every
// recurrence: its grants are in recurring, from, expiry and balance those
// of its first.
type grant struct {
	credit       modifier.Credit
	from, expiry date.Date
	initial      decimal.Decimal // the amount, rounded to the minor unit
	balance      decimal.Decimal

	nodeStart, nodeEnd date.Date // the node's effective dates (end exclusive; 0: evergreen)
	places             int32
	recurring          []*recurrence // the grants made so far, in grant order
}

// recurrence is one grant of a recurring credit.
type recurrence struct {
	from, expiry date.Date
	balance      decimal.Decimal
	rolled       bool // expired, and its rollover carried on
}

// newGrant grants credit c on a node whose effective dates are [start,
// end).
func newGrant(c modifier.Credit, start, end date.Date, places int32) *grant {
	g := &grant{credit: c, initial: c.Amount.Round(places), nodeStart: start, nodeEnd: end, places: places}
	g.from, g.expiry = c.Window(start)
	g.balance = g.initial
	return g
}

// recurs reports whether g is granted anew every recurrence.
func (g *grant) recurs() bool { return !g.credit.Recurrence.IsZero() }

// advance makes the grants of a recurring credit granted on or before day
// (within the node's dates), and rolls over each that expired by then:
// its rollover share of what it has left, rounded, joins the next grant,
// and the rest is gone.
func (g *grant) advance(day date.Date) {
	if !g.recurs() {
		return
	}
	g.materialize(day)
	for k := 0; k < len(g.recurring); k++ {
		r := g.recurring[k]
		if r.rolled || r.expiry == 0 || r.expiry > day {
			continue
		}
		r.rolled = true
		share := money.Round(r.balance.Mul(g.credit.Rollover), g.places)
		r.balance = decimal.Zero
		if !share.IsPositive() {
			continue
		}
		if k+1 == len(g.recurring) {
			if from, _ := g.credit.Grant(g.nodeStart, k+1); g.nodeEnd != 0 && from >= g.nodeEnd {
				continue // no next grant: the share is gone
			}
			g.grow()
		}
		next := g.recurring[k+1]
		next.balance = next.balance.Add(share)
	}
}

// materialize makes the grants of a recurring credit granted on or before
// day, rolling nothing over: what a statement lists must not change what
// later ones bill.
func (g *grant) materialize(day date.Date) {
	for {
		from, _ := g.credit.Grant(g.nodeStart, len(g.recurring))
		if from > day || (g.nodeEnd != 0 && from >= g.nodeEnd) {
			return
		}
		g.grow()
	}
}

// grow makes the next grant of a recurring credit.
func (g *grant) grow() {
	from, expiry := g.credit.Grant(g.nodeStart, len(g.recurring))
	g.recurring = append(g.recurring, &recurrence{from: from, expiry: expiry, balance: g.initial})
}

// live returns the grants of a recurring credit that pay a period starting
// on day, earliest expiry first.
func (g *grant) live(day date.Date) []*recurrence {
	var out []*recurrence
	for _, r := range g.recurring {
		if r.from <= day && (r.expiry == 0 || day < r.expiry) && r.balance.IsPositive() {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b *recurrence) int { return int(a.expiry - b.expiry) })
	return out
}

// pay pays up to due with g on a node period starting on day and returns
// what it paid, and the balance before and after.
func (g *grant) pay(day date.Date, due decimal.Decimal) (paid, before, after decimal.Decimal) {
	if !g.recurs() {
		if !g.pays(day) {
			return decimal.Zero, g.balance, g.balance
		}
		paid = decimal.Min(g.balance, due)
		before = g.balance
		g.balance = g.balance.Sub(paid)
		return paid, before, g.balance
	}
	g.advance(day)
	live := g.live(day)
	for _, r := range live {
		before = before.Add(r.balance)
	}
	for _, r := range live {
		if !due.IsPositive() {
			break
		}
		p := decimal.Min(r.balance, due)
		r.balance = r.balance.Sub(p)
		due = due.Sub(p)
		paid = paid.Add(p)
	}
	return paid, before, before.Sub(paid)
}

// debit takes what g paid on an issued statement, rated again, from its
// balance: from its grants live on day, earliest expiry first, for a
// recurring credit. So the balances of recurring credits follow their
// issued statements.
func (g *grant) debit(day date.Date, paid decimal.Decimal) {
	if !g.recurs() {
		g.balance = g.balance.Sub(paid)
		return
	}
	g.advance(day)
	for _, r := range g.live(day) {
		p := decimal.Min(r.balance, paid)
		r.balance, paid = r.balance.Sub(p), paid.Sub(p)
	}
}

// pays reports whether g pays a node period starting on day.
func (g *grant) pays(day date.Date) bool {
	return day >= g.from && (g.expiry == 0 || day < g.expiry) && g.balance.IsPositive()
}

// sortGrants puts a node's grants in burn order (docs/modifiers.md): lowest
// priority, then earliest expiry (never-expiring last), then earliest
// grant day, then id.
func sortGrants(gs []*grant) {
	slices.SortStableFunc(gs, func(a, b *grant) int {
		switch {
		case a.credit.Priority != b.credit.Priority:
			return a.credit.Priority - b.credit.Priority
		case a.expiry != b.expiry:
			switch {
			case a.expiry == 0:
				return 1
			case b.expiry == 0:
				return -1
			}
			return int(a.expiry - b.expiry)
		case a.from != b.from:
			return int(a.from - b.from)
		}
		return slices.Compare(a.credit.ID[:], b.credit.ID[:])
	})
}

// balances reports every grant of every active node, sub contracts before
// their parent and in burn order within a node, as they stand at the end
// of the statement whose last day is last: a credit without recurrence as
// its one grant, a recurring one as each of its grants live that day.
func (t *tree) balances(last date.Date) []CreditBalance {
	var out []CreditBalance
	for _, n := range t.nodes {
		if !n.active {
			continue
		}
		for _, g := range n.credits {
			if !g.recurs() {
				b := CreditBalance{CreditID: g.credit.ID, Granted: g.from, Remaining: g.balance}
				if g.expiry != 0 {
					b.Expires = g.expiry - 1
				}
				out = append(out, b)
				continue
			}
			g.materialize(last)
			for _, r := range g.recurring {
				if r.from <= last && (r.expiry == 0 || r.expiry > last) && !r.rolled {
					b := CreditBalance{CreditID: g.credit.ID, Granted: r.from, Remaining: r.balance}
					if r.expiry != 0 {
						b.Expires = r.expiry - 1
					}
					out = append(out, b)
				}
			}
		}
	}
	if out == nil {
		out = []CreditBalance{}
	}
	return out
}
