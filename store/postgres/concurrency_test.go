package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// TestConcurrentUpsertsAndIngest runs 32 goroutines against one server at
// once. Each increments a counter held in one document (read Version, Get,
// Save with IfVersion, retrying a lost race) and ingests three batches of
// usage whose ids overlap its neighbours'. Afterwards nothing may be lost
// (the counter counts every won save), nothing counted twice (each usage id
// stored once, the quantities summing to the distinct events'), and every
// lost race must have been reported as conflict.
func TestConcurrentUpsertsAndIngest(t *testing.T) {
	const (
		workers   = 32
		perWorker = 5  // increments each goroutine must win
		stride    = 10 // goroutine i ingests ids [i·stride, i·stride+window)
		window    = 60
		batches   = 3
		distinct  = (workers-1)*stride + window
	)
	ctx := context.Background()
	s, org := newStore(t)
	saveTree(t, s, org)
	counter := uuid.MustParse("00000000-f000-4000-8000-0000000000c0")
	_, err := s.Save(ctx, org, batchOf(objects(t, fmt.Sprintf(`{"fixed_fees": [{"id": %q, "amount": "0"}]}`, counter))))
	require.NoError(t, err)

	event := func(k int) usage.Event {
		return usage.Event{ID: fmt.Sprintf("c-%03d", k), ContractID: idPC1,
			Date: date.MustParseISO("2024-05-01") + date.Date(k%28), Quantity: decimal.New(int64(k), -1)}
	}

	var (
		conflicts, added, replayed atomic.Int64
		release                    = make(chan struct{})
		wg                         sync.WaitGroup
		errs                       = make([]error, workers)
	)
	begin := time.Now()
	for w := range workers {
		wg.Go(func() {
			<-release
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			ks := rng.Perm(window)
			for i := range ks {
				ks[i] += w * stride
			}
			won := 0
			for step := 0; won < perWorker || step < batches; step++ {
				if step < batches {
					var batch []usage.Event
					for _, k := range ks[step*window/batches : (step+1)*window/batches] {
						batch = append(batch, event(k))
					}
					got, err := s.Ingest(ctx, org, batch)
					if err != nil {
						errs[w] = fmt.Errorf("ingest: %w", err)
						return
					}
					added.Add(int64(got.Added))
					replayed.Add(int64(got.Replayed))
				}
				for won < perWorker {
					v, err := s.Version(ctx, org, counter)
					if err != nil {
						errs[w] = err
						return
					}
					doc, err := s.Get(ctx, org, contract.KindFixedFee, counter)
					if err != nil {
						errs[w] = err
						return
					}
					fee := doc.FixedFees[0]
					fee.Amount = fee.Amount.Add(decimal.NewFromInt(1))
					_, err = s.Save(ctx, org, store.Batch{Objects: contract.Objects{FixedFees: []plan.FixedFee{fee}},
						IfVersion: map[uuid.UUID]int64{counter: v}})
					if errors.Is(err, pricekit.ErrConflict) {
						conflicts.Add(1)
						continue
					}
					if err != nil {
						errs[w] = fmt.Errorf("save: %w", err)
						return
					}
					won++
					break // interleave saves with the next batch of usage
				}
			}
		})
	}
	close(release)
	wg.Wait()
	elapsed := time.Since(begin)
	for w, err := range errs {
		require.NoError(t, err, "goroutine %d: only conflict may refuse a save", w)
	}

	doc, err := s.Get(ctx, org, contract.KindFixedFee, counter)
	require.NoError(t, err)
	assert.Equal(t, "160", doc.FixedFees[0].Amount.String(), "every won save counted, none lost")
	v, err := s.Version(ctx, org, counter)
	require.NoError(t, err)
	assert.Equal(t, int64(1+workers*perWorker), v)

	events, err := s.Usage(ctx, org, []uuid.UUID{idPC1}, minDay, maxDay)
	require.NoError(t, err)
	seen := map[string]int{}
	sum := decimal.Zero
	for _, e := range events {
		seen[e.ID]++
		sum = sum.Add(e.Quantity)
	}
	assert.Len(t, events, distinct, "each usage id stored once")
	assert.Len(t, seen, distinct)
	want := decimal.Zero
	for k := range distinct {
		want = want.Add(event(k).Quantity)
	}
	assert.True(t, want.Equal(sum), "quantities sum to %s, want %s", sum, want)
	assert.Equal(t, int64(distinct), added.Load())
	assert.Equal(t, int64(workers*window-distinct), replayed.Load())
	t.Logf("%d goroutines: %d saves won, %d lost as conflict; %d events sent, %d added, %d replayed; %v",
		workers, workers*perWorker, conflicts.Load(), workers*window, added.Load(), replayed.Load(), elapsed.Round(time.Millisecond))
}
