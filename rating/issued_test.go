package rating_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/usage"
)

// issue marks statements as issued, numbered from first, as package
// billing does when it issues them.
func issue(first int, stmts ...rating.Statement) []rating.Statement {
	out := make([]rating.Statement, len(stmts))
	for i, s := range stmts {
		s.Issued, s.Number = true, first+i
		out[i] = s
	}
	return out
}

// rateIssued rates parent id of b with issued statements.
func (b *bundle) rateIssued(t *testing.T, id uuid.UUID, issued []rating.Statement, from, to string, events ...usage.Event) []rating.Statement {
	t.Helper()
	in := rating.Input{Objects: b.Objects, Contract: id, Usage: events, Issued: issued, From: day(from), To: day(to)}
	stmts, err := rating.Rate(in)
	require.NoError(t, err)
	return stmts
}

// adjustments returns the adjustment lines of s.
func adjustments(s rating.Statement) []rating.Line {
	var out []rating.Line
	for _, l := range s.Lines {
		if l.Kind == rating.KindAdjustment {
			out = append(out, l)
		}
	}
	return out
}

func TestVersionNewPricesFromNextMonth(t *testing.T) {
	var b bundle
	fee := b.fee("30", "")
	// The dated version comes first: a document's versions come in any
	// order. It is saved on 15 Feb, so February keeps its price.
	b.FixedFees = append([]plan.FixedFee{{ID: fee, Amount: dec("60"), EffectiveFrom: day("2024-02-15")}}, b.FixedFees...)
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-04-30"),
		FixedFees: ids(fee)}})
	got := b.rate(t, id, "", "")
	require.Len(t, got, 4)
	for i, amount := range []string{"30", "30", "60", "60"} {
		assertDec(t, amount, got[i].Total, "statement %d", i)
	}
	assert.Zero(t, got[1].Lines[0].EffectiveFrom, "the base version has no day")
	assert.Equal(t, day("2024-02-15"), got[2].Lines[0].EffectiveFrom, "a line names the version that priced it")
	data, err := json.Marshal(got[2])
	require.NoError(t, err)
	assert.Contains(t, string(data), `"effective_from":"2024-02-15"`)
}

func TestVersionEarliestWhenNoneIsInForce(t *testing.T) {
	var b bundle
	p := b.perUnit("0.10")
	b.Plans[0].EffectiveFrom = day("2024-03-01")
	b.Plans = append(b.Plans, plan.TierPlan{ID: p, Pricing: plan.Graduated, Tiers: []plan.Tier{tier("0", "", "0.20", "")},
		EffectiveFrom: day("2024-04-01")})
	pc := b.product(p, "2024-01-01", "", [16]byte{})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-04-30"),
		ProductContracts: ids(pc.ID)}})
	got := b.rate(t, id, "", "", on(pc, "2024-01-10", "10"), on(pc, "2024-03-10", "10"), on(pc, "2024-04-10", "10"))
	require.Len(t, got, 4)
	for i, amount := range []string{"1.00", "0", "1.00", "2.00"} {
		assertDec(t, amount, got[i].Total, "statement %d", i)
	}
	assert.Equal(t, day("2024-03-01"), got[0].Lines[0].EffectiveFrom, "before every version, the earliest prices")
}

func TestVersionOfModifiersByPeriod(t *testing.T) {
	var b bundle
	fee := b.fee("100", "")
	off := b.percentOff("10", "")
	b.Discounts = append(b.Discounts, modifier.Discount{ID: off, Percentage: decimalOf("20"), EffectiveFrom: day("2024-02-01")})
	low := b.minimum("150")
	b.Minimums = append(b.Minimums, modifier.Minimum{ID: low, Amount: dec("200"), EffectiveFrom: day("2024-02-01")})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-02-29"),
		FixedFees: ids(fee), Discounts: ids(off), Minimums: ids(low)}})
	got := b.rate(t, id, "", "")
	require.Len(t, got, 2)
	assertTotals(t, got[0], "100", "-10", "60", "0", "150")
	assertTotals(t, got[1], "100", "-20", "120", "0", "200")
	assert.Equal(t, day("2024-02-01"), got[1].Lines[1].EffectiveFrom)
	assert.Equal(t, day("2024-02-01"), got[1].Lines[2].EffectiveFrom)
}

// usageContract is a monthly parent with one product at 0.10 a unit.
func usageContract(b *bundle) (uuid.UUID, contract.ProductContract) {
	pc := b.product(b.perUnit("0.10"), "2024-01-01", "", [16]byte{})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-12-31"),
		ProductContracts: ids(pc.ID)}})
	return id, pc
}

func TestIssuedStatementIsReturnedAsIssued(t *testing.T) {
	var b bundle
	fee := b.fee("100", "")
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-12-31"),
		FixedFees: ids(fee)}})
	jan := issue(1, b.rate(t, id, "2024-01-01", "2024-01-31")...)
	before, err := json.Marshal(jan[0])
	require.NoError(t, err)

	b.FixedFees[0].Amount = dec("120") // a correction
	got := b.rateIssued(t, id, jan, "2024-01-01", "2024-02-29")
	require.Len(t, got, 2)
	after, err := json.Marshal(got[0])
	require.NoError(t, err)
	assert.JSONEq(t, string(before), string(after), "an issued statement comes back verbatim")
	assert.True(t, got[0].Issued)
	assert.False(t, got[1].Issued)
	assert.Zero(t, got[1].Number)

	adj := adjustments(got[1])
	require.Len(t, adj, 1)
	assertDec(t, "20", adj[0].Amount)
	assert.Equal(t, &rating.Adjusts{Number: 1, PeriodStart: day("2024-01-01"), Kind: rating.KindFixedFee}, adj[0].Adjusts)
	assert.Equal(t, fee, adj[0].FeeID)
	assert.Equal(t, day("2024-01-31"), adj[0].PeriodEnd)
	assertDec(t, "20", got[1].Adjustments)
	assertDec(t, "140", got[1].Total, "February's 120.00 and January's difference")
}

func TestLateUsageIsAdjustedOnce(t *testing.T) {
	var b bundle
	id, pc := usageContract(&b)
	events := []usage.Event{on(pc, "2024-01-10", "120")}
	jan := issue(1, b.rate(t, id, "2024-01-01", "2024-01-31", events...)...)
	assertDec(t, "12", jan[0].Total)

	events = append(events, on(pc, "2024-01-20", "30"), on(pc, "2024-02-03", "10"))
	got := b.rateIssued(t, id, jan, "2024-02-01", "2024-02-29", events...)
	require.Len(t, got, 1)
	adj := adjustments(got[0])
	require.Len(t, adj, 1)
	assertDec(t, "3", adj[0].Amount)
	assertDec(t, "150", adj[0].Quantity)
	assert.Equal(t, "late usage: quantity 120 → 150; 12.00 → 15.00", adj[0].Calculation.String())
	assert.Equal(t, pc.ID, adj[0].ContractID)
	assert.Equal(t, pc.ProductID, adj[0].ProductID)
	assertDec(t, "4", got[0].Total, "February's 1.00 and the 3.00 adjustment")

	// Issued, the adjustment is billed: it is never repeated.
	feb := issue(2, got...)
	issued := append(jan, feb...)
	mar := b.rateIssued(t, id, issued, "2024-03-01", "2024-03-31", events...)
	assert.Empty(t, adjustments(mar[0]))

	// More late usage is billed as the difference from what was billed
	// so far: the issued 12.00 and the adjustment of 3.00.
	events = append(events, on(pc, "2024-01-25", "10"))
	mar = b.rateIssued(t, id, issued, "2024-03-01", "2024-03-31", events...)
	adj = adjustments(mar[0])
	require.Len(t, adj, 1)
	assertDec(t, "1", adj[0].Amount)
	assert.Equal(t, "late usage: quantity 120 → 160; 12.00 → 16.00; 15.00 billed so far (+3.00 adjusted since)",
		adj[0].Calculation.String())
}

func TestUpgradeMidMonthByDates(t *testing.T) {
	var b bundle
	small, large := b.fee("100", ""), b.fee("200", "")
	old := b.sub(contract.SubContract{Dates: dates("2024-01-01", ""), FixedFees: ids(small)})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-12-31"),
		SubContracts: ids(old)}})
	jan := issue(1, b.rate(t, id, "2024-01-01", "2024-01-31")...)

	// Upgrade on 16 January, after January was issued: the old terms end
	// on the 15th, the new start on the 16th.
	b.SubContracts[0].End = day("2024-01-15")
	upgraded := b.sub(contract.SubContract{Dates: dates("2024-01-16", ""), FixedFees: ids(large)})
	b.ParentContracts[0].SubContracts = ids(old, upgraded)
	got := b.rateIssued(t, id, jan, "2024-02-01", "2024-02-29")
	adj := adjustments(got[0])
	require.Len(t, adj, 2, describe(got[0].Lines))
	assertDec(t, "-51.61", adj[0].Amount, "the unused part of the old fee comes back: 100.00 → 48.39")
	assert.Equal(t, "fee prorated 31/31 → 15/31 days; 100.00 → 48.39", adj[0].Calculation.String())
	assert.Equal(t, old, adj[0].ContractID)
	assertDec(t, "103.23", adj[1].Amount, "the new fee, prorated 16/31")
	assert.Equal(t, upgraded, adj[1].ContractID)
	assert.Equal(t, day("2024-01-16"), adj[1].PeriodStart)
	assertDec(t, "251.62", got[0].Total, "February's 200.00 and +51.62 for January")
}

func TestOnlyAdjustmentsTakeATotalBelowZero(t *testing.T) {
	var b bundle
	fee := b.fee("100", "")
	old := b.sub(contract.SubContract{Dates: dates("2024-01-01", ""), FixedFees: ids(fee)})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-12-31"),
		SubContracts: ids(old)}})
	stmts := b.rate(t, id, "2024-01-01", "2024-02-29")
	issued := issue(1, stmts...)
	b.SubContracts[0].End = day("2024-01-31") // cancelled: February's advance fee comes back
	got := b.rateIssued(t, id, issued, "2024-03-01", "2024-03-31")
	assertDec(t, "-100", got[0].Total, "a credit note")
	assertDec(t, "-100", got[0].Adjustments)
}

func TestCreditsPayAdjustments(t *testing.T) {
	var b bundle
	pc := b.product(b.perUnit("1"), "2024-01-01", "", [16]byte{})
	c := b.credit(modifier.Credit{Amount: dec("100")})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-12-31"),
		ProductContracts: ids(pc.ID), Credits: ids(c)}})
	events := []usage.Event{on(pc, "2024-01-10", "50")}
	jan := issue(1, b.rate(t, id, "2024-01-01", "2024-01-31", events...)...)
	assertDec(t, "0", jan[0].Total)
	assertDec(t, "50", jan[0].CreditBalances[0].Remaining)

	events = append(events, on(pc, "2024-01-20", "20"), on(pc, "2024-02-02", "10"))
	got := b.rateIssued(t, id, jan, "2024-02-01", "2024-02-29", events...)
	assertDec(t, "20", got[0].Adjustments)
	assertDec(t, "-30", got[0].Credits, "the credit pays February's 10.00 and the 20.00 adjustment")
	assertDec(t, "0", got[0].Total)
	assertDec(t, "20", got[0].CreditBalances[0].Remaining, "from January's balance, not from the start")
	// The adjustment line comes before the credit line that pays it.
	kinds := []rating.Kind{}
	for _, l := range got[0].Lines {
		kinds = append(kinds, l.Kind)
	}
	assert.Equal(t, []rating.Kind{rating.KindUsage, rating.KindAdjustment, rating.KindCredit}, kinds)
}

func TestCreditsAreNotRerated(t *testing.T) {
	// A sub contract's 100.00 credit paid 60.00 of usage, under a parent
	// with 50 % off; 40 more units at 1.00 arrive late.
	var b bundle
	pc := b.product(b.perUnit("1"), "2024-01-01", "", [16]byte{})
	c := b.credit(modifier.Credit{Amount: dec("100")})
	sub := b.sub(contract.SubContract{Dates: dates("2024-01-01", ""), ProductContracts: ids(pc.ID), Credits: ids(c)})
	half := b.percentOff("50", "")
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-12-31"),
		SubContracts: ids(sub), Discounts: ids(half)}})
	events := []usage.Event{on(pc, "2024-01-10", "60")}
	jan := issue(1, b.rate(t, id, "2024-01-01", "2024-01-31", events...)...)
	events = append(events, on(pc, "2024-01-20", "40"))
	got := b.rateIssued(t, id, jan, "2024-02-01", "2024-02-29", events...)
	adj := adjustments(got[0])
	require.Len(t, adj, 2, describe(got[0].Lines))
	assert.Equal(t, rating.KindUsage, adj[0].Adjusts.Kind)
	assertDec(t, "40", adj[0].Amount)
	assert.Equal(t, rating.KindDiscount, adj[1].Adjusts.Kind)
	assertDec(t, "-20", adj[1].Amount)
}

func TestNothingChangedNothingAdjusted(t *testing.T) {
	var b bundle
	id, pc := usageContract(&b)
	events := []usage.Event{on(pc, "2024-01-10", "120"), on(pc, "2024-02-10", "7")}
	all := b.rate(t, id, "2024-01-01", "2024-03-31", events...)
	issued := issue(1, all[:2]...)
	got := b.rateIssued(t, id, issued, "2024-01-01", "2024-03-31", events...)
	require.Len(t, got, 3)
	assert.Empty(t, adjustments(got[2]))
	assert.Equal(t, all[2].Total, got[2].Total)
}

func TestChangesLimitWhatIsRatedAgain(t *testing.T) {
	var b bundle
	id, pc := usageContract(&b)
	events := []usage.Event{on(pc, "2024-01-10", "100"), on(pc, "2024-02-10", "100")}
	issued := issue(1, b.rate(t, id, "2024-01-01", "2024-02-29", events...)...)
	since := int64(len(events))
	events = append(events, on(pc, "2024-02-11", "10"))
	in := rating.Input{Objects: b.Objects, Contract: id, Usage: events, Issued: issued,
		Changes: &rating.Changes{Since: since}, From: day("2024-03-01"), To: day("2024-03-31")}
	got, err := rating.Rate(in)
	require.NoError(t, err)
	adj := adjustments(got[0])
	require.Len(t, adj, 1, "only February has late usage")
	assert.Equal(t, day("2024-02-01"), adj[0].Adjusts.PeriodStart)

	// Changes are the caller's word: a change it does not report is not
	// looked for.
	b.Plans[0].Tiers[0].UnitPrice = dec("0.20")
	in.Objects = b.Objects
	got, err = rating.Rate(in)
	require.NoError(t, err)
	require.Len(t, adjustments(got[0]), 1)
	in.Changes.Documents = true
	got, err = rating.Rate(in)
	require.NoError(t, err)
	require.Len(t, adjustments(got[0]), 2, "with documents changed, every issued period is rated again")
}

func TestIssuedMustComeFirst(t *testing.T) {
	var b bundle
	id, pc := usageContract(&b)
	stmts := b.rate(t, id, "2024-01-01", "2024-03-31", on(pc, "2024-01-02", "1"))
	for name, issued := range map[string][]rating.Statement{
		"not the first period": issue(1, stmts[1]),
		"numbered wrong":       issue(2, stmts[0]),
		"out of order":         issue(1, stmts[1], stmts[0]),
		"not issued":           {stmts[0]},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id, Issued: issued,
				From: day("2024-01-01"), To: day("2024-03-31")})
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			assert.Contains(t, pricekit.First(err).Field, "issued[")
		})
	}
}

func TestStatementJSONCarriesIssueAndAdjustments(t *testing.T) {
	var b bundle
	id, pc := usageContract(&b)
	jan := issue(1, b.rate(t, id, "2024-01-01", "2024-01-31", on(pc, "2024-01-10", "120"))...)
	got := b.rateIssued(t, id, jan, "2024-02-01", "2024-02-29", on(pc, "2024-01-10", "120"), on(pc, "2024-01-11", "30"))
	for _, s := range append(jan, got...) {
		data, err := json.Marshal(s)
		require.NoError(t, err)
		var back rating.Statement
		require.NoError(t, json.Unmarshal(data, &back))
		again, err := json.Marshal(back)
		require.NoError(t, err)
		assert.Equal(t, string(data), string(again), "a statement reads back byte for byte")
	}
	data, _ := json.Marshal(got[0])
	assert.Contains(t, string(data), `"adjusts":{"number":1,"period_start":"2024-01-01","kind":"usage"}`)
	assert.Contains(t, string(data), `"issued":false`)
	data, _ = json.Marshal(jan[0])
	assert.Contains(t, string(data), `"issued":true,"number":1`)

	for name, doc := range map[string]string{
		"number without issue": `{"contract_id":"` + id.String() + `","period_start":"2024-01-01","period_end":"2024-01-31",` +
			`"lines":[],"subtotal":"0","discounts":"0","minimums":"0","maximums":"0","adjustments":"0","credits":"0",` +
			`"total":"0","credit_balances":[],"issued":false,"number":3}`,
		"adjustment without adjusts": `{"contract_id":"` + id.String() + `","period_start":"2024-01-01","period_end":"2024-01-31",` +
			`"lines":[{"contract_id":"` + id.String() + `","kind":"adjustment","period_start":"2024-01-01",` +
			`"period_end":"2024-01-31","amount":"1.00"}],"subtotal":"0","discounts":"0","minimums":"0","maximums":"0",` +
			`"adjustments":"1.00","credits":"0","total":"1.00","credit_balances":[]}`,
	} {
		var s rating.Statement
		require.ErrorIs(t, json.Unmarshal([]byte(doc), &s), pricekit.ErrInvalidInput, name)
	}
}

func decimalOf(s string) decimal.NullDecimal { return decimal.NewNullDecimal(dec(s)) }

func TestVersionOfRecurringAndOnceFees(t *testing.T) {
	var b bundle
	quarterly := b.fee("90", "3M")
	setup := b.fee("500", "once")
	b.FixedFees = append(b.FixedFees,
		plan.FixedFee{ID: quarterly, Amount: dec("120"), Period: b.FixedFees[0].Period, EffectiveFrom: day("2024-02-01")},
		plan.FixedFee{ID: setup, Amount: dec("400"), Period: plan.FeePeriod{Once: true}, EffectiveFrom: day("2024-01-01")})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-06-30"),
		FixedFees: ids(quarterly, setup)}})
	got := b.rate(t, id, "", "")
	require.Len(t, got, 6)
	// The recurrence of January keeps the base price; the one of April,
	// the version of February. The once fee is priced on its period's
	// first day, when the version of 1 January is in force.
	assertTotals(t, got[0], "490", "0", "0", "0", "490")
	assertTotals(t, got[3], "120", "0", "0", "0", "120")
	assert.Equal(t, day("2024-02-01"), got[3].Lines[0].EffectiveFrom)
}

func TestAdjustmentsComeByIssuedStatementAndAreNotDiscounted(t *testing.T) {
	var b bundle
	id, pc := usageContract(&b)
	off := b.percentOff("10", "")
	b.ParentContracts[0].Discounts = ids(off)
	fee := b.fee("100", "")
	b.ParentContracts[0].FixedFees = ids(fee)
	events := []usage.Event{on(pc, "2024-01-10", "100"), on(pc, "2024-02-10", "100")}
	issued := issue(1, b.rate(t, id, "2024-01-01", "2024-02-29", events...)...)
	assertDec(t, "99", issued[0].Total, "(100.00 + 10.00) less 10 %")

	// Late usage for both months, and the fee corrected: adjustments come
	// by issued statement, then in line order, each with the discount of
	// its own period in it.
	events = append(events, on(pc, "2024-02-11", "50"), on(pc, "2024-01-11", "50"))
	b.FixedFees[0].Amount = dec("120")
	got := b.rateIssued(t, id, issued, "2024-03-01", "2024-03-31", events...)
	adj := adjustments(got[0])
	require.Len(t, adj, 6, describe(got[0].Lines))
	want := []struct {
		number int
		kind   rating.Kind
		amount string
	}{
		{1, rating.KindUsage, "5"}, {1, rating.KindFixedFee, "20"}, {1, rating.KindDiscount, "-2.50"},
		{2, rating.KindUsage, "5"}, {2, rating.KindFixedFee, "20"}, {2, rating.KindDiscount, "-2.50"},
	}
	for i, w := range want {
		assert.Equal(t, w.number, adj[i].Adjusts.Number, "adjustment %d", i)
		assert.Equal(t, w.kind, adj[i].Adjusts.Kind, "adjustment %d", i)
		assertDec(t, w.amount, adj[i].Amount, "adjustment %d", i)
	}
	assert.Equal(t, "discount corrected: -11.00 → -13.50", adj[2].Calculation.String())
	// March: 120.00 less 12.00, and the adjustments as they are.
	assertDec(t, "-12", got[0].Discounts, "the open statement's discount leaves adjustments alone")
	assertDec(t, "45", got[0].Adjustments)
	assertDec(t, "153", got[0].Total)
}

func TestRateRefusesIssuedTwoWays(t *testing.T) {
	var b bundle
	id, pc := usageContract(&b)
	stmts := issue(1, b.rate(t, id, "2024-01-01", "2024-01-31", on(pc, "2024-01-02", "1"))...)
	_, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id, Issued: stmts,
		IssuedFrom: &fixedReader{statements: stmts}, From: day("2024-01-01"), To: day("2024-02-29")})
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
	_, err = rating.Rate(rating.Input{Objects: b.Objects, Contract: id, Issued: stmts,
		Changes: &rating.Changes{Since: -1}, From: day("2024-01-01"), To: day("2024-02-29")})
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
}

func TestIssuedReaderIsReadSparingly(t *testing.T) {
	var b bundle
	id, pc := usageContract(&b)
	var events []usage.Event
	for m := 1; m <= 12; m++ {
		events = append(events, on(pc, fmt.Sprintf("2024-%02d-10", m), "10"))
	}
	all := b.rate(t, id, "2024-01-01", "2024-12-31", events...)
	r := &fixedReader{statements: issue(1, all[:11]...)}
	got, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id, Usage: events, IssuedFrom: r,
		Changes: &rating.Changes{Since: int64(len(events))}, From: day("2024-12-01"), To: day("2024-12-31")})
	require.NoError(t, err)
	assert.Equal(t, [][]int{{10}}, r.reads, "only the last issued statement is read")
	assert.Equal(t, all[11].Total, got[0].Total)

	r.reads = nil
	late := append(events, on(pc, "2024-03-11", "5"))
	got, err = rating.Rate(rating.Input{Objects: b.Objects, Contract: id, Usage: late, IssuedFrom: r,
		Changes: &rating.Changes{Since: int64(len(events))}, From: day("2024-12-01"), To: day("2024-12-31")})
	require.NoError(t, err)
	assert.Equal(t, [][]int{{2, 10}}, r.reads, "March, which the late event reaches, and the last")
	require.Len(t, adjustments(got[0]), 1)
}

// fixedReader is an IssuedReader over statements in memory that records
// what rating reads.
type fixedReader struct {
	statements []rating.Statement
	reads      [][]int
}

func (r *fixedReader) Len() int { return len(r.statements) }
func (r *fixedReader) Adjusting(i int) []int {
	var out []int
	for j := i + 1; j < len(r.statements); j++ {
		for _, l := range r.statements[j].Lines {
			if l.Adjusts != nil && l.Adjusts.Number == i+1 {
				out = append(out, j)
				break
			}
		}
	}
	return out
}
func (r *fixedReader) Read(indexes []int) ([]rating.Statement, error) {
	r.reads = append(r.reads, append([]int(nil), indexes...))
	out := make([]rating.Statement, len(indexes))
	for k, i := range indexes {
		out[k] = r.statements[i]
	}
	return out, nil
}

func TestAdjustmentOfAFeeListedTwice(t *testing.T) {
	var b bundle
	fee := b.fee("100", "")
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-12-31"),
		FixedFees: ids(fee, fee)}})
	jan := issue(1, b.rate(t, id, "2024-01-01", "2024-01-31")...)
	assertDec(t, "200", jan[0].Total)
	b.ParentContracts[0].FixedFees = ids(fee) // listed once now
	got := b.rateIssued(t, id, jan, "2024-02-01", "2024-02-29")
	adj := adjustments(got[0])
	require.Len(t, adj, 1, describe(got[0].Lines))
	assertDec(t, "-100", adj[0].Amount, "the second line of the fee is no longer billed")
}

func TestMalformedIssuedStatementsAreRefused(t *testing.T) {
	var b bundle
	id, pc := usageContract(&b)
	stmts := issue(1, b.rate(t, id, "2024-01-01", "2024-02-29", on(pc, "2024-01-02", "1"))...)
	bad := func(f func(s *rating.Statement)) []rating.Statement {
		c := []rating.Statement{stmts[0].Clone(), stmts[1].Clone()}
		f(&c[1])
		return c
	}
	for name, issued := range map[string][]rating.Statement{
		"adjustment without adjusts": bad(func(s *rating.Statement) {
			s.Lines = append(s.Lines, rating.Line{ContractID: id, Kind: rating.KindAdjustment, Amount: dec("1")})
		}),
		"adjusts on a usage line": bad(func(s *rating.Statement) {
			s.Lines[0].Adjusts = &rating.Adjusts{Number: 1, PeriodStart: day("2024-01-01"), Kind: rating.KindUsage}
		}),
		"adjusting a credit": bad(func(s *rating.Statement) {
			s.Lines = append(s.Lines, rating.Line{ContractID: id, Kind: rating.KindAdjustment, Amount: dec("1"),
				Adjusts: &rating.Adjusts{Number: 1, PeriodStart: day("2024-01-01"), Kind: rating.KindCredit}})
		}),
		"adjusting a later statement": bad(func(s *rating.Statement) {
			s.Lines = append(s.Lines, rating.Line{ContractID: id, Kind: rating.KindAdjustment, Amount: dec("1"),
				Adjusts: &rating.Adjusts{Number: 2, PeriodStart: day("2024-02-01"), Kind: rating.KindUsage}})
		}),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id, Issued: issued,
				From: day("2024-01-01"), To: day("2024-03-31")})
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			assert.Contains(t, pricekit.First(err).Field, "issued[1].lines[")
		})
	}
}

func TestCreditBalanceWithoutGrantReadsBack(t *testing.T) {
	doc := `{"contract_id":"00000000-0000-4000-8000-000000000001","currency":"USD","period_start":"2024-01-01",` +
		`"period_end":"2024-01-31","lines":[],"subtotal":"0.00","discounts":"0.00","minimums":"0.00","maximums":"0.00",` +
		`"adjustments":"0.00","credits":"0.00","total":"0.00","credit_balances":[{"credit_id":` +
		`"00000000-0000-4000-8000-000000000002","remaining":"5.00","expires":null}],"issued":false}`
	var s rating.Statement
	require.NoError(t, json.Unmarshal([]byte(doc), &s))
	data, err := json.Marshal(s)
	require.NoError(t, err)
	assert.Equal(t, doc, string(data), "a balance without its grant day reads back and writes again as it came")
}

func TestALineOnlyAdjustmentsBilledComesBack(t *testing.T) {
	// January is issued without a cap; a cap added afterwards cuts it on
	// February; once the cap is gone again, March gives the cut back.
	var b bundle
	fee := b.fee("100", "")
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-12-31"),
		FixedFees: ids(fee)}})
	jan := issue(1, b.rate(t, id, "2024-01-01", "2024-01-31")...)
	capID := b.maximum("70")
	b.ParentContracts[0].Maximums = ids(capID)
	feb := b.rateIssued(t, id, jan, "2024-02-01", "2024-02-29")
	adj := adjustments(feb[0])
	require.Len(t, adj, 1)
	assertDec(t, "-30", adj[0].Amount)
	assert.Equal(t, rating.KindMaximum, adj[0].Adjusts.Kind)

	issued := append(jan, issue(2, feb...)...)
	b.ParentContracts[0].Maximums = nil
	mar := b.rateIssued(t, id, issued, "2024-03-01", "2024-03-31")
	adj = adjustments(mar[0])
	require.Len(t, adj, 2, describe(mar[0].Lines))
	assert.Equal(t, 1, adj[0].Adjusts.Number)
	assertDec(t, "30", adj[0].Amount, "January's cut, billed by an adjustment only, comes back")
	assert.Equal(t, 2, adj[1].Adjusts.Number)
	assertDec(t, "30", adj[1].Amount, "and February's own")
}

func TestEndMovedBeforeIssuedStatements(t *testing.T) {
	// January to March are issued at 100.00 each; then the contract is
	// ended on 15 February. The issued statements stay; the corrections
	// (half of February and all of March come back) go on a closing
	// statement for April, which holds only them.
	var b bundle
	fee := b.fee("100", "")
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-12-31"),
		FixedFees: ids(fee)}})
	issued := issue(1, b.rate(t, id, "2024-01-01", "2024-03-31")...)
	b.ParentContracts[0].End = day("2024-02-15")
	got, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id, Issued: issued})
	require.NoError(t, err)
	require.Len(t, got, 4, "three issued and the closing statement")
	for i := range 3 {
		assert.True(t, got[i].Issued)
	}
	closing := got[3]
	assert.Equal(t, day("2024-04-01"), closing.PeriodStart)
	assert.False(t, closing.Issued)
	adj := adjustments(closing)
	require.Len(t, adj, 2, describe(closing.Lines))
	assertDec(t, "-48.28", adj[0].Amount, "February kept 15 of 29 days: 51.72")
	assertDec(t, "-100", adj[1].Amount, "March is no longer billed")
	assertDec(t, "-148.28", closing.Total)
	assert.Len(t, closing.Lines, 2)

	// Nothing to correct, no closing statement.
	settled := issue(1, got...)
	again, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id, Issued: settled})
	require.NoError(t, err)
	assert.Len(t, again, 4, "the four issued statements")
}
