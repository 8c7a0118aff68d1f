package rating_test

import (
	"encoding/json"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/testrun"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/schedule"
)

func (b *bundle) maximum(a string) [16]byte {
	m := modifier.Maximum{ID: b.id(), Amount: dec(a)}
	b.Maximums = append(b.Maximums, m)
	return m.ID
}

func TestMaximumCapsAPeriod(t *testing.T) {
	var b bundle
	pc := b.product(b.perUnit("1"), "2024-01-01", "", [16]byte{})
	small, large := b.maximum("300"), b.maximum("500")
	off := b.percentOff("10", "")
	c := b.credit(modifier.Credit{Amount: dec("50")})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-02-15"),
		ProductContracts: ids(pc.ID), Discounts: ids(off), Maximums: ids(large, small), Credits: ids(c)}})
	got := b.rate(t, id, "", "", on(pc, "2024-01-10", "400"), on(pc, "2024-02-10", "400"))
	require.Len(t, got, 2)
	// January: 400.00 less 10 % = 360.00, capped at the smaller maximum,
	// 300.00; the credit then pays 50.00 of the capped result.
	assertLines(t, []want{
		{kind: rating.KindUsage, amount: "400"},
		{kind: rating.KindDiscount, amount: "-40"},
		{kind: rating.KindMaximum, ref: small, amount: "-60"},
		{kind: rating.KindCredit, amount: "-50"},
	}, got[0].Lines)
	assertDec(t, "-60", got[0].Maximums)
	assertDec(t, "250", got[0].Total)
	assert.Equal(t, "maximum 300.00: 360.00 − 300.00 = 60.00", got[0].Lines[2].Calculation.String())
	// February, 15 of 29 days: the cap is 300.00 × 15/29 = 155.17.
	assertDec(t, "-204.83", got[1].Maximums, "360.00 − 155.17")
	assertDec(t, "155.17", got[1].Total)
}

func TestMaximumAfterMinimum(t *testing.T) {
	var b bundle
	fee := b.fee("100", "")
	low, high := b.minimum("200"), b.maximum("150")
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-01-31"),
		FixedFees: ids(fee), Minimums: ids(low), Maximums: ids(high)}})
	got := b.rate(t, id, "", "")
	assertLines(t, []want{
		{kind: rating.KindFixedFee, amount: "100"},
		{kind: rating.KindMinimum, amount: "100"},
		{kind: rating.KindMaximum, amount: "-50"},
	}, got[0].Lines)
	assertDec(t, "150", got[0].Total, "the minimum's true-up is capped too")
}

func TestMaximumProgressesOverSlices(t *testing.T) {
	// A quarterly anchor-S sub: its 300.00 fee lands in January, its
	// usage (2.00 a unit) in March. A 400.00 cap on the quarter cuts
	// nothing in January and, in March, what the whole quarter bills
	// above it.
	b := &bundle{}
	pc := b.product(b.perUnit("2"), "2024-01-01", "", [16]byte{})
	cap := b.maximum("400")
	sub, id := quarterlyUnderMonthly(b, schedule.AnchorStart,
		contract.SubContract{FixedFees: ids(b.fee("300", "")), ProductContracts: ids(pc.ID), Maximums: ids(cap)},
		contract.SubContract{})
	got := b.rate(t, id, "2024-01-01", "2024-03-31", on(pc, "2024-02-10", "100"))
	require.Len(t, got, 3)
	assertDec(t, "300", got[0].Total)
	assertDec(t, "0", got[0].Maximums)
	assertLines(t, []want{
		{kind: rating.KindUsage, contract: pc.ID, amount: "200"},
		{kind: rating.KindMaximum, contract: sub, start: "2024-01-01", end: "2024-03-31", amount: "-100"},
	}, got[2].Lines)
	assert.Contains(t, got[2].Lines[1].Calculation.String(), "so far")
}

func TestMaximumsOfOverriddenContractsDoNotApply(t *testing.T) {
	var b bundle
	fee := b.fee("100", "")
	cap := b.maximum("10")
	sub := b.sub(contract.SubContract{Dates: dates("2024-01-01", ""), FixedFees: ids(fee), Maximums: ids(cap)})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-01-31"),
		SubContracts: ids(sub), OverrideUnderlying: true}})
	got := b.rate(t, id, "", "")
	assertDec(t, "100", got[0].Total)
	assertDec(t, "0", got[0].Maximums)
}

func TestMaximumVersionsAndJSON(t *testing.T) {
	var b bundle
	fee := b.fee("100", "")
	cap := b.maximum("80")
	b.Maximums = append(b.Maximums, modifier.Maximum{ID: cap, Amount: dec("90"), EffectiveFrom: day("2024-02-01")})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-02-29"),
		FixedFees: ids(fee), Maximums: ids(cap)}})
	got := b.rate(t, id, "", "")
	assertDec(t, "80", got[0].Total)
	assertDec(t, "90", got[1].Total)
	data, err := json.Marshal(got[1])
	require.NoError(t, err)
	assert.Contains(t, string(data), `"kind":"maximum"`)
	assert.Contains(t, string(data), `"maximums":"-10.00"`)
	var back rating.Statement
	require.NoError(t, json.Unmarshal(data, &back))
	again, _ := json.Marshal(back)
	assert.Equal(t, string(data), string(again))
}

func TestMaximumBadInput(t *testing.T) {
	var o contract.Objects
	err := json.Unmarshal([]byte(`{"maximums": [{"amount": "-1"}]}`), &o)
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
	assert.Equal(t, "maximums[0].amount", pricekit.First(err).Field)
	err = json.Unmarshal([]byte(`{"maximums": [{"amount": "1", "percentage": 5}]}`), &o)
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)

	var b bundle
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-01-31"),
		Maximums: ids(b.id())}})
	_, err = rating.Rate(rating.Input{Objects: b.Objects, Contract: id})
	require.ErrorIs(t, err, pricekit.ErrUnknownReference)
	assert.Equal(t, "parent_contracts.maximums[0]", pricekit.First(err).Field)
}

// TestPropertyMaximumsNeverRaise: adding spend caps to a random contract
// never raises what its statements charge together before credits, and
// they still add up. (After credits it can: a cap that leaves an expiring
// credit partly unspent leaves more to pay later from one that burns
// first, which is the credits' order doing its work.)
// Statement by statement a total can rise: a cap cuts a descendant's
// period on an early statement and a minimum above it trues that period
// up on a later one. Discount thresholds are left out: a cap can take a
// subtotal below a parent's threshold, and then the discount rightly goes.
// Rounding allows one minor unit per discount and statement: two
// discounts each rounded can give back one unit more on a smaller subtotal
// (12.05 % and 69.66 % of 561 are 68 + 391, of 560 are 67 + 390).
func TestPropertyMaximumsNeverRaise(t *testing.T) {
	for i := range testrun.Cases(100, 2000) {
		g := newGen(uint64(11000 + i))
		g.aligned, g.shallow = i%2 == 0, i%2 == 1
		in, to := g.tree()
		in.To = to
		for k := range in.Objects.Discounts {
			in.Objects.Discounts[k].Threshold = decimal.NullDecimal{}
		}
		// Term commitments true up a window over its periods: a cap on one
		// period moves what it cuts to the window's last one, whose own
		// caps then decide.
		for k := range in.Objects.Minimums {
			in.Objects.Minimums[k].Period = schedule.Every{}
		}
		before, err := rating.Rate(in)
		require.NoError(t, err, "tree %d", i)
		for k := range in.Objects.SubContracts {
			if g.chance(0.5) {
				in.Objects.Maximums = append(in.Objects.Maximums, modifier.Maximum{ID: g.b.id(), Amount: g.money(400, 2)})
				s := &in.Objects.SubContracts[k]
				s.Maximums = append(s.Maximums, in.Objects.Maximums[len(in.Objects.Maximums)-1].ID)
			}
		}
		p := &in.Objects.ParentContracts[0]
		in.Objects.Maximums = append(in.Objects.Maximums, modifier.Maximum{ID: g.b.id(), Amount: g.money(600, 2)})
		p.Maximums = append(p.Maximums, in.Objects.Maximums[len(in.Objects.Maximums)-1].ID)
		after, err := rating.Rate(in)
		require.NoError(t, err, "tree %d", i)
		require.Len(t, after, len(before))
		checkSums(t, after, p.Currency.MinorUnit())
		var with, without decimal.Decimal
		for k := range after {
			with, without = with.Add(charges(after[k])), without.Add(charges(before[k]))
		}
		slack := decimal.New(int64(len(after)*len(in.Objects.Discounts)), -p.Currency.MinorUnit())
		assert.Truef(t, with.LessThanOrEqual(without.Add(slack)), "tree %d: %s with caps, %s without", i, with, without)
	}
}
