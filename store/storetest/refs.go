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
		{"diamond is not a cycle", testDiamond},
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

// testCycleDeep closes a long chain of sub contracts into a loop: the
// refusal must come back as ErrCycle, not as a crash.
func testCycleDeep(t *testing.T, s store.Store) {
	const depth = 1000
	org := uuid.New()
	chain := make([]contract.SubContract, depth)
	chain[depth-1] = sub()
	for i := depth - 2; i >= 0; i-- {
		chain[i] = sub(chain[i+1].ID)
	}
	save(t, s, org, contract.Objects{SubContracts: chain})

	last := chain[depth-1]
	last.SubContracts = []uuid.UUID{chain[0].ID}
	_, err := s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{SubContracts: []contract.SubContract{last}}})
	require.ErrorIs(t, err, store.ErrCycle)

	loop := make([]contract.SubContract, depth)
	for i := range loop {
		loop[i] = sub()
	}
	for i := range loop {
		loop[i].SubContracts = []uuid.UUID{loop[(i+1)%depth].ID}
	}
	_, err = s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{SubContracts: loop}})
	require.ErrorIs(t, err, store.ErrCycle)
}

func testDiamond(t *testing.T, s store.Store) {
	org := uuid.New()
	d := sub()
	b, c := sub(d.ID), sub(d.ID)
	a := sub(b.ID, c.ID, d.ID)
	save(t, s, org, contract.Objects{SubContracts: []contract.SubContract{a, b, c, d}})
	got, err := s.Get(t.Context(), org, contract.KindSubContract, a.ID)
	require.NoError(t, err)
	assertSame(t, contract.Objects{SubContracts: []contract.SubContract{a}}, got)
}
