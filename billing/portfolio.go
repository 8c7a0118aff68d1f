package billing

import (
	"context"
	"runtime"
	"sync"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/rating"
)

// Result is the rating of one parent contract in a portfolio run: its
// statements, or the reason it could not be rated.
type Result struct {
	Contract   uuid.UUID
	Statements []rating.Statement
	Err        error
}

// Run configures a portfolio run. The zero Run rates each contract over
// its own dates, on as many workers as the machine has cores.
type Run struct {
	From, To date.Date // as for Rate: zero is the contract's own dates
	Workers  int       // contracts rated at once; 0: GOMAXPROCS
	// Contracts, when not nil, is the parent contracts to rate, in the
	// order their results come; nil rates every parent contract of the
	// organization, in the order they were first saved. A host sharding a
	// run across processes hands each its share.
	Contracts []uuid.UUID
}

// Portfolio rates every parent contract of org (the seed service's
// "factory run") and hands each result to each, from the calling
// goroutine, in the order of the contracts. It rates run.Workers contracts
// at once, each worker taking a batch of consecutive contracts at a time
// (up to batchSize, fewer for a small run), and holds at most two batches
// per worker of results not yet handed over, so a run of any size keeps a
// bounded number of statements in memory. Batches spare the workers and
// the caller a hand-over per contract, which cost more than rating a small
// contract.
//
// A contract that cannot be rated gives a Result with Err and the run goes
// on. The run stops when ctx is done (returning its error) or when each
// returns an error (returning it); contracts not yet handed over are then
// not rated.
func Portfolio(ctx context.Context, st Reader, org uuid.UUID, run Run, each func(Result) error) error {
	ids := run.Contracts
	if ids == nil {
		all, err := st.List(ctx, org, contract.KindParentContract)
		if err != nil {
			return err
		}
		ids = make([]uuid.UUID, len(all.ParentContracts))
		for i, p := range all.ParentContracts {
			ids[i] = p.ID
		}
	}
	workers := run.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	size := min(batchSize, max(1, len(ids)/(4*workers)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type batch struct {
		from, to int
		done     chan []Result
	}
	jobs := make(chan batch)
	pending := make(chan batch, 2*workers) // batches in flight, in contract order
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				out := make([]Result, 0, b.to-b.from)
				for _, id := range ids[b.from:b.to] {
					if ctx.Err() != nil {
						break
					}
					stmts, err := Rate(ctx, st, org, id, run.From, run.To)
					out = append(out, Result{Contract: id, Statements: stmts, Err: err})
				}
				b.done <- out
			}
		}()
	}
	go func() {
		defer close(pending)
		defer close(jobs)
		for from := 0; from < len(ids); from += size {
			b := batch{from: from, to: min(from+size, len(ids)), done: make(chan []Result, 1)}
			select {
			case pending <- b: // waits while 2×workers batches are not handed over
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	var err error
	for b := range pending {
		var rs []Result
		select {
		case rs = <-b.done:
		case <-ctx.Done():
		}
		for _, r := range rs {
			if err == nil && ctx.Err() == nil {
				err = each(r)
			}
		}
		if err != nil {
			cancel()
		}
	}
	wg.Wait()
	if err != nil {
		return err
	}
	return context.Cause(ctx)
}

// batchSize is the most contracts a worker of [Portfolio] takes at once.
const batchSize = 16
