package rating_test

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/schedule"
)

// The rulings of 2026-12 on descendants with their own frequency, effective
// dates and one-time fees, each pinned by a test that fails without it.

// quarterlyUnderMonthly is a monthly parent from 1 Jan 2024 holding a sub
// contract billed quarterly from the same day, with anchor.
func quarterlyUnderMonthly(b *bundle, anchor schedule.Anchor, sub contract.SubContract, parent contract.SubContract) (uuid.UUID, uuid.UUID) {
	quarterly := b.freq(schedule.BillingFrequency{Unit: schedule.Quarter, Anchor: anchor})
	sub.BillingFrequency, sub.Dates = quarterly, dates("2024-01-01", "")
	subID := b.sub(sub)
	parent.Dates, parent.SubContracts = dates("2024-01-01", ""), ids(subID)
	return subID, b.parent(contract.ParentContract{SubContract: parent})
}

func TestRulingDescendantDiscountLandsWithItsSlice(t *testing.T) {
	// docs/modifiers.md: a quarterly anchor-S sub with a 300.00 fee and its own 50 %
	// discount under a monthly parent with a 50 % discount bills 75.00 /
	// 0.00 / 0.00: the sub's discount lands with the fee it reduces.
	b := &bundle{}
	team, account := b.percentOff("50", ""), b.percentOff("50", "")
	sub, id := quarterlyUnderMonthly(b, schedule.AnchorStart,
		contract.SubContract{FixedFees: ids(b.fee("300", "")), Discounts: ids(team)}, contract.SubContract{Discounts: ids(account)})
	stmts := b.rate(t, id, "2024-01-01", "2024-03-31")
	require.Len(t, stmts, 3)
	assertLines(t, []want{
		{kind: rating.KindFixedFee, contract: sub, start: "2024-01-01", end: "2024-03-31", amount: "300.00"},
		{kind: rating.KindDiscount, contract: sub, ref: team, start: "2024-01-01", end: "2024-03-31", amount: "-150.00"},
		{kind: rating.KindDiscount, contract: id, ref: account, start: "2024-01-01", end: "2024-01-31", amount: "-75.00"},
	}, stmts[0].Lines)
	assertTotals(t, stmts[0], "300.00", "-225.00", "0", "0", "75.00")
	for _, s := range stmts[1:] {
		assert.Empty(t, s.Lines, "%s", s.PeriodStart)
		assertDec(t, "0", s.Total)
	}
}

func TestRulingDescendantModifiersProgressOverSlices(t *testing.T) {
	// docs/modifiers.md: the quarter's fee lands in January, its usage in March. The
	// discount is earned only when the cumulative subtotal reaches its
	// threshold (March), the minimum trues up the whole quarter at its last
	// slice, and the credit pays each slice on its own statement.
	b := &bundle{}
	pc := b.product(b.perUnit("2"), "2024-01-01", "", uuid.Nil)
	off := b.percentOff("10", "400")
	commit := b.minimum("600")
	prepaid := b.credit(modifier.Credit{Amount: dec("400")})
	sub, id := quarterlyUnderMonthly(b, schedule.AnchorStart, contract.SubContract{
		ProductContracts: ids(pc.ID), FixedFees: ids(b.fee("300", "")), Discounts: ids(off),
		Minimums: ids(commit), Credits: ids(prepaid)}, contract.SubContract{})
	stmts := b.rate(t, id, "2024-01-01", "2024-03-31", on(pc, "2024-02-10", "100"))
	require.Len(t, stmts, 3)

	// January: 300.00 of the cumulative 300 is below the threshold: no
	// discount; not the last slice: no minimum; the credit pays it all.
	assertLines(t, []want{
		{kind: rating.KindFixedFee, contract: sub, amount: "300.00"},
		{kind: rating.KindCredit, contract: sub, ref: prepaid, start: "2024-01-01", end: "2024-03-31", amount: "-300.00"},
	}, stmts[0].Lines)
	assertDec(t, "100", stmts[0].CreditBalances[0].Remaining)
	assert.Empty(t, stmts[1].Lines)
	// March: 10 % of the cumulative 500 is 50.00; 600 − 450 = 150.00 true-up;
	// the slice bills 200 − 50 + 150 = 300, of which the credit's 100 is left.
	assertLines(t, []want{
		{kind: rating.KindUsage, contract: pc.ID, start: "2024-01-01", end: "2024-03-31", quantity: "100", amount: "200.00"},
		{kind: rating.KindDiscount, contract: sub, ref: off, amount: "-50.00"},
		{kind: rating.KindMinimum, contract: sub, ref: commit, start: "2024-01-01", end: "2024-03-31", amount: "150.00"},
		{kind: rating.KindCredit, contract: sub, ref: prepaid, amount: "-100.00"},
	}, stmts[2].Lines)
	assertTotals(t, stmts[2], "200.00", "-50.00", "150.00", "-100.00", "200.00")
	assert.Equal(t, "minimum 600.00 − 450.00 billed for 2024-01-01 – 2024-03-31 = 150.00", stmts[2].Lines[2].Calculation.String())
}

func TestRulingAdvanceOnlyPeriodIsOneSliceAtItsStart(t *testing.T) {
	// docs/modifiers.md: a period whose lines all land at its start (advance fees
	// only) is one slice there, so its minimum lands there too.
	b := &bundle{}
	commit := b.minimum("250")
	sub, id := quarterlyUnderMonthly(b, schedule.AnchorStart,
		contract.SubContract{FixedFees: ids(b.fee("100", "")), Minimums: ids(commit)}, contract.SubContract{})
	stmts := b.rate(t, id, "2024-01-01", "2024-06-30")
	require.Len(t, stmts, 6)
	for _, k := range []int{0, 3} {
		assertLines(t, []want{
			{kind: rating.KindFixedFee, contract: sub, amount: "100.00"},
			{kind: rating.KindMinimum, contract: sub, ref: commit, amount: "150.00"},
		}, stmts[k].Lines)
	}
	for _, k := range []int{1, 2, 4, 5} {
		assert.Empty(t, stmts[k].Lines, "%s", stmts[k].PeriodStart)
	}
}

func TestRulingEmptyPeriodIsOneSliceAtItsEnd(t *testing.T) {
	// docs/modifiers.md: a period with no lines is one slice at its end. A quarterly
	// sub with only a minimum bills it on the quarter's last statement.
	b := &bundle{}
	commit := b.minimum("90")
	sub, id := quarterlyUnderMonthly(b, schedule.AnchorStart, contract.SubContract{Minimums: ids(commit)}, contract.SubContract{})
	stmts := b.rate(t, id, "2024-01-01", "2024-03-31")
	require.Len(t, stmts, 3)
	assert.Empty(t, stmts[0].Lines)
	assert.Empty(t, stmts[1].Lines)
	assertLines(t, []want{
		{kind: rating.KindMinimum, contract: sub, ref: commit, start: "2024-01-01", end: "2024-03-31", amount: "90.00"},
	}, stmts[2].Lines)
}

func TestRulingEffectiveDates(t *testing.T) {
	// docs/periods.md: a sub contract of 15 Jan – 30 Jun with its own monthly grid
	// under a parent of 1 Feb – 31 Mar is billed only from 1 Feb to 31 Mar.
	// Its grid stays anchored on the 15th; cut periods prorate; its credit
	// is granted on its effective start; its once fee comes with its first
	// effective period; its 3M fee counts from its own start and charges the
	// 60 days kept of 91.
	b := &bundle{}
	monthly := b.freq(schedule.BillingFrequency{Unit: schedule.Month})
	pc := b.product(b.perUnit("1"), "2024-01-15", "2024-06-30", uuid.Nil)
	fee, quarterly, setup := b.fee("100", ""), b.fee("91", "3M"), b.fee("20", "once")
	welcome := b.credit(modifier.Credit{Amount: dec("150"), Expiry: every("1Y")})
	sub := b.sub(contract.SubContract{BillingFrequency: monthly, Dates: dates("2024-01-15", "2024-06-30"),
		ProductContracts: ids(pc.ID), FixedFees: ids(fee, quarterly, setup), Credits: ids(welcome)})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
		Dates: dates("2024-02-01", "2024-03-31"), SubContracts: ids(sub)}})

	stmts := b.rate(t, id, "", "", on(pc, "2024-01-20", "10"), on(pc, "2024-02-20", "5"), on(pc, "2024-04-10", "7"))
	require.Len(t, stmts, 2)
	assertLines(t, []want{
		{kind: rating.KindUsage, contract: pc.ID, start: "2024-02-01", end: "2024-02-14", quantity: "0", amount: "0.00"},
		{kind: rating.KindFixedFee, ref: fee, start: "2024-02-01", end: "2024-02-14", amount: "45.16", proration: "0.4516129032258065"},
		{kind: rating.KindFixedFee, ref: fee, start: "2024-02-15", end: "2024-03-14", amount: "100.00", proration: "1"},
		{kind: rating.KindFixedFee, ref: quarterly, start: "2024-02-01", end: "2024-03-31", amount: "60.00"},
		{kind: rating.KindFixedFee, ref: setup, start: "2024-02-01", end: "2024-02-14", amount: "20.00", proration: "1"},
		{kind: rating.KindCredit, ref: welcome, start: "2024-02-01", end: "2024-02-14", amount: "-125.16"},
		{kind: rating.KindCredit, ref: welcome, start: "2024-02-15", end: "2024-03-14", amount: "-24.84"},
	}, stmts[0].Lines)
	assertTotals(t, stmts[0], "225.16", "0", "0", "-150.00", "75.16")
	assert.Equal(t, "91.00 every 3M × 60/91 days = 60.00", stmts[0].Lines[3].Calculation.String())
	assert.Equal(t, day("2024-02-01"), stmts[0].CreditBalances[0].Granted)
	assert.Equal(t, day("2025-01-31"), stmts[0].CreditBalances[0].Expires)
	// The usage of 20 Jan and 10 Apr lies outside the effective dates: kept
	// (the run was not refused) and not billed.
	assertLines(t, []want{
		{kind: rating.KindUsage, start: "2024-02-15", end: "2024-03-14", quantity: "5", amount: "5.00"},
		{kind: rating.KindUsage, start: "2024-03-15", end: "2024-03-31", quantity: "0", amount: "0.00"},
		{kind: rating.KindFixedFee, ref: fee, start: "2024-03-15", end: "2024-03-31", amount: "54.84"},
	}, stmts[1].Lines)

	t.Run("a credit pays nothing of what is never billed", func(t *testing.T) {
		// The sub runs past its parent: without the clip, its credit would
		// pay its April fee, which no statement bills.
		b := &bundle{}
		prepaid := b.credit(modifier.Credit{Amount: dec("1000")})
		sub := b.sub(contract.SubContract{Dates: dates("2024-01-01", "2024-12-31"), FixedFees: ids(b.fee("100", "")),
			Credits: ids(prepaid)})
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
			Dates: dates("2024-01-01", "2024-03-31"), SubContracts: ids(sub)}})
		stmts := b.rate(t, id, "", "")
		require.Len(t, stmts, 3)
		assertDec(t, "700", stmts[2].CreditBalances[0].Remaining)
	})

	t.Run("a product contract is clipped to the node that holds it", func(t *testing.T) {
		b := &bundle{}
		pc := b.product(b.plan(planWithBaseFee("31")), "2024-01-01", "", uuid.Nil)
		sub := b.sub(contract.SubContract{Dates: dates("2024-01-10", "2024-01-20"), ProductContracts: ids(pc.ID)})
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
			Dates: dates("2024-01-01", "2024-02-29"), SubContracts: ids(sub)}})
		stmts := b.rate(t, id, "", "", on(pc, "2024-01-05", "3"), on(pc, "2024-01-15", "4"))
		require.Len(t, stmts, 2)
		assertLines(t, []want{{kind: rating.KindUsage, start: "2024-01-10", end: "2024-01-20", quantity: "4", amount: "35.00"}}, stmts[0].Lines)
		assert.Empty(t, stmts[1].Lines, "nothing of the product after its node ends")
	})
}

func TestRulingOnceFeeFollowsItsNodesAnchor(t *testing.T) {
	// docs/pricing.md: a once fee comes with the node's first period, on the
	// statement holding its first day for anchor S and its last day for
	// anchor E; never prorated.
	for _, tt := range []struct {
		anchor schedule.Anchor
		lands  int // statement index
	}{{schedule.AnchorStart, 0}, {schedule.AnchorEnd, 2}} {
		t.Run(tt.anchor.String(), func(t *testing.T) {
			b := &bundle{}
			setup := b.fee("20", "once")
			sub, id := quarterlyUnderMonthly(b, tt.anchor, contract.SubContract{FixedFees: ids(setup)}, contract.SubContract{})
			stmts := b.rate(t, id, "2024-01-01", "2024-06-30")
			require.Len(t, stmts, 6)
			for k, s := range stmts {
				if k != tt.lands {
					assert.Empty(t, s.Lines, "statement %s", s.PeriodStart)
					continue
				}
				assertLines(t, []want{{kind: rating.KindFixedFee, contract: sub, ref: setup, start: "2024-01-01",
					end: "2024-03-31", amount: "20.00", proration: "1"}}, s.Lines)
				assert.Equal(t, "20.00 once", s.Lines[0].Calculation.String())
			}
		})
	}
}

func TestRulingCreditLinesComeInBurnOrderThenDate(t *testing.T) {
	// docs/modifiers.md: when several periods of a sub contract land on one statement,
	// its credit lines come in burn order, then by date (not in the order
	// the credits were first used).
	b := &bundle{}
	weekly := b.freq(schedule.BillingFrequency{Unit: schedule.Week})
	first := b.credit(modifier.Credit{Amount: dec("10"), Priority: 10, StartDate: day("2024-01-08")})
	second := b.credit(modifier.Credit{Amount: dec("100"), Priority: 20})
	sub := b.sub(contract.SubContract{BillingFrequency: weekly, Dates: dates("2024-01-01", ""),
		FixedFees: ids(b.fee("7", "")), Credits: ids(second, first)})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
		Dates: dates("2024-01-01", ""), SubContracts: ids(sub)}})
	stmts := b.rate(t, id, "2024-01-01", "2024-01-31")
	require.Len(t, stmts, 1)
	var got []want
	for _, l := range stmts[0].Lines {
		if l.Kind == rating.KindCredit {
			got = append(got, want{ref: l.ModifierID, start: l.PeriodStart.String(), amount: l.Amount.String()})
		}
	}
	// The second credit pays week 1, before the first is granted; the first
	// burns first from week 2: 7.00, then 3.00 of week 3; the second pays
	// the rest. Lines come by credit in burn order, each by date.
	assert.Equal(t, []want{
		{ref: first, start: "2024-01-08", amount: "-7"},
		{ref: first, start: "2024-01-15", amount: "-3"},
		{ref: second, start: "2024-01-01", amount: "-7"},
		{ref: second, start: "2024-01-15", amount: "-4"},
		{ref: second, start: "2024-01-22", amount: "-7"},
		{ref: second, start: "2024-01-29", amount: "-7"},
	}, got)
}

func TestRulingEveryLineCarriesItsPeriod(t *testing.T) {
	// docs/statements.md: every line carries period_start and period_end, and a
	// statement carries maximums and adjustments sums.
	b := &bundle{}
	pc := b.product(b.perUnit("1"), "2024-01-01", "", uuid.Nil)
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", ""),
		ProductContracts: ids(pc.ID), FixedFees: ids(b.fee("50", "")), Discounts: ids(b.percentOff("10", "")),
		Minimums: ids(b.minimum("200")), Credits: ids(b.credit(modifier.Credit{Amount: dec("5")}))}})
	stmts := b.rate(t, id, "2024-01-01", "2024-01-31", on(pc, "2024-01-02", "10"))
	require.Len(t, stmts, 1)
	data, err := json.Marshal(stmts[0])
	require.NoError(t, err)
	var doc struct {
		Maximums    *string          `json:"maximums"`
		Adjustments *string          `json:"adjustments"`
		Lines       []map[string]any `json:"lines"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	require.Len(t, doc.Lines, 5, "usage, fee, discount, minimum and credit")
	for _, l := range doc.Lines {
		assert.Equal(t, "2024-01-01", l["period_start"], "%v", l["kind"])
		assert.Equal(t, "2024-01-31", l["period_end"], "%v", l["kind"])
	}
	require.NotNil(t, doc.Maximums)
	require.NotNil(t, doc.Adjustments)
	assert.Equal(t, "0.00", *doc.Maximums)
	assert.Equal(t, "0.00", *doc.Adjustments)
}

// TestCalculationsReadAsAPersonReadsThem: amounts in calculations use the
// currency's places, more only where a price has more digits; a discount
// cut to what is left says so.
func TestCalculationsReadAsAPersonReadsThem(t *testing.T) {
	t.Run("USD with a price of three places", func(t *testing.T) {
		b := &bundle{}
		pc := b.product(b.perUnit("0.020"), "2024-01-01", "", uuid.Nil)
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", ""),
			ProductContracts: ids(pc.ID)}})
		stmts := b.rate(t, id, "2024-01-01", "2024-01-31", on(pc, "2024-01-02", "9000"))
		assert.Equal(t, "9000 × 0.02 = 180.00", stmts[0].Lines[0].Calculation.String())
	})
	t.Run("a rounded quantity says so", func(t *testing.T) {
		b := &bundle{}
		p := b.plan(plan.TierPlan{Tiers: []plan.Tier{tier("0", "", "2", "")},
			Rounding: plan.QuantityRounding{Increment: dec("1"), Mode: plan.RoundUp}})
		pc := b.product(p, "2024-01-01", "", uuid.Nil)
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", ""),
			ProductContracts: ids(pc.ID)}})
		stmts := b.rate(t, id, "2024-01-01", "2024-02-29", on(pc, "2024-01-02", "2.3"), on(pc, "2024-02-02", "4"))
		assert.Equal(t, "rounded up 2.3 → 3; 3 × 2.00 = 6.00", stmts[0].Lines[0].Calculation.String())
		assert.Equal(t, "4 × 2.00 = 8.00", stmts[1].Lines[0].Calculation.String(), "a whole quantity is not rounded")
	})
	t.Run("a price with digits beyond the currency's", func(t *testing.T) {
		b := &bundle{}
		pc := b.product(b.perUnit("0.125"), "2024-01-01", "", uuid.Nil)
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", ""),
			ProductContracts: ids(pc.ID)}})
		stmts := b.rate(t, id, "2024-01-01", "2024-01-31", on(pc, "2024-01-02", "3"))
		assert.Equal(t, "3 × 0.125 = 0.375", stmts[0].Lines[0].Calculation.String())
		assertDec(t, "0.38", stmts[0].Lines[0].Amount)
	})
	t.Run("JPY without decimals", func(t *testing.T) {
		b := &bundle{}
		pc := b.product(b.perUnit("5.00"), "2024-01-01", "", uuid.Nil)
		fee := b.fee("1000", "")
		id := b.parent(contract.ParentContract{Currency: "JPY", SubContract: contract.SubContract{
			Dates: dates("2024-01-10", ""), ProductContracts: ids(pc.ID), FixedFees: ids(fee),
			Discounts: ids(b.percentOff("10", ""))}})
		stmts := b.rate(t, id, "2024-01-10", "2024-02-09", on(pc, "2024-01-12", "100"))
		calcs := []string{}
		for _, l := range stmts[0].Lines {
			calcs = append(calcs, l.Calculation.String())
		}
		assert.Equal(t, []string{"100 × 5 = 500", "1000 per period", "10% of 1500 = 150"}, calcs)
	})
	t.Run("a discount cut to the subtotal says so", func(t *testing.T) {
		b := &bundle{}
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", ""),
			FixedFees: ids(b.fee("50", "")), Discounts: ids(b.amountOff("40"), b.amountOff("30"))}})
		stmts := b.rate(t, id, "2024-01-01", "2024-01-31")
		require.Len(t, stmts[0].Lines, 3)
		assert.Equal(t, "40.00 off 50.00 = 40.00", stmts[0].Lines[1].Calculation.String())
		assert.Equal(t, "30.00 off 50.00 = 30.00, cut to 10.00 so that the discounts do not exceed the subtotal",
			stmts[0].Lines[2].Calculation.String())
		assertDec(t, "-10", stmts[0].Lines[2].Amount)
	})
}
