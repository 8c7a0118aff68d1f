package storetest

import (
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/store"
)

func saveTests() []test {
	return []test{
		{"RoundTrip", testRoundTrip},
		{"RoundTripPricingBreadth", testRoundTripPricingBreadth},
		{"ReturnsStored", testReturnsStored},
		{"AssignsIDs", testAssignsIDs},
		{"Replace", testReplace},
		{"ReplacedPlanSeenByContract", testReplacedPlanSeen},
		{"LaterInBatchWins", testLaterInBatchWins},
		{"Versions", testVersions},
		{"IfVersion/stale", testIfVersionStale},
		{"IfVersion/current", testIfVersionCurrent},
		{"IfVersion/zero for new id", testIfVersionNew},
		{"IfVersion/zero for stored id", testIfVersionZeroStored},
		{"IfVersion/missing id", testIfVersionMissing},
		{"EmptyBatch", testEmptyBatch},
		{"AllOrNothing/invalid document", testAllOrNothingInvalid},
		{"AllOrNothing/unknown reference", testAllOrNothingUnknown},
		{"AllOrNothing/replacement refused", testAllOrNothingReplace},
		{"IDNamesOneKind/stored", testIDKindStored},
		{"IDNamesOneKind/in batch", testIDKindBatch},
	}
}

// testRoundTrip saves a document of every kind and reads each back equal.
func testRoundTrip(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	for _, c := range []struct {
		kind contract.Kind
		id   uuid.UUID
		want contract.Objects
	}{
		{contract.KindCustomer, tr.customer.ID, contract.Objects{Customers: []contract.Customer{tr.customer}}},
		{contract.KindFixedFee, tr.fee.ID, contract.Objects{FixedFees: []plan.FixedFee{tr.fee}}},
		{contract.KindPlan, tr.plan.ID, contract.Objects{Plans: []plan.TierPlan{tr.plan}}},
		{contract.KindDiscount, tr.discount.ID, contract.Objects{Discounts: []modifier.Discount{tr.discount}}},
		{contract.KindMinimum, tr.minimum.ID, contract.Objects{Minimums: []modifier.Minimum{tr.minimum}}},
		{contract.KindCredit, tr.credit.ID, contract.Objects{Credits: []modifier.Credit{tr.credit}}},
		{contract.KindBillingFrequency, tr.freq.ID, contract.Objects{BillingFrequencies: []schedule.BillingFrequency{tr.freq}}},
		{contract.KindProductContract, tr.product.ID, contract.Objects{ProductContracts: []contract.ProductContract{tr.product}}},
		{contract.KindSubContract, tr.sub.ID, contract.Objects{SubContracts: []contract.SubContract{tr.sub}}},
		{contract.KindParentContract, tr.parent.ID, contract.Objects{ParentContracts: []contract.ParentContract{tr.parent}}},
	} {
		t.Run(string(c.kind), func(t *testing.T) {
			got, err := s.Get(t.Context(), org, c.kind, c.id)
			require.NoError(t, err)
			assertSame(t, c.want, got)
		})
	}
	t.Run("decimals by value", func(t *testing.T) {
		got, err := s.Get(t.Context(), org, contract.KindPlan, tr.plan.ID)
		require.NoError(t, err)
		require.Len(t, got.Plans, 1)
		require.Len(t, got.Plans[0].Tiers, 2)
		assert.True(t, got.Plans[0].Tiers[0].UnitPrice.Equal(dec("0.1")), "unit price %s", got.Plans[0].Tiers[0].UnitPrice)
		assert.True(t, got.Plans[0].Tiers[0].End.Valid)
		assert.False(t, got.Plans[0].Tiers[1].End.Valid, "unbounded tier came back bounded")
	})
}

// testReturnsStored checks that Save returns the documents as stored.
func testReturnsStored(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	got := save(t, s, org, tr.objects())
	assertSame(t, tr.objects(), got)
}

// testAssignsIDs checks that documents saved without an id get one.
func testAssignsIDs(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	leaves := tr.leaves()
	leaves.Customers[0].ID = uuid.Nil
	leaves.Plans[0].ID = uuid.Nil
	leaves.Minimums[0].ID = uuid.Nil
	got := save(t, s, org, leaves)

	ids := idsOf(got)
	require.Len(t, ids, leaves.Len())
	seen := map[uuid.UUID]bool{}
	for _, id := range ids {
		assert.NotEqual(t, uuid.Nil, id)
		assert.False(t, seen[id], "id %s given twice", id)
		seen[id] = true
	}
	assert.Equal(t, tr.fee.ID, got.FixedFees[0].ID, "an id that was given was changed")

	planID := got.Plans[0].ID
	stored, err := s.Get(t.Context(), org, contract.KindPlan, planID)
	require.NoError(t, err)
	want := tr.plan
	want.ID = planID
	assertSame(t, contract.Objects{Plans: []plan.TierPlan{want}}, stored)
	v, err := s.Version(t.Context(), org, planID)
	require.NoError(t, err)
	assert.Equal(t, int64(1), v)

	// The new id can be referenced by a later save.
	pc := tr.product
	pc.ID = uuid.Nil
	pc.PlanID = planID
	got = save(t, s, org, contract.Objects{ProductContracts: []contract.ProductContract{pc}})
	require.Len(t, got.ProductContracts, 1)
	assert.NotEqual(t, uuid.Nil, got.ProductContracts[0].ID)
	assert.Equal(t, planID, got.ProductContracts[0].PlanID)
}

// testReplace checks that saving an existing id replaces the document.
func testReplace(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())

	fee := tr.fee
	fee.Amount = dec("120.50")
	fee.Period = plan.FeePeriod{Once: true}
	sub := tr.sub
	sub.Discounts = nil
	sub.FixedFees = []uuid.UUID{tr.fee.ID, tr.fee.ID}
	save(t, s, org, contract.Objects{FixedFees: []plan.FixedFee{fee}, SubContracts: []contract.SubContract{sub}})

	got, err := s.Get(t.Context(), org, contract.KindFixedFee, fee.ID)
	require.NoError(t, err)
	assertSame(t, contract.Objects{FixedFees: []plan.FixedFee{fee}}, got)
	got, err = s.Get(t.Context(), org, contract.KindSubContract, sub.ID)
	require.NoError(t, err)
	assertSame(t, contract.Objects{SubContracts: []contract.SubContract{sub}}, got)

	all, err := s.List(t.Context(), org, contract.KindFixedFee)
	require.NoError(t, err)
	assert.Len(t, all.FixedFees, 1, "a replacement is not a second document")
}

// testReplacedPlanSeen checks that a contract referencing a replaced plan
// reads the new version.
func testReplacedPlanSeen(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())

	p := tr.plan
	p.Pricing = plan.Volume
	p.Tiers = []plan.Tier{{Start: dec("0"), UnitPrice: dec("0.07")}}
	save(t, s, org, contract.Objects{Plans: []plan.TierPlan{p}})

	pc, err := s.Get(t.Context(), org, contract.KindProductContract, tr.product.ID)
	require.NoError(t, err)
	require.Len(t, pc.ProductContracts, 1)
	got, err := s.Get(t.Context(), org, contract.KindPlan, pc.ProductContracts[0].PlanID)
	require.NoError(t, err)
	assertSame(t, contract.Objects{Plans: []plan.TierPlan{p}}, got)

	resolved, err := store.Resolve(t.Context(), s, org, tr.parent.ID)
	require.NoError(t, err)
	assertSame(t, contract.Objects{Plans: []plan.TierPlan{p}}, contract.Objects{Plans: resolved.Plans})
}

// testLaterInBatchWins checks that a later document with the same id in
// one batch replaces an earlier one, and counts as one save.
func testLaterInBatchWins(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	first, second := tr.minimum, tr.minimum
	second.Amount = dec("40")
	save(t, s, org, contract.Objects{Minimums: []modifier.Minimum{first, second}})

	got, err := s.Get(t.Context(), org, contract.KindMinimum, tr.minimum.ID)
	require.NoError(t, err)
	assertSame(t, contract.Objects{Minimums: []modifier.Minimum{second}}, got)
	v, err := s.Version(t.Context(), org, tr.minimum.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(1), v)
}

// testVersions checks that a version starts at 1 and goes up by one per save.
func testVersions(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	_, err := s.Version(t.Context(), org, tr.credit.ID)
	require.ErrorIs(t, err, store.ErrNotFound)

	save(t, s, org, tr.objects())
	for _, id := range idsOf(tr.objects()) {
		v, err := s.Version(t.Context(), org, id)
		require.NoError(t, err)
		assert.Equal(t, int64(1), v, "document %s", id)
	}
	for want := int64(2); want <= 4; want++ {
		c := tr.credit
		c.Priority = int(want)
		save(t, s, org, contract.Objects{Credits: []modifier.Credit{c}})
		v, err := s.Version(t.Context(), org, c.ID)
		require.NoError(t, err)
		assert.Equal(t, want, v)
	}
	v, err := s.Version(t.Context(), org, tr.fee.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(1), v, "saving one document changed the version of another")
}

func testIfVersionStale(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	m := tr.minimum
	m.Amount = dec("30")
	save(t, s, org, contract.Objects{Minimums: []modifier.Minimum{m}}) // version 2
	before := take(t, s, org)

	m.Amount = dec("99")
	other := modifier.Minimum{ID: uuid.New(), Amount: dec("1")}
	_, err := s.Save(t.Context(), org, store.Batch{
		Objects:   contract.Objects{Minimums: []modifier.Minimum{m, other}},
		IfVersion: map[uuid.UUID]int64{m.ID: 1},
	})
	require.ErrorIs(t, err, store.ErrConflict)
	unchanged(t, s, org, before)
	_, err = s.Version(t.Context(), org, other.ID)
	require.ErrorIs(t, err, store.ErrNotFound, "a refused batch wrote its other documents")
}

func testIfVersionCurrent(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	m := tr.minimum
	m.Amount = dec("30")
	_, err := s.Save(t.Context(), org, store.Batch{
		Objects:   contract.Objects{Minimums: []modifier.Minimum{m}},
		IfVersion: map[uuid.UUID]int64{m.ID: 1, tr.fee.ID: 1},
	})
	require.NoError(t, err)
	got, err := s.Get(t.Context(), org, contract.KindMinimum, m.ID)
	require.NoError(t, err)
	assertSame(t, contract.Objects{Minimums: []modifier.Minimum{m}}, got)
	v, err := s.Version(t.Context(), org, m.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(2), v)
}

func testIfVersionNew(t *testing.T, s store.Store) {
	org := uuid.New()
	m := modifier.Minimum{ID: uuid.New(), Amount: dec("10")}
	_, err := s.Save(t.Context(), org, store.Batch{
		Objects:   contract.Objects{Minimums: []modifier.Minimum{m}},
		IfVersion: map[uuid.UUID]int64{m.ID: 0},
	})
	require.NoError(t, err)
	v, err := s.Version(t.Context(), org, m.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(1), v)
}

func testIfVersionZeroStored(t *testing.T, s store.Store) {
	org := uuid.New()
	m := modifier.Minimum{ID: uuid.New(), Amount: dec("10")}
	save(t, s, org, contract.Objects{Minimums: []modifier.Minimum{m}})
	before := take(t, s, org)
	m.Amount = dec("20")
	_, err := s.Save(t.Context(), org, store.Batch{
		Objects:   contract.Objects{Minimums: []modifier.Minimum{m}},
		IfVersion: map[uuid.UUID]int64{m.ID: 0},
	})
	require.ErrorIs(t, err, store.ErrConflict, "version 0 means not stored yet")
	unchanged(t, s, org, before)
}

func testIfVersionMissing(t *testing.T, s store.Store) {
	org := uuid.New()
	m := modifier.Minimum{ID: uuid.New(), Amount: dec("10")}
	_, err := s.Save(t.Context(), org, store.Batch{
		Objects:   contract.Objects{Minimums: []modifier.Minimum{m}},
		IfVersion: map[uuid.UUID]int64{m.ID: 3},
	})
	require.ErrorIs(t, err, store.ErrConflict)
	_, err = s.Version(t.Context(), org, m.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testEmptyBatch(t *testing.T, s store.Store) {
	org := uuid.New()
	_, err := s.Save(t.Context(), org, store.Batch{})
	require.ErrorIs(t, err, store.ErrMissingInput)
	_, err = s.Save(t.Context(), org, store.Batch{IfVersion: map[uuid.UUID]int64{uuid.New(): 0}})
	require.ErrorIs(t, err, store.ErrMissingInput, "preconditions alone are nothing to save")
	all, err := s.List(t.Context(), org)
	require.NoError(t, err)
	assert.Zero(t, all.Len())
}

func testAllOrNothingInvalid(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	bad := tr.objects()
	bad.FixedFees[0].Amount = dec("-1")
	before := take(t, s, org)
	_, err := s.Save(t.Context(), org, store.Batch{Objects: bad})
	require.ErrorIs(t, err, store.ErrInvalidInput)
	assert.Contains(t, fields(err), "fixed_fees[0].amount")
	unchanged(t, s, org, before)
	assert.Zero(t, before.docs.Len())
}

func testAllOrNothingUnknown(t *testing.T, s store.Store) {
	org := uuid.New()
	save(t, s, org, newTree(org).objects())
	before := take(t, s, org)

	tr := newTree(org)
	bad := tr.objects()
	bad.SubContracts[0].Minimums = append(bad.SubContracts[0].Minimums, uuid.New())
	_, err := s.Save(t.Context(), org, store.Batch{Objects: bad})
	require.ErrorIs(t, err, store.ErrUnknownReference)
	assert.Contains(t, fields(err), "sub_contracts[0].minimums[1]")
	unchanged(t, s, org, before)
	for _, id := range idsOf(bad) {
		_, err := s.Version(t.Context(), org, id)
		assert.ErrorIs(t, err, store.ErrNotFound, "document %s of a refused batch was written", id)
	}
}

func testAllOrNothingReplace(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	before := take(t, s, org)

	p := tr.plan
	p.DisplayName = "renamed"
	bad := contract.Objects{
		Plans:    []plan.TierPlan{p},
		Credits:  []modifier.Credit{{ID: uuid.New(), Amount: dec("5")}},
		Minimums: []modifier.Minimum{{ID: tr.minimum.ID, Amount: dec("-5")}},
	}
	_, err := s.Save(t.Context(), org, store.Batch{Objects: bad})
	require.ErrorIs(t, err, store.ErrInvalidInput)
	assert.Contains(t, fields(err), "minimums[0].amount")
	unchanged(t, s, org, before)
}

// testIDKindStored checks that an id keeps its kind: saving a document of
// another kind under a stored id is refused.
func testIDKindStored(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	before := take(t, s, org)
	_, err := s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{
		Minimums: []modifier.Minimum{{ID: tr.plan.ID, Amount: dec("1")}},
	}})
	require.ErrorIs(t, err, store.ErrInvalidInput)
	unchanged(t, s, org, before)
}

func testIDKindBatch(t *testing.T, s store.Store) {
	org := uuid.New()
	id := uuid.New()
	_, err := s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{
		Minimums: []modifier.Minimum{{ID: id, Amount: dec("1")}},
		Credits:  []modifier.Credit{{ID: id, Amount: dec("1")}},
	}})
	require.ErrorIs(t, err, store.ErrInvalidInput)
	_, err = s.Version(t.Context(), org, id)
	require.ErrorIs(t, err, store.ErrNotFound)
}

// testRoundTripPricingBreadth checks that every field of the pricing
// documents comes back as saved: plan bounds and free units, percentage
// plans, discounts with a duration, term commitments, maximums, recurring
// credits with rollover, and the maximums a contract lists.
func testRoundTripPricingBreadth(t *testing.T, s store.Store) {
	org := uuid.New()
	bounded := plan.TierPlan{ID: uuid.New(), DisplayName: "units", Pricing: plan.Graduated,
		Tiers: []plan.Tier{{Start: dec("0"), UnitPrice: dec("1.00")}}, FreeQuantity: dec("50"),
		Minimum: decimal.NewNullDecimal(dec("5.00")), Maximum: decimal.NewNullDecimal(dec("500"))}
	card := plan.TierPlan{ID: uuid.New(), DisplayName: "card", Pricing: plan.Percentage, Rate: dec("1.3"),
		EventFee: dec("0.30"), FreeEvents: 10, EventMinimum: decimal.NewNullDecimal(dec("0.50")),
		EventMaximum: decimal.NewNullDecimal(dec("10"))}
	coupon := modifier.Discount{ID: uuid.New(), Amount: decimal.NewNullDecimal(dec("20")), Duration: 2,
		StartDate: day("2024-02-15")}
	commitment := modifier.Minimum{ID: uuid.New(), Amount: dec("1200"), Period: schedule.Every{N: 1, Unit: schedule.Year}}
	cap := modifier.Maximum{ID: uuid.New(), Amount: dec("150"), EffectiveFrom: day("2024-03-01")}
	included := modifier.Credit{ID: uuid.New(), Amount: dec("30"), Priority: 50,
		Recurrence: schedule.Every{N: 1, Unit: schedule.Month}, Rollover: dec("0.5")}
	units := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: bounded.ID,
		Dates: contract.Dates{Start: day("2024-01-01")}}
	payments := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: card.ID,
		Dates: contract.Dates{Start: day("2024-01-01")}}
	parent := contract.ParentContract{SubContract: contract.SubContract{ID: uuid.New(),
		Dates: contract.Dates{Start: day("2024-01-01")}, ProductContracts: []uuid.UUID{units.ID, payments.ID},
		Discounts: []uuid.UUID{coupon.ID}, Minimums: []uuid.UUID{commitment.ID}, Maximums: []uuid.UUID{cap.ID},
		Credits: []uuid.UUID{included.ID}}}
	objs := contract.Objects{Plans: []plan.TierPlan{bounded, card}, Discounts: []modifier.Discount{coupon},
		Minimums: []modifier.Minimum{commitment}, Maximums: []modifier.Maximum{cap}, Credits: []modifier.Credit{included},
		ProductContracts: []contract.ProductContract{units, payments}, ParentContracts: []contract.ParentContract{parent}}
	save(t, s, org, objs)
	got, err := store.Resolve(t.Context(), s, org, parent.ID)
	require.NoError(t, err)
	want := objs.Clone()
	want.ParentContracts[0].OrganizationID = org
	assertSame(t, only(want, contract.KindPlan), only(got, contract.KindPlan))
	for _, k := range []contract.Kind{contract.KindDiscount, contract.KindMinimum, contract.KindMaximum, contract.KindCredit,
		contract.KindProductContract, contract.KindParentContract} {
		assertSame(t, only(want, k), only(got, k), "%s", k)
	}
}
