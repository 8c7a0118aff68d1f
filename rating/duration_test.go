package rating_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/testrun"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/rating"
)

func TestDiscountDuration(t *testing.T) {
	var b bundle
	fee := b.fee("100", "")
	coupon := b.amountOff("30")
	b.Discounts[0].Duration = 2
	b.Discounts[0].StartDate = day("2024-02-15")
	once := b.percentOff("50", "")
	b.Discounts[1].Duration = 1
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-10", "2024-06-30"),
		FixedFees: ids(fee), Discounts: ids(coupon, once)}})
	got := b.rate(t, id, "", "")
	require.Len(t, got, 6)
	// Monthly from 10 January: the once discount takes half of the first
	// period; the coupon starts with the first period beginning on or
	// after 15 February (10 March) and lasts two, the full 30.00 in each.
	for i, want := range []string{"-50", "0", "-30", "-30", "0", "0"} {
		assertDec(t, want, got[i].Discounts, "period %d (%s)", i, got[i].PeriodStart)
	}
}

func TestDiscountDurationCountsTheNodesPeriods(t *testing.T) {
	// A sub contract starting mid-month under a monthly parent: its first
	// period is the clipped one, and it counts.
	var b bundle
	fee := b.fee("100", "")
	twice := b.percentOff("10", "")
	b.Discounts[0].Duration = 2
	sub := b.sub(contract.SubContract{Dates: dates("2024-01-16", ""), FixedFees: ids(fee), Discounts: ids(twice)})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-04-30"),
		SubContracts: ids(sub)}})
	got := b.rate(t, id, "", "")
	for i, want := range []string{"-5.16", "-10", "0", "0"} {
		assertDec(t, want, got[i].Discounts, "period %d", i)
	}
}

func TestDiscountDurationJSON(t *testing.T) {
	for doc, want := range map[string]int{
		`{"percentage": 10, "duration": "once"}`: 1,
		`{"percentage": 10, "duration": 3}`:      3,
		`{"percentage": 10, "duration": null}`:   0,
		`{"percentage": 10}`:                     0,
	} {
		var d modifier.Discount
		require.NoError(t, json.Unmarshal([]byte(doc), &d), doc)
		assert.Equal(t, want, d.Duration, doc)
		data, err := json.Marshal(d)
		require.NoError(t, err)
		var back modifier.Discount
		require.NoError(t, json.Unmarshal(data, &back))
		assert.Equal(t, d, back)
	}
	for doc, field := range map[string]string{
		`{"percentage": 10, "duration": 0}`:                  "duration",
		`{"percentage": 10, "duration": -2}`:                 "duration",
		`{"percentage": 10, "duration": 1.5}`:                "duration",
		`{"percentage": 10, "duration": "twice"}`:            "duration",
		`{"percentage": 10, "start_date": "2024-02-30"}`:     "start_date",
		`{"percentage": 10, "start_date": "10000-01-01"}`:    "start_date",
		`{"percentage": 10, "duration": "1", "extra": true}`: "extra",
	} {
		var d modifier.Discount
		err := json.Unmarshal([]byte(doc), &d)
		require.ErrorIs(t, err, pricekit.ErrInvalidInput, doc)
		assert.Equal(t, field, pricekit.First(err).Field, doc)
	}
}

// TestPropertyDurationLimitsPeriods: a discount with duration n gives
// lines in at most n periods of its node, all on or after its start date.
func TestPropertyDurationLimitsPeriods(t *testing.T) {
	for i := range testrun.Cases(80, 1500) {
		g := newGen(uint64(13000 + i))
		g.aligned = true
		in, to := g.tree()
		in.To = to
		for k := range in.Objects.Discounts {
			d := &in.Objects.Discounts[k]
			d.Duration = 1 + g.pick(3)
			if g.chance(0.3) {
				d.StartDate = in.Objects.ParentContracts[0].Start + dayOffset(g.pick(90))
			}
		}
		stmts, err := rating.Rate(in)
		require.NoError(t, err, "tree %d", i)
		periods := map[[2][16]byte]map[string]bool{}
		for _, s := range stmts {
			for _, l := range s.Lines {
				if l.Kind != rating.KindDiscount {
					continue
				}
				k := [2][16]byte{l.ContractID, l.ModifierID}
				if periods[k] == nil {
					periods[k] = map[string]bool{}
				}
				periods[k][l.PeriodStart.String()] = true
				for _, d := range in.Objects.Discounts {
					if d.ID == l.ModifierID && d.StartDate != 0 {
						assert.GreaterOrEqual(t, l.PeriodStart, d.StartDate, "tree %d: a line before its start date", i)
					}
				}
			}
		}
		for k, ps := range periods {
			for _, d := range in.Objects.Discounts {
				if d.ID == k[1] {
					assert.LessOrEqual(t, len(ps), d.Duration, "tree %d: discount %x in %d periods", i, k[1], len(ps))
				}
			}
		}
	}
}

func TestDiscountDurationFromBeforeTheNode(t *testing.T) {
	// A start date before the node's start counts from the node's start:
	// the parent's first two months, and the sub's first two periods.
	var b bundle
	fee, subFee := b.fee("100", ""), b.fee("50", "")
	early := b.amountOff("10")
	b.Discounts[0].Duration, b.Discounts[0].StartDate = 2, day("2023-06-01")
	subOff := b.amountOff("7")
	b.Discounts[1].Duration, b.Discounts[1].StartDate = 2, day("2024-03-01")
	sub := b.sub(contract.SubContract{Dates: dates("2024-06-01", ""), FixedFees: ids(subFee), Discounts: ids(subOff)})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-08-31"),
		FixedFees: ids(fee), SubContracts: ids(sub), Discounts: ids(early)}})
	got := b.rate(t, id, "", "")
	for i, want := range []string{"-10", "-10", "0", "0", "0", "-7", "-7", "0"} {
		assertDec(t, want, got[i].Discounts, "period %d", i)
	}
}

func TestDiscountDurationOfADatedVersion(t *testing.T) {
	// "2.00 off for two months" saved from June counts June's periods.
	var b bundle
	fee := b.fee("100", "")
	off := b.amountOff("1")
	b.Discounts = append(b.Discounts, modifier.Discount{ID: off, Amount: decimalOf("2"), Duration: 2,
		EffectiveFrom: day("2024-06-01")})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-08-31"),
		FixedFees: ids(fee), Discounts: ids(off)}})
	got := b.rate(t, id, "", "")
	for i, want := range []string{"-1", "-1", "-1", "-1", "-1", "-2", "-2", "0"} {
		assertDec(t, want, got[i].Discounts, "period %d", i)
	}
}
