package storetest

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/store"
)

func referenceTests() []test {
	var tests []test
	for _, c := range []struct {
		name  string
		field string
		edit  func(tr tree, o *contract.Objects) // breaks one reference of o
	}{
		{"sub contract/product_contracts", "sub_contracts[0].product_contracts[1]",
			func(tr tree, o *contract.Objects) {
				o.SubContracts[0].ProductContracts = append(o.SubContracts[0].ProductContracts, uuid.New())
			}},
		{"sub contract/fixed_fees", "sub_contracts[0].fixed_fees[0]",
			func(tr tree, o *contract.Objects) { o.SubContracts[0].FixedFees[0] = uuid.New() }},
		{"sub contract/sub_contracts", "sub_contracts[0].sub_contracts[0]",
			func(tr tree, o *contract.Objects) { o.SubContracts[0].SubContracts = []uuid.UUID{uuid.New()} }},
		{"sub contract/discounts", "sub_contracts[0].discounts[0]",
			func(tr tree, o *contract.Objects) { o.SubContracts[0].Discounts[0] = uuid.New() }},
		{"sub contract/minimums", "sub_contracts[0].minimums[0]",
			func(tr tree, o *contract.Objects) { o.SubContracts[0].Minimums[0] = uuid.New() }},
		{"sub contract/credits", "sub_contracts[0].credits[0]",
			func(tr tree, o *contract.Objects) { o.SubContracts[0].Credits[0] = uuid.New() }},
		{"sub contract/billing_frequency", "sub_contracts[0].billing_frequency",
			func(tr tree, o *contract.Objects) { o.SubContracts[0].BillingFrequency = uuid.New() }},
		{"product contract/tiers", "product_contracts[0].tiers",
			func(tr tree, o *contract.Objects) { o.ProductContracts[0].PlanID = uuid.New() }},
		{"product contract/billing_frequency", "product_contracts[0].billing_frequency",
			func(tr tree, o *contract.Objects) { o.ProductContracts[0].BillingFrequency = uuid.New() }},
		{"parent contract/sub_contracts", "parent_contracts[0].sub_contracts[0]",
			func(tr tree, o *contract.Objects) { o.ParentContracts[0].SubContracts[0] = uuid.New() }},
		{"parent contract/credits", "parent_contracts[0].credits[0]",
			func(tr tree, o *contract.Objects) { o.ParentContracts[0].Credits = []uuid.UUID{uuid.New()} }},
		{"wrong kind/plan as billing frequency", "sub_contracts[0].billing_frequency",
			func(tr tree, o *contract.Objects) { o.SubContracts[0].BillingFrequency = tr.plan.ID }},
		{"wrong kind/fee as discount", "sub_contracts[0].discounts[0]",
			func(tr tree, o *contract.Objects) { o.SubContracts[0].Discounts[0] = tr.fee.ID }},
		{"wrong kind/parent as sub contract", "sub_contracts[0].sub_contracts[0]",
			func(tr tree, o *contract.Objects) {
				o.SubContracts[0].SubContracts = []uuid.UUID{tr.parent.ID}
				o.ParentContracts[0].SubContracts = nil // no loop through the parent
			}},
		{"wrong kind/product contract as plan", "product_contracts[0].tiers",
			func(tr tree, o *contract.Objects) { o.ProductContracts[0].PlanID = tr.product.ID }},
		{"wrong kind/sub contract as product contract", "parent_contracts[0].product_contracts[0]",
			func(tr tree, o *contract.Objects) { o.ParentContracts[0].ProductContracts = []uuid.UUID{tr.sub.ID} }},
	} {
		tests = append(tests, test{c.name, func(t *testing.T, s store.Store) {
			org := uuid.New()
			tr := newTree(org)
			// The leaves are stored first, so references are checked both
			// against the store and against the batch.
			save(t, s, org, tr.leaves())
			before := take(t, s, org)
			o := tr.objects()
			o.Customers, o.FixedFees, o.Minimums = nil, nil, nil
			c.edit(tr, &o)
			_, err := s.Save(t.Context(), org, store.Batch{Objects: o})
			require.ErrorIs(t, err, store.ErrUnknownReference)
			assert.Contains(t, fields(err), c.field)
			unchanged(t, s, org, before)
		}})
	}
	return append(tests,
		test{"every problem named", testEveryReferenceNamed},
		test{"batch references itself", testBatchReferencesItself},
	)
}

// testEveryReferenceNamed checks that one refusal names every unknown
// reference, so a user fixes them all in one pass.
func testEveryReferenceNamed(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	o := tr.objects()
	o.SubContracts[0].Minimums[0] = uuid.New()
	o.SubContracts[0].Credits = append(o.SubContracts[0].Credits, uuid.New())
	o.ProductContracts[0].PlanID = uuid.New()
	_, err := s.Save(t.Context(), org, store.Batch{Objects: o})
	require.ErrorIs(t, err, store.ErrUnknownReference)
	assert.Subset(t, fields(err), []string{"sub_contracts[0].minimums[0]", "sub_contracts[0].credits[1]",
		"product_contracts[0].tiers"})
}

// testBatchReferencesItself checks that documents may reference others of
// the same batch, whatever their order in it.
func testBatchReferencesItself(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	inner := sub()
	outer := sub(inner.ID)
	o := tr.objects()
	o.SubContracts = []contract.SubContract{outer, tr.sub, inner}
	o.ParentContracts[0].SubContracts = []uuid.UUID{outer.ID, tr.sub.ID}
	save(t, s, org, o)
	got, err := s.Get(t.Context(), org, contract.KindSubContract, outer.ID, inner.ID)
	require.NoError(t, err)
	assertSame(t, contract.Objects{SubContracts: []contract.SubContract{outer, inner}}, got)
}

func cycleTests() []test {
	return []test{
		{"self", testCycleSelf},
		{"self on replace", testCycleSelfReplace},
		{"parent contains itself", testCycleParentSelf},
		{"two in one batch", testCycleOneBatch},
		{"two across saves", testCycleAcrossSaves},
		{"three across saves", testCycleThree},
		{"deep chain closed", testCycleDeep},
		{"deeper than 100 levels", testTooDeep},
		{"deeper through a save below", testTooDeepBelow},
		{"a contract twice in one tree", testDiamond},
		{"a product contract twice in one tree", testProductTwice},
		{"one sub contract in two trees", testSharedAcrossTrees},
	}
}

func testCycleSelf(t *testing.T, s store.Store) {
	org := uuid.New()
	a := sub()
	a.SubContracts = []uuid.UUID{a.ID}
	_, err := s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{SubContracts: []contract.SubContract{a}}})
	require.ErrorIs(t, err, store.ErrCycle)
	_, err = s.Version(t.Context(), org, a.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testCycleSelfReplace(t *testing.T, s store.Store) {
	org := uuid.New()
	a := sub()
	save(t, s, org, contract.Objects{SubContracts: []contract.SubContract{a}})
	before := take(t, s, org)
	a.SubContracts = []uuid.UUID{a.ID}
	_, err := s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{SubContracts: []contract.SubContract{a}}})
	require.ErrorIs(t, err, store.ErrCycle)
	unchanged(t, s, org, before)
}

func testCycleParentSelf(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	o := tr.objects()
	o.ParentContracts[0].SubContracts = append(o.ParentContracts[0].SubContracts, tr.parent.ID)
	_, err := s.Save(t.Context(), org, store.Batch{Objects: o})
	require.ErrorIs(t, err, store.ErrCycle)
	_, err = s.Version(t.Context(), org, tr.parent.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testCycleOneBatch(t *testing.T, s store.Store) {
	org := uuid.New()
	a, b := sub(), sub()
	a.SubContracts = []uuid.UUID{b.ID}
	b.SubContracts = []uuid.UUID{a.ID}
	_, err := s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{SubContracts: []contract.SubContract{a, b}}})
	require.ErrorIs(t, err, store.ErrCycle)
	all, err := s.List(t.Context(), org)
	require.NoError(t, err)
	assert.Zero(t, all.Len())
}

func testCycleAcrossSaves(t *testing.T, s store.Store) {
	org := uuid.New()
	b := sub()
	a := sub(b.ID)
	save(t, s, org, contract.Objects{SubContracts: []contract.SubContract{b}})
	save(t, s, org, contract.Objects{SubContracts: []contract.SubContract{a}})
	before := take(t, s, org)
	b.SubContracts = []uuid.UUID{a.ID}
	_, err := s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{SubContracts: []contract.SubContract{b}}})
	require.ErrorIs(t, err, store.ErrCycle)
	unchanged(t, s, org, before)
}

func testCycleThree(t *testing.T, s store.Store) {
	org := uuid.New()
	c := sub()
	b := sub(c.ID)
	a := sub(b.ID)
	save(t, s, org, contract.Objects{SubContracts: []contract.SubContract{c, b, a}})
	tr := newTree(org)
	o := tr.objects()
	o.ParentContracts[0].SubContracts = []uuid.UUID{a.ID}
	save(t, s, org, o)
	before := take(t, s, org)

	c.SubContracts = []uuid.UUID{a.ID}
	_, err := s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{SubContracts: []contract.SubContract{c}}})
	require.ErrorIs(t, err, store.ErrCycle)
	unchanged(t, s, org, before)
	_, err = store.Resolve(t.Context(), s, org, tr.parent.ID)
	require.NoError(t, err)
}

// chain returns n sub contracts, each holding the next.
func chain(n int) []contract.SubContract {
	c := make([]contract.SubContract, n)
	c[n-1] = sub()
	for i := n - 2; i >= 0; i-- {
		c[i] = sub(c[i+1].ID)
	}
	return c
}

// testCycleDeep closes a chain of sub contracts as deep as a tree may be
// into a loop, and saves a long loop in one batch: the refusal must come
// back as ErrCycle, not as a crash or as the depth.
func testCycleDeep(t *testing.T, s store.Store) {
	org := uuid.New()
	c := chain(contract.MaxDepth)
	save(t, s, org, contract.Objects{SubContracts: c})

	last := c[len(c)-1]
	last.SubContracts = []uuid.UUID{c[0].ID}
	_, err := s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{SubContracts: []contract.SubContract{last}}})
	require.ErrorIs(t, err, store.ErrCycle)

	const n = 1000
	loop := make([]contract.SubContract, n)
	for i := range loop {
		loop[i] = sub()
	}
	for i := range loop {
		loop[i].SubContracts = []uuid.UUID{loop[(i+1)%n].ID}
	}
	_, err = s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{SubContracts: loop}})
	require.ErrorIs(t, err, store.ErrCycle)
}

// testTooDeep: a parent contract and 100 levels of sub contracts are
// accepted; one level more is refused, and nothing is written.
func testTooDeep(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	o := tr.objects()
	c := chain(contract.MaxDepth)
	o.SubContracts = append(o.SubContracts, c...)
	o.ParentContracts[0].SubContracts = []uuid.UUID{c[0].ID}
	save(t, s, org, o)

	org2 := uuid.New()
	tr2 := newTree(org2)
	o2 := tr2.objects()
	c2 := chain(contract.MaxDepth + 1)
	o2.SubContracts = append(o2.SubContracts, c2...)
	o2.ParentContracts[0].SubContracts = []uuid.UUID{c2[0].ID}
	_, err := s.Save(t.Context(), org2, store.Batch{Objects: o2})
	require.ErrorIs(t, err, store.ErrInvalidInput)
	assert.Equal(t, []string{"sub_contracts"}, fields(err))
	all, err := s.List(t.Context(), org2)
	require.NoError(t, err)
	assert.Zero(t, all.Len())
}

// testTooDeepBelow: adding a level at the bottom of a full tree, in a save
// that names only the sub contracts involved, is refused: the store finds
// the parent contract above them.
func testTooDeepBelow(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	o := tr.objects()
	c := chain(contract.MaxDepth)
	o.SubContracts = append(o.SubContracts, c...)
	o.ParentContracts[0].SubContracts = []uuid.UUID{c[0].ID}
	save(t, s, org, o)
	before := take(t, s, org)

	extra := sub()
	deepest := c[len(c)-1]
	deepest.SubContracts = []uuid.UUID{extra.ID}
	_, err := s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{SubContracts: []contract.SubContract{extra, deepest}}})
	require.ErrorIs(t, err, store.ErrInvalidInput)
	unchanged(t, s, org, before)
	_, err = store.Resolve(t.Context(), s, org, tr.parent.ID)
	require.NoError(t, err, "the tree is still rateable")
}

// testDiamond: a sub contract reached twice in one tree would be billed
// twice; the save that makes it so is refused.
func testDiamond(t *testing.T, s store.Store) {
	org := uuid.New()
	d := sub()
	b, c := sub(d.ID), sub(d.ID)
	a := sub(b.ID, c.ID)
	_, err := s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{SubContracts: []contract.SubContract{a, b, c, d}}})
	require.ErrorIs(t, err, store.ErrInvalidInput)
	assert.NotErrorIs(t, err, store.ErrCycle, "a diamond is not a cycle")
	assert.Equal(t, []string{"sub_contracts"}, fields(err))
	all, err := s.List(t.Context(), org)
	require.NoError(t, err)
	assert.Zero(t, all.Len())
}

func testProductTwice(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	before := take(t, s, org)
	again := sub()
	again.ProductContracts = []uuid.UUID{tr.product.ID}
	p := tr.parent
	p.SubContracts = append(append([]uuid.UUID(nil), p.SubContracts...), again.ID)
	_, err := s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{SubContracts: []contract.SubContract{again},
		ParentContracts: []contract.ParentContract{p}}})
	require.ErrorIs(t, err, store.ErrInvalidInput)
	assert.Equal(t, []string{"product_contracts"}, fields(err))
	unchanged(t, s, org, before)
}

// testSharedAcrossTrees: the same sub contract under two parent contracts
// is two trees, each holding it once.
func testSharedAcrossTrees(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	other := tr.parent
	other.ID = uuid.New()
	o := tr.objects()
	o.ParentContracts = append(o.ParentContracts, other)
	save(t, s, org, o)
	for _, id := range []uuid.UUID{tr.parent.ID, other.ID} {
		_, err := store.Resolve(t.Context(), s, org, id)
		require.NoError(t, err)
	}
}
