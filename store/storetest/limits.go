package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// The limits of docs/errors.md hold in every store alike: the same input
// gets the same code and field path, before anything is written.
func limitTests() []test {
	return []test{
		{"text/NUL in a display name", badSave(func(o *contract.Objects) { o.Plans[0].DisplayName = "api\x00" }, "tiers[0].display_name")},
		{"text/invalid UTF-8 in a display name", badSave(func(o *contract.Objects) { o.SubContracts[0].DisplayName = "t\xffeam" }, "sub_contracts[0].display_name")},
		{"text/NUL in an email", badSave(func(o *contract.Objects) { o.Customers[0].Email = "a@b\x00" }, "customers[0].customer_email")},
		{"text/invalid UTF-8 in a customer name", badSave(func(o *contract.Objects) { o.Customers[0].Name = "\xc3" }, "customers[0].customer_name")},
		{"decimal/39 digits", badSave(func(o *contract.Objects) { o.FixedFees[0].Amount = dec(strings.Repeat("9", 39)) }, "fixed_fees[0].amount")},
		{"decimal/29 places", badSave(func(o *contract.Objects) { o.Minimums[0].Amount = decimal.New(1, -29) }, "minimums[0].amount")},
		{"decimal/ten thousand places", badSave(func(o *contract.Objects) { o.Credits[0].Amount = decimal.New(1, -10001) }, "credits[0].amount")},
		{"decimal/tier price", badSave(func(o *contract.Objects) { o.Plans[0].Tiers[1].UnitPrice = decimal.New(1, -100000) }, "tiers[0].tiers[1].unit_price")},
		{"day/after 9999-12-31", badSave(func(o *contract.Objects) { o.ProductContracts[0].End = date.New(10000, 1, 1) }, "product_contracts[0].end_date")},
		{"day/before 0001-01-02", badSave(func(o *contract.Objects) { o.Credits[0].StartDate = date.New(1, 1, 1) - 5 }, "credits[0].start_date")},
		{"decimal/38 digits are kept", testDecimalAtTheLimit},
		{"usage/NUL in an id", badEvent(func(e *usage.Event) { e.ID = "evt\x00" }, "usage[0].id")},
		{"usage/invalid UTF-8 in an id", badEvent(func(e *usage.Event) { e.ID = "evt\xff" }, "usage[0].id")},
		{"usage/id of 1025 bytes", badEvent(func(e *usage.Event) { e.ID = strings.Repeat("x", 1025) }, "usage[0].id")},
		{"usage/quantity of 39 digits", badEvent(func(e *usage.Event) { e.Quantity = dec(strings.Repeat("9", 39)) }, "usage[0].quantity")},
		{"usage/quantity of 1e-100000", badEvent(func(e *usage.Event) { e.Quantity = decimal.New(1, -100000) }, "usage[0].quantity")},
		{"usage/day after 9999-12-31", badEvent(func(e *usage.Event) { e.Date = date.New(10000, 1, 1) }, "usage[0].date")},
		{"usage/timestamp in year 10000", badEvent(func(e *usage.Event) {
			e.Date, e.Timestamp = 0, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
		}, "usage[0].timestamp")},
		{"usage/id of 1024 bytes is kept", testEventIDAtTheLimit},
		{"one id given twice is returned once", testSameIDTwice},
	}
}

// badSave saves a tree spoilt by spoil and requires invalid_input at field,
// and nothing written.
func badSave(spoil func(*contract.Objects), field string) func(*testing.T, store.Store) {
	return func(t *testing.T, s store.Store) {
		org := uuid.New()
		o := newTree(org).objects()
		spoil(&o)
		_, err := s.Save(t.Context(), org, store.Batch{Objects: o})
		require.ErrorIs(t, err, store.ErrInvalidInput)
		assert.Contains(t, fields(err), field)
		all, err := s.List(t.Context(), org)
		require.NoError(t, err)
		assert.Zero(t, all.Len(), "nothing is written")
	}
}

// badEvent ingests an event spoilt by spoil, after a good one in the same
// batch, and requires invalid_input at field, and nothing stored.
func badEvent(spoil func(*usage.Event), field string) func(*testing.T, store.Store) {
	return func(t *testing.T, s store.Store) {
		org, tr := usageTree(t, s)
		e := event("e1", tr.product.ID, "2024-02-01", "1")
		spoil(&e)
		_, err := s.Ingest(t.Context(), org, []usage.Event{e, event("e2", tr.product.ID, "2024-02-02", "1")})
		require.ErrorIs(t, err, store.ErrInvalidInput)
		assert.Equal(t, []string{field}, fields(err))
		assert.Empty(t, allUsage(t, s, org, tr.product.ID), "nothing is stored")
	}
}

func testDecimalAtTheLimit(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	o := tr.objects()
	big := dec(strings.Repeat("9", 10) + "." + strings.Repeat("9", 28)) // 38 digits, 28 places
	o.FixedFees[0].Amount = big
	o.Minimums[0].Amount = dec("0." + strings.Repeat("0", 27) + "1")
	save(t, s, org, o)
	got, err := s.Get(t.Context(), org, contract.KindFixedFee, tr.fee.ID)
	require.NoError(t, err)
	assert.True(t, big.Equal(got.FixedFees[0].Amount), "kept exactly: %s", got.FixedFees[0].Amount)
}

func testEventIDAtTheLimit(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	e := event(strings.Repeat("é", 512), tr.product.ID, "2024-02-01", "1") // 1024 bytes
	got, err := s.Ingest(t.Context(), org, []usage.Event{e})
	require.NoError(t, err)
	assert.Equal(t, 1, got.Added)
	stored := allUsage(t, s, org, tr.product.ID)
	require.Len(t, stored, 1)
	assert.Equal(t, e.ID, stored[0].ID)
}

// testSameIDTwice: a batch naming one id twice stores and returns the
// later document, once.
func testSameIDTwice(t *testing.T, s store.Store) {
	org := uuid.New()
	id := uuid.New()
	first := modifier.Minimum{ID: id, Amount: dec("1")}
	second := modifier.Minimum{ID: id, Amount: dec("2")}
	fee := plan.FixedFee{ID: uuid.New(), Amount: dec("3")}
	got, err := s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{Minimums: []modifier.Minimum{first, second},
		FixedFees: []plan.FixedFee{fee}}})
	require.NoError(t, err)
	require.Len(t, got.Minimums, 1)
	assert.True(t, got.Minimums[0].Amount.Equal(dec("2")))
	require.Len(t, got.FixedFees, 1)
	read, err := s.Get(t.Context(), org, contract.KindMinimum, id)
	require.NoError(t, err)
	assert.True(t, read.Minimums[0].Amount.Equal(dec("2")))
}
