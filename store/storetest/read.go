package storetest

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
)

func readTests() []test {
	return []test{
		{"Get/order asked", testGetOrder},
		{"Get/missing id", testGetMissing},
		{"Get/other kind", testGetOtherKind},
		{"Get/one missing of several", testGetOneMissing},
		{"List/empty", testListEmpty},
		{"List/first-save order", testListOrder},
		{"List/kinds", testListKinds},
		{"ParentContracts", testParentContracts},
	}
}

func testGetOrder(t *testing.T, s store.Store) {
	org := uuid.New()
	a := modifier.Minimum{ID: uuid.New(), Amount: dec("1")}
	b := modifier.Minimum{ID: uuid.New(), Amount: dec("2")}
	c := modifier.Minimum{ID: uuid.New(), Amount: dec("3")}
	save(t, s, org, contract.Objects{Minimums: []modifier.Minimum{a, b, c}})
	got, err := s.Get(t.Context(), org, contract.KindMinimum, c.ID, a.ID, b.ID)
	require.NoError(t, err)
	assertSame(t, contract.Objects{Minimums: []modifier.Minimum{c, a, b}}, got)
}

func testGetMissing(t *testing.T, s store.Store) {
	org := uuid.New()
	save(t, s, org, newTree(org).objects())
	for _, k := range contract.Kinds() {
		_, err := s.Get(t.Context(), org, k, uuid.New())
		assert.ErrorIs(t, err, store.ErrNotFound, "kind %s", k)
	}
}

func testGetOtherKind(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	for _, c := range []struct {
		kind contract.Kind
		id   uuid.UUID
	}{
		{contract.KindBillingFrequency, tr.plan.ID},
		{contract.KindPlan, tr.freq.ID},
		{contract.KindDiscount, tr.minimum.ID},
		{contract.KindParentContract, tr.sub.ID},
		{contract.KindSubContract, tr.parent.ID},
		{contract.KindProductContract, tr.sub.ID},
		{contract.KindCustomer, tr.parent.ID},
	} {
		_, err := s.Get(t.Context(), org, c.kind, c.id)
		assert.ErrorIs(t, err, store.ErrNotFound, "%s asked as %s", c.id, c.kind)
	}
}

func testGetOneMissing(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	_, err := s.Get(t.Context(), org, contract.KindPlan, tr.plan.ID, uuid.New())
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testListEmpty(t *testing.T, s store.Store) {
	all, err := s.List(t.Context(), uuid.New())
	require.NoError(t, err)
	assert.Zero(t, all.Len())
	plans, err := s.List(t.Context(), uuid.New(), contract.KindPlan)
	require.NoError(t, err)
	assert.Zero(t, plans.Len())
}

// testListOrder checks that List returns documents in the order they were
// first saved: a replacement keeps its place.
func testListOrder(t *testing.T, s store.Store) {
	org := uuid.New()
	m := func(amount string) modifier.Minimum { return modifier.Minimum{ID: uuid.New(), Amount: dec(amount)} }
	a, b, c, d := m("1"), m("2"), m("3"), m("4")
	save(t, s, org, contract.Objects{Minimums: []modifier.Minimum{b, a}})
	save(t, s, org, contract.Objects{Minimums: []modifier.Minimum{c}})
	b.Amount = dec("20")
	save(t, s, org, contract.Objects{Minimums: []modifier.Minimum{d, b}})

	got, err := s.List(t.Context(), org, contract.KindMinimum)
	require.NoError(t, err)
	assertSame(t, contract.Objects{Minimums: []modifier.Minimum{b, a, c, d}}, got)
}

func testListKinds(t *testing.T, s store.Store) {
	org := uuid.New()
	first, second := newTree(org), newTree(org)
	save(t, s, org, first.objects())
	save(t, s, org, second.objects())

	all, err := s.List(t.Context(), org)
	require.NoError(t, err)
	want := first.objects()
	for _, k := range contract.Kinds() {
		assert.Equal(t, append(idsOfKind(first.objects(), k), idsOfKind(second.objects(), k)...), idsOfKind(all, k),
			"kind %s", k)
	}
	for _, k := range contract.Kinds() {
		got, err := s.List(t.Context(), org, k)
		require.NoError(t, err)
		assert.Equal(t, len(idsOfKind(want, k))*2, got.Len(), "List(%s) returned other kinds", k)
		assert.Equal(t, idsOfKind(all, k), idsOfKind(got, k), "kind %s", k)
	}
	got, err := s.List(t.Context(), org, contract.KindPlan, contract.KindCredit)
	require.NoError(t, err)
	assertSame(t, contract.Objects{
		Plans:   []plan.TierPlan{first.plan, second.plan},
		Credits: []modifier.Credit{first.credit, second.credit},
	}, got)
}

func testParentContracts(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	second := tr.parent
	second.ID = uuid.New()
	second.DisplayName = "acme 2025"
	otherCustomer := contract.Customer{ID: uuid.New(), OrganizationID: org}
	other := tr.parent
	other.ID, other.CustomerID = uuid.New(), otherCustomer.ID
	save(t, s, org, contract.Objects{
		Customers:       []contract.Customer{otherCustomer},
		ParentContracts: []contract.ParentContract{second, other},
	})

	got, err := s.ParentContracts(t.Context(), org, tr.customer.ID)
	require.NoError(t, err)
	var ids []uuid.UUID
	for _, p := range got {
		ids = append(ids, p.ID)
		assert.Equal(t, tr.customer.ID, p.CustomerID)
	}
	assert.ElementsMatch(t, []uuid.UUID{tr.parent.ID, second.ID}, ids)
	for _, p := range got {
		if p.ID == second.ID {
			assertSame(t, contract.Objects{ParentContracts: []contract.ParentContract{second}},
				contract.Objects{ParentContracts: []contract.ParentContract{p}})
		}
	}

	got, err = s.ParentContracts(t.Context(), org, otherCustomer.ID)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, other.ID, got[0].ID)

	got, err = s.ParentContracts(t.Context(), org, uuid.New())
	require.NoError(t, err)
	assert.Empty(t, got)
}
