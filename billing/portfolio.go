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
// at once and holds at most twice as many results, so a run of any size
// keeps a bounded number of statements in memory.
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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type job struct {
		i    int
		done chan Result
	}
	jobs := make(chan job)
	pending := make(chan job, 2*workers) // results in flight, in contract order
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				stmts, err := Rate(ctx, st, org, ids[j.i], run.From, run.To)
				j.done <- Result{Contract: ids[j.i], Statements: stmts, Err: err}
			}
		}()
	}
	go func() {
		defer close(pending)
		defer close(jobs)
		for i := range ids {
			j := job{i: i, done: make(chan Result, 1)}
			select {
			case pending <- j: // waits while 2×workers results are not handed over
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	var err error
	for j := range pending {
		var r Result
		select {
		case r = <-j.done:
		case <-ctx.Done():
		}
		if err == nil && ctx.Err() == nil {
			err = each(r)
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
