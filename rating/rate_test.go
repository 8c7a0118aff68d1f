package rating_test

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/usage"
)

// statementJSON is the written form of a statement, to check what users see.
type statementJSON struct {
	Lines []struct {
		Kind   string `json:"kind"`
		Amount string `json:"amount"`
	} `json:"lines"`
	Total          string `json:"total"`
	CreditBalances []struct {
		CreditID  string  `json:"credit_id"`
		Remaining string  `json:"remaining"`
		Expires   *string `json:"expires"`
	} `json:"credit_balances"`
}

func written(t *testing.T, s rating.Statement) statementJSON {
	t.Helper()
	data, err := json.Marshal(s)
	require.NoError(t, err)
	var w statementJSON
	require.NoError(t, json.Unmarshal(data, &w))
	return w
}

func TestRateRounding(t *testing.T) {
	tests := []struct {
		name     string
		currency contract.Currency
		price    string
		quantity string
		amount   string // the line, as written
	}{
		{"USD half a cent rounds away from zero", "", "0.005", "1", "0.01"},
		{"USD below half a cent rounds down", "USD", "0.0049", "1", "0.00"},
		{"USD 0.025 rounds up, not to even", "USD", "0.025", "1", "0.03"},
		{"USD exact", "EUR", "0.10", "150", "15.00"},
		{"JPY 1.5 rounds to 2", "JPY", "0.5", "3", "2"},
		{"JPY 2.5 rounds to 3, not to even", "JPY", "0.5", "5", "3"},
		{"JPY 1.2 rounds to 1", "JPY", "0.4", "3", "1"},
		{"KWD 0.0375 rounds to 0.038", "KWD", "0.0125", "3", "0.038"},
		{"KWD 0.0005 rounds to 0.001", "KWD", "0.0005", "1", "0.001"},
		{"KWD 0.0004 rounds to 0.000", "KWD", "0.0004", "1", "0.000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &bundle{}
			pc := b.product(b.perUnit(tt.price), "2024-01-01", "2024-12-31", uuid.Nil)
			id := b.parent(contract.ParentContract{Currency: tt.currency, SubContract: contract.SubContract{
				Dates: dates("2024-01-01", "2024-12-31"), ProductContracts: ids(pc.ID)}})
			stmts := b.rate(t, id, "2024-01-01", "2024-01-31", on(pc, "2024-01-10", tt.quantity))
			require.Len(t, stmts, 1)
			s := stmts[0]
			assertLines(t, []want{{kind: rating.KindUsage, quantity: tt.quantity, amount: tt.amount}}, s.Lines)
			assertTotals(t, s, tt.amount, "0", "0", "0", tt.amount)
			w := written(t, s)
			assert.Equal(t, tt.amount, w.Lines[0].Amount)
			assert.Equal(t, tt.amount, w.Total)
			assert.Equal(t, tt.currency.Code(), string(s.Currency))
		})
	}
}

func TestRateRoundsModifierAmountsAwayFromZero(t *testing.T) {
	// 50 % of 0.05 is 0.025: the discount line is −0.03, the total 0.02.
	b := &bundle{}
	pc := b.product(b.perUnit("0.05"), "2024-01-01", "2024-12-31", uuid.Nil)
	off := b.percentOff("50", "")
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
		Dates: dates("2024-01-01", "2024-12-31"), ProductContracts: ids(pc.ID), Discounts: ids(off)}})
	stmts := b.rate(t, id, "2024-01-01", "2024-01-31", on(pc, "2024-01-10", "1"))
	require.Len(t, stmts, 1)
	assertLines(t, []want{
		{kind: rating.KindUsage, amount: "0.05"},
		{kind: rating.KindDiscount, ref: off, amount: "-0.03"},
	}, stmts[0].Lines)
	assertTotals(t, stmts[0], "0.05", "-0.03", "0", "0", "0.02")
}

// weeklyChild is a monthly parent from 1 Jan 2024 (a Monday) with a sub
// contract billed weekly from the same day: a fee of 7.00 per week and a
// product at 1.00 per unit sharing the sub contract's weeks.
func weeklyChild(anchor schedule.Anchor) (*bundle, uuid.UUID, contract.ProductContract, uuid.UUID) {
	b := &bundle{}
	weekly := b.freq(schedule.BillingFrequency{Unit: schedule.Week, Anchor: anchor})
	pc := b.product(b.perUnit("1"), "2024-01-01", "2024-03-31", uuid.Nil)
	fee := b.fee("7", "")
	sub := b.sub(contract.SubContract{BillingFrequency: weekly, Dates: dates("2024-01-01", "2024-03-31"),
		ProductContracts: ids(pc.ID), FixedFees: ids(fee)})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
		Dates: dates("2024-01-01", "2024-03-31"), SubContracts: ids(sub)}})
	return b, id, pc, fee
}

func TestRateChildWithOwnFrequency(t *testing.T) {
	events := func(pc contract.ProductContract) []usage.Event {
		return []usage.Event{on(pc, "2024-01-02", "1"), on(pc, "2024-01-09", "2"), on(pc, "2024-01-30", "5")}
	}
	// Weeks: 1–7, 8–14, 15–21, 22–28 Jan end in January; 29 Jan–4 Feb
	// starts in January and ends in February.
	janUsage := []want{
		{kind: rating.KindUsage, start: "2024-01-01", end: "2024-01-07", quantity: "1", amount: "1.00"},
		{kind: rating.KindUsage, start: "2024-01-08", end: "2024-01-14", quantity: "2", amount: "2.00"},
		{kind: rating.KindUsage, start: "2024-01-15", end: "2024-01-21", quantity: "0", amount: "0.00"},
		{kind: rating.KindUsage, start: "2024-01-22", end: "2024-01-28", quantity: "0", amount: "0.00"},
	}
	febUsage := []want{
		{kind: rating.KindUsage, start: "2024-01-29", end: "2024-02-04", quantity: "5", amount: "5.00"},
		{kind: rating.KindUsage, start: "2024-02-05", end: "2024-02-11", quantity: "0"},
		{kind: rating.KindUsage, start: "2024-02-12", end: "2024-02-18", quantity: "0"},
		{kind: rating.KindUsage, start: "2024-02-19", end: "2024-02-25", quantity: "0"},
	}
	feeLine := func(fee uuid.UUID, start, end string) want {
		return want{kind: rating.KindFixedFee, ref: fee, start: start, end: end, amount: "7.00", proration: "1"}
	}

	t.Run("anchor S: fees in advance", func(t *testing.T) {
		b, id, pc, fee := weeklyChild(schedule.AnchorStart)
		stmts := b.rate(t, id, "2024-01-01", "2024-02-29", events(pc)...)
		require.Len(t, stmts, 2)
		assertLines(t, append(append([]want{}, janUsage...),
			feeLine(fee, "2024-01-01", "2024-01-07"), feeLine(fee, "2024-01-08", "2024-01-14"),
			feeLine(fee, "2024-01-15", "2024-01-21"), feeLine(fee, "2024-01-22", "2024-01-28"),
			feeLine(fee, "2024-01-29", "2024-02-04"),
		), stmts[0].Lines)
		assertTotals(t, stmts[0], "38.00", "0", "0", "0", "38.00")
		assertLines(t, append(append([]want{}, febUsage...),
			feeLine(fee, "2024-02-05", "2024-02-11"), feeLine(fee, "2024-02-12", "2024-02-18"),
			feeLine(fee, "2024-02-19", "2024-02-25"), feeLine(fee, "2024-02-26", "2024-03-03"),
		), stmts[1].Lines)
		assertTotals(t, stmts[1], "33.00", "0", "0", "0", "33.00")
	})

	t.Run("anchor E: fees in arrears", func(t *testing.T) {
		b, id, pc, fee := weeklyChild(schedule.AnchorEnd)
		stmts := b.rate(t, id, "2024-01-01", "2024-02-29", events(pc)...)
		require.Len(t, stmts, 2)
		assertLines(t, append(append([]want{}, janUsage...),
			feeLine(fee, "2024-01-01", "2024-01-07"), feeLine(fee, "2024-01-08", "2024-01-14"),
			feeLine(fee, "2024-01-15", "2024-01-21"), feeLine(fee, "2024-01-22", "2024-01-28"),
		), stmts[0].Lines)
		assertTotals(t, stmts[0], "31.00", "0", "0", "0", "31.00")
		assertLines(t, append(append([]want{}, febUsage...),
			feeLine(fee, "2024-01-29", "2024-02-04"), feeLine(fee, "2024-02-05", "2024-02-11"),
			feeLine(fee, "2024-02-12", "2024-02-18"), feeLine(fee, "2024-02-19", "2024-02-25"),
		), stmts[1].Lines)
		assertTotals(t, stmts[1], "33.00", "0", "0", "0", "33.00")
	})

	t.Run("daily product on a monthly bill", func(t *testing.T) {
		b := &bundle{}
		daily := b.freq(schedule.BillingFrequency{Unit: schedule.Day})
		base := b.plan(plan.TierPlan{Tiers: []plan.Tier{tier("0", "", "1", "0.10")}})
		pc := b.product(base, "2024-01-01", "2024-03-31", daily)
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
			Dates: dates("2024-01-01", "2024-03-31"), ProductContracts: ids(pc.ID)}})
		stmts := b.rate(t, id, "2024-01-01", "2024-01-31", on(pc, "2024-01-31", "2"), on(pc, "2024-01-02", "3"))
		require.Len(t, stmts, 1)
		lines := stmts[0].Lines
		require.Len(t, lines, 31)
		for i, l := range lines {
			d := day("2024-01-01") + dayOffset(i)
			assert.Equal(t, rating.KindUsage, l.Kind)
			assert.Equal(t, d, l.PeriodStart, "line %d", i)
			assert.Equal(t, d, l.PeriodEnd, "line %d", i)
		}
		assertDec(t, "3", lines[1].Quantity)
		assertDec(t, "3.10", lines[1].Amount)
		assertDec(t, "2.10", lines[30].Amount)
		assertDec(t, "0.10", lines[15].Amount) // the base fee, with no usage
		// 31 base fees of 0.10 and 5 units.
		assertTotals(t, stmts[0], "8.10", "0", "0", "0", "8.10")
	})
}

func TestRateDescendantAnchoredOnThe15th(t *testing.T) {
	// A monthly parent from 1 Jan; a sub contract with its own monthly
	// frequency from 15 Jan: periods 15 Jan–14 Feb, 15 Feb–14 Mar, … Its fee
	// (anchor S) lands with the period's start, its usage with the period's
	// end, so each period has two slices (docs/modifiers.md) and its discount lands
	// progressively with them: 10 % of what each slice adds.
	b := &bundle{}
	monthly := b.freq(schedule.BillingFrequency{Unit: schedule.Month})
	pc := b.product(b.perUnit("1"), "2024-01-15", "2024-12-31", uuid.Nil)
	fee := b.fee("30", "")
	off := b.percentOff("10", "")
	sub := b.sub(contract.SubContract{BillingFrequency: monthly, Dates: dates("2024-01-15", "2024-12-31"),
		ProductContracts: ids(pc.ID), FixedFees: ids(fee), Discounts: ids(off)})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
		Dates: dates("2024-01-01", "2024-12-31"), SubContracts: ids(sub)}})

	stmts := b.rate(t, id, "2024-01-01", "2024-03-31", on(pc, "2024-01-20", "10"), on(pc, "2024-02-20", "4"))
	require.Len(t, stmts, 3)

	// January: the first slice of 15 Jan–14 Feb, its fee, and 10 % of it.
	assertLines(t, []want{
		{kind: rating.KindFixedFee, contract: sub, ref: fee, start: "2024-01-15", end: "2024-02-14", amount: "30.00", proration: "1"},
		{kind: rating.KindDiscount, contract: sub, ref: off, start: "2024-01-15", end: "2024-02-14", amount: "-3.00"},
	}, stmts[0].Lines)
	assertTotals(t, stmts[0], "30.00", "-3.00", "0", "0", "27.00")

	// February: the period's second slice (its usage) earns 10 % of 40.00
	// less the 3.00 given in January; the next period's fee is its first
	// slice. Discount lines come by item, then by date.
	assertLines(t, []want{
		{kind: rating.KindUsage, contract: pc.ID, start: "2024-01-15", end: "2024-02-14", quantity: "10", amount: "10.00"},
		{kind: rating.KindFixedFee, contract: sub, start: "2024-02-15", end: "2024-03-14", amount: "30.00"},
		{kind: rating.KindDiscount, contract: sub, ref: off, start: "2024-01-15", end: "2024-02-14", amount: "-1.00"},
		{kind: rating.KindDiscount, contract: sub, ref: off, start: "2024-02-15", end: "2024-03-14", amount: "-3.00"},
	}, stmts[1].Lines)
	assertTotals(t, stmts[1], "40.00", "-4.00", "0", "0", "36.00")
	assert.Equal(t, "10% of 40.00 (the period so far) = 4.00; less 3.00 given on earlier statements = 1.00",
		stmts[1].Lines[2].Calculation.String())

	assertLines(t, []want{
		{kind: rating.KindUsage, start: "2024-02-15", end: "2024-03-14", quantity: "4", amount: "4.00"},
		{kind: rating.KindFixedFee, start: "2024-03-15", end: "2024-04-14", amount: "30.00"},
		{kind: rating.KindDiscount, start: "2024-02-15", end: "2024-03-14", amount: "-0.40"},
		{kind: rating.KindDiscount, start: "2024-03-15", end: "2024-04-14", amount: "-3.00"},
	}, stmts[2].Lines)
	assertTotals(t, stmts[2], "34.00", "-3.40", "0", "0", "30.60")
}

func TestRateFixedFees(t *testing.T) {
	t.Run("once is not prorated and comes once; null is prorated", func(t *testing.T) {
		b := &bundle{}
		calendar := b.freq(schedule.BillingFrequency{Type: schedule.Calendar, Unit: schedule.Month})
		once, monthly := b.fee("100", "once"), b.fee("31", "")
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{BillingFrequency: calendar,
			Dates: dates("2024-01-10", "2024-12-31"), FixedFees: ids(once, monthly)}})
		stmts := b.rate(t, id, "2024-01-01", "2024-02-29")
		require.Len(t, stmts, 2)
		assert.Equal(t, "2024-01-10", stmts[0].PeriodStart.String())
		assert.Equal(t, "2024-01-31", stmts[0].PeriodEnd.String())
		assertLines(t, []want{
			{kind: rating.KindFixedFee, ref: once, start: "2024-01-10", end: "2024-01-31", amount: "100.00", proration: "1"},
			{kind: rating.KindFixedFee, ref: monthly, start: "2024-01-10", end: "2024-01-31", amount: "22.00",
				proration: "0.7096774193548387"}, // 22/31
		}, stmts[0].Lines)
		assertLines(t, []want{
			{kind: rating.KindFixedFee, ref: monthly, start: "2024-02-01", end: "2024-02-29", amount: "31.00", proration: "1"},
		}, stmts[1].Lines)
	})

	t.Run("3M recurs from the node's start", func(t *testing.T) {
		b := &bundle{}
		calendar := b.freq(schedule.BillingFrequency{Type: schedule.Calendar, Unit: schedule.Month})
		quarterly := b.fee("90", "3M")
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{BillingFrequency: calendar,
			Dates: dates("2024-01-10", "2024-12-31"), FixedFees: ids(quarterly)}})
		stmts := b.rate(t, id, "2024-01-01", "2024-06-30")
		require.Len(t, stmts, 6)
		for i, s := range stmts {
			switch i {
			case 0:
				assertLines(t, []want{{kind: rating.KindFixedFee, ref: quarterly, start: "2024-01-10", end: "2024-04-09",
					amount: "90.00", proration: "1"}}, s.Lines)
			case 3:
				assertLines(t, []want{{kind: rating.KindFixedFee, ref: quarterly, start: "2024-04-10", end: "2024-07-09",
					amount: "90.00", proration: "1"}}, s.Lines)
			default:
				assert.Empty(t, s.Lines, "statement of %s", s.PeriodStart)
			}
		}
	})

	t.Run("end_date cuts a recurrence and a period short", func(t *testing.T) {
		// 1 Apr–30 Jun 2024 has 91 days; the contract keeps 45 of them.
		b := &bundle{}
		quarterly, monthly := b.fee("91", "3M"), b.fee("31", "")
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
			Dates: dates("2024-01-01", "2024-05-15"), FixedFees: ids(quarterly, monthly)}})
		stmts := b.rate(t, id, "", "")
		require.Len(t, stmts, 5)
		assertLines(t, []want{
			{kind: rating.KindFixedFee, ref: quarterly, start: "2024-01-01", end: "2024-03-31", amount: "91.00", proration: "1"},
			{kind: rating.KindFixedFee, ref: monthly, start: "2024-01-01", end: "2024-01-31", amount: "31.00", proration: "1"},
		}, stmts[0].Lines)
		assertLines(t, []want{
			{kind: rating.KindFixedFee, ref: monthly, amount: "31.00"},
		}, stmts[1].Lines)
		assertLines(t, []want{
			{kind: rating.KindFixedFee, ref: quarterly, start: "2024-04-01", end: "2024-05-15", amount: "45.00",
				proration: "0.4945054945054945"}, // 45/91
			{kind: rating.KindFixedFee, ref: monthly, start: "2024-04-01", end: "2024-04-30", amount: "31.00"},
		}, stmts[3].Lines)
		assert.Equal(t, "2024-05-15", stmts[4].PeriodEnd.String())
		assertLines(t, []want{
			{kind: rating.KindFixedFee, ref: monthly, start: "2024-05-01", end: "2024-05-15", amount: "15.00",
				proration: "0.4838709677419355"}, // 15/31
		}, stmts[4].Lines)
	})
}

func TestRateDiscounts(t *testing.T) {
	type discount struct{ percentage, amount, threshold string }
	tests := []struct {
		name      string
		fee       string
		discounts []discount
		want      []string // discount line amounts, in order
		total     string
	}{
		{"amount capped at the subtotal", "30", []discount{{amount: "50"}}, []string{"-30.00"}, "0.00"},
		{"a later discount is cut", "100", []discount{{percentage: "80"}, {amount: "50"}}, []string{"-80.00", "-20.00"}, "0.00"},
		{"a discount after the subtotal is used gives no line", "100",
			[]discount{{amount: "100"}, {percentage: "10"}}, []string{"-100.00"}, "0.00"},
		{"percentages apply to the subtotal, not compounded", "100",
			[]discount{{percentage: "10"}, {percentage: "20"}}, []string{"-10.00", "-20.00"}, "70.00"},
		{"zero gives no line", "100", []discount{{percentage: "0"}, {amount: "5"}}, []string{"-5.00"}, "95.00"},
		{"nothing to discount", "0", []discount{{percentage: "10"}, {amount: "5"}}, nil, "0.00"},
		{"threshold not reached", "99.99", []discount{{percentage: "10", threshold: "100"}}, nil, "99.99"},
		{"threshold reached", "100", []discount{{percentage: "10", threshold: "100"}}, []string{"-10.00"}, "90.00"},
		{"percentage rounded before use", "0.15", []discount{{percentage: "50"}}, []string{"-0.08"}, "0.07"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &bundle{}
			fee := b.fee(tt.fee, "")
			var dids []uuid.UUID
			for _, d := range tt.discounts {
				if d.percentage != "" {
					dids = append(dids, b.percentOff(d.percentage, d.threshold))
				} else {
					dids = append(dids, b.amountOff(d.amount))
				}
			}
			id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
				Dates: dates("2024-01-01", "2024-12-31"), FixedFees: ids(fee), Discounts: dids}})
			stmts := b.rate(t, id, "2024-01-01", "2024-01-31")
			require.Len(t, stmts, 1)
			w := []want{{kind: rating.KindFixedFee, amount: tt.fee}}
			for _, a := range tt.want {
				w = append(w, want{kind: rating.KindDiscount, amount: a})
			}
			assertLines(t, w, stmts[0].Lines)
			assertDec(t, tt.total, stmts[0].Total, "total")
		})
	}
}

func TestRateMinimums(t *testing.T) {
	t.Run("prorated for a partial period", func(t *testing.T) {
		b := &bundle{}
		calendar := b.freq(schedule.BillingFrequency{Type: schedule.Calendar, Unit: schedule.Month})
		m := b.minimum("31")
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{BillingFrequency: calendar,
			Dates: dates("2024-01-10", "2024-12-31"), Minimums: ids(m)}})
		stmts := b.rate(t, id, "2024-01-10", "2024-02-29")
		require.Len(t, stmts, 2)
		assertLines(t, []want{{kind: rating.KindMinimum, ref: m, start: "2024-01-10", end: "2024-01-31", amount: "22.00"}}, stmts[0].Lines)
		assertTotals(t, stmts[0], "0", "0", "22.00", "0", "22.00")
		// The calculation shows the minimum before and after proration.
		assert.Equal(t, "minimum 31.00 × 22/31 days = 22.00 − 0.00 = 22.00", stmts[0].Lines[0].Calculation.String())
		assertLines(t, []want{{kind: rating.KindMinimum, ref: m, amount: "31.00"}}, stmts[1].Lines)
	})

	tests := []struct {
		name     string
		fee      string
		discount string
		minimums []string
		pick     int    // index of the minimum that applies; -1: none
		amount   string // its line
	}{
		{"the largest applies", "10", "", []string{"50", "80", "60"}, 1, "70.00"},
		{"a tie goes to the first", "10", "", []string{"50", "50"}, 0, "40.00"},
		{"on the discounted subtotal", "100", "10", []string{"95"}, 0, "5.00"},
		{"not below the minimum: no line", "100", "", []string{"50"}, -1, ""},
		{"exactly the minimum: no line", "50", "", []string{"50"}, -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &bundle{}
			fee := b.fee(tt.fee, "")
			var mids, dids []uuid.UUID
			if tt.discount != "" {
				dids = append(dids, b.percentOff(tt.discount, ""))
			}
			for _, m := range tt.minimums {
				mids = append(mids, b.minimum(m))
			}
			id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
				Dates: dates("2024-01-01", "2024-12-31"), FixedFees: ids(fee), Discounts: dids, Minimums: mids}})
			stmts := b.rate(t, id, "2024-01-01", "2024-01-31")
			require.Len(t, stmts, 1)
			var got []rating.Line
			for _, l := range stmts[0].Lines {
				if l.Kind == rating.KindMinimum {
					got = append(got, l)
				}
			}
			if tt.pick < 0 {
				assert.Empty(t, got)
				return
			}
			assertLines(t, []want{{kind: rating.KindMinimum, ref: mids[tt.pick], amount: tt.amount}}, got)
		})
	}
}

// creditTree is a monthly parent with a fee of 70 and the given credits.
func creditTree(credits ...modifier.Credit) (*bundle, uuid.UUID, []uuid.UUID) {
	b := &bundle{}
	fee := b.fee("70", "")
	var cids []uuid.UUID
	for _, c := range credits {
		cids = append(cids, b.credit(c))
	}
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
		Dates: dates("2024-01-01", "2024-12-31"), FixedFees: ids(fee), Credits: cids}})
	return b, id, cids
}

func creditLines(s rating.Statement) []rating.Line {
	var out []rating.Line
	for _, l := range s.Lines {
		if l.Kind == rating.KindCredit {
			out = append(out, l)
		}
	}
	return out
}

func TestRateCredits(t *testing.T) {
	t.Run("lowest priority first", func(t *testing.T) {
		b, id, c := creditTree(modifier.Credit{Amount: dec("100")}, modifier.Credit{Amount: dec("100"), Priority: 10})
		stmts := b.rate(t, id, "2024-01-01", "2024-03-31")
		require.Len(t, stmts, 3)
		assertLines(t, []want{{kind: rating.KindCredit, ref: c[1], amount: "-70.00"}}, creditLines(stmts[0]))
		assertLines(t, []want{
			{kind: rating.KindCredit, ref: c[1], amount: "-30.00"},
			{kind: rating.KindCredit, ref: c[0], amount: "-40.00"},
		}, creditLines(stmts[1]))
		assertLines(t, []want{{kind: rating.KindCredit, ref: c[0], amount: "-60.00"}}, creditLines(stmts[2]))
		assertTotals(t, stmts[2], "70.00", "0", "0", "-60.00", "10.00")
		// Balances in burn order.
		require.Len(t, stmts[0].CreditBalances, 2)
		assert.Equal(t, c[1], stmts[0].CreditBalances[0].CreditID)
		assertDec(t, "30", stmts[0].CreditBalances[0].Remaining)
		assert.Equal(t, c[0], stmts[0].CreditBalances[1].CreditID)
		assertDec(t, "100", stmts[0].CreditBalances[1].Remaining)
		assertDec(t, "0", stmts[2].CreditBalances[1].Remaining)
	})

	t.Run("earliest expiry first, never-expiring last", func(t *testing.T) {
		b, id, c := creditTree(modifier.Credit{Amount: dec("100")}, modifier.Credit{Amount: dec("100"), Expiry: every("1Y")},
			modifier.Credit{Amount: dec("100"), Expiry: every("6M")})
		stmts := b.rate(t, id, "2024-01-01", "2024-01-31")
		assertLines(t, []want{{kind: rating.KindCredit, ref: c[2], amount: "-70.00"}}, creditLines(stmts[0]))
		got := []uuid.UUID{}
		for _, cb := range stmts[0].CreditBalances {
			got = append(got, cb.CreditID)
		}
		assert.Equal(t, []uuid.UUID{c[2], c[1], c[0]}, got)
	})

	t.Run("a credit starting later pays from its start", func(t *testing.T) {
		b, id, c := creditTree(modifier.Credit{Amount: dec("100"), StartDate: day("2024-03-01")})
		stmts := b.rate(t, id, "2024-01-01", "2024-04-30")
		require.Len(t, stmts, 4)
		assert.Empty(t, creditLines(stmts[0]))
		assert.Empty(t, creditLines(stmts[1]))
		assertLines(t, []want{{kind: rating.KindCredit, ref: c[0], start: "2024-03-01", end: "2024-03-31", amount: "-70.00"}}, creditLines(stmts[2]))
		assertLines(t, []want{{kind: rating.KindCredit, ref: c[0], amount: "-30.00"}}, creditLines(stmts[3]))
		assertDec(t, "100", stmts[1].CreditBalances[0].Remaining)
		assertDec(t, "30", stmts[2].CreditBalances[0].Remaining)
		assertDec(t, "0", stmts[3].CreditBalances[0].Remaining)
		assertDec(t, "40.00", stmts[3].Total)
	})

	t.Run("an expired credit pays nothing", func(t *testing.T) {
		b, id, c := creditTree(modifier.Credit{Amount: dec("100"), Expiry: every("1M")})
		stmts := b.rate(t, id, "2024-01-01", "2024-02-29")
		require.Len(t, stmts, 2)
		assertLines(t, []want{{kind: rating.KindCredit, ref: c[0], amount: "-70.00"}}, creditLines(stmts[0]))
		assert.Empty(t, creditLines(stmts[1]))
		assertDec(t, "70.00", stmts[1].Total)
		for _, s := range stmts {
			require.Len(t, s.CreditBalances, 1)
			assert.Equal(t, "2024-01-31", s.CreditBalances[0].Expires.String(), "expires is the last valid day")
			assertDec(t, "30", s.CreditBalances[0].Remaining)
		}
	})

	t.Run("credit_balances: sub contracts before their parent", func(t *testing.T) {
		b := &bundle{}
		parentCredit := b.credit(modifier.Credit{Amount: dec("500")})
		subCredit := b.credit(modifier.Credit{Amount: dec("20"), Expiry: every("1Y")})
		subFee, parentFee := b.fee("50", ""), b.fee("100", "")
		sub := b.sub(contract.SubContract{Dates: dates("2024-01-01", "2024-12-31"), FixedFees: ids(subFee), Credits: ids(subCredit)})
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-12-31"),
			FixedFees: ids(parentFee), SubContracts: ids(sub), Credits: ids(parentCredit)}})
		stmts := b.rate(t, id, "2024-01-01", "2024-02-29")
		require.Len(t, stmts, 2)
		// Sub: 50 − 20 = 30; parent: 100 + 30 = 130, paid by its credit.
		assertLines(t, []want{
			{kind: rating.KindFixedFee, contract: id, amount: "100.00"},
			{kind: rating.KindFixedFee, contract: sub, amount: "50.00"},
			{kind: rating.KindCredit, contract: sub, ref: subCredit, amount: "-20.00"},
			{kind: rating.KindCredit, contract: id, ref: parentCredit, amount: "-130.00"},
		}, stmts[0].Lines)
		assertTotals(t, stmts[0], "150.00", "0", "0", "-150.00", "0.00")
		assertTotals(t, stmts[1], "150.00", "0", "0", "-150.00", "0.00")

		require.Len(t, stmts[1].CreditBalances, 2)
		assert.Equal(t, rating.CreditBalance{CreditID: subCredit, Granted: day("2024-01-01"),
			Remaining: stmts[1].CreditBalances[0].Remaining, Expires: day("2024-12-31")}, stmts[1].CreditBalances[0])
		assertDec(t, "0", stmts[1].CreditBalances[0].Remaining)
		assert.Equal(t, parentCredit, stmts[1].CreditBalances[1].CreditID)
		assertDec(t, "220", stmts[1].CreditBalances[1].Remaining)

		w := written(t, stmts[1])
		require.Len(t, w.CreditBalances, 2)
		assert.Equal(t, "0.00", w.CreditBalances[0].Remaining)
		require.NotNil(t, w.CreditBalances[0].Expires)
		assert.Equal(t, "2024-12-31", *w.CreditBalances[0].Expires)
		assert.Equal(t, "220.00", w.CreditBalances[1].Remaining)
		assert.Nil(t, w.CreditBalances[1].Expires, "a credit that never expires")
	})
}

func TestRateOverrideUnderlying(t *testing.T) {
	b := &bundle{}
	weekly := b.freq(schedule.BillingFrequency{Unit: schedule.Week})
	pc := b.product(b.perUnit("1"), "2024-01-01", "2024-12-31", weekly)
	subFee, parentFee := b.fee("10", ""), b.fee("100", "")
	subOff, subMin := b.percentOff("50", ""), b.minimum("500")
	subCredit := b.credit(modifier.Credit{Amount: dec("50")})
	parentOff := b.percentOff("10", "")
	sub := b.sub(contract.SubContract{BillingFrequency: weekly, Dates: dates("2024-01-01", "2024-12-31"),
		ProductContracts: ids(pc.ID), FixedFees: ids(subFee), Discounts: ids(subOff), Minimums: ids(subMin),
		Credits: ids(subCredit)})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-12-31"),
		FixedFees: ids(parentFee), SubContracts: ids(sub), Discounts: ids(parentOff), OverrideUnderlying: true}})

	stmts := b.rate(t, id, "2024-01-01", "2024-01-31", on(pc, "2024-01-03", "2"), on(pc, "2024-01-30", "3"))
	require.Len(t, stmts, 1)
	// The sub contract and its product share the parent's month; only the
	// parent's discount applies: 10 % of 100 + 5 + 10.
	assertLines(t, []want{
		{kind: rating.KindFixedFee, contract: id, ref: parentFee, start: "2024-01-01", end: "2024-01-31", amount: "100.00"},
		{kind: rating.KindUsage, contract: pc.ID, start: "2024-01-01", end: "2024-01-31", quantity: "5", amount: "5.00"},
		{kind: rating.KindFixedFee, contract: sub, ref: subFee, start: "2024-01-01", end: "2024-01-31", amount: "10.00"},
		{kind: rating.KindDiscount, contract: id, ref: parentOff, amount: "-11.50"},
	}, stmts[0].Lines)
	assertTotals(t, stmts[0], "115.00", "-11.50", "0", "0", "103.50")
	assert.Empty(t, stmts[0].CreditBalances, "the sub contract's credit does not apply")
}

func TestRateAggregation(t *testing.T) {
	type ev struct{ day, q string }
	tests := []struct {
		name     string
		agg      plan.Aggregation
		rounding plan.QuantityRounding
		events   []ev // in ingest order
		quantity string
	}{
		{"sum", plan.Sum, plan.QuantityRounding{}, []ev{{"2024-01-05", "3"}, {"2024-01-02", "7"}, {"2024-01-09", "5"}}, "15"},
		{"max", plan.Max, plan.QuantityRounding{}, []ev{{"2024-01-05", "3"}, {"2024-01-02", "7"}, {"2024-01-09", "5"}}, "7"},
		{"count", plan.Count, plan.QuantityRounding{}, []ev{{"2024-01-05", "3"}, {"2024-01-02", "7"}, {"2024-01-09", "0"}}, "3"},
		{"latest by day, then ingest order", plan.Latest, plan.QuantityRounding{},
			[]ev{{"2024-01-20", "2"}, {"2024-01-05", "4"}, {"2024-01-20", "9"}, {"2024-01-03", "100"}}, "9"},
		{"no usage", plan.Max, plan.QuantityRounding{}, nil, "0"},
		{"round up", plan.Sum, plan.QuantityRounding{Increment: dec("1"), Mode: plan.RoundUp},
			[]ev{{"2024-01-05", "1.1"}, {"2024-01-06", "1.2"}}, "3"},
		{"round down", plan.Sum, plan.QuantityRounding{Increment: dec("1"), Mode: plan.RoundDown},
			[]ev{{"2024-01-05", "1.1"}, {"2024-01-06", "1.2"}}, "2"},
		{"round half up, half", plan.Sum, plan.QuantityRounding{Increment: dec("1"), Mode: plan.RoundHalfUp},
			[]ev{{"2024-01-05", "1.25"}, {"2024-01-06", "1.25"}}, "3"},
		{"round half up, below half", plan.Sum, plan.QuantityRounding{Increment: dec("1"), Mode: plan.RoundHalfUp},
			[]ev{{"2024-01-05", "1.24"}, {"2024-01-06", "1.25"}}, "2"},
		{"round up to 0.5", plan.Sum, plan.QuantityRounding{Increment: dec("0.5"), Mode: plan.RoundUp},
			[]ev{{"2024-01-05", "1.1"}, {"2024-01-06", "1.2"}}, "2.5"},
		{"max then round up", plan.Max, plan.QuantityRounding{Increment: dec("1"), Mode: plan.RoundUp},
			[]ev{{"2024-01-05", "1.2"}, {"2024-01-06", "0.7"}}, "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &bundle{}
			p := b.plan(plan.TierPlan{Tiers: []plan.Tier{tier("0", "", "2", "")}, Aggregation: tt.agg, Rounding: tt.rounding})
			pc := b.product(p, "2024-01-01", "2024-12-31", uuid.Nil)
			id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
				Dates: dates("2024-01-01", "2024-12-31"), ProductContracts: ids(pc.ID)}})
			var events []usage.Event
			for _, e := range tt.events {
				events = append(events, on(pc, e.day, e.q))
			}
			// A February event never counts in January.
			events = append(events, on(pc, "2024-02-01", "1000"))
			stmts := b.rate(t, id, "2024-01-01", "2024-01-31", events...)
			require.Len(t, stmts, 1)
			amount := dec(tt.quantity).Mul(dec("2")).StringFixed(2)
			assertLines(t, []want{{kind: rating.KindUsage, quantity: tt.quantity, amount: amount}}, stmts[0].Lines)
		})
	}

	t.Run("latest ignores the time of day", func(t *testing.T) {
		b := &bundle{}
		p := b.plan(plan.TierPlan{Tiers: []plan.Tier{tier("0", "", "1", "")}, Aggregation: plan.Latest})
		pc := b.product(p, "2024-01-01", "2024-12-31", uuid.Nil)
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
			Dates: dates("2024-01-01", "2024-12-31"), ProductContracts: ids(pc.ID)}})
		stmts := b.rate(t, id, "2024-01-01", "2024-01-31",
			at(pc, "2024-01-20T23:00:00Z", "1"), at(pc, "2024-01-20T01:00:00Z", "6"))
		require.Len(t, stmts, 1)
		assertLines(t, []want{{kind: rating.KindUsage, quantity: "6", amount: "6.00"}}, stmts[0].Lines)
	})
}

func TestRateTimeZone(t *testing.T) {
	// Kiritimati is UTC+14: 10:00 UTC on 31 Jan is midnight on 1 Feb there.
	b := &bundle{}
	pc := b.product(b.perUnit("1"), "2024-01-01", "2024-12-31", uuid.Nil)
	id := b.parent(contract.ParentContract{TimeZone: "Pacific/Kiritimati", SubContract: contract.SubContract{
		Dates: dates("2024-01-01", "2024-12-31"), ProductContracts: ids(pc.ID)}})
	stmts := b.rate(t, id, "2024-01-01", "2024-02-29",
		at(pc, "2023-12-31T10:30:00Z", "100"), // 1 Jan 00:30 local: inside the contract
		at(pc, "2024-01-31T09:59:59Z", "1"),   // 31 Jan 23:59:59 local
		at(pc, "2024-01-31T10:00:00Z", "10"),  // 1 Feb 00:00 local
		at(pc, "2024-01-31T23:00:00+14:00", "1000"))
	require.Len(t, stmts, 2)
	assertLines(t, []want{{kind: rating.KindUsage, quantity: "1101"}}, stmts[0].Lines)
	assertLines(t, []want{{kind: rating.KindUsage, quantity: "10"}}, stmts[1].Lines)

	// In UTC the first event is before the contract.
	b.ParentContracts[0].TimeZone = ""
	_, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id,
		Usage: []usage.Event{at(pc, "2023-12-31T10:30:00Z", "100")}, From: day("2024-01-01"), To: day("2024-01-31")})
	require.ErrorIs(t, err, pricekit.ErrUsageOutOfContract)
}

func TestRateRunRange(t *testing.T) {
	b, id, _ := creditTree(modifier.Credit{Amount: dec("100")})
	all := b.rate(t, id, "", "")
	require.Len(t, all, 12)

	t.Run("overlapping periods only", func(t *testing.T) {
		stmts := b.rate(t, id, "2024-02-10", "2024-03-05")
		require.Len(t, stmts, 2)
		assert.Equal(t, "2024-02-01", stmts[0].PeriodStart.String())
		assert.Equal(t, "2024-03-31", stmts[1].PeriodEnd.String())
		// February's credit balance carries what January used.
		assertLines(t, []want{{kind: rating.KindFixedFee}, {kind: rating.KindCredit, amount: "-30.00"}}, stmts[0].Lines)
		for i, s := range stmts {
			got, err := json.Marshal(s)
			require.NoError(t, err)
			full, err := json.Marshal(all[i+1])
			require.NoError(t, err)
			assert.JSONEq(t, string(full), string(got))
		}
	})

	t.Run("a range starting before the contract", func(t *testing.T) {
		stmts := b.rate(t, id, "2023-06-01", "2024-01-01")
		require.Len(t, stmts, 1)
		assert.Equal(t, "2024-01-01", stmts[0].PeriodStart.String())
	})

	t.Run("a range after the contract", func(t *testing.T) {
		stmts := b.rate(t, id, "2025-01-01", "2025-12-31")
		assert.Empty(t, stmts)
	})

	t.Run("to before from", func(t *testing.T) {
		_, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id, From: day("2024-03-01"), To: day("2024-02-01")})
		require.ErrorIs(t, err, pricekit.ErrInvalidInput)
	})
}

func TestRateEvergreen(t *testing.T) {
	b := &bundle{}
	fee := b.fee("10", "")
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
		Dates: dates("2024-01-01", ""), FixedFees: ids(fee)}})

	_, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id})
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
	_, err = rating.Rate(rating.Input{Objects: b.Objects, Contract: id, From: day("2024-01-01")})
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)

	stmts := b.rate(t, id, "", "2024-03-15")
	require.Len(t, stmts, 3)
	assert.Equal(t, "2024-03-31", stmts[2].PeriodEnd.String())
	assertLines(t, []want{{kind: rating.KindFixedFee, amount: "10.00", proration: "1"}}, stmts[2].Lines)
}

func TestRateStatementIgnoresLaterUsage(t *testing.T) {
	// January's statement depends only on usage up to January: a
	// fractional event in February changes neither its quantity nor its
	// calculation.
	b := &bundle{}
	p := b.plan(plan.TierPlan{Tiers: []plan.Tier{tier("0", "100", "0.10", ""), tier("100", "", "0.20", "")}})
	pc := b.product(p, "2024-01-01", "2024-12-31", uuid.Nil)
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
		Dates: dates("2024-01-01", "2024-12-31"), ProductContracts: ids(pc.ID)}})
	jan := []usage.Event{on(pc, "2024-01-05", "100"), on(pc, "2024-01-20", "50")}
	alone := b.rate(t, id, "2024-01-01", "2024-01-31", jan...)
	withFeb := b.rate(t, id, "2024-01-01", "2024-01-31", append(jan, on(pc, "2024-02-03", "7.5"))...)
	require.Len(t, alone, 1)
	require.Len(t, withFeb, 1)
	assert.Equal(t, "100 × 0.10 = 10.00; 50 × 0.20 = 10.00", alone[0].Lines[0].Calculation.String())
	assert.Equal(t, alone[0].Lines[0].Calculation.String(), withFeb[0].Lines[0].Calculation.String())
	assert.Equal(t, alone[0].Lines[0].Quantity.String(), withFeb[0].Lines[0].Quantity.String())
	assert.JSONEq(t, string(must(json.Marshal(alone[0]))), string(must(json.Marshal(withFeb[0]))))
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
