package pricekit_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/usagelog"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

// extreme are decimals beyond the limits of docs/errors.md (38 significant
// digits, 28 places), as a host could build them through the Go API.
var extreme = map[string]decimal.Decimal{
	"1e-10001":             decimal.New(1, -10001),
	"1e-100000":            decimal.New(1, -100000),
	"-1e-10001":            decimal.New(-1, -10001),
	"1e10001":              decimal.New(1, 10001),
	"39 digits":            decimal.RequireFromString(strings.Repeat("9", 39)),
	"29 places":            decimal.New(1, -29),
	"38 digits, 40 places": decimal.RequireFromString("1" + strings.Repeat("0", 37)).Add(decimal.New(5, -40)),
}

// TestExtremeDecimalsAreRefused: every document and event holding such a
// decimal is invalid_input, through the Go API and with the field named,
// in validation, in rating and in a store, and nothing is stored.
func TestExtremeDecimalsAreRefused(t *testing.T) {
	ctx := context.Background()
	for name, d := range extreme {
		t.Run(name, func(t *testing.T) {
			tier := []plan.Tier{{Start: decimal.Zero, UnitPrice: d}}
			checks := []struct {
				what  string
				err   error
				field string
			}{
				{"tier price", plan.TierPlan{Pricing: plan.Graduated, Tiers: tier}.Validate(), "tiers[0].unit_price"},
				{"tier bound", plan.ValidateTiers([]plan.Tier{{Start: decimal.Zero, End: decimal.NewNullDecimal(d.Abs().Add(decimal.NewFromInt(1))), UnitPrice: decimal.Zero},
					{Start: d.Abs().Add(decimal.NewFromInt(1)), UnitPrice: decimal.Zero}}), "tiers[0].end"},
				{"package size", plan.TierPlan{Pricing: plan.Package, PackageSize: d.Abs(), Tiers: []plan.Tier{{UnitPrice: decimal.Zero}}}.Validate(), "package_size"},
				{"fee", plan.FixedFee{Amount: d}.Validate(), "amount"},
				{"discount", modifier.Discount{Amount: decimal.NewNullDecimal(d)}.Validate(), "amount"},
				{"threshold", modifier.Discount{Percentage: decimal.NewNullDecimal(decimal.NewFromInt(5)), Threshold: decimal.NewNullDecimal(d)}.Validate(), "threshold"},
				{"minimum", modifier.Minimum{Amount: d}.Validate(), "amount"},
				{"credit", modifier.Credit{Amount: d}.Validate(), "amount"},
				{"event", usage.Event{ContractID: uuid.New(), Date: date.New(2024, 1, 1), Quantity: d}.Validate(), "quantity"},
			}
			for _, c := range checks {
				require.ErrorIs(t, c.err, pricekit.ErrInvalidInput, c.what)
				found := false
				for _, e := range flat(c.err) {
					found = found || e.Field == c.field
				}
				assert.True(t, found, "%s: no problem at %s in %v", c.what, c.field, c.err)
			}

			// Through a store and through rating: refused, nothing kept.
			st := memory.New()
			org := uuid.New()
			objs, parent, pc := tree(decimal.NewFromInt(1))
			objs.FixedFees[0].Amount = d
			_, err := st.Save(ctx, org, store.Batch{Objects: objs})
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			all, err := st.List(ctx, org)
			require.NoError(t, err)
			assert.Zero(t, all.Len())
			_, err = rating.Rate(rating.Input{Objects: objs, Contract: parent})
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)

			good, parent, pc := tree(decimal.NewFromInt(1))
			_, err = st.Save(ctx, org, store.Batch{Objects: good})
			require.NoError(t, err)
			ev := []usage.Event{{ID: "e", ContractID: pc, Date: date.New(2024, 1, 2), Quantity: d}}
			_, err = st.Ingest(ctx, org, ev)
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			_, err = billing.Simulate(ctx, st, org, parent, ev, 0, 0)
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			stored, err := billing.Rate(ctx, st, org, parent, 0, 0)
			require.NoError(t, err)
			assert.Equal(t, "30.00", stored[0].Total.StringFixed(2), "the refused event counts for nothing")
		})
	}
}

// TestExtremeDecimalsNeverPanic: the arithmetic of the exported API takes
// any decimal without panicking, even beyond what validation accepts.
func TestExtremeDecimalsNeverPanic(t *testing.T) {
	pr, err := plan.TierPlan{Pricing: plan.Graduated, Tiers: []plan.Tier{
		{Start: decimal.Zero, End: decimal.NewNullDecimal(decimal.NewFromInt(10)), UnitPrice: decimal.NewFromInt(2), FlatFee: decimal.NewFromInt(1)},
		{Start: decimal.NewFromInt(10), UnitPrice: decimal.RequireFromString("0.5")},
	}}.Pricer()
	require.NoError(t, err)
	volume, err := plan.TierPlan{Pricing: plan.Volume, Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: decimal.NewFromInt(3)}}}.Pricer()
	require.NoError(t, err)
	pkg, err := plan.TierPlan{Pricing: plan.Package, PackageSize: decimal.NewFromInt(7), Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: decimal.NewFromInt(3)}}}.Pricer()
	require.NoError(t, err)
	rounding := plan.QuantityRounding{Increment: decimal.RequireFromString("0.5"), Mode: plan.RoundUp}
	off := modifier.Discount{Percentage: decimal.NewNullDecimal(decimal.NewFromInt(10)), Threshold: decimal.NewNullDecimal(decimal.NewFromInt(1))}
	partial := schedule.Period{Start: date.New(2024, 1, 10), End: date.New(2024, 2, 1), FullStart: date.New(2024, 1, 1), FullEnd: date.New(2024, 2, 1)}
	for name, d := range extreme {
		t.Run(name, func(t *testing.T) {
			assert.NotPanics(t, func() {
				q := d.Abs()
				for _, p := range []*plan.Pricer{pr, volume, pkg} {
					p.Amount(q)
					p.Explain(q, 2)
				}
				rounding.Apply(q)
				off.Apply(d)
				partial.Prorate(d, 2)
				var tot usagelog.Total
				tot.Add(q, date.New(2024, 1, 1))
				tot.Add(decimal.NewFromInt(1), date.New(2024, 1, 2))
				_ = tot.Aggregates()
				s := rating.Statement{Currency: "JPY", Total: d, Lines: []rating.Line{{Kind: rating.KindUsage, Quantity: q, Amount: d}}}
				_, _ = json.Marshal(s)
				_, _ = json.Marshal(usage.Event{Quantity: d, Timestamp: time.Unix(0, 0)})
			})
		})
	}
}

// tree is a parent contract of January 2024 with a 30.00 fee and a
// product at price a unit; it returns the documents, the parent and the
// product contract.
func tree(price decimal.Decimal) (contract.Objects, uuid.UUID, uuid.UUID) {
	jan1 := date.New(2024, 1, 1)
	p := plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated, Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: price}}}
	pc := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: p.ID, Dates: contract.Dates{Start: jan1}}
	fee := plan.FixedFee{ID: uuid.New(), Amount: decimal.NewFromInt(30)}
	parent := contract.ParentContract{SubContract: contract.SubContract{ID: uuid.New(),
		Dates: contract.Dates{Start: jan1, End: date.New(2024, 1, 31)}, ProductContracts: []uuid.UUID{pc.ID}, FixedFees: []uuid.UUID{fee.ID}}}
	return contract.Objects{Plans: []plan.TierPlan{p}, ProductContracts: []contract.ProductContract{pc},
		FixedFees: []plan.FixedFee{fee}, ParentContracts: []contract.ParentContract{parent}}, parent.ID, pc.ID
}

func flat(err error) []*pricekit.Error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*pricekit.Error
		for _, e := range j.Unwrap() {
			out = append(out, flat(e)...)
		}
		return out
	}
	if e, ok := err.(*pricekit.Error); ok {
		return []*pricekit.Error{e}
	}
	return nil
}
