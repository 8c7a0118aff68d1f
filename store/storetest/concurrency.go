package storetest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// workers is how many goroutines the concurrency checks run at once.
const workers = 100

func concurrencyTests() []test {
	return []test{
		{"mixed", testConcurrentMixed},
		{"same event", testConcurrentSameEvent},
		{"IfVersion", testConcurrentIfVersion},
		{"cycle", testConcurrentCycle},
		{"ratings see one save", testConsistentTree},
	}
}

// testConsistentTree saves a plan and a fee together, again and again, each
// time with the same new amount, while readers resolve the tree: every
// tree read must hold a plan and a fee of one save, never one of each.
func testConsistentTree(t *testing.T, s store.Store) {
	org := uuid.New()
	tr := newTree(org)
	tr.fee.Amount = dec("1")
	tr.plan.Tiers[0].UnitPrice = dec("1")
	save(t, s, org, tr.objects())
	const saves = 150
	done := make(chan struct{})
	var reads, mixed atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				got, err := store.Resolve(t.Context(), s, org, tr.parent.ID)
				if err != nil {
					t.Error(err)
					return
				}
				reads.Add(1)
				if !got.Plans[0].Tiers[0].UnitPrice.Equal(got.FixedFees[0].Amount) {
					mixed.Add(1)
				}
			}
		}()
	}
	// Save until both sides have done their share: in memory a save is so
	// quick that the readers might not have started.
	for i := 2; (i <= saves || reads.Load() < saves) && i < 100*saves; i++ {
		fee, p := tr.fee, tr.plan.Clone()
		fee.Amount = decimal.NewFromInt(int64(i))
		p.Tiers[0].UnitPrice = fee.Amount
		if _, err := s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{
			FixedFees: []plan.FixedFee{fee}, Plans: []plan.TierPlan{p}}}); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	assert.Positive(t, reads.Load())
	assert.Zero(t, mixed.Load(), "of %d tree reads, %d saw a plan and a fee of two saves", reads.Load(), mixed.Load())
}

// together runs f(i) for i in [0, n) on n goroutines released at once.
func together(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

// testConcurrentMixed runs saves of distinct and of the same ids, reads and
// ingests at once, then checks that nothing was lost.
func testConcurrentMixed(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())

	var sharedSaves atomic.Int64
	distinct := make([]uuid.UUID, workers)
	together(workers, func(i int) {
		p := tr.plan
		p.ID = uuid.New()
		distinct[i] = p.ID
		_, err := s.Save(ctx, org, store.Batch{Objects: contract.Objects{Plans: []plan.TierPlan{p}}})
		assert.NoError(t, err, "save of a new plan")

		shared := tr.plan
		shared.DisplayName = fmt.Sprintf("writer %d", i)
		if _, err := s.Save(ctx, org, store.Batch{Objects: contract.Objects{Plans: []plan.TierPlan{shared}}}); assert.NoError(t, err) {
			sharedSaves.Add(1)
		}

		got, err := s.Get(ctx, org, contract.KindPlan, tr.plan.ID)
		if assert.NoError(t, err) && assert.Len(t, got.Plans, 1) {
			assert.Len(t, got.Plans[0].Tiers, 2, "a read saw a torn write")
		}
		all, err := s.List(ctx, org, contract.KindPlan)
		if assert.NoError(t, err) {
			assert.Contains(t, idsOf(all), tr.plan.ID)
		}
		_, err = store.Resolve(ctx, s, org, tr.parent.ID)
		assert.NoError(t, err)

		added, err := s.Ingest(ctx, org, []usage.Event{event(fmt.Sprintf("e%d", i), tr.product.ID, "2024-02-01", "1")})
		if assert.NoError(t, err) {
			assert.Equal(t, store.Ingested{Added: 1}, added)
		}
		_, err = s.Usage(ctx, org, []uuid.UUID{tr.product.ID}, day("2024-01-01"), day("2024-12-31"))
		assert.NoError(t, err)
	})

	all, err := s.List(ctx, org, contract.KindPlan)
	require.NoError(t, err)
	assert.ElementsMatch(t, append([]uuid.UUID{tr.plan.ID}, distinct...), idsOf(all))
	v, err := s.Version(ctx, org, tr.plan.ID)
	require.NoError(t, err)
	assert.Equal(t, 1+sharedSaves.Load(), v, "a save of the same id was lost")
	assert.Len(t, allUsage(t, s, org, tr.product.ID), workers)
}

// testConcurrentSameEvent ingests one event id from every goroutine: it is
// stored exactly once.
func testConcurrentSameEvent(t *testing.T, s store.Store) {
	ctx := t.Context()
	org, tr := usageTree(t, s)
	e := event("once", tr.product.ID, "2024-02-01", "3")
	var added, replayed atomic.Int64
	together(workers, func(int) {
		got, err := s.Ingest(ctx, org, []usage.Event{e})
		if assert.NoError(t, err) {
			added.Add(int64(got.Added))
			replayed.Add(int64(got.Replayed))
		}
	})
	assert.Equal(t, int64(1), added.Load())
	assert.Equal(t, int64(workers-1), replayed.Load())
	assertEvents(t, []usage.Event{e}, allUsage(t, s, org, tr.product.ID))
}

// testConcurrentIfVersion has every goroutine replace one document on the
// condition that it is still at version 1: exactly one wins.
func testConcurrentIfVersion(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := uuid.New()
	tr := newTree(org)
	save(t, s, org, tr.objects())
	var wins atomic.Int64
	together(workers, func(i int) {
		m := tr.minimum
		m.Amount = dec(fmt.Sprint(i))
		_, err := s.Save(ctx, org, store.Batch{
			Objects:   contract.Objects{Minimums: []modifier.Minimum{m}},
			IfVersion: map[uuid.UUID]int64{m.ID: 1},
		})
		switch {
		case err == nil:
			wins.Add(1)
		default:
			assert.ErrorIs(t, err, store.ErrConflict)
		}
	})
	assert.Equal(t, int64(1), wins.Load())
	v, err := s.Version(ctx, org, tr.minimum.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(2), v)
}

// testConcurrentCycle saves A→B and B→A at the same time: each save is fine
// alone, but both together would store a cycle, so one must be refused.
func testConcurrentCycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := uuid.New()
	for range 20 {
		a, b := sub(), sub()
		save(t, s, org, contract.Objects{SubContracts: []contract.SubContract{a, b}})
		aToB, bToA := a, b
		aToB.SubContracts = []uuid.UUID{b.ID}
		bToA.SubContracts = []uuid.UUID{a.ID}
		errs := make([]error, 2)
		together(2, func(i int) {
			doc := []contract.SubContract{aToB, bToA}[i]
			_, errs[i] = s.Save(ctx, org, store.Batch{Objects: contract.Objects{SubContracts: []contract.SubContract{doc}}})
		})
		require.False(t, errs[0] == nil && errs[1] == nil, "both halves of a cycle were saved")
		for _, err := range errs {
			if err != nil {
				assert.True(t, errors.Is(err, store.ErrCycle) || errors.Is(err, store.ErrConflict), "got %v", err)
			}
		}
		got, err := s.Get(ctx, org, contract.KindSubContract, a.ID, b.ID)
		require.NoError(t, err)
		require.Len(t, got.SubContracts, 2)
		assert.False(t, len(got.SubContracts[0].SubContracts) > 0 && len(got.SubContracts[1].SubContracts) > 0,
			"a cycle is stored")
	}
}
