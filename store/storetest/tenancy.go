package storetest

import (
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

func organizationTests() []test {
	return []test{
		{"isolated", testIsolated},
		{"empty organization_id claimed", testClaimed},
		{"foreign parent contract refused", testForeignParent},
		{"foreign customer refused", testForeignCustomer},
		{"references stay inside", testReferencesInside},
		{"same id in two organizations", testSameIDTwoOrgs},
	}
}

// testIsolated checks that another organization sees none of org's
// documents or usage.
func testIsolated(t *testing.T, s store.Store) {
	org, other := uuid.New(), uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	_, err := s.Ingest(t.Context(), org, []usage.Event{event("u1", tr.product.ID, "2024-02-01", "5")})
	require.NoError(t, err)
	save(t, s, other, newTree(other).objects())

	for _, k := range contract.Kinds() {
		for _, id := range idsOfKind(tr.objects(), k) {
			_, err := s.Get(t.Context(), other, k, id)
			assert.ErrorIs(t, err, store.ErrNotFound, "%s %s", k, id)
			_, err = s.Version(t.Context(), other, id)
			assert.ErrorIs(t, err, store.ErrNotFound, "version of %s %s", k, id)
		}
	}
	all, err := s.List(t.Context(), other)
	require.NoError(t, err)
	for _, id := range idsOf(tr.objects()) {
		assert.NotContains(t, idsOf(all), id)
	}
	parents, err := s.ParentContracts(t.Context(), other, tr.customer.ID)
	require.NoError(t, err)
	assert.Empty(t, parents)
	_, err = store.Resolve(t.Context(), s, other, tr.parent.ID)
	assert.ErrorIs(t, err, store.ErrNotFound)
	events, err := s.Usage(t.Context(), other, []uuid.UUID{tr.product.ID}, day("2024-01-01"), day("2024-12-31"))
	require.NoError(t, err)
	assert.Empty(t, events)
	_, err = s.Ingest(t.Context(), other, []usage.Event{event("u2", tr.product.ID, "2024-02-01", "5")})
	assert.ErrorIs(t, err, store.ErrUsageOutOfContract, "usage for another organization's contract")

	mine, err := s.List(t.Context(), org)
	require.NoError(t, err)
	assertSame(t, tr.objects(), mine)
}

func testClaimed(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	o := tr.objects()
	o.Customers[0].OrganizationID = uuid.Nil
	o.ParentContracts[0].OrganizationID = uuid.Nil
	got := save(t, s, org, o)
	assert.Equal(t, org, got.Customers[0].OrganizationID)
	assert.Equal(t, org, got.ParentContracts[0].OrganizationID)
	stored, err := s.List(t.Context(), org, contract.KindCustomer, contract.KindParentContract)
	require.NoError(t, err)
	require.Len(t, stored.Customers, 1)
	require.Len(t, stored.ParentContracts, 1)
	assert.Equal(t, org, stored.Customers[0].OrganizationID)
	assert.Equal(t, org, stored.ParentContracts[0].OrganizationID)
}

func testForeignParent(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	o := tr.objects()
	o.ParentContracts[0].OrganizationID = uuid.New()
	before := take(t, s, org)
	_, err := s.Save(t.Context(), org, store.Batch{Objects: o})
	require.ErrorIs(t, err, store.ErrInvalidInput)
	assert.Contains(t, fields(err), "parent_contracts[0].organization_id")
	unchanged(t, s, org, before)
}

func testForeignCustomer(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	o := tr.objects()
	o.Customers[0].OrganizationID = uuid.New()
	before := take(t, s, org)
	_, err := s.Save(t.Context(), org, store.Batch{Objects: o})
	require.ErrorIs(t, err, store.ErrInvalidInput)
	assert.Contains(t, fields(err), "customers[0].organization_id")
	unchanged(t, s, org, before)
}

// testReferencesInside checks that a document cannot reference another
// organization's documents.
func testReferencesInside(t *testing.T, s store.Store) {
	org, other := uuid.New(), uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	theirs := sub()
	theirs.FixedFees = []uuid.UUID{tr.fee.ID}
	_, err := s.Save(t.Context(), other, store.Batch{Objects: contract.Objects{SubContracts: []contract.SubContract{theirs}}})
	require.ErrorIs(t, err, store.ErrUnknownReference)
	assert.Contains(t, fields(err), "sub_contracts[0].fixed_fees[0]")
}

// testSameIDTwoOrgs checks that a save in one organization never changes
// another's document, even under the same id. A back end may keep both
// (ids are per organization) or refuse the second with ErrConflict or
// ErrInvalidInput (ids are global).
func testSameIDTwoOrgs(t *testing.T, s store.Store) {
	org, other := uuid.New(), uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	before := take(t, s, org)

	p := tr.plan
	p.DisplayName = "theirs"
	p.Tiers = []plan.Tier{{Start: dec("0"), UnitPrice: dec("9")}}
	_, err := s.Save(t.Context(), other, store.Batch{Objects: contract.Objects{Plans: []plan.TierPlan{p}}})
	switch {
	case err == nil:
		got, err := s.Get(t.Context(), other, contract.KindPlan, p.ID)
		require.NoError(t, err)
		assertSame(t, contract.Objects{Plans: []plan.TierPlan{p}}, got)
		v, err := s.Version(t.Context(), other, p.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(1), v)
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrInvalidInput):
	default:
		t.Fatalf("saving another organization's id: %v (want success, conflict or invalid_input)", err)
	}
	unchanged(t, s, org, before)
	_, err = s.Save(t.Context(), other, store.Batch{Objects: contract.Objects{
		Minimums: []modifier.Minimum{{ID: tr.discount.ID, Amount: dec("1")}},
	}})
	if err != nil {
		assert.True(t, errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrInvalidInput), "got %v", err)
	}
	unchanged(t, s, org, before)
}

func copyTests() []test {
	return []test{
		{"saved input", testCopyIn},
		{"returned by Save", testCopySaveResult},
		{"returned by Get", testCopyGet},
		{"returned by List", testCopyList},
		{"returned by ParentContracts", testCopyParents},
		{"usage", testCopyUsage},
	}
}

// scribble changes every list inside o in place.
func scribble(o contract.Objects) {
	for i := range o.Plans {
		if len(o.Plans[i].Tiers) > 0 {
			o.Plans[i].Tiers[0].UnitPrice = dec("999")
		}
	}
	mess := func(s contract.SubContract) {
		for _, l := range [][]uuid.UUID{s.ProductContracts, s.FixedFees, s.SubContracts, s.Discounts, s.Minimums, s.Credits} {
			for j := range l {
				l[j] = uuid.New()
			}
		}
	}
	for _, s := range o.SubContracts {
		mess(s)
	}
	for _, p := range o.ParentContracts {
		mess(p.SubContract)
	}
	if len(o.Customers) > 0 {
		o.Customers[0].Name = "scribbled"
	}
}

func testCopyIn(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	want := tr.objects().Clone()
	in := tr.objects()
	save(t, s, org, in)
	scribble(in)
	got, err := s.List(t.Context(), org)
	require.NoError(t, err)
	assertSame(t, want, got)
}

func testCopySaveResult(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	out := save(t, s, org, tr.objects())
	scribble(out)
	got, err := s.List(t.Context(), org)
	require.NoError(t, err)
	assertSame(t, tr.objects(), got)
}

func testCopyGet(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	for _, k := range []contract.Kind{contract.KindPlan, contract.KindSubContract, contract.KindParentContract} {
		first, err := s.Get(t.Context(), org, k, idsOfKind(tr.objects(), k)...)
		require.NoError(t, err)
		scribble(first)
		again, err := s.Get(t.Context(), org, k, idsOfKind(tr.objects(), k)...)
		require.NoError(t, err)
		assertSame(t, only(tr.objects(), k), again, "kind %s", k)
	}
	got, err := s.List(t.Context(), org)
	require.NoError(t, err)
	assertSame(t, tr.objects(), got)
}

func testCopyList(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	first, err := s.List(t.Context(), org)
	require.NoError(t, err)
	scribble(first)
	got, err := s.List(t.Context(), org)
	require.NoError(t, err)
	assertSame(t, tr.objects(), got)
}

func testCopyParents(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	parents, err := s.ParentContracts(t.Context(), org, tr.customer.ID)
	require.NoError(t, err)
	scribble(contract.Objects{ParentContracts: parents})
	got, err := s.Get(t.Context(), org, contract.KindParentContract, tr.parent.ID)
	require.NoError(t, err)
	assertSame(t, contract.Objects{ParentContracts: []contract.ParentContract{tr.parent}}, got)
}

func testCopyUsage(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	in := []usage.Event{event("u1", tr.product.ID, "2024-02-01", "5"), event("u2", tr.product.ID, "2024-02-02", "6")}
	want := append([]usage.Event(nil), in...)
	_, err := s.Ingest(t.Context(), org, in)
	require.NoError(t, err)
	in[0].Quantity = dec("500")
	in[1].Date = day("2024-03-01")

	first, err := s.Usage(t.Context(), org, []uuid.UUID{tr.product.ID}, day("2024-01-01"), day("2024-12-31"))
	require.NoError(t, err)
	require.Len(t, first, 2)
	first[0].Quantity = dec("700")
	got, err := s.Usage(t.Context(), org, []uuid.UUID{tr.product.ID}, day("2024-01-01"), day("2024-12-31"))
	require.NoError(t, err)
	assertEvents(t, want, got)
}

func resolveTests() []test {
	return []test{
		{"whole tree", testResolveTree},
		{"sub contract id", testResolveSub},
		{"missing id", testResolveMissing},
	}
}

// testResolveTree checks that Resolve returns the parent and every document
// beneath it, each once, and nothing else.
func testResolveTree(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, newTree(org).objects()) // another tree: not part of the answer

	// A nested sub contract with a second product on the same plan and
	// frequency, and a minimum the tree's sub contract also has.
	product2 := tr.product
	product2.ID, product2.ProductID, product2.BillingFrequency = uuid.New(), uuid.New(), tr.freq.ID
	nested := sub()
	nested.ProductContracts = []uuid.UUID{product2.ID}
	nested.Minimums = []uuid.UUID{tr.minimum.ID}
	o := tr.objects()
	o.ProductContracts = append(o.ProductContracts, product2)
	o.SubContracts = append(o.SubContracts, nested)
	o.ParentContracts[0].SubContracts = []uuid.UUID{tr.sub.ID, nested.ID}
	o.ParentContracts[0].FixedFees = []uuid.UUID{tr.fee.ID}
	save(t, s, org, o)

	got, err := store.Resolve(t.Context(), s, org, tr.parent.ID)
	require.NoError(t, err)
	want := o
	want.Customers = nil // the customer is the host's, not part of the tree
	for _, k := range contract.Kinds() {
		assert.ElementsMatch(t, idsOfKind(want, k), idsOfKind(got, k), "kind %s", k)
	}
	require.Len(t, got.ParentContracts, 1)
	assertSame(t, contract.Objects{ParentContracts: o.ParentContracts}, contract.Objects{ParentContracts: got.ParentContracts})
}

func testResolveSub(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	_, err := store.Resolve(t.Context(), s, org, tr.sub.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = store.Resolve(t.Context(), s, org, tr.product.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testResolveMissing(t *testing.T, s store.Store) {
	_, err := store.Resolve(t.Context(), s, uuid.New(), uuid.New())
	require.ErrorIs(t, err, store.ErrNotFound)
}
