package postgres

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// day builds an event on a calendar day.
func day(id string, pc uuid.UUID, d, qty string) usage.Event {
	return usage.Event{ID: id, ContractID: pc, Date: date.MustParseISO(d), Quantity: decimal.RequireFromString(qty)}
}

// stamped builds an event at an RFC 3339 timestamp.
func stamped(id string, pc uuid.UUID, ts, qty string) usage.Event {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		panic(err)
	}
	return usage.Event{ID: id, ContractID: pc, Timestamp: t, Quantity: decimal.RequireFromString(qty)}
}

// ids lists the idempotency keys of events, in order.
func ids(events []usage.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

var everything = []uuid.UUID{idPC1, idPC2}

func TestIngest(t *testing.T) {
	ctx := context.Background()
	s, org := newStore(t)
	saveTree(t, s, org)

	got, err := s.Ingest(ctx, org, []usage.Event{
		day("u1", idPC1, "2024-03-01", "5"),
		day("u2", idPC2, "2024-03-02", "1.25"),
		day("", idPC1, "2024-03-03", "2"),
		day("", idPC1, "2024-03-03", "2"), // no id: no idempotency, both count
		day("u1", idPC1, "2024-03-01", "5.000"),
	})
	require.NoError(t, err)
	assert.Equal(t, 4, got.Added)
	assert.Equal(t, 1, got.Replayed, "a repeat within the batch counts once")

	got, err = s.Ingest(ctx, org, []usage.Event{
		day("u1", idPC1, "2024-03-01", "5.0"),
		day("u2", idPC2, "2024-03-02", "1.250"),
		day("u3", idPC1, "2024-03-04", "0"),
	})
	require.NoError(t, err)
	assert.Equal(t, store.Ingested{Added: 1, Replayed: 2}, got, "the same payload again is a no-op")

	events, err := s.Usage(ctx, org, everything, minDay, maxDay)
	require.NoError(t, err)
	assert.Equal(t, []string{"u1", "u2", "", "", "u3"}, ids(events), "ingest order")
	assert.Equal(t, "1.25", events[1].Quantity.String(), "quantities come back exactly")
	assert.Equal(t, date.MustParseISO("2024-03-02"), events[1].Date)
}

func TestIngestRefusals(t *testing.T) {
	ctx := context.Background()
	draft := uuid.MustParse("00000000-cb00-4000-8000-0000000000dd")
	for _, c := range []struct {
		name   string
		events []usage.Event
		want   pricekit.Code
		fields []string
	}{
		{"empty", nil, pricekit.ErrMissingInput, nil},
		{"negative quantity", []usage.Event{day("n1", idPC1, "2024-03-01", "1"), day("n2", idPC1, "2024-03-01", "-1")},
			pricekit.ErrInvalidInput, []string{"usage[1].quantity"}},
		{"different payload", []usage.Event{day("n1", idPC1, "2024-03-01", "1"), day("seen", idPC1, "2024-03-01", "3")},
			pricekit.ErrDuplicateUsage, []string{"usage[1].id"}},
		{"different payload in the batch", []usage.Event{day("n1", idPC1, "2024-03-01", "1"), day("n1", idPC2, "2024-03-01", "1")},
			pricekit.ErrDuplicateUsage, []string{"usage[1].id"}},
		{"unknown contract", []usage.Event{day("n1", uuid.New(), "2024-03-01", "1")},
			pricekit.ErrUsageOutOfContract, []string{"usage[0].contract_id"}},
		{"not a product contract", []usage.Event{day("n1", idSub, "2024-03-01", "1")},
			pricekit.ErrUsageOutOfContract, []string{"usage[0].contract_id"}},
		{"after the contract", []usage.Event{day("n1", idPC1, "2025-01-01", "1")},
			pricekit.ErrUsageOutOfContract, []string{"usage[0].date"}},
		{"another product", []usage.Event{{ID: "n1", ContractID: idPC1, ProductID: idProduct2,
			Date: date.MustParseISO("2024-03-01"), Quantity: decimal.NewFromInt(1)}},
			pricekit.ErrUsageOutOfContract, []string{"usage[0].product_id"}},
		{"every bad event named", []usage.Event{day("n1", idPC1, "2023-12-31", "1"), day("n2", idPC1, "2024-03-01", "1"),
			day("seen", idPC1, "2024-03-01", "9"), day("n3", draft, "2024-03-01", "-2")},
			pricekit.ErrUsageOutOfContract, []string{"usage[0].date", "usage[2].id", "usage[3].quantity"}},
		{"day the database cannot hold", []usage.Event{day("n1", idPC2, "2024-03-01", "1"),
			{ID: "n2", ContractID: idPC2, Date: maxDay + 1, Quantity: decimal.NewFromInt(1)}},
			pricekit.ErrInvalidInput, []string{"usage[1].date"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, org := newStore(t)
			saveTree(t, s, org)
			_, err := s.Save(ctx, org, batchOf(objects(t, fmt.Sprintf(`{"product_contracts": [{"id": %q,
				"product_id": "00000000-b000-4000-8000-000000000001", "tiers": %q, "start_date": "2024-01-01"}]}`, draft, idPlan))))
			require.NoError(t, err)
			_, err = s.Ingest(ctx, org, []usage.Event{day("seen", idPC1, "2024-02-01", "2")})
			require.NoError(t, err)

			_, err = s.Ingest(ctx, org, c.events)
			require.ErrorIs(t, err, c.want)
			for _, f := range c.fields {
				assert.Contains(t, fieldsOf(err), f)
			}
			events, err := s.Usage(ctx, org, []uuid.UUID{idPC1, idPC2, draft}, minDay, maxDay)
			require.NoError(t, err)
			assert.Equal(t, []string{"seen"}, ids(events), "a refused batch writes nothing")
		})
	}
}

// fieldsOf lists the field paths of every *pricekit.Error in err's tree.
func fieldsOf(err error) []string {
	var out []string
	for _, e := range pricekit.All(err) {
		out = append(out, e.Field)
	}
	return out
}

func TestIngestDays(t *testing.T) {
	ctx := context.Background()
	s, org := newStore(t)
	saveTree(t, s, org)
	draft := uuid.MustParse("00000000-cb00-4000-8000-0000000000dd")
	_, err := s.Save(ctx, org, batchOf(objects(t, fmt.Sprintf(`{"product_contracts": [{"id": %q,
		"product_id": "00000000-b000-4000-8000-000000000001", "tiers": %q, "start_date": "2024-01-01"}]}`, draft, idPlan))))
	require.NoError(t, err)

	// 22:30 UTC on 31 March is 00:30 on 1 April in Berlin (CEST); a draft
	// has no parent and takes the day in UTC.
	_, err = s.Ingest(ctx, org, []usage.Event{
		stamped("berlin", idPC1, "2024-03-31T22:30:00.123456789Z", "1"),
		stamped("draft", draft, "2024-03-31T22:30:00Z", "1"),
		stamped("offset", idPC2, "2024-04-01T01:00:00+05:00", "1"), // 31 Mar 20:00 UTC, 22:00 Berlin
	})
	require.NoError(t, err)

	april, err := s.Usage(ctx, org, []uuid.UUID{idPC1, idPC2, draft}, date.MustParseISO("2024-04-01"), date.MustParseISO("2024-04-30"))
	require.NoError(t, err)
	assert.Equal(t, []string{"berlin"}, ids(april))
	march, err := s.Usage(ctx, org, []uuid.UUID{idPC1, idPC2, draft}, date.MustParseISO("2024-03-31"), date.MustParseISO("2024-03-31"))
	require.NoError(t, err)
	assert.Equal(t, []string{"draft", "offset"}, ids(march))

	// Timestamps come back as sent: nanoseconds and offset kept.
	assert.Equal(t, "2024-03-31T22:30:00.123456789Z", april[0].Timestamp.Format(time.RFC3339Nano))
	assert.Equal(t, "2024-04-01T01:00:00+05:00", march[1].Timestamp.Format(time.RFC3339Nano))
	_, err = s.Ingest(ctx, org, []usage.Event{stamped("offset", idPC2, "2024-03-31T20:00:00Z", "1")})
	require.NoError(t, err, "the same instant in another offset is the same payload")

	// Any bounds may be asked, as billing does for "all usage".
	all, err := s.Usage(ctx, org, []uuid.UUID{idPC1, idPC2, draft}, date.Date(math.MinInt32), date.Date(math.MaxInt32))
	require.NoError(t, err)
	assert.Len(t, all, 3)
	none, err := s.Usage(ctx, org, nil, minDay, maxDay)
	require.NoError(t, err)
	assert.Empty(t, none)
}

// TestIngestRacingDuplicates makes two ingestions check the same new id
// before either inserts: the one that inserts second must see the other's
// row, and count it as a replay or refuse a different payload.
func TestIngestRacingDuplicates(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		a, b     usage.Event
		conflict bool
	}{
		{"same payload", day("race", idPC1, "2024-03-01", "4"), day("race", idPC1, "2024-03-01", "4.0"), false},
		{"different payload", day("race", idPC1, "2024-03-01", "4"), day("race", idPC1, "2024-03-01", "5"), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, org := newStore(t)
			saveTree(t, s, org)
			var checked sync.WaitGroup
			checked.Add(2)
			s.beforeInsert = func() { checked.Done(); checked.Wait() }

			var wg sync.WaitGroup
			var errA, errB error
			var gotA, gotB store.Ingested
			wg.Go(func() {
				r, err := s.Ingest(ctx, org, []usage.Event{c.a, day("only-a", idPC1, "2024-03-02", "1")})
				gotA, errA = r, err
			})
			wg.Go(func() {
				r, err := s.Ingest(ctx, org, []usage.Event{day("only-b", idPC1, "2024-03-02", "1"), c.b})
				gotB, errB = r, err
			})
			wg.Wait()

			events, err := s.Usage(ctx, org, everything, minDay, maxDay)
			require.NoError(t, err)
			stored := map[string]int{}
			for _, e := range events {
				stored[e.ID]++
			}
			assert.Equal(t, 1, stored["race"], "stored once")
			if !c.conflict {
				require.NoError(t, errA)
				require.NoError(t, errB)
				assert.Equal(t, 3, gotA.Added+gotB.Added)
				assert.Equal(t, 1, gotA.Replayed+gotB.Replayed)
				assert.Len(t, events, 3)
				return
			}
			// Exactly one wins; the loser's whole batch is refused.
			require.True(t, (errA == nil) != (errB == nil), "one of %v, %v", errA, errB)
			if errA != nil {
				require.ErrorIs(t, errA, pricekit.ErrDuplicateUsage)
				assert.Equal(t, []string{"usage[0].id"}, fieldsOf(errA))
				assert.Zero(t, stored["only-a"])
				assert.Equal(t, 1, stored["only-b"])
			} else {
				require.ErrorIs(t, errB, pricekit.ErrDuplicateUsage)
				assert.Equal(t, []string{"usage[1].id"}, fieldsOf(errB))
				assert.Zero(t, stored["only-b"])
				assert.Equal(t, 1, stored["only-a"])
			}
			assert.Len(t, events, 2)
		})
	}
}
