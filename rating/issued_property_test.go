package rating_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/internal/testrun"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/usage"
)

// TestPropertyIssuingChangesNothing: issuing statements and rating again,
// with nothing changed, gives what a rating without issued statements
// gives: the issued ones as they were, the open one without adjustments
// and from the same balances, and the rest after it.
func TestPropertyIssuingChangesNothing(t *testing.T) {
	for i := range testrun.Cases(120, 1000) {
		g := newGen(uint64(7000 + i))
		g.aligned, g.shallow = i%3 == 0, i%3 == 1
		in, to := g.tree()
		in.To = to
		all, err := rating.Rate(in)
		require.NoError(t, err, "tree %d", i)
		if len(all) < 2 {
			continue
		}
		m := 1 + g.pick(len(all)-1)
		in.Issued = issue(1, all[:m]...)
		for _, changes := range []*rating.Changes{nil, {Since: int64(len(in.Usage))}} {
			in.Changes = changes
			got, err := rating.Rate(in)
			require.NoError(t, err, "tree %d", i)
			require.Len(t, got, len(all))
			for k := range all {
				want := all[k]
				if k < m {
					want = in.Issued[k]
				}
				a, _ := json.Marshal(want)
				b, _ := json.Marshal(got[k])
				require.Equal(t, string(a), string(b), "tree %d, %d issued, statement %d", i, m, k)
			}
		}
	}
}

// TestPropertyAdjustmentsReconcile: after any change (late usage, a
// corrected fee, price or discount, a new version), what was issued plus
// the adjustments equals what a rating without issued statements bills
// for the issued periods, credit lines aside; issuing the open statement
// and rating again adjusts nothing; and only adjustments take a total
// below zero (on the trees where nothing else can: see
// checkNodesNotNegative).
//
// The trees keep their credits on the parent contract: a sub contract's
// credit pays on re-rating what it paid (docs/statements.md), so where its
// parent has modifiers a fresh rating can differ from what was billed
// plus adjustments by design.
func TestPropertyAdjustmentsReconcile(t *testing.T) {
	cases, adjusted := 0, 0
	defer func() {
		// The changes must reach issued periods often, or the property
		// says little.
		assert.Greater(t, adjusted*3, cases, "%d of %d changes gave adjustments", adjusted, cases)
		t.Logf("%d of %d changes gave adjustments", adjusted, cases)
	}()
	for i := range testrun.Cases(150, 3000) {
		g := newGen(uint64(9000 + i))
		g.aligned, g.shallow = i%3 == 0, i%3 == 1
		in, to := g.tree()
		in.To = to
		for k := range in.Objects.SubContracts {
			in.Objects.SubContracts[k].Credits = nil
		}
		before, err := rating.Rate(in)
		require.NoError(t, err, "tree %d", i)
		if len(before) < 2 {
			continue
		}
		m := 1 + g.pick(len(before)-1)
		issued := issue(1, before[:m]...)
		change := g.change(&in, before[m-1].PeriodEnd)

		fresh, err := rating.Rate(in)
		require.NoError(t, err, "tree %d", i)
		in.Issued = issued
		got, err := rating.Rate(in)
		require.NoError(t, err, "tree %d", i)
		require.Len(t, got, len(fresh))
		cases++
		if len(adjustments(got[m])) > 0 {
			adjusted++
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			billed := decimal.Zero
			for _, s := range issued {
				billed = billed.Add(charges(s))
			}
			should := decimal.Zero
			for _, s := range fresh[:m] {
				should = should.Add(charges(s))
			}
			open := got[m]
			assert.Truef(t, billed.Add(open.Adjustments).Equal(should),
				"%s: issued %s + adjustments %s ≠ %s rated afresh", change, billed, open.Adjustments, should)
			// Trees whose nested grids split a descendant's slices can go
			// below zero without adjustments (see checkNodesNotNegative).
			for k, s := range got {
				if !g.aligned && !g.shallow {
					break
				}
				assert.Truef(t, s.Total.GreaterThanOrEqual(decimal.Min(decimal.Zero, s.Adjustments)),
					"statement %d: total %s below zero beyond its adjustments %s", k, s.Total, s.Adjustments)
			}

			// Issue the open statement: nothing is adjusted twice.
			in.Issued = issue(1, append(append([]rating.Statement(nil), issued...), open)...)
			again, err := rating.Rate(in)
			require.NoError(t, err)
			if len(again) > m+1 {
				assert.Empty(t, adjustments(again[m+1]), "%s: adjusted again", change)
			}
		})
	}
}

// charges sums a statement's lines but credits: what its period bills
// before prepaid balances pay it.
func charges(s rating.Statement) decimal.Decimal {
	sum := decimal.Zero
	for _, l := range s.Lines {
		if l.Kind != rating.KindCredit && l.Kind != rating.KindAdjustment {
			sum = sum.Add(l.Amount)
		}
	}
	return sum
}

// change makes a random change to in that can reach periods through day
// last and says what it was: late usage, a corrected fee, plan price or
// discount, or a new version of one.
func (g *gen) change(in *rating.Input, last date.Date) string {
	o := &in.Objects
	switch g.pick(5) {
	case 0:
		if len(o.FixedFees) > 0 {
			f := &o.FixedFees[g.pick(len(o.FixedFees))]
			f.Amount = g.money(300, 2)
			return "a corrected fee"
		}
	case 1:
		if len(o.Plans) > 0 {
			p := &o.Plans[g.pick(len(o.Plans))]
			if p.Pricing == plan.Percentage {
				p.Rate = g.money(5, 2)
			} else {
				p.Tiers[0].UnitPrice = g.money(5, 3)
			}
			return "a corrected price"
		}
	case 2:
		if len(o.Discounts) > 0 {
			d := o.Discounts[g.pick(len(o.Discounts))]
			v := modifier.Discount{ID: d.ID, Amount: decimal.NewNullDecimal(g.money(50, 2)),
				EffectiveFrom: in.Objects.ParentContracts[0].Start + date.Date(g.pick(int(last-o.ParentContracts[0].Start)+1))}
			o.Discounts = append(o.Discounts, v)
			return "a new version of a discount from " + v.EffectiveFrom.String()
		}
	case 3:
		if len(o.Plans) > 0 {
			p := plan.TierPlan{ID: o.Plans[g.pick(len(o.Plans))].ID, Pricing: plan.Volume,
				Tiers:         []plan.Tier{{Start: decimal.Zero, UnitPrice: g.money(3, 2)}},
				EffectiveFrom: o.ParentContracts[0].Start + date.Date(g.pick(int(last-o.ParentContracts[0].Start)+1))}
			o.Plans = append(o.Plans, p)
			return "a new version of a plan from " + p.EffectiveFrom.String()
		}
	}
	var late []usage.Event
	for range 1 + g.pick(4) {
		if len(g.pcs) == 0 {
			break
		}
		pc := g.pcs[g.pick(len(g.pcs))]
		hi := last
		if pc.End != 0 && pc.End < hi {
			hi = pc.End
		}
		if hi < pc.Start {
			continue
		}
		late = append(late, usage.Event{ContractID: pc.ID, Date: pc.Start + date.Date(g.pick(int(hi-pc.Start)+1)),
			Quantity: g.money(100, 1)})
	}
	in.Usage = append(append([]usage.Event(nil), in.Usage...), late...)
	return fmt.Sprintf("%d late events", len(late))
}
