package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

func usageTests() []test {
	return []test{
		{"Ingest", testIngest},
		{"Replay", testReplay},
		{"Replay within batch", testReplayInBatch},
		{"Duplicate", testDuplicate},
		{"Duplicate within batch", testDuplicateInBatch},
		{"OutOfContract/unknown product contract", outOfContract("usage[0].contract_id",
			func(tr tree) usage.Event { return event("u1", uuid.New(), "2024-02-01", "1") })},
		{"OutOfContract/sub contract id", outOfContract("usage[0].contract_id",
			func(tr tree) usage.Event { return event("u1", tr.sub.ID, "2024-02-01", "1") })},
		{"OutOfContract/other product", outOfContract("usage[0].product_id",
			func(tr tree) usage.Event {
				e := event("u1", tr.product.ID, "2024-02-01", "1")
				e.ProductID = uuid.New()
				return e
			})},
		{"OutOfContract/before start", outOfContract("usage[0].date",
			func(tr tree) usage.Event { return event("u1", tr.product.ID, "2023-12-31", "1") })},
		{"OutOfContract/after end", outOfContract("usage[0].date",
			func(tr tree) usage.Event { return event("u1", tr.product.ID, "2025-01-01", "1") })},
		{"OwnProductNamed", testOwnProduct},
		{"AllOrNothing", testUsageAllOrNothing},
		{"EmptyBatch", testUsageEmpty},
		{"WithoutID", testUsageWithoutID},
		{"Filter", testUsageFilter},
		{"TimeZone", testUsageTimeZone},
	}
}

// usageTree saves a tree whose product contract runs through 2024 and
// returns it.
func usageTree(t *testing.T, s store.Store) (uuid.UUID, tree) {
	t.Helper()
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	return org, tr
}

func allUsage(t *testing.T, s store.Store, org uuid.UUID, productContracts ...uuid.UUID) []usage.Event {
	t.Helper()
	got, err := s.Usage(t.Context(), org, productContracts, day("2000-01-01"), day("2100-01-01"))
	require.NoError(t, err)
	return got
}

func testIngest(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	events := []usage.Event{
		event("u1", tr.product.ID, "2024-02-01", "5"),
		event("u2", tr.product.ID, "2024-01-15", "2.5"),
		event("u3", tr.product.ID, "2024-12-31", "0"),
	}
	got, err := s.Ingest(t.Context(), org, events)
	require.NoError(t, err)
	assert.Equal(t, store.Ingested{Added: 3}, got)
	assertEvents(t, events, allUsage(t, s, org, tr.product.ID))
}

func testReplay(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	events := []usage.Event{
		event("u1", tr.product.ID, "2024-02-01", "5"),
		{ID: "u2", ContractID: tr.product.ID, Timestamp: at, Quantity: dec("7")},
	}
	_, err := s.Ingest(t.Context(), org, events)
	require.NoError(t, err)

	got, err := s.Ingest(t.Context(), org, events)
	require.NoError(t, err)
	assert.Equal(t, store.Ingested{Replayed: 2}, got)

	// The same values spelled otherwise are the same payload.
	respelled := []usage.Event{
		event("u1", tr.product.ID, "2024-02-01", "5.000"),
		{ID: "u2", ContractID: tr.product.ID, Timestamp: at.In(time.FixedZone("+02", 2*3600)), Quantity: dec("7.0")},
	}
	got, err = s.Ingest(t.Context(), org, respelled)
	require.NoError(t, err)
	assert.Equal(t, store.Ingested{Replayed: 2}, got)
	assertEvents(t, events, allUsage(t, s, org, tr.product.ID))
}

func testReplayInBatch(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	e := event("u1", tr.product.ID, "2024-02-01", "5")
	got, err := s.Ingest(t.Context(), org, []usage.Event{e, e})
	require.NoError(t, err)
	assert.Equal(t, store.Ingested{Added: 1, Replayed: 1}, got)
	assertEvents(t, []usage.Event{e}, allUsage(t, s, org, tr.product.ID))
}

func testDuplicate(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	first := event("u1", tr.product.ID, "2024-02-01", "5")
	_, err := s.Ingest(t.Context(), org, []usage.Event{first})
	require.NoError(t, err)

	for name, changed := range map[string]usage.Event{
		"quantity": event("u1", tr.product.ID, "2024-02-01", "6"),
		"day":      event("u1", tr.product.ID, "2024-02-02", "5"),
	} {
		t.Run(name, func(t *testing.T) {
			fresh := event("u9", tr.product.ID, "2024-02-03", "1")
			_, err := s.Ingest(t.Context(), org, []usage.Event{fresh, changed})
			require.ErrorIs(t, err, store.ErrDuplicateUsage)
			assert.Contains(t, fields(err), "usage[1].id")
			assertEvents(t, []usage.Event{first}, allUsage(t, s, org, tr.product.ID))
		})
	}
}

func testDuplicateInBatch(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	_, err := s.Ingest(t.Context(), org, []usage.Event{
		event("u1", tr.product.ID, "2024-02-01", "5"),
		event("u1", tr.product.ID, "2024-02-01", "6"),
	})
	require.ErrorIs(t, err, store.ErrDuplicateUsage)
	assert.Contains(t, fields(err), "usage[1].id")
	assert.Empty(t, allUsage(t, s, org, tr.product.ID))
}

func outOfContract(field string, bad func(tree) usage.Event) func(*testing.T, store.Store) {
	return func(t *testing.T, s store.Store) {
		org, tr := usageTree(t, s)
		_, err := s.Ingest(t.Context(), org, []usage.Event{bad(tr)})
		require.ErrorIs(t, err, store.ErrUsageOutOfContract)
		assert.Contains(t, fields(err), field)
		assert.Empty(t, allUsage(t, s, org, tr.product.ID))
	}
}

func testOwnProduct(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	e := event("u1", tr.product.ID, "2024-02-01", "1")
	e.ProductID = tr.product.ProductID
	got, err := s.Ingest(t.Context(), org, []usage.Event{e})
	require.NoError(t, err)
	assert.Equal(t, store.Ingested{Added: 1}, got)
}

// testUsageAllOrNothing checks that a batch with bad events writes nothing
// and that the refusal names every bad event.
func testUsageAllOrNothing(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	stored := event("s1", tr.product.ID, "2024-01-10", "1")
	_, err := s.Ingest(t.Context(), org, []usage.Event{stored})
	require.NoError(t, err)

	batch := []usage.Event{
		event("u0", tr.product.ID, "2024-02-01", "1"),
		event("u1", uuid.New(), "2024-02-01", "1"),
		event("u2", tr.product.ID, "2024-02-02", "1"),
		event("u3", tr.product.ID, "2025-06-01", "1"),
		event("u4", tr.product.ID, "2024-02-03", "-1"),
		event("s1", tr.product.ID, "2024-01-10", "2"),
	}
	_, err = s.Ingest(t.Context(), org, batch)
	require.ErrorIs(t, err, store.ErrUsageOutOfContract)
	require.ErrorIs(t, err, store.ErrInvalidInput)
	require.ErrorIs(t, err, store.ErrDuplicateUsage)
	assert.Subset(t, fields(err), []string{"usage[1].contract_id", "usage[3].date", "usage[4].quantity", "usage[5].id"})
	for _, f := range fields(err) {
		assert.False(t, strings.HasPrefix(f, "usage[0]") || strings.HasPrefix(f, "usage[2]"), "a good event was blamed: %s", f)
	}
	assertEvents(t, []usage.Event{stored}, allUsage(t, s, org, tr.product.ID))
}

func testUsageEmpty(t *testing.T, s store.Store) {
	org, _ := usageTree(t, s)
	_, err := s.Ingest(t.Context(), org, nil)
	require.ErrorIs(t, err, store.ErrMissingInput)
}

// testUsageWithoutID checks that events without an id have no idempotency:
// each one ingested is stored.
func testUsageWithoutID(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	e := event("", tr.product.ID, "2024-02-01", "1")
	for range 2 {
		got, err := s.Ingest(t.Context(), org, []usage.Event{e})
		require.NoError(t, err)
		assert.Equal(t, store.Ingested{Added: 1}, got)
	}
	assertEvents(t, []usage.Event{e, e}, allUsage(t, s, org, tr.product.ID))
}

// testUsageFilter checks that Usage returns the events of the contracts
// asked whose day lies in [from, to], in ingest order.
func testUsageFilter(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	other := tr.product
	other.ID, other.ProductID = uuid.New(), uuid.New()
	o := tr.objects()
	o.ProductContracts = append(o.ProductContracts, other)
	o.SubContracts[0].ProductContracts = append(o.SubContracts[0].ProductContracts, other.ID)
	save(t, s, org, o)

	pc := tr.product.ID
	events := []usage.Event{
		event("a", pc, "2024-02-29", "1"),
		event("b", pc, "2024-01-31", "2"),
		event("c", other.ID, "2024-02-15", "3"),
		event("d", pc, "2024-02-01", "4"),
		event("e", pc, "2024-03-01", "5"),
	}
	_, err := s.Ingest(t.Context(), org, events)
	require.NoError(t, err)

	for _, c := range []struct {
		name      string
		contracts []uuid.UUID
		from, to  string
		want      []usage.Event
	}{
		{"one contract, inclusive range", []uuid.UUID{pc}, "2024-02-01", "2024-02-29", []usage.Event{events[0], events[3]}},
		{"two contracts", []uuid.UUID{pc, other.ID}, "2024-02-01", "2024-02-29", []usage.Event{events[0], events[2], events[3]}},
		{"other contract", []uuid.UUID{other.ID}, "2024-01-01", "2024-12-31", []usage.Event{events[2]}},
		{"one day", []uuid.UUID{pc}, "2024-03-01", "2024-03-01", []usage.Event{events[4]}},
		{"no day", []uuid.UUID{pc}, "2024-04-01", "2024-12-31", nil},
		{"no contract", nil, "2024-01-01", "2024-12-31", nil},
		{"unknown contract", []uuid.UUID{uuid.New()}, "2024-01-01", "2024-12-31", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.Usage(t.Context(), org, c.contracts, day(c.from), day(c.to))
			require.NoError(t, err)
			assertEvents(t, c.want, got)
		})
	}
}

// testUsageTimeZone checks that a timestamp's day is taken in the time zone
// of the parent contract above the product contract, also when the parent
// is saved after the product contract.
func testUsageTimeZone(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	tr.product.End = day("2024-01-31")
	tr.parent.TimeZone = "Asia/Tokyo" // UTC+9, no daylight saving time
	o := tr.objects()
	parents := o.ParentContracts
	o.ParentContracts = nil
	save(t, s, org, o)
	pc := tr.product.ID

	// Before the parent is saved the product contract is a draft in UTC.
	draft := usage.Event{ID: "draft", ContractID: pc, Timestamp: time.Date(2024, 1, 10, 20, 0, 0, 0, time.UTC), Quantity: dec("1")}
	_, err := s.Ingest(t.Context(), org, []usage.Event{draft})
	require.NoError(t, err)
	save(t, s, org, contract.Objects{ParentContracts: parents})

	newYear := usage.Event{ID: "t1", ContractID: pc, Timestamp: time.Date(2023, 12, 31, 16, 0, 0, 0, time.UTC), Quantity: dec("1")}
	lastHour := usage.Event{ID: "t2", ContractID: pc, Timestamp: time.Date(2024, 1, 31, 14, 30, 0, 0, time.UTC), Quantity: dec("2")}
	got, err := s.Ingest(t.Context(), org, []usage.Event{newYear, lastHour})
	require.NoError(t, err, "2023-12-31T16:00Z is 1 January in Tokyo")
	assert.Equal(t, store.Ingested{Added: 2}, got)

	tooLate := usage.Event{ID: "t3", ContractID: pc, Timestamp: time.Date(2024, 1, 31, 15, 0, 0, 0, time.UTC), Quantity: dec("1")}
	_, err = s.Ingest(t.Context(), org, []usage.Event{tooLate})
	require.ErrorIs(t, err, store.ErrUsageOutOfContract, "2024-01-31T15:00Z is 1 February in Tokyo")
	assert.Contains(t, fields(err), "usage[0].timestamp")

	jan1, err := s.Usage(t.Context(), org, []uuid.UUID{pc}, day("2024-01-01"), day("2024-01-01"))
	require.NoError(t, err)
	assertEvents(t, []usage.Event{newYear}, jan1)
	jan31, err := s.Usage(t.Context(), org, []uuid.UUID{pc}, day("2024-01-31"), day("2024-01-31"))
	require.NoError(t, err)
	assertEvents(t, []usage.Event{lastHour}, jan31)
}
