package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// Issue implements [store.StatementKeeper].
func (s *Store) Issue(ctx context.Context, org, id uuid.UUID, is store.Issued) (store.Issued, error) {
	return s.issue(ctx, org, id, is, true)
}

// Keep implements [store.Documents]: Issue for usage kept elsewhere, its
// position not checked here and no mark made.
func (s *Store) Keep(ctx context.Context, org, id uuid.UUID, is store.Issued) (store.Issued, error) {
	is.Through = 0
	return s.issue(ctx, org, id, is, false)
}

// issue keeps is; ownUsage checks its position against the usage stored
// here.
func (s *Store) issue(ctx context.Context, org, id uuid.UUID, is store.Issued, ownUsage bool) (store.Issued, error) {
	if err := ctx.Err(); err != nil {
		return store.Issued{}, err
	}
	if err := store.CheckIssued(is); err != nil {
		return store.Issued{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenant(org, false)
	if err := t.parent(id); err != nil {
		return store.Issued{}, err
	}
	kept := t.issued[id]
	if is.Number <= len(kept) {
		old := kept[is.Number-1]
		if old.PeriodStart != is.PeriodStart {
			return store.Issued{}, pricekit.Errorf(pricekit.ErrConflict, "store", "number",
				fmt.Sprintf("statement %d is issued already, for %s", is.Number, old.PeriodStart))
		}
		return clone(old), nil
	}
	if is.Number != len(kept)+1 {
		return store.Issued{}, pricekit.Errorf(pricekit.ErrConflict, "store", "number",
			fmt.Sprintf("statement %d cannot be issued before statement %d", is.Number, len(kept)+1))
	}
	if ownUsage {
		if err := store.CheckPosition(is, int64(t.usage.log.Len())); err != nil {
			return store.Issued{}, err
		}
	}
	is = clone(is)
	through := is.Through
	is.Through = 0 // an instruction, not kept
	if t.issued == nil {
		t.issued = map[uuid.UUID][]store.Issued{}
	}
	t.issued[id] = append(kept, is)
	if through != 0 {
		marks := t.usage.marks[id]
		if n := len(marks); n == 0 || marks[n-1].Through < through {
			t.usage.marks[id] = append(marks, usage.Mark{Through: through, Position: is.Position})
		}
	}
	return clone(is), nil
}

// Issued implements [store.StatementKeeper].
func (s *Store) Issued(ctx context.Context, org, id uuid.UUID) ([]store.Issued, error) {
	var out []store.Issued
	err := s.withIssued(ctx, org, id, func(kept []store.Issued) error {
		out = make([]store.Issued, len(kept))
		for i, is := range kept {
			out[i] = clone(is)
		}
		return nil
	})
	return out, err
}

// withIssued calls f with the issued statements of parent contract id,
// under the read lock: f copies what it gives out.
func (s *Store) withIssued(ctx context.Context, org, id uuid.UUID, f func(kept []store.Issued) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.tenant(org, false)
	if err := t.parent(id); err != nil {
		return err
	}
	return f(t.issued[id])
}

// parent refuses an id that is not a stored parent contract of t.
func (t *tenant) parent(id uuid.UUID) error {
	if t != nil {
		if d := t.docs[id]; d != nil && d.kind == contract.KindParentContract {
			return nil
		}
	}
	return pricekit.Errorf(pricekit.ErrNotFound, "store", "contract_id", fmt.Sprintf("no parent contract %s", id))
}

func clone(is store.Issued) store.Issued {
	is.Statement, is.Adjusts = slices.Clone(is.Statement), slices.Clone(is.Adjusts)
	return is
}

// IssuedIndex implements [store.StatementKeeper].
func (s *Store) IssuedIndex(ctx context.Context, org, id uuid.UUID) ([]store.Issued, error) {
	var out []store.Issued
	err := s.withIssued(ctx, org, id, func(kept []store.Issued) error {
		out = make([]store.Issued, len(kept))
		for i, is := range kept {
			is.Statement, is.Adjusts = nil, slices.Clone(is.Adjusts)
			out[i] = is
		}
		return nil
	})
	return out, err
}

// IssuedStatements implements [store.StatementKeeper].
func (s *Store) IssuedStatements(ctx context.Context, org, id uuid.UUID, numbers ...int) ([]store.Issued, error) {
	var out []store.Issued
	err := s.withIssued(ctx, org, id, func(kept []store.Issued) error {
		out = make([]store.Issued, len(numbers))
		for i, n := range numbers {
			if n < 1 || n > len(kept) {
				return pricekit.Errorf(pricekit.ErrNotFound, "store", "number",
					fmt.Sprintf("contract %s has no issued statement %d", id, n))
			}
			out[i] = clone(kept[n-1])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Position implements [store.UsageMarker].
func (s *Store) Position(ctx context.Context, org uuid.UUID) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if t := s.tenant(org, false); t != nil {
		return int64(t.usage.log.Len()), nil
	}
	return 0, nil
}
