package storetest

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
)

// Tier plans, fixed fees, discounts and minimums have versions
// (docs/versions.md): every store keeps them alike.
func versionTests() []test {
	return []test{
		{"add a version", testVersionAdd},
		{"versions of a fee share its period", testFeeVersionsShareAPeriod},
		{"replace the version of a day", testVersionReplaceDay},
		{"correction drops dated versions", testVersionCorrection},
		{"base first, then by day", testVersionOrder},
		{"Get and List read the latest", testVersionLatest},
		{"Resolve hands every version", testVersionResolve},
		{"version counter", testVersionCounter},
		{"IfVersion", testVersionIfVersion},
		{"batch in any order", testVersionBatchOrder},
		{"not found", testVersionsNotFound},
		{"unversioned kinds", testVersionsUnversioned},
		{"bad input/effective_from on a credit or contract", testVersionUnversionedJSON},
		{"bad input/effective_from after 9999-12-31", testVersionDayOutOfRange},
		{"bad input/invalid plan version", testVersionInvalidPlan},
		{"concurrent versions of other days", testVersionConcurrentDays},
	}
}

// versionsOf returns the tree's fee, plan, discount and minimum as their
// versions from day from ("": the base version), each priced n (the fee's
// and the minimum's amount, the plan's second unit price, the discount's
// threshold), so that versions tell apart.
func versionsOf(tr tree, from string, n int64) contract.Objects {
	var d date.Date
	if from != "" {
		d = day(from)
	}
	amount := decimal.NewFromInt(n)
	fee := tr.fee
	fee.EffectiveFrom, fee.Amount = d, amount
	p := tr.plan.Clone()
	p.EffectiveFrom, p.Tiers[1].UnitPrice = d, amount
	disc := tr.discount
	disc.EffectiveFrom, disc.Threshold = d, decimal.NewNullDecimal(amount)
	m := tr.minimum
	m.EffectiveFrom, m.Amount = d, amount
	return contract.Objects{FixedFees: []plan.FixedFee{fee}, Plans: []plan.TierPlan{p},
		Discounts: []modifier.Discount{disc}, Minimums: []modifier.Minimum{m}}
}

// bundle joins the versioned documents of parts, in order.
func bundle(parts ...contract.Objects) contract.Objects {
	var o contract.Objects
	for _, p := range parts {
		o.FixedFees = append(o.FixedFees, p.FixedFees...)
		o.Plans = append(o.Plans, p.Plans...)
		o.Discounts = append(o.Discounts, p.Discounts...)
		o.Minimums = append(o.Minimums, p.Minimums...)
	}
	return o
}

// versionedKinds lists the kinds with versions, with the id the tree gives
// each.
func versionedKinds(tr tree) []struct {
	kind contract.Kind
	id   uuid.UUID
} {
	return []struct {
		kind contract.Kind
		id   uuid.UUID
	}{
		{contract.KindFixedFee, tr.fee.ID}, {contract.KindPlan, tr.plan.ID},
		{contract.KindDiscount, tr.discount.ID}, {contract.KindMinimum, tr.minimum.ID},
	}
}

// assertVersions asserts that the tree's fee, plan, discount and minimum
// have exactly the versions of want, in its order.
func assertVersions(t *testing.T, s store.Store, org uuid.UUID, tr tree, want contract.Objects, notes ...string) {
	t.Helper()
	for _, k := range versionedKinds(tr) {
		got, err := s.Versions(t.Context(), org, k.kind, k.id)
		if assert.NoError(t, err, "versions of %s", k.kind) {
			assertSame(t, only(want, k.kind), got, "versions of %s %s", k.kind, strings.Join(notes, "; "))
		}
	}
}

// assertLatest asserts that Get and List give the tree's fee, plan,
// discount and minimum as in want.
func assertLatest(t *testing.T, s store.Store, org uuid.UUID, tr tree, want contract.Objects) {
	t.Helper()
	for _, k := range versionedKinds(tr) {
		got, err := s.Get(t.Context(), org, k.kind, k.id)
		if assert.NoError(t, err) {
			assertSame(t, only(want, k.kind), got, "Get of %s", k.kind)
		}
		all, err := s.List(t.Context(), org, k.kind)
		if assert.NoError(t, err) {
			assertSame(t, only(want, k.kind), all, "List of %s", k.kind)
		}
	}
}

// testVersionAdd saves a dated version of each versioned document: it is
// added, the base version kept.
func testVersionAdd(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	march := versionsOf(tr, "2024-03-01", 60)
	got := save(t, s, org, march)
	assertSame(t, march, got, "Save returns the version saved")
	assertVersions(t, s, org, tr, bundle(tr.leaves(), march), "the base version stays")
}

// testVersionReplaceDay saves a second version of the same day: it
// replaces the first, and the other versions stay.
func testVersionReplaceDay(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	save(t, s, org, versionsOf(tr, "2024-03-01", 60))
	save(t, s, org, versionsOf(tr, "2024-05-01", 80))
	save(t, s, org, versionsOf(tr, "2024-03-01", 70))
	assertVersions(t, s, org, tr, bundle(tr.leaves(), versionsOf(tr, "2024-03-01", 70), versionsOf(tr, "2024-05-01", 80)))
}

// testVersionCorrection saves a document without effective_from over one
// with versions: it replaces the document and drops every dated version.
func testVersionCorrection(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	save(t, s, org, bundle(versionsOf(tr, "2024-02-01", 50), versionsOf(tr, "2024-03-01", 60)))
	corrected := versionsOf(tr, "", 90)
	got := save(t, s, org, corrected)
	assertSame(t, corrected, got)
	assertVersions(t, s, org, tr, corrected, "a correction leaves its base version only")
	assertLatest(t, s, org, tr, corrected)

	// A base version in a batch with dated ones replaces every stored one
	// with that set.
	save(t, s, org, versionsOf(tr, "2024-04-01", 40))
	set := bundle(versionsOf(tr, "2024-06-01", 66), versionsOf(tr, "", 91))
	save(t, s, org, set)
	assertVersions(t, s, org, tr, bundle(versionsOf(tr, "", 91), versionsOf(tr, "2024-06-01", 66)))
}

// testVersionOrder saves dated versions in no order of day: they are read
// base first, then by day, and a document saved with dated versions only
// has no base.
func testVersionOrder(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, versionsOf(tr, "2024-06-01", 6))
	save(t, s, org, versionsOf(tr, "2024-02-01", 2))
	save(t, s, org, versionsOf(tr, "2024-04-01", 4))
	assertVersions(t, s, org, tr, bundle(versionsOf(tr, "2024-02-01", 2), versionsOf(tr, "2024-04-01", 4),
		versionsOf(tr, "2024-06-01", 6)))

	other := newTree(org)
	save(t, s, org, other.leaves())
	save(t, s, org, versionsOf(other, "2025-01-01", 9))
	save(t, s, org, versionsOf(other, "2024-01-01", 8))
	assertVersions(t, s, org, other, bundle(other.leaves(), versionsOf(other, "2024-01-01", 8),
		versionsOf(other, "2025-01-01", 9)))
}

// testVersionLatest checks that Get and List read each document as its
// latest version, the last by day whatever order the versions were saved
// in.
func testVersionLatest(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	assertLatest(t, s, org, tr, tr.leaves())
	save(t, s, org, versionsOf(tr, "2024-06-01", 6))
	assertLatest(t, s, org, tr, versionsOf(tr, "2024-06-01", 6))
	save(t, s, org, versionsOf(tr, "2024-03-01", 3))
	assertLatest(t, s, org, tr, versionsOf(tr, "2024-06-01", 6))
	save(t, s, org, versionsOf(tr, "2024-06-01", 7))
	assertLatest(t, s, org, tr, versionsOf(tr, "2024-06-01", 7))
	save(t, s, org, versionsOf(tr, "", 1))
	assertLatest(t, s, org, tr, versionsOf(tr, "", 1))
	all, err := s.List(t.Context(), org)
	require.NoError(t, err)
	assert.Equal(t, tr.objects().Len(), all.Len(), "List gives each document once")
}

// readerOnly hides a store's TreeReader, so that store.Resolve walks the
// tree through Get and Versions.
type readerOnly struct{ store.Reader }

// testVersionResolve checks that a resolved tree holds every version of
// its versioned documents, base first, then by day, whether the store
// reads the tree itself or Resolve walks it through Versions.
func testVersionResolve(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	save(t, s, org, bundle(versionsOf(tr, "2024-09-01", 9), versionsOf(tr, "2024-03-01", 3)))
	want := tr.objects()
	want.Customers = nil // the host's, not part of the tree
	versions := bundle(tr.leaves(), versionsOf(tr, "2024-03-01", 3), versionsOf(tr, "2024-09-01", 9))
	want.FixedFees, want.Plans, want.Discounts, want.Minimums = versions.FixedFees, versions.Plans, versions.Discounts, versions.Minimums
	for name, r := range map[string]store.Reader{"Tree": s, "Versions": readerOnly{s}} {
		t.Run(name, func(t *testing.T) {
			got, err := store.Resolve(t.Context(), r, org, tr.parent.ID)
			require.NoError(t, err)
			assertSame(t, want, got, "every version of a versioned document, the others once")
		})
	}
}

// testVersionCounter checks that the version counter goes up by one per
// save of a document, whatever versions the save carried.
func testVersionCounter(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	counter := func(want int64, msg string) {
		t.Helper()
		for _, k := range versionedKinds(tr) {
			v, err := s.Version(t.Context(), org, k.id)
			require.NoError(t, err)
			assert.Equal(t, want, v, "%s: %s", k.kind, msg)
		}
	}
	save(t, s, org, bundle(versionsOf(tr, "2024-02-01", 2), versionsOf(tr, "", 1), versionsOf(tr, "2024-03-01", 3)))
	counter(1, "a first save of three versions")
	save(t, s, org, versionsOf(tr, "2024-04-01", 4))
	counter(2, "a dated version added")
	save(t, s, org, bundle(versionsOf(tr, "2024-04-01", 5), versionsOf(tr, "2024-05-01", 5)))
	counter(3, "a version replaced and one added")
	save(t, s, org, versionsOf(tr, "", 6))
	counter(4, "a correction")
}

// testVersionIfVersion checks that IfVersion guards a save of versions as
// it guards any save.
func testVersionIfVersion(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	save(t, s, org, versionsOf(tr, "2024-03-01", 3)) // version 2
	before := take(t, s, org)
	_, err := s.Save(t.Context(), org, store.Batch{Objects: versionsOf(tr, "2024-04-01", 4),
		IfVersion: map[uuid.UUID]int64{tr.fee.ID: 1}})
	require.ErrorIs(t, err, store.ErrConflict)
	unchanged(t, s, org, before)

	_, err = s.Save(t.Context(), org, store.Batch{Objects: versionsOf(tr, "2024-04-01", 4),
		IfVersion: map[uuid.UUID]int64{tr.fee.ID: 2, tr.plan.ID: 2}})
	require.NoError(t, err)
	assertVersions(t, s, org, tr, bundle(tr.leaves(), versionsOf(tr, "2024-03-01", 3), versionsOf(tr, "2024-04-01", 4)))
	v, err := s.Version(t.Context(), org, tr.fee.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(3), v)
}

// testVersionBatchOrder saves the versions of one document in any order in
// one batch: they are its version set, the last base and the last of each
// day kept, base first, then by day. Contracts of the batch refer to the
// document once, whatever versions it comes in.
func testVersionBatchOrder(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	in := tr.objects()
	versions := bundle(versionsOf(tr, "2024-06-01", 6), versionsOf(tr, "", 1), versionsOf(tr, "2024-02-01", 2),
		versionsOf(tr, "2024-06-01", 7), versionsOf(tr, "", 0))
	in.FixedFees, in.Plans, in.Discounts, in.Minimums = versions.FixedFees, versions.Plans, versions.Discounts, versions.Minimums
	set := bundle(versionsOf(tr, "", 0), versionsOf(tr, "2024-02-01", 2), versionsOf(tr, "2024-06-01", 7))
	got := save(t, s, org, in)
	assertSame(t, set, bundle(got), "Save returns the version set saved, base first, then by day")
	assertVersions(t, s, org, tr, set)
	assertLatest(t, s, org, tr, versionsOf(tr, "2024-06-01", 7))
	resolved, err := store.Resolve(t.Context(), s, org, tr.parent.ID)
	require.NoError(t, err)
	assertSame(t, set, bundle(resolved))

	// Dated versions only, in any order, over stored ones.
	save(t, s, org, bundle(versionsOf(tr, "2024-09-01", 9), versionsOf(tr, "2024-01-01", 8), versionsOf(tr, "2024-02-01", 3)))
	assertVersions(t, s, org, tr, bundle(versionsOf(tr, "", 0), versionsOf(tr, "2024-01-01", 8),
		versionsOf(tr, "2024-02-01", 3), versionsOf(tr, "2024-06-01", 7), versionsOf(tr, "2024-09-01", 9)))
	assertLatest(t, s, org, tr, versionsOf(tr, "2024-09-01", 9))
}

// testVersionsNotFound checks that Versions refuses an id it does not
// hold: unknown, of another kind, or of another organization.
func testVersionsNotFound(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	save(t, s, org, versionsOf(tr, "2024-03-01", 3))
	for name, c := range map[string]struct {
		org  uuid.UUID
		kind contract.Kind
		id   uuid.UUID
	}{
		"unknown id":           {org, contract.KindFixedFee, uuid.New()},
		"another kind":         {org, contract.KindDiscount, tr.fee.ID},
		"a plan as a minimum":  {org, contract.KindMinimum, tr.plan.ID},
		"another organization": {uuid.New(), contract.KindFixedFee, tr.fee.ID},
		"a credit as a fee":    {org, contract.KindFixedFee, tr.credit.ID},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.Versions(t.Context(), c.org, c.kind, c.id)
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	}
}

// testVersionsUnversioned checks that Versions gives a document of a kind
// without versions as its one version.
func testVersionsUnversioned(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	p := tr.parent.Clone()
	p.DisplayName = "renamed"
	save(t, s, org, contract.Objects{ParentContracts: []contract.ParentContract{p}})
	for _, k := range contract.Kinds() {
		if k.Versioned() {
			continue
		}
		want := only(tr.objects(), k)
		if k == contract.KindParentContract {
			want = contract.Objects{ParentContracts: []contract.ParentContract{p}}
		}
		got, err := s.Versions(t.Context(), org, k, idsOfKind(tr.objects(), k)[0])
		if assert.NoError(t, err, "kind %s", k) {
			assertSame(t, want, got, "kind %s", k)
		}
	}
}

// testVersionUnversionedJSON checks that effective_from on a document
// without versions is refused (invalid_input, at its field) as the bundle
// is read, so no store ever holds one.
func testVersionUnversionedJSON(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	before := take(t, s, org)
	for _, c := range []struct{ name, list, doc, field string }{
		{"credit", "credits", fmt.Sprintf(`{"id": %q, "amount": "5", "effective_from": "2024-03-01"}`, tr.credit.ID), "credits[0].effective_from"},
		{"sub contract", "sub_contracts", fmt.Sprintf(`{"id": %q, "start_date": "2024-01-01", "effective_from": "2024-03-01"}`, tr.sub.ID), "sub_contracts[0].effective_from"},
		{"parent contract", "parent_contracts", fmt.Sprintf(`{"id": %q, "start_date": "2024-01-01", "effective_from": "2024-03-01"}`, tr.parent.ID), "parent_contracts[0].effective_from"},
		{"product contract", "product_contracts", fmt.Sprintf(`{"id": %q, "product_id": %q, "tiers": %q, "start_date": "2024-01-01", "effective_from": "2024-03-01"}`,
			tr.product.ID, tr.product.ProductID, tr.plan.ID), "product_contracts[0].effective_from"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := fmt.Sprintf(`{"fixed_fees": [{"id": %q, "amount": "60", "effective_from": "2024-03-01"}], %q: [%s]}`,
				tr.fee.ID, c.list, c.doc)
			var o contract.Objects
			err := json.Unmarshal([]byte(src), &o)
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			assert.Contains(t, fields(err), c.field)
			unchanged(t, s, org, before)
		})
	}
}

// testVersionDayOutOfRange saves a version from a day no store holds,
// beside a good one: invalid_input at its field, and nothing written.
func testVersionDayOutOfRange(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	save(t, s, org, versionsOf(tr, "2024-03-01", 3))
	before := take(t, s, org)
	bad := versionsOf(tr, "2024-05-01", 5)
	m := bad.Minimums[0]
	m.EffectiveFrom = date.New(10000, 1, 1)
	bad.Minimums = append(bad.Minimums, m)
	_, err := s.Save(t.Context(), org, store.Batch{Objects: bad})
	require.ErrorIs(t, err, store.ErrInvalidInput)
	assert.Equal(t, []string{"minimums[1].effective_from"}, fields(err))
	unchanged(t, s, org, before)
}

// testVersionInvalidPlan saves a dated plan version with a gap in its
// tiers, in a batch with a new fee and a dated version of another
// document: invalid_tiers, and nothing written.
func testVersionInvalidPlan(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	save(t, s, org, versionsOf(tr, "2024-03-01", 3))
	before := take(t, s, org)
	bad := versionsOf(tr, "2024-05-01", 5)
	bad.Plans[0].Tiers[1].Start = dec("150")
	newFee := plan.FixedFee{ID: uuid.New(), Amount: dec("1"), Period: plan.FeePeriod{Once: true}}
	bad.FixedFees = append(bad.FixedFees, newFee)
	_, err := s.Save(t.Context(), org, store.Batch{Objects: bad})
	require.ErrorIs(t, err, pricekit.ErrInvalidTiers)
	unchanged(t, s, org, before)
	_, err = s.Version(t.Context(), org, newFee.ID)
	require.ErrorIs(t, err, store.ErrNotFound, "a refused batch wrote its other documents")
}

// testVersionConcurrentDays adds a version of another day to one document
// from every goroutine at once: every version is kept, and each save
// counted.
func testVersionConcurrentDays(t *testing.T, s store.Store) {
	const n = 20
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	week := func(k int) string { return day("2024-01-01").AddDate(0, 0, 7*k).String() }
	var saved atomic.Int64
	together(n, func(i int) {
		_, err := s.Save(t.Context(), org, store.Batch{Objects: versionsOf(tr, week(n-i), int64(i))})
		if assert.NoError(t, err) {
			saved.Add(1)
		}
	})
	want := tr.leaves()
	for i := n - 1; i >= 0; i-- {
		want = bundle(want, versionsOf(tr, week(n-i), int64(i)))
	}
	assertVersions(t, s, org, tr, want)
	assertLatest(t, s, org, tr, versionsOf(tr, week(n), 0))
	v, err := s.Version(t.Context(), org, tr.fee.ID)
	require.NoError(t, err)
	assert.Equal(t, 1+saved.Load(), v)
}

// testFeeVersionsShareAPeriod checks that a dated version of a stored fee
// with another period is refused and writes nothing, in a batch or over
// the stored versions, while a correction may change the period.
func testFeeVersionsShareAPeriod(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	before := take(t, s, org)
	v := tr.fee
	v.Period, v.EffectiveFrom = plan.FeePeriod{Once: true}, day("2024-06-01")
	_, err := s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{FixedFees: []plan.FixedFee{v}}})
	require.ErrorIs(t, err, store.ErrInvalidInput)
	assert.Equal(t, "fixed_fees[0].period", pricekit.First(err).Field)
	unchanged(t, s, org, before)
	_, err = s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{FixedFees: []plan.FixedFee{tr.fee, v}}})
	require.ErrorIs(t, err, store.ErrInvalidInput, "in one batch")
	unchanged(t, s, org, before)
	corrected := tr.fee
	corrected.Period = plan.FeePeriod{Once: true}
	save(t, s, org, contract.Objects{FixedFees: []plan.FixedFee{corrected}})
}
