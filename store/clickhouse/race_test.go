package clickhouse

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

// fixture is an organization with one product contract through 2024, its
// documents in a memory store.
type fixture struct {
	org, product uuid.UUID
	docs         *memory.Store
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	f := fixture{org: uuid.New(), product: uuid.New(), docs: memory.New()}
	p := plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated, Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: decimal.RequireFromString("1")}}}
	sub := uuid.New()
	_, err := f.docs.Save(t.Context(), f.org, store.Batch{Objects: contract.Objects{
		Plans: []plan.TierPlan{p},
		ProductContracts: []contract.ProductContract{{ID: f.product, ProductID: uuid.New(), PlanID: p.ID,
			Dates: contract.Dates{Start: day("2024-01-01"), End: day("2024-12-31")}}},
		SubContracts: []contract.SubContract{{ID: sub, Dates: contract.Dates{Start: day("2024-01-01")},
			ProductContracts: []uuid.UUID{f.product}}},
		ParentContracts: []contract.ParentContract{{SubContract: contract.SubContract{ID: uuid.New(),
			Dates: contract.Dates{Start: day("2024-01-01")}, SubContracts: []uuid.UUID{sub}}, CustomerID: uuid.New()}},
	}})
	require.NoError(t, err)
	return f
}

func (f fixture) event(id, onDay, qty string) usage.Event {
	return usage.Event{ID: id, ContractID: f.product, Date: day(onDay), Quantity: decimal.RequireFromString(qty)}
}

func day(s string) date.Date { return date.MustParseISO(s) }

// writers returns two Stores on the test database over f's documents:
// two processes, each serializing only its own ingestions.
func (f fixture) writers(t *testing.T) (*Store, *Store) {
	return newStore(t, f.docs), newStore(t, f.docs)
}

// raceBoth ingests a into w1 and b into w2 at once, both checking their
// ids before either stores them: the window the check after storing
// closes.
func raceBoth(t *testing.T, w1, w2 *Store, org uuid.UUID, a, b []usage.Event) (errA, errB error) {
	var checked sync.WaitGroup
	checked.Add(2)
	wait := func() { checked.Done(); checked.Wait() }
	w1.beforeInsert, w2.beforeInsert = wait, wait
	defer func() { w1.beforeInsert, w2.beforeInsert = nil, nil }()
	var done sync.WaitGroup
	done.Add(2)
	go func() { defer done.Done(); _, errA = w1.Ingest(t.Context(), org, a) }()
	go func() { defer done.Done(); _, errB = w2.Ingest(t.Context(), org, b) }()
	done.Wait()
	return errA, errB
}

// sumOf is what the store aggregates for f's product contract in 2024.
func (f fixture) sumOf(t *testing.T, s *Store) usage.Aggregates {
	t.Helper()
	got, err := s.Aggregate(t.Context(), f.org, []usage.Request{{Contract: f.product,
		Bounds: []date.Date{day("2024-01-01"), day("2025-01-01")}}})
	require.NoError(t, err)
	return got[0][0]
}

// TestRaceSamePayload races two writers storing one event: both store a
// copy, and every read counts it once.
func TestRaceSamePayload(t *testing.T) {
	f := newFixture(t)
	w1, w2 := f.writers(t)
	for i := range 10 {
		e := f.event(fmt.Sprintf("same-%d", i), "2024-02-01", "3")
		errA, errB := raceBoth(t, w1, w2, f.org, []usage.Event{e}, []usage.Event{e})
		require.NoError(t, errA)
		require.NoError(t, errB)
	}
	got, err := w1.Usage(t.Context(), f.org, []uuid.UUID{f.product}, day("2024-01-01"), day("2024-12-31"))
	require.NoError(t, err)
	assert.Len(t, got, 10, "each event once")
	a := f.sumOf(t, w2)
	assert.Equal(t, int64(10), a.Count)
	assert.Equal(t, "30", a.Sum.String())
	var stored uint64
	require.NoError(t, testConn.QueryRow(t.Context(), `SELECT count() FROM pricekit_usage_events WHERE org = ?`, f.org).Scan(&stored))
	assert.Equal(t, uint64(20), stored, "both writers stored a copy of each")
	twins, err := w1.hasTwins(t.Context(), f.org)
	require.NoError(t, err)
	assert.True(t, twins, "the copies are recorded")
	var recorded uint64
	require.NoError(t, testConn.QueryRow(t.Context(), `SELECT uniqExact(event_id) FROM pricekit_usage_twins WHERE org = ?`, f.org).Scan(&recorded))
	assert.Equal(t, uint64(10), recorded, "every event stored twice")
	charged, err := w1.Aggregate(t.Context(), f.org, []usage.Request{{Contract: f.product,
		Bounds: []date.Date{day("2024-01-01"), day("2025-01-01")}, Charge: &usage.Charge{Rate: decimal.NewFromInt(10), Free: 2}}})
	require.NoError(t, err)
	require.NotNil(t, charged[0][0].Charges)
	assert.Equal(t, int64(8), charged[0][0].Charges.Events, "each event priced once, two free")
	assert.Equal(t, "2.4", charged[0][0].Charges.Amount.String())
	// A replay now finds the first copy.
	got2, err := w1.Ingest(t.Context(), f.org, []usage.Event{f.event("same-0", "2024-02-01", "3.0")})
	require.NoError(t, err)
	assert.Equal(t, store.Ingested{Replayed: 1}, got2)
	conflicts, err := w1.Conflicts(t.Context(), f.org)
	require.NoError(t, err)
	assert.Empty(t, conflicts)
}

// TestRaceDifferentPayloads races two writers storing one id with
// different payloads, each with an event of its own: at most one batch is
// accepted, and reads see exactly the accepted batches, whole.
func TestRaceDifferentPayloads(t *testing.T) {
	f := newFixture(t)
	w1, w2 := f.writers(t)
	const rounds = 10
	want := decimal.Zero
	var accepted int64
	for i := range rounds {
		id := fmt.Sprintf("x-%d", i)
		a := []usage.Event{f.event(id, "2024-03-01", "1"), f.event(fmt.Sprintf("a-%d", i), "2024-03-02", "10")}
		b := []usage.Event{f.event(id, "2024-03-01", "2"), f.event(fmt.Sprintf("b-%d", i), "2024-04-02", "100")}
		errA, errB := raceBoth(t, w1, w2, f.org, a, b)
		require.False(t, errA == nil && errB == nil, "round %d: both batches accepted", i)
		for _, r := range []struct {
			err    error
			events []usage.Event
		}{{errA, a}, {errB, b}} {
			if r.err == nil {
				accepted++
				want = want.Add(r.events[0].Quantity).Add(r.events[1].Quantity)
				continue
			}
			assert.ErrorIs(t, r.err, store.ErrDuplicateUsage)
		}
		// A refused batch is refused whole: a retry of it is accepted when
		// its rival was refused too, and refused when its rival stands.
		if errA != nil && errB != nil {
			_, err := w1.Ingest(t.Context(), f.org, a)
			require.NoError(t, err, "round %d: the retry after both were refused", i)
			accepted++
			want = want.Add(a[0].Quantity).Add(a[1].Quantity)
		}
		_, err := w2.Ingest(t.Context(), f.org, b)
		if errB == nil {
			require.NoError(t, err, "a replay of the accepted batch")
		} else {
			assert.ErrorIs(t, err, store.ErrDuplicateUsage, "round %d: the refused batch again", i)
		}
	}
	assert.Equal(t, int64(rounds), accepted, "one batch of each round counts")
	got := f.sumOf(t, w1)
	assert.Equal(t, int64(2*rounds), got.Count)
	assert.Equal(t, want.String(), got.Sum.String())
	conflicts, err := w1.Conflicts(t.Context(), f.org)
	require.NoError(t, err)
	assert.Empty(t, conflicts)
}

// TestAWriterThatDiesLeavesNothing stores a batch as a writer that dies
// before committing it leaves it: nothing of it is read, a retry of it is
// accepted and counted once.
func TestAWriterThatDiesLeavesNothing(t *testing.T) {
	f := newFixture(t)
	w1, w2 := f.writers(t)
	dead := []usage.Event{f.event("x", "2024-05-02", "2"), {ContractID: f.product, Date: day("2024-05-03"), Quantity: decimal.NewFromInt(7)}}
	w1.afterInsert = func() { panic("died") }
	assert.PanicsWithValue(t, "died", func() { _, _ = w1.Ingest(t.Context(), f.org, dead) })
	assert.Equal(t, int64(0), f.sumOf(t, w2).Count, "nothing of a batch never committed is read")
	got, err := w2.Ingest(t.Context(), f.org, dead)
	require.NoError(t, err)
	assert.Equal(t, store.Ingested{Added: 2}, got, "the retry stores it")
	a := f.sumOf(t, w2)
	assert.Equal(t, int64(2), a.Count)
	assert.Equal(t, "9", a.Sum.String())
}

// TestAFailedIngestLeavesNothing fails an ingestion after its events are
// stored: nothing of it is read, and a retry counts each event once.
func TestAFailedIngestLeavesNothing(t *testing.T) {
	f := newFixture(t)
	s := newStore(t, f.docs)
	events := []usage.Event{f.event("a", "2024-05-02", "5"), {ContractID: f.product, Date: day("2024-05-03"), Quantity: decimal.NewFromInt(7)}}
	ctx, cancel := context.WithCancel(t.Context())
	s.afterInsert = cancel
	_, err := s.Ingest(ctx, f.org, events)
	require.ErrorIs(t, err, context.Canceled)
	s.afterInsert = nil
	assert.Equal(t, int64(0), f.sumOf(t, s).Count)
	_, err = s.Ingest(t.Context(), f.org, events)
	require.NoError(t, err)
	a := f.sumOf(t, s)
	assert.Equal(t, int64(2), a.Count)
	assert.Equal(t, "12", a.Sum.String())
}

// TestConflicts commits a rival batch past the checks, as a commit that
// reached the server after its batch was taken for dead would: both
// payloads count, and Conflicts names the id.
func TestConflicts(t *testing.T) {
	f := newFixture(t)
	w1, w2 := f.writers(t)
	_, err := w1.Ingest(t.Context(), f.org, []usage.Event{f.event("x", "2024-05-01", "1")})
	require.NoError(t, err)
	commitPastChecks(t, w2, f.org, f.event("x", "2024-05-02", "2"))

	conflicts, err := w1.Conflicts(t.Context(), f.org)
	require.NoError(t, err)
	require.Len(t, conflicts, 1)
	assert.Equal(t, "x", conflicts[0].ID)
	require.Len(t, conflicts[0].Copies, 2)
	assert.Equal(t, "1", conflicts[0].Copies[0].Event.Quantity.String())
	assert.Equal(t, "2", conflicts[0].Copies[1].Event.Quantity.String())
	assert.Equal(t, "3", f.sumOf(t, w1).Sum.String(), "on two days, both copies count")
}

// TestReplayOfABatchStillInFlight races a batch that replays an event of
// another batch which is then refused: the replay stores its own copy, so
// the event counts once whatever becomes of the other batch.
func TestReplayOfABatchStillInFlight(t *testing.T) {
	f := newFixture(t)
	w1, w2 := f.writers(t)
	// w1 checks {x: 5, y: 1}; w2 then stores {y: 2}; w1 stores its batch;
	// before w1 looks again, w2 ingests {x: 5, z: 1}.
	w1.beforeInsert = func() {
		_, err := w2.Ingest(t.Context(), f.org, []usage.Event{f.event("y", "2024-06-01", "2")})
		require.NoError(t, err)
	}
	var second store.Ingested
	w1.afterInsert = func() {
		var err error
		second, err = w2.Ingest(t.Context(), f.org, []usage.Event{f.event("x", "2024-06-03", "5"), f.event("z", "2024-06-04", "1")})
		require.NoError(t, err)
	}
	_, err := w1.Ingest(t.Context(), f.org, []usage.Event{f.event("x", "2024-06-03", "5"), f.event("y", "2024-06-05", "1")})
	require.ErrorIs(t, err, store.ErrDuplicateUsage, "y was stored meanwhile with another payload")
	assert.Equal(t, store.Ingested{Added: 2}, second, "x was not committed: the second batch stores its own copy")
	a := f.sumOf(t, w1)
	assert.Equal(t, int64(3), a.Count, "y, x and z")
	assert.Equal(t, "8", a.Sum.String())
}

// TestPositionAcrossStores reads the position in a Store that ingests
// nothing while another ingests: it always lies past what was accepted.
func TestPositionAcrossStores(t *testing.T) {
	f := newFixture(t)
	ingest, billing := f.writers(t)
	for i := range 3 {
		_, err := ingest.Ingest(t.Context(), f.org, []usage.Event{f.event(fmt.Sprint("p", i), "2024-07-01", "1")})
		require.NoError(t, err)
		pos, err := billing.Position(t.Context(), f.org)
		require.NoError(t, err)
		since, err := billing.UsageSince(t.Context(), f.org, []uuid.UUID{f.product}, day("2024-01-01"), day("2024-12-31"), pos)
		require.NoError(t, err)
		assert.Empty(t, since, "round %d: every accepted event lies before the position", i)
	}
}

// commitPastChecks stores events as a batch of w and commits it without
// looking anything up: what a commit that reached the server after its
// batch was taken for dead leaves.
func commitPastChecks(t *testing.T, w *Store, org uuid.UUID, events ...usage.Event) {
	t.Helper()
	accepted, err := usage.Accept(events,
		func(uuid.UUID) (usage.Target, bool) {
			return usage.Target{Start: day("2024-01-01"), End: day("2024-12-31")}, true
		},
		nil)
	require.NoError(t, err)
	tn, err := w.tenant(t.Context(), org)
	require.NoError(t, err)
	pos := tn.reserve(w.now(), len(accepted.Events))
	tn.mu.Unlock()
	batch := uuid.New()
	require.NoError(t, w.insert(t.Context(), org, batch, pos, accepted))
	require.NoError(t, w.insertRow(t.Context(), `INSERT INTO pricekit_usage_committed (org, batch)`, org, batch))
}

// TestConflictsOfOnePayload commits a second copy of an event past the
// checks, without its record: reads count it twice, and Conflicts names it.
func TestConflictsOfOnePayload(t *testing.T) {
	f := newFixture(t)
	w1, w2 := f.writers(t)
	e := f.event("x", "2024-05-01", "1")
	_, err := w1.Ingest(t.Context(), f.org, []usage.Event{e})
	require.NoError(t, err)
	commitPastChecks(t, w2, f.org, e)
	conflicts, err := w1.Conflicts(t.Context(), f.org)
	require.NoError(t, err)
	require.Len(t, conflicts, 1)
	assert.Equal(t, "x", conflicts[0].ID)
	assert.Equal(t, int64(2), f.sumOf(t, w1).Count, "unrecorded, the second copy counts")
}
