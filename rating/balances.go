package rating

import (
	"slices"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/modifier"
)

// grant is one credit of one node: a credit reused by two nodes is a
// grant for each. It pays node periods whose first day lies in [from,
// expiry) (expiry 0: never), and its balance carries from statement to
// statement.
type grant struct {
	credit       modifier.Credit
	from, expiry date.Date
	initial      decimal.Decimal // the amount, rounded to the minor unit
	balance      decimal.Decimal
}

// newGrant grants credit c on a node whose effective start is nodeStart.
func newGrant(c modifier.Credit, nodeStart date.Date, places int32) *grant {
	g := &grant{credit: c, initial: c.Amount.Round(places)}
	g.from, g.expiry = c.Window(nodeStart)
	g.balance = g.initial
	return g
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
// their parent and in burn order within a node, as they stand.
func (t *tree) balances() []CreditBalance {
	var out []CreditBalance
	for _, n := range t.nodes {
		if !n.active {
			continue
		}
		for _, g := range n.credits {
			b := CreditBalance{CreditID: g.credit.ID, Granted: g.from, Remaining: g.balance}
			if g.expiry != 0 {
				b.Expires = g.expiry - 1
			}
			out = append(out, b)
		}
	}
	if out == nil {
		out = []CreditBalance{}
	}
	return out
}
