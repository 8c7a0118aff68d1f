package rating_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/rating"
)

// commitment adds a term commitment of amount over period.
func (b *bundle) commitment(amount, period string) [16]byte {
	m := modifier.Minimum{ID: b.id(), Amount: dec(amount), Period: every(period)}
	b.Minimums = append(b.Minimums, m)
	return m.ID
}

func TestTermCommitmentTruesUpTheWindow(t *testing.T) {
	// A quarterly commitment of 1000.00 billed monthly, with a monthly
	// minimum of 250.00 too: January bills 300.00, February 100.00 (trued
	// up to 250.00), March 200.00 (trued up to 250.00). The quarter billed
	// 800.00, so March also gets a commitment line of 200.00 for the
	// quarter, after its own minimum line.
	var b bundle
	pc := b.product(b.perUnit("1"), "2024-01-01", "", [16]byte{})
	quarter := b.commitment("1000", "3M")
	monthly := b.minimum("250")
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-06-30"),
		ProductContracts: ids(pc.ID), Minimums: ids(quarter, monthly)}})
	got := b.rate(t, id, "", "", on(pc, "2024-01-05", "300"), on(pc, "2024-02-05", "100"), on(pc, "2024-03-05", "200"),
		on(pc, "2024-04-05", "2000"))
	require.Len(t, got, 6)
	assertDec(t, "300", got[0].Total)
	assertDec(t, "250", got[1].Total)
	assertLines(t, []want{
		{kind: rating.KindUsage, amount: "200"},
		{kind: rating.KindMinimum, ref: monthly, start: "2024-03-01", end: "2024-03-31", amount: "50"},
		{kind: rating.KindMinimum, ref: quarter, start: "2024-01-01", end: "2024-03-31", amount: "200"},
	}, got[2].Lines)
	assert.Equal(t, "commitment 1000.00 for 2024-01-01 – 2024-03-31 − 800.00 billed = 200.00",
		got[2].Lines[2].Calculation.String())
	// The second quarter billed 2000.00 in April: nothing to true up.
	for _, s := range got[3:] {
		for _, l := range s.Lines {
			assert.NotEqual(t, quarter, l.ModifierID, "%s", s.PeriodStart)
		}
	}
}

func TestTermCommitmentProratedWhenCut(t *testing.T) {
	// A yearly commitment of 1200.00 on a contract that ends on 30 June
	// 2024 (182 of 366 days): the window's commitment is 596.72.
	var b bundle
	fee := b.fee("50", "")
	year := b.commitment("1200", "1Y")
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-06-30"),
		FixedFees: ids(fee), Minimums: ids(year)}})
	got := b.rate(t, id, "", "")
	require.Len(t, got, 6)
	assertDec(t, "296.72", got[5].Minimums, "596.72 − 6 × 50.00")
	assertDec(t, "346.72", got[5].Total)
}

func TestTermCommitmentAcrossARangeAndIssues(t *testing.T) {
	// Rating only June, or with May issued, carries what the window billed
	// before: the same true-up.
	var b bundle
	fee := b.fee("50", "")
	half := b.commitment("600", "6M")
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-12-31"),
		FixedFees: ids(fee), Minimums: ids(half)}})
	all := b.rate(t, id, "", "")
	assertDec(t, "300", all[5].Minimums)
	june := b.rate(t, id, "2024-06-01", "2024-06-30")
	assert.Equal(t, all[5].Total, june[0].Total)
	issued := issue(1, all[:5]...)
	got := b.rateIssued(t, id, issued, "2024-06-01", "2024-06-30")
	assert.Equal(t, all[5].Total, got[0].Total)
}

func TestTermCommitmentJSON(t *testing.T) {
	var m modifier.Minimum
	require.NoError(t, json.Unmarshal([]byte(`{"amount": 1200, "period": "1Y"}`), &m))
	assert.Equal(t, every("1Y"), m.Period)
	data, err := json.Marshal(m)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"period":"1Y"`)
	for doc, field := range map[string]string{
		`{"amount": 1, "period": "1X"}`: "period",
		`{"amount": 1, "period": 12}`:   "period",
		`{"amount": 1, "period": "0M"}`: "period",
	} {
		err := json.Unmarshal([]byte(doc), &m)
		require.ErrorIs(t, err, pricekit.ErrInvalidInput, doc)
		assert.Equal(t, field, pricekit.First(err).Field, doc)
	}
	var mx modifier.Maximum
	require.ErrorIs(t, json.Unmarshal([]byte(`{"amount": 1, "period": "1Y"}`), &mx), pricekit.ErrInvalidInput,
		"a maximum has no period")
}
