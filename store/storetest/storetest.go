package storetest

import (
	"encoding/json"
	"testing"

	// The suite names IANA time zones; embed the database so it runs on
	// hosts without one.
	_ "time/tzdata"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// Run runs the conformance suite against the back end that newStore makes; each call returns an empty store.
//
// Every check is a named subtest (such as "Save/IfVersion/stale"), so one
// can be run alone with go test -run. newStore is called once per subtest;
// it may register cleanup with t.Cleanup. Subtests use fresh random
// organization and document ids, so a back end that shares one database
// between calls still passes.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	for _, g := range groups() {
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.tests {
				t.Run(c.name, func(t *testing.T) { c.run(t, newStore(t)) })
			}
		})
	}
}

type test struct {
	name string
	run  func(t *testing.T, s store.Store)
}

type group struct {
	name  string
	tests []test
}

func groups() []group {
	return []group{
		{"Save", saveTests()},
		{"Read", readTests()},
		{"References", referenceTests()},
		{"Cycles", cycleTests()},
		{"Organizations", organizationTests()},
		{"Copies", copyTests()},
		{"Resolve", resolveTests()},
		{"Usage", usageTests()},
		{"Aggregate", aggregateTests()},
		{"Rateable", rateableTests()},
		{"Limits", limitTests()},
		{"Reports", reportTests()},
		{"Concurrency", concurrencyTests()},
		{"Versions", versionTests()},
		{"Issued", issuedTests()},
	}
}

// tree is a valid contract tree with one document of every kind; every
// parent's document links to the ones below it.
type tree struct {
	org      uuid.UUID
	customer contract.Customer
	fee      plan.FixedFee
	plan     plan.TierPlan
	discount modifier.Discount
	minimum  modifier.Minimum
	maximum  modifier.Maximum
	credit   modifier.Credit
	freq     schedule.BillingFrequency
	product  contract.ProductContract
	sub      contract.SubContract
	parent   contract.ParentContract
}

func newTree(org uuid.UUID) tree {
	var tr tree
	tr.org = org
	tr.customer = contract.Customer{ID: uuid.New(), DisplayName: "Acme", Name: "Acme Corp",
		Email: "billing@acme.example", OrganizationID: org}
	tr.fee = plan.FixedFee{ID: uuid.New(), DisplayName: "platform fee", Amount: dec("100.00"),
		Period: plan.FeePeriod{Every: schedule.Every{N: 3, Unit: schedule.Month}}}
	tr.plan = plan.TierPlan{ID: uuid.New(), DisplayName: "api calls", Pricing: plan.Graduated, Aggregation: plan.Max,
		Tiers: []plan.Tier{
			{Start: dec("0"), End: decimal.NewNullDecimal(dec("100")), UnitPrice: dec("0.10"), FlatFee: dec("2.00")},
			{Start: dec("100"), UnitPrice: dec("0.05")},
		},
		Rounding: plan.QuantityRounding{Increment: dec("1"), Mode: plan.RoundUp}}
	tr.discount = modifier.Discount{ID: uuid.New(), DisplayName: "loyalty",
		Percentage: decimal.NewNullDecimal(dec("10")), Threshold: decimal.NewNullDecimal(dec("50.00"))}
	tr.minimum = modifier.Minimum{ID: uuid.New(), DisplayName: "commit", Amount: dec("25.00")}
	tr.maximum = modifier.Maximum{ID: uuid.New(), DisplayName: "cap", Amount: dec("900.00")}
	tr.credit = modifier.Credit{ID: uuid.New(), DisplayName: "prepaid", Amount: dec("500"),
		Expiry: schedule.Every{N: 1, Unit: schedule.Year}, Priority: 10, StartDate: day("2024-01-01")}
	tr.freq = schedule.BillingFrequency{ID: uuid.New(), DisplayName: "monthly on the 15th", Type: schedule.Calendar,
		Interval: 1, Unit: schedule.Month, Anchor: schedule.AnchorEnd, Day: 15}
	tr.product = contract.ProductContract{ID: uuid.New(), DisplayName: "api", ProductID: uuid.New(),
		PlanID: tr.plan.ID, Dates: contract.Dates{Start: day("2024-01-01"), End: day("2024-12-31")}}
	tr.sub = contract.SubContract{ID: uuid.New(), DisplayName: "team", BillingFrequency: tr.freq.ID,
		Dates:            contract.Dates{Start: day("2024-01-01"), End: day("2024-12-31")},
		ProductContracts: []uuid.UUID{tr.product.ID}, FixedFees: []uuid.UUID{tr.fee.ID},
		Discounts: []uuid.UUID{tr.discount.ID}, Minimums: []uuid.UUID{tr.minimum.ID},
		Maximums: []uuid.UUID{tr.maximum.ID}, Credits: []uuid.UUID{tr.credit.ID}, OverrideUnderlying: true}
	tr.parent = contract.ParentContract{
		SubContract: contract.SubContract{ID: uuid.New(), DisplayName: "acme 2024",
			Dates: contract.Dates{Start: day("2024-01-01")}, SubContracts: []uuid.UUID{tr.sub.ID}},
		OrganizationID: org, CustomerID: tr.customer.ID, Currency: "EUR", TimeZone: "Europe/Berlin"}
	return tr
}

// objects returns every document of the tree, in one bundle.
func (tr tree) objects() contract.Objects {
	return contract.Objects{
		Customers:          []contract.Customer{tr.customer},
		FixedFees:          []plan.FixedFee{tr.fee},
		Plans:              []plan.TierPlan{tr.plan},
		Discounts:          []modifier.Discount{tr.discount},
		Minimums:           []modifier.Minimum{tr.minimum},
		Maximums:           []modifier.Maximum{tr.maximum},
		Credits:            []modifier.Credit{tr.credit},
		BillingFrequencies: []schedule.BillingFrequency{tr.freq},
		ProductContracts:   []contract.ProductContract{tr.product},
		SubContracts:       []contract.SubContract{tr.sub},
		ParentContracts:    []contract.ParentContract{tr.parent},
	}
}

// leaves returns the tree's documents that reference nothing.
func (tr tree) leaves() contract.Objects {
	o := tr.objects()
	o.ProductContracts, o.SubContracts, o.ParentContracts = nil, nil, nil
	return o
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(s string) date.Date { return date.MustParseISO(s) }

// save saves objs in org and fails the test when the store refuses them.
func save(t *testing.T, s store.Store, org uuid.UUID, objs contract.Objects) contract.Objects {
	t.Helper()
	got, err := s.Save(t.Context(), org, store.Batch{Objects: objs})
	require.NoError(t, err)
	return got
}

// sub returns a valid sub contract running through 2024 that holds children.
func sub(children ...uuid.UUID) contract.SubContract {
	return contract.SubContract{ID: uuid.New(), Dates: contract.Dates{Start: day("2024-01-01"), End: day("2024-12-31")},
		SubContracts: children}
}

// snapshot is what an organization holds: every document, its version
// (the save counter) and, for a versioned document, every version it has.
type snapshot struct {
	docs     contract.Objects
	versions map[uuid.UUID]int64
	sets     map[uuid.UUID]contract.Objects
}

func take(t *testing.T, s store.Store, org uuid.UUID) snapshot {
	t.Helper()
	all, err := s.List(t.Context(), org)
	require.NoError(t, err)
	snap := snapshot{docs: canon(all), versions: map[uuid.UUID]int64{}, sets: map[uuid.UUID]contract.Objects{}}
	for _, k := range contract.Kinds() {
		for _, id := range idsOfKind(all, k) {
			v, err := s.Version(t.Context(), org, id)
			require.NoError(t, err)
			snap.versions[id] = v
			if k.Versioned() {
				set, err := s.Versions(t.Context(), org, k, id)
				require.NoError(t, err)
				snap.sets[id] = canon(set)
			}
		}
	}
	return snap
}

// unchanged asserts that org holds exactly what before held.
func unchanged(t *testing.T, s store.Store, org uuid.UUID, before snapshot) {
	t.Helper()
	after := take(t, s, org)
	assert.Equal(t, before.docs, after.docs, "documents changed")
	assert.Equal(t, before.versions, after.versions, "versions changed")
	assert.Equal(t, before.sets, after.sets, "versions of documents changed")
}

// idsOf lists the ids of every document in o, kind by kind.
func idsOf(o contract.Objects) []uuid.UUID {
	var ids []uuid.UUID
	for _, k := range contract.Kinds() {
		ids = append(ids, idsOfKind(o, k)...)
	}
	return ids
}

func idsOfKind(o contract.Objects, k contract.Kind) []uuid.UUID { return o.IDsOf(k) }

// only returns the documents of o of one kind.
func only(o contract.Objects, k contract.Kind) contract.Objects {
	var out contract.Objects
	o.Each(func(kind contract.Kind, _ int, _ uuid.UUID, doc any) {
		if kind == k {
			out.Add(doc)
		}
	})
	return out
}

// canon returns a copy of o in which equal values are equal for
// assert.Equal: decimals by value (1.0 equals 1.00), empty lists as nil, and
// the defaults of a parent contract (currency USD, time zone UTC) spelled
// out — what a document's canonical JSON keeps. Nothing else is forgiven.
func canon(o contract.Objects) contract.Objects {
	// Through their canonical JSON: every field of every kind, written
	// the one way a document is written.
	data, err := json.Marshal(o)
	if err != nil {
		panic(err)
	}
	var c contract.Objects
	if err := json.Unmarshal(data, &c); err != nil {
		panic(err)
	}
	return c
}

// assertSame asserts that got holds the same documents as want, in the same
// order.
func assertSame(t *testing.T, want, got contract.Objects, msgAndArgs ...any) {
	t.Helper()
	assert.Equal(t, canon(want), canon(got), msgAndArgs...)
}

// fields lists the field paths of every *pricekit.Error in err's tree.
func fields(err error) []string {
	var out []string
	for _, e := range pricekit.All(err) {
		out = append(out, e.Field)
	}
	return out
}

// event returns a usage event of qty on day for a product contract.
func event(id string, productContract uuid.UUID, onDay, qty string) usage.Event {
	return usage.Event{ID: id, ContractID: productContract, Date: day(onDay), Quantity: dec(qty)}
}

// assertEvents asserts that got carries the payloads of want, in order.
func assertEvents(t *testing.T, want, got []usage.Event) {
	t.Helper()
	if !assert.Len(t, got, len(want)) {
		return
	}
	for i := range want {
		assert.True(t, want[i].SamePayload(got[i]), "event %d: want %+v, got %+v", i, want[i], got[i])
	}
}
