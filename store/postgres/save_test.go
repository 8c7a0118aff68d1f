package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

func TestMigrate(t *testing.T) {
	if testPool == nil {
		t.Skip("no PRICEKIT_POSTGRES_DSN")
	}
	ctx := context.Background()
	pool, drop, err := schemaPool(ctx, "pricekit_migrate")
	require.NoError(t, err)
	defer drop()
	s := New(pool)

	v, err := s.SchemaVersion(ctx)
	require.NoError(t, err)
	assert.Equal(t, 0, v, "a fresh schema has no migration")

	// Concurrent first migrations wait for each other; all succeed.
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = s.Migrate(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, s.Migrate(ctx), "migrating again is a no-op")
	all, err := loadMigrations()
	require.NoError(t, err)
	v, err = s.SchemaVersion(ctx)
	require.NoError(t, err)
	assert.Equal(t, all[len(all)-1].version, v)
	var applied int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM pricekit_schema_migrations`).Scan(&applied))
	assert.Equal(t, len(all), applied, "each migration recorded once")

	// Money, quantities, days and ids have exact types.
	for _, c := range []struct{ table, column, typ string }{
		{"pricekit_documents", "org", "uuid"},
		{"pricekit_documents", "id", "uuid"},
		{"pricekit_documents", "version", "bigint"},
		{"pricekit_documents", "body", "jsonb"},
		{"pricekit_documents", "start_day", "date"},
		{"pricekit_usage_events", "quantity", "numeric"},
		{"pricekit_usage_events", "day", "date"},
		{"pricekit_usage_events", "contract_id", "uuid"},
		{"pricekit_document_versions", "effective_from", "date"},
		{"pricekit_document_versions", "body", "jsonb"},
		{"pricekit_issued_statements", "statement", "bytea"}, // given back byte for byte
		{"pricekit_issued_statements", "period_start", "date"},
		{"pricekit_issued_statements", "position", "bigint"},
	} {
		var typ string
		require.NoError(t, pool.QueryRow(ctx, `SELECT data_type FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`, c.table, c.column).Scan(&typ))
		assert.Equal(t, c.typ, typ, "%s.%s", c.table, c.column)
	}
}

func TestSaveAndRead(t *testing.T) {
	ctx := context.Background()
	s, org := newStore(t)
	in := objects(t, treeJSON)
	saved, err := s.Save(ctx, org, batchOf(in))
	require.NoError(t, err)
	require.Equal(t, 11, saved.Len())
	assert.Equal(t, org, saved.ParentContracts[0].OrganizationID, "organization_id is claimed")
	assert.Equal(t, org, saved.Customers[0].OrganizationID)
	assert.Equal(t, asJSON(t, in.Plans), asJSON(t, saved.Plans), "documents are stored as given")

	for _, c := range []struct {
		kind contract.Kind
		id   uuid.UUID
		want any
		got  func(contract.Objects) any
	}{
		{contract.KindCustomer, idCustomer, saved.Customers, func(o contract.Objects) any { return o.Customers }},
		{contract.KindPlan, idPlan, saved.Plans, func(o contract.Objects) any { return o.Plans }},
		{contract.KindFixedFee, idFee, saved.FixedFees, func(o contract.Objects) any { return o.FixedFees }},
		{contract.KindDiscount, idDiscount, saved.Discounts, func(o contract.Objects) any { return o.Discounts }},
		{contract.KindMinimum, idMinimum, saved.Minimums, func(o contract.Objects) any { return o.Minimums }},
		{contract.KindCredit, idCredit, saved.Credits, func(o contract.Objects) any { return o.Credits }},
		{contract.KindBillingFrequency, idFreq, saved.BillingFrequencies, func(o contract.Objects) any { return o.BillingFrequencies }},
		{contract.KindSubContract, idSub, saved.SubContracts, func(o contract.Objects) any { return o.SubContracts }},
		{contract.KindParentContract, idParent, saved.ParentContracts, func(o contract.Objects) any { return o.ParentContracts }},
	} {
		t.Run(string(c.kind), func(t *testing.T) {
			got, err := s.Get(ctx, org, c.kind, c.id)
			require.NoError(t, err)
			assert.Equal(t, 1, got.Len())
			assert.Equal(t, c.want, c.got(got), "Get gives back what Save returned")
			v, err := s.Version(ctx, org, c.id)
			require.NoError(t, err)
			assert.Equal(t, int64(1), v)
		})
	}

	got, err := s.Get(ctx, org, contract.KindProductContract, idPC2, idPC1, idPC2)
	require.NoError(t, err)
	require.Len(t, got.ProductContracts, 3, "ids in the order asked, repeats included")
	assert.Equal(t, []uuid.UUID{idPC2, idPC1, idPC2},
		[]uuid.UUID{got.ProductContracts[0].ID, got.ProductContracts[1].ID, got.ProductContracts[2].ID})

	all, err := s.List(ctx, org)
	require.NoError(t, err)
	assert.Equal(t, asJSON(t, saved), asJSON(t, all))
	some, err := s.List(ctx, org, contract.KindProductContract, contract.KindCredit)
	require.NoError(t, err)
	assert.Equal(t, 3, some.Len())
	assert.Len(t, some.ProductContracts, 2)

	parents, err := s.ParentContracts(ctx, org, idCustomer)
	require.NoError(t, err)
	assert.Equal(t, saved.ParentContracts, parents)
	parents, err = s.ParentContracts(ctx, org, uuid.New())
	require.NoError(t, err)
	assert.Empty(t, parents)

	resolved, err := store.Resolve(ctx, s, org, idParent)
	require.NoError(t, err)
	assert.Equal(t, 10, resolved.Len(), "the tree without the customer")
}

func TestSaveReadErrors(t *testing.T) {
	ctx := context.Background()
	s, org := newStore(t)
	saveTree(t, s, org)

	_, err := s.Get(ctx, org, contract.KindPlan, idPlan, uuid.New())
	require.ErrorIs(t, err, pricekit.ErrNotFound)
	_, err = s.Get(ctx, org, contract.KindSubContract, idPlan)
	require.ErrorIs(t, err, pricekit.ErrNotFound, "another kind is not found")
	_, err = s.Version(ctx, org, uuid.New())
	require.ErrorIs(t, err, pricekit.ErrNotFound)
	_, err = store.Resolve(ctx, s, org, idSub)
	require.ErrorIs(t, err, pricekit.ErrNotFound, "resolving a sub contract")
}

func TestSaveAssignsIDs(t *testing.T) {
	ctx := context.Background()
	fixed := uuid.MustParse("11111111-2222-4333-8444-555555555555")
	s, org := newStore(t, WithIDs(func() uuid.UUID { return fixed }))
	got, err := s.Save(ctx, org, batchOf(objects(t, `{"fixed_fees": [{"display_name": "no id", "amount": "1.50"}]}`)))
	require.NoError(t, err)
	require.Len(t, got.FixedFees, 1)
	assert.Equal(t, fixed, got.FixedFees[0].ID)
	back, err := s.Get(ctx, org, contract.KindFixedFee, fixed)
	require.NoError(t, err)
	assert.True(t, back.FixedFees[0].Amount.Equal(got.FixedFees[0].Amount))
}

func TestSaveReplaces(t *testing.T) {
	ctx := context.Background()
	s, org := newStore(t)
	saveTree(t, s, org)
	_, err := s.Save(ctx, org, batchOf(objects(t, `{"fixed_fees": [
		{"id": "00000000-f000-4000-8000-000000000002", "amount": "1"},
		{"id": "00000000-f000-4000-8000-000000000001", "display_name": "Platform", "amount": "120.00"}]}`)))
	require.NoError(t, err)

	v, err := s.Version(ctx, org, idFee)
	require.NoError(t, err)
	assert.Equal(t, int64(2), v, "a replaced document goes up one version")
	got, err := s.Get(ctx, org, contract.KindFixedFee, idFee)
	require.NoError(t, err)
	assert.Equal(t, "120", got.FixedFees[0].Amount.String())

	fees, err := s.List(ctx, org, contract.KindFixedFee)
	require.NoError(t, err)
	require.Len(t, fees.FixedFees, 2)
	assert.Equal(t, idFee, fees.FixedFees[0].ID, "List keeps the order of first save")

	// Replacing a contract rewrites its links: the sub contract drops PC2.
	sub := objects(t, treeJSON).SubContracts[0]
	sub.ProductContracts = sub.ProductContracts[:1]
	_, err = s.Save(ctx, org, store.Batch{Objects: contract.Objects{SubContracts: []contract.SubContract{sub}}})
	require.NoError(t, err)
	var links int
	require.NoError(t, testPool.QueryRow(ctx, `SELECT count(*) FROM pricekit_links WHERE org = $1 AND parent = $2`,
		org, idSub).Scan(&links))
	assert.Equal(t, 1, links)
}

func TestSaveIfVersion(t *testing.T) {
	ctx := context.Background()
	s, org := newStore(t)
	saveTree(t, s, org)
	fee := objects(t, `{"fixed_fees": [{"id": "00000000-f000-4000-8000-000000000001", "amount": "5"}]}`)
	other := objects(t, `{"fixed_fees": [{"id": "00000000-f000-4000-8000-000000000009", "amount": "7"}]}`)
	both := contract.Objects{FixedFees: append(fee.FixedFees, other.FixedFees...)}
	before := count(t, s, org)

	_, err := s.Save(ctx, org, store.Batch{Objects: both, IfVersion: map[uuid.UUID]int64{idFee: 2}})
	require.ErrorIs(t, err, pricekit.ErrConflict, "stale version")
	_, err = s.Save(ctx, org, store.Batch{Objects: both, IfVersion: map[uuid.UUID]int64{idFee: 0}})
	require.ErrorIs(t, err, pricekit.ErrConflict, "0 means not stored yet")
	_, err = s.Save(ctx, org, store.Batch{Objects: both, IfVersion: map[uuid.UUID]int64{idFee: 1, other.FixedFees[0].ID: 1}})
	require.ErrorIs(t, err, pricekit.ErrConflict, "a new document is at version 0")
	assert.Equal(t, before, count(t, s, org), "a refused save writes nothing")
	v, err := s.Version(ctx, org, idFee)
	require.NoError(t, err)
	assert.Equal(t, int64(1), v)

	_, err = s.Save(ctx, org, store.Batch{Objects: both, IfVersion: map[uuid.UUID]int64{idFee: 1, other.FixedFees[0].ID: 0}})
	require.NoError(t, err)
	v, err = s.Version(ctx, org, idFee)
	require.NoError(t, err)
	assert.Equal(t, int64(2), v)
	assert.Equal(t, before+1, count(t, s, org))
}

func TestSaveRefusals(t *testing.T) {
	ctx := context.Background()
	cycleSub := uuid.MustParse("00000000-cc00-4000-8000-000000000002")
	for _, c := range []struct {
		name  string
		batch string
		want  pricekit.Code
		field string
		edit  func(*contract.Objects) // makes what JSON cannot say
	}{
		{"empty", `{}`, pricekit.ErrMissingInput, "", nil},
		{"invalid document", `{"fixed_fees": [{"amount": "1"}]}`, pricekit.ErrInvalidInput, "fixed_fees[0].amount",
			func(o *contract.Objects) { o.FixedFees[0].Amount = decimal.NewFromInt(-1) }},
		{"invalid tiers", `{"tiers": [{"tiers": [[0, null, 1]], "pricing_type": 1}]}`, pricekit.ErrInvalidTiers, "",
			func(o *contract.Objects) { o.Plans[0].Tiers[0].Start = decimal.NewFromInt(1) }},
		{"unknown reference", `{"sub_contracts": [{"start_date": "2024-01-01", "fixed_fees": ["00000000-f000-4000-8000-0000000000ff"]}]}`,
			pricekit.ErrUnknownReference, "sub_contracts[0].fixed_fees[0]", nil},
		{"reference of another kind", `{"product_contracts": [{"product_id": "00000000-b000-4000-8000-000000000001",
			"tiers": "00000000-f000-4000-8000-000000000001", "start_date": "2024-01-01"}]}`,
			pricekit.ErrUnknownReference, "product_contracts[0].tiers", nil},
		{"cycle through the store", fmt.Sprintf(`{"sub_contracts": [
			{"id": %q, "start_date": "2024-01-01", "sub_contracts": [%q]},
			{"id": %q, "start_date": "2024-01-01", "sub_contracts": [%q]}]}`, idSub, cycleSub, cycleSub, idSub),
			pricekit.ErrCycle, "", nil},
		{"id of another kind", `{"discounts": [{"id": "00000000-f000-4000-8000-000000000001", "percentage": 5}]}`,
			pricekit.ErrInvalidInput, "discounts[0].id", nil},
		{"one id, two kinds", `{"discounts": [{"id": "00000000-f000-4000-8000-0000000000aa", "percentage": 5}],
			"minimums": [{"id": "00000000-f000-4000-8000-0000000000aa", "amount": 5}]}`,
			pricekit.ErrInvalidInput, "minimums[0].id", nil},
		{"another organization", `{"customers": [{"organization_id": "00000000-0a00-4000-8000-000000000001"}]}`,
			pricekit.ErrInvalidInput, "customers[0].organization_id", nil},
		{"day out of range", `{"product_contracts": [{"tiers": "00000000-a000-4000-8000-000000000001",
			"product_id": "00000000-b000-4000-8000-000000000001", "start_date": "2024-01-01"}]}`,
			pricekit.ErrInvalidInput, "product_contracts[0].start_date",
			func(o *contract.Objects) { o.ProductContracts[0].Start = maxDay + 1 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, org := newStore(t)
			tree := saveTree(t, s, org)
			var o contract.Objects
			if c.batch != `{}` {
				o = objects(t, c.batch)
			}
			if c.edit != nil {
				c.edit(&o)
			}
			before := count(t, s, org)
			_, err := s.Save(ctx, org, batchOf(o))
			require.ErrorIs(t, err, c.want)
			if c.field != "" {
				require.NotNil(t, pricekit.First(err))
				assert.Equal(t, c.field, pricekit.First(err).Field)
			}
			assert.Equal(t, before, count(t, s, org), "a refused save writes nothing")
			all, err := s.List(ctx, org)
			require.NoError(t, err)
			assert.Equal(t, asJSON(t, tree), asJSON(t, all), "stored documents are unchanged")
		})
	}
}

func TestTenantIsolation(t *testing.T) {
	ctx := context.Background()
	s, org := newStore(t)
	saveTree(t, s, org)
	_, err := s.Ingest(ctx, org, []usage.Event{day("u1", idPC1, "2024-03-01", "5")})
	require.NoError(t, err)
	other := uuid.New()

	_, err = s.Get(ctx, other, contract.KindParentContract, idParent)
	require.ErrorIs(t, err, pricekit.ErrNotFound)
	_, err = s.Version(ctx, other, idParent)
	require.ErrorIs(t, err, pricekit.ErrNotFound)
	all, err := s.List(ctx, other)
	require.NoError(t, err)
	assert.Zero(t, all.Len())
	parents, err := s.ParentContracts(ctx, other, idCustomer)
	require.NoError(t, err)
	assert.Empty(t, parents)
	events, err := s.Usage(ctx, other, []uuid.UUID{idPC1}, minDay, maxDay)
	require.NoError(t, err)
	assert.Empty(t, events)

	// References, versions and usage resolve within the organization only.
	_, err = s.Save(ctx, other, batchOf(objects(t, `{"sub_contracts": [{"start_date": "2024-01-01",
		"product_contracts": ["00000000-cb00-4000-8000-000000000001"]}]}`)))
	require.ErrorIs(t, err, pricekit.ErrUnknownReference)
	_, err = s.Save(ctx, other, store.Batch{Objects: objects(t, `{"fixed_fees": [{"id": "00000000-f000-4000-8000-000000000001", "amount": 1}]}`),
		IfVersion: map[uuid.UUID]int64{idFee: 1}})
	require.ErrorIs(t, err, pricekit.ErrConflict, "the other organization has no such document")
	_, err = s.Ingest(ctx, other, []usage.Event{day("u1", idPC1, "2024-03-01", "5")})
	require.ErrorIs(t, err, pricekit.ErrUsageOutOfContract)

	// The same ids may live in both organizations, apart.
	saveTree(t, s, other)
	_, err = s.Ingest(ctx, other, []usage.Event{day("u1", idPC1, "2024-03-02", "7")})
	require.NoError(t, err, "a usage id is unique per organization")
	mine, err := s.Usage(ctx, org, []uuid.UUID{idPC1}, minDay, maxDay)
	require.NoError(t, err)
	require.Len(t, mine, 1)
	assert.Equal(t, "5", mine[0].Quantity.String())
}
