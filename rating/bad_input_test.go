package rating_test

import (
	"errors"
	"testing"
	"time"

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

// refusals returns every *pricekit.Error in err, in order.
func refusals(err error) []*pricekit.Error { return pricekit.All(err) }

func fields(err error) []string {
	var out []string
	for _, e := range refusals(err) {
		out = append(out, e.Field)
	}
	return out
}

// fullTree is a parent contract referencing one document of every kind,
// directly and through a sub contract.
type fullTree struct {
	b                               *bundle
	parent, sub                     uuid.UUID
	pc, subPC                       contract.ProductContract
	plan, freq, fee, off, min, cred uuid.UUID
}

func newFullTree() *fullTree {
	b := &bundle{}
	f := &fullTree{b: b}
	f.plan = b.perUnit("1")
	f.freq = b.freq(schedule.BillingFrequency{Unit: schedule.Month})
	f.fee = b.fee("10", "")
	f.off = b.percentOff("10", "")
	f.min = b.minimum("5")
	f.cred = b.credit(modifier.Credit{Amount: dec("20")})
	f.pc = b.product(f.plan, "2024-01-01", "2024-12-31", f.freq)
	f.subPC = b.product(f.plan, "2024-01-01", "2024-06-30", uuid.Nil)
	f.sub = b.sub(contract.SubContract{BillingFrequency: f.freq, Dates: dates("2024-01-01", "2024-06-30"),
		ProductContracts: ids(f.subPC.ID), FixedFees: ids(f.fee), Discounts: ids(f.off), Minimums: ids(f.min),
		Credits: ids(f.cred)})
	f.parent = b.parent(contract.ParentContract{SubContract: contract.SubContract{BillingFrequency: f.freq,
		Dates: dates("2024-01-01", "2024-12-31"), ProductContracts: ids(f.pc.ID), FixedFees: ids(f.fee),
		SubContracts: ids(f.sub), Discounts: ids(f.off), Minimums: ids(f.min), Credits: ids(f.cred)}})
	return f
}

func (f *fullTree) rate(events ...usage.Event) ([]rating.Statement, error) {
	return rating.Rate(rating.Input{Objects: f.b.Objects, Contract: f.parent, Usage: events,
		From: day("2024-01-01"), To: day("2024-03-31")})
}

func TestFullTreeRates(t *testing.T) {
	f := newFullTree()
	stmts, err := f.rate(on(f.pc, "2024-01-05", "3"), on(f.subPC, "2024-01-06", "4"))
	require.NoError(t, err)
	require.Len(t, stmts, 3)
}

func TestRateNotFound(t *testing.T) {
	f := newFullTree()
	for name, id := range map[string]uuid.UUID{
		"unknown id":       uuid.MustParse("11111111-1111-4111-8111-111111111111"),
		"nil id":           uuid.Nil,
		"sub contract":     f.sub,
		"product contract": f.pc.ID,
		"a plan":           f.plan,
	} {
		t.Run(name, func(t *testing.T) {
			stmts, err := rating.Rate(rating.Input{Objects: f.b.Objects, Contract: id, To: day("2024-01-31")})
			require.ErrorIs(t, err, pricekit.ErrNotFound)
			assert.Nil(t, stmts)
		})
	}
}

func TestRateUnknownReference(t *testing.T) {
	missing := uuid.MustParse("22222222-2222-4222-8222-222222222222")
	tests := []struct {
		name  string
		edit  func(f *fullTree)
		field string
	}{
		{"parent billing_frequency", func(f *fullTree) { f.b.ParentContracts[0].BillingFrequency = missing },
			"parent_contracts.billing_frequency"},
		{"parent product contract", func(f *fullTree) { f.b.ParentContracts[0].ProductContracts[0] = missing },
			"parent_contracts.product_contracts[0]"},
		{"parent fixed fee", func(f *fullTree) { f.b.ParentContracts[0].FixedFees[0] = missing },
			"parent_contracts.fixed_fees[0]"},
		{"parent sub contract", func(f *fullTree) { f.b.ParentContracts[0].SubContracts[0] = missing },
			"parent_contracts.sub_contracts[0]"},
		{"parent discount", func(f *fullTree) { f.b.ParentContracts[0].Discounts[0] = missing },
			"parent_contracts.discounts[0]"},
		{"parent minimum", func(f *fullTree) { f.b.ParentContracts[0].Minimums[0] = missing },
			"parent_contracts.minimums[0]"},
		{"parent credit", func(f *fullTree) { f.b.ParentContracts[0].Credits[0] = missing },
			"parent_contracts.credits[0]"},
		{"product contract's plan", func(f *fullTree) { f.b.ProductContracts[0].PlanID = missing },
			"parent_contracts.product_contracts[0].tiers"},
		{"product contract's billing frequency", func(f *fullTree) { f.b.ProductContracts[0].BillingFrequency = missing },
			"parent_contracts.product_contracts[0].billing_frequency"},
		{"sub contract's billing frequency", func(f *fullTree) { f.b.SubContracts[0].BillingFrequency = missing },
			"parent_contracts.sub_contracts[0].billing_frequency"},
		{"sub contract's product contract", func(f *fullTree) { f.b.SubContracts[0].ProductContracts[0] = missing },
			"parent_contracts.sub_contracts[0].product_contracts[0]"},
		{"sub contract's credit", func(f *fullTree) { f.b.SubContracts[0].Credits[0] = missing },
			"parent_contracts.sub_contracts[0].credits[0]"},
		{"an id of the wrong kind", func(f *fullTree) { f.b.ParentContracts[0].Discounts[0] = f.min },
			"parent_contracts.discounts[0]"},
		{"under override_underlying", func(f *fullTree) {
			f.b.ParentContracts[0].OverrideUnderlying = true
			f.b.SubContracts[0].Minimums[0] = missing
		}, "parent_contracts.sub_contracts[0].minimums[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFullTree()
			tt.edit(f)
			stmts, err := f.rate()
			require.ErrorIs(t, err, pricekit.ErrUnknownReference)
			assert.Nil(t, stmts)
			assert.Equal(t, []string{tt.field}, fields(err))
		})
	}

	t.Run("every unknown reference is named", func(t *testing.T) {
		f := newFullTree()
		f.b.ParentContracts[0].FixedFees[0] = missing
		f.b.SubContracts[0].Discounts[0] = missing
		_, err := f.rate()
		require.ErrorIs(t, err, pricekit.ErrUnknownReference)
		assert.Equal(t, []string{"parent_contracts.fixed_fees[0]", "parent_contracts.sub_contracts[0].discounts[0]"}, fields(err))
	})
}

func TestRateCycle(t *testing.T) {
	t.Run("A contains B contains A", func(t *testing.T) {
		b := &bundle{}
		a, bb := b.id(), b.id()
		b.SubContracts = append(b.SubContracts,
			contract.SubContract{ID: a, Dates: dates("2024-01-01", ""), SubContracts: ids(bb)},
			contract.SubContract{ID: bb, Dates: dates("2024-01-01", ""), SubContracts: ids(a)})
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
			Dates: dates("2024-01-01", "2024-12-31"), SubContracts: ids(a)}})
		_, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id})
		require.ErrorIs(t, err, pricekit.ErrCycle)
	})

	t.Run("a contract containing itself", func(t *testing.T) {
		b := &bundle{}
		a := b.id()
		b.SubContracts = append(b.SubContracts, contract.SubContract{ID: a, Dates: dates("2024-01-01", ""), SubContracts: ids(a)})
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
			Dates: dates("2024-01-01", "2024-12-31"), SubContracts: ids(a)}})
		_, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id})
		require.ErrorIs(t, err, pricekit.ErrCycle)
	})

	t.Run("a deep cycle", func(t *testing.T) {
		b := &bundle{}
		chain := make([]uuid.UUID, 200)
		for i := range chain {
			chain[i] = b.id()
		}
		for i, id := range chain {
			b.SubContracts = append(b.SubContracts, contract.SubContract{ID: id, Dates: dates("2024-01-01", ""),
				SubContracts: ids(chain[(i+1)%len(chain)])})
		}
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
			Dates: dates("2024-01-01", "2024-12-31"), SubContracts: ids(chain[0])}})
		_, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id})
		require.ErrorIs(t, err, pricekit.ErrCycle)
	})

	t.Run("the same sub contract twice is not a cycle, but is refused", func(t *testing.T) {
		// Its lines could not be told apart (docs/statements.md identifies a line by
		// its contract and period) and it would be billed twice.
		b := &bundle{}
		fee := b.fee("5", "")
		shared := b.sub(contract.SubContract{Dates: dates("2024-01-01", ""), FixedFees: ids(fee)})
		left := b.sub(contract.SubContract{Dates: dates("2024-01-01", ""), SubContracts: ids(shared)})
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
			Dates: dates("2024-01-01", "2024-12-31"), SubContracts: ids(left, shared)}})
		_, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id, To: day("2024-01-31")})
		require.ErrorIs(t, err, pricekit.ErrInvalidInput)
		assert.NotErrorIs(t, err, pricekit.ErrCycle)
		assert.Contains(t, err.Error(), shared.String()+" appears twice")
	})

	t.Run("the same product contract in two sub contracts is refused", func(t *testing.T) {
		b := &bundle{}
		pc := b.product(b.perUnit("1"), "2024-01-01", "", uuid.Nil)
		left := b.sub(contract.SubContract{Dates: dates("2024-01-01", ""), ProductContracts: ids(pc.ID)})
		right := b.sub(contract.SubContract{Dates: dates("2024-01-01", ""), ProductContracts: ids(pc.ID)})
		id := b.parent(contract.ParentContract{SubContract: contract.SubContract{
			Dates: dates("2024-01-01", "2024-12-31"), SubContracts: ids(left, right)}})
		_, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id, To: day("2024-01-31")})
		require.ErrorIs(t, err, pricekit.ErrInvalidInput)
		assert.Equal(t, []string{"product_contracts"}, fields(err))
		assert.Contains(t, err.Error(), "product contract "+pc.ID.String()+" appears twice")
	})
}

func TestRateInvalidDocuments(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(f *fullTree)
		code  pricekit.Code
		field string
	}{
		{"negative fee", func(f *fullTree) { f.b.FixedFees[0].Amount = dec("-1") }, pricekit.ErrInvalidInput, "fixed_fees[0].amount"},
		{"percentage above 100", func(f *fullTree) { f.b.Discounts[0].Percentage.Decimal = dec("101") },
			pricekit.ErrInvalidInput, "discounts[0].percentage"},
		{"end before start", func(f *fullTree) { f.b.ProductContracts[0].End = day("2023-12-31") },
			pricekit.ErrInvalidInput, "product_contracts[0].end_date"},
		{"interval 0", func(f *fullTree) { f.b.BillingFrequencies[0].Interval = 0 },
			pricekit.ErrInvalidInput, "billing_frequencies[0].interval"},
		{"unknown currency", func(f *fullTree) { f.b.ParentContracts[0].Currency = "XXX" },
			pricekit.ErrInvalidInput, "parent_contracts[0].currency"},
		{"unknown time zone", func(f *fullTree) { f.b.ParentContracts[0].TimeZone = "Mars/Olympus" },
			pricekit.ErrInvalidInput, "parent_contracts[0].timezone"},
		{"tiers with a gap", func(f *fullTree) {
			f.b.Plans[0].Tiers = []plan.Tier{tier("0", "10", "1", ""), tier("20", "", "1", "")}
		}, pricekit.ErrInvalidTiers, "tiers[0].tiers[1].start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFullTree()
			tt.edit(f)
			stmts, err := f.rate()
			require.ErrorIs(t, err, tt.code)
			assert.Nil(t, stmts)
			assert.Contains(t, fields(err), tt.field)
		})
	}
}

func TestRateBadUsage(t *testing.T) {
	f := newFullTree()
	// A product contract in the bundle but not in the tree (a draft).
	draft := f.b.product(f.plan, "2024-01-01", "2024-12-31", uuid.Nil)
	ts := time.Date(2024, 1, 5, 12, 0, 0, 0, time.UTC)
	other := uuid.MustParse("33333333-3333-4333-8333-333333333333")

	tests := []struct {
		name  string
		event usage.Event
		code  pricekit.Code
		field string
	}{
		{"negative quantity", on(f.pc, "2024-01-05", "-1"), pricekit.ErrInvalidInput, "usage[1].quantity"},
		{"date and timestamp", usage.Event{ContractID: f.pc.ID, Date: day("2024-01-05"), Timestamp: ts, Quantity: dec("1")},
			pricekit.ErrInvalidInput, "usage[1].timestamp"},
		{"neither date nor timestamp", usage.Event{ContractID: f.pc.ID, Quantity: dec("1")},
			pricekit.ErrInvalidInput, "usage[1].date"},
		{"no contract", usage.Event{Date: day("2024-01-05"), Quantity: dec("1")}, pricekit.ErrInvalidInput, "usage[1].contract_id"},
		{"unknown contract", usage.Event{ContractID: other, Date: day("2024-01-05"), Quantity: dec("1")},
			pricekit.ErrUsageOutOfContract, "usage[1].contract_id"},
		{"a contract outside the tree", on(draft, "2024-01-05", "1"), pricekit.ErrUsageOutOfContract, "usage[1].contract_id"},
		{"a sub contract", usage.Event{ContractID: f.sub, Date: day("2024-01-05"), Quantity: dec("1")},
			pricekit.ErrUsageOutOfContract, "usage[1].contract_id"},
		{"another product", usage.Event{ContractID: f.pc.ID, ProductID: other, Date: day("2024-01-05"), Quantity: dec("1")},
			pricekit.ErrUsageOutOfContract, "usage[1].product_id"},
		{"the day before start", on(f.pc, "2023-12-31", "1"), pricekit.ErrUsageOutOfContract, "usage[1].date"},
		{"the day after end", on(f.subPC, "2024-07-01", "1"), pricekit.ErrUsageOutOfContract, "usage[1].date"},
		{"a timestamp after end", usage.Event{ContractID: f.subPC.ID, Timestamp: time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC),
			Quantity: dec("1")}, pricekit.ErrUsageOutOfContract, "usage[1].timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good := on(f.pc, "2024-01-05", "1")
			stmts, err := f.rate(good, tt.event)
			require.ErrorIs(t, err, tt.code)
			assert.Nil(t, stmts)
			assert.Equal(t, []string{tt.field}, fields(err))
		})
	}

	t.Run("edge days are inside", func(t *testing.T) {
		_, err := f.rate(on(f.pc, "2024-01-01", "1"), on(f.subPC, "2024-06-30", "1"), on(f.pc, "2024-01-05", "0"))
		require.NoError(t, err)
	})
}

func TestRateDuplicateUsage(t *testing.T) {
	f := newFullTree()
	first := on(f.pc, "2024-01-05", "5")
	first.ID = "u1"

	t.Run("same id, another payload", func(t *testing.T) {
		again := first
		again.Quantity = dec("6")
		_, err := f.rate(first, again)
		require.ErrorIs(t, err, pricekit.ErrDuplicateUsage)
		assert.Equal(t, []string{"usage[1].id"}, fields(err))
	})

	t.Run("same payload counts once", func(t *testing.T) {
		again := first
		again.Quantity = dec("5.000") // the same value, spelled otherwise
		stmts, err := f.rate(first, again)
		require.NoError(t, err)
		assertDec(t, "5", stmts[0].Lines[0].Quantity)
	})

	t.Run("events without an id are never duplicates", func(t *testing.T) {
		stmts, err := f.rate(on(f.pc, "2024-01-05", "5"), on(f.pc, "2024-01-05", "5"))
		require.NoError(t, err)
		assertDec(t, "10", stmts[0].Lines[0].Quantity)
	})
}

func TestRateNamesEveryBadEvent(t *testing.T) {
	f := newFullTree()
	dup := on(f.pc, "2024-01-05", "5")
	dup.ID = "u1"
	dup2 := dup
	dup2.Quantity = dec("7")
	events := []usage.Event{
		on(f.pc, "2024-01-05", "1"),
		on(f.pc, "2024-01-05", "-2"), // invalid_input
		on(f.pc, "2025-01-05", "1"),  // usage_out_of_contract
		dup,
		dup2, // duplicate_usage
	}
	stmts, err := f.rate(events...)
	require.ErrorIs(t, err, pricekit.ErrDuplicateUsage)
	assert.Nil(t, stmts)
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
	require.ErrorIs(t, err, pricekit.ErrUsageOutOfContract)
	require.ErrorIs(t, err, pricekit.ErrDuplicateUsage)
	got := refusals(err)
	require.Len(t, got, 3)
	assert.Equal(t, []string{"usage[1].quantity", "usage[2].date", "usage[4].id"}, fields(err))
	var first *pricekit.Error
	require.True(t, errors.As(err, &first))
	assert.Equal(t, pricekit.ErrInvalidInput, first.Code)
	for _, e := range got {
		assert.Contains(t, e.Error(), e.Field, "the message names the field")
	}
}

// TestRateRefusesIDOfTwoKinds: one id names one document, in a bundle
// given to rating as in a store.
func TestRateRefusesIDOfTwoKinds(t *testing.T) {
	b := &bundle{}
	fee := b.fee("10", "")
	b.Minimums = append(b.Minimums, modifier.Minimum{ID: fee, Amount: dec("5")})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-01-31"),
		FixedFees: ids(fee)}})
	_, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id})
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
	assert.Equal(t, []string{"minimums[0].id"}, fields(err))
}

// TestRateDeepTrees: the deepest tree allowed rates; deeper ones and long
// cycles are refused at once, their errors naming the contract at fault
// rather than every level above it.
func TestRateDeepTrees(t *testing.T) {
	build := func(levels int, loop bool) (*bundle, uuid.UUID) {
		b := &bundle{}
		fee := b.fee("1", "")
		chain := make([]uuid.UUID, levels)
		for i := range chain {
			chain[i] = b.id()
		}
		for i, id := range chain {
			s := contract.SubContract{ID: id, Dates: dates("2024-01-01", ""), FixedFees: ids(fee)}
			if i+1 < levels {
				s.SubContracts = ids(chain[i+1])
			} else if loop {
				s.SubContracts = ids(chain[0])
			}
			b.SubContracts = append(b.SubContracts, s)
		}
		return b, b.parent(contract.ParentContract{SubContract: contract.SubContract{
			Dates: dates("2024-01-01", "2024-01-31"), SubContracts: ids(chain[0])}})
	}
	b, id := build(contract.MaxDepth, false)
	stmts := b.rate(t, id, "", "")
	require.Len(t, stmts, 1)
	assertDec(t, "100", stmts[0].Total, "one fee on each of the 100 levels")

	b, id = build(contract.MaxDepth+1, false)
	_, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id})
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)

	for _, loop := range []bool{false, true} {
		b, id = build(100_000, loop)
		_, err = rating.Rate(rating.Input{Objects: b.Objects, Contract: id})
		if loop {
			require.ErrorIs(t, err, pricekit.ErrCycle)
		} else {
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
		}
		assert.Less(t, len(err.Error()), 300, "a short error: %.300s", err)
	}
}
