package clickhouse

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// Mark implements [store.UsageMarker]: the mark holds the position now,
// read after the ingestions of org in this process finished.
func (s *Store) Mark(ctx context.Context, org, parentContract uuid.UUID, through date.Date) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t, err := s.tenant(ctx, org)
	if err != nil {
		return err
	}
	defer t.mu.Unlock()
	last, ok, err := s.lastMark(ctx, org, parentContract)
	if err != nil {
		return err
	}
	switch {
	case ok && through < last:
		return pricekit.Errorf(pricekit.ErrInvalidInput, "store", "through",
			fmt.Sprintf("usage is billed through %s already; a mark never goes back (got %s)", last, through))
	case ok && through == last:
		return nil
	}
	pos, err := s.positionNow(ctx, org, t)
	if err != nil {
		return err
	}
	return s.insertMark(ctx, org, parentContract, through, pos)
}

// lastMark returns the day of the latest mark of a parent contract.
func (s *Store) lastMark(ctx context.Context, org, parentContract uuid.UUID) (date.Date, bool, error) {
	var (
		last int64
		n    uint64
	)
	if err := s.conn.QueryRow(ctx, `SELECT max(through), count() FROM pricekit_usage_marks WHERE org = ? AND contract = ?`,
		org, parentContract).Scan(&last, &n); err != nil {
		return 0, false, fmt.Errorf("clickhouse: mark: %w", err)
	}
	return date.Date(last), n > 0, nil
}

func (s *Store) insertMark(ctx context.Context, org, parentContract uuid.UUID, through date.Date, pos int64) error {
	if err := s.insertRow(ctx, `INSERT INTO pricekit_usage_marks (org, contract, through, position)`,
		org, parentContract, int64(through), pos); err != nil {
		return fmt.Errorf("clickhouse: mark: %w", err)
	}
	return nil
}

// Marks implements [store.UsageMarker]. Two processes marking one day at
// once may both store a mark: the one of the lower position counts.
func (s *Store) Marks(ctx context.Context, org, parentContract uuid.UUID) ([]usage.Mark, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := s.conn.Query(ctx, `SELECT through, min(position) FROM pricekit_usage_marks
		WHERE org = ? AND contract = ? GROUP BY through ORDER BY through`, org, parentContract)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: marks: %w", err)
	}
	defer rows.Close()
	var out []usage.Mark
	for rows.Next() {
		var through, pos int64
		if err := rows.Scan(&through, &pos); err != nil {
			return nil, fmt.Errorf("clickhouse: marks: %w", err)
		}
		out = append(out, usage.Mark{Through: date.Date(through), Position: pos})
	}
	return out, rows.Err()
}

// Issue implements [store.StatementKeeper]: the mark it asks for is made
// here, first, and then the documents store keeps the statement
// ([store.Documents.Keep]), its position checked against the usage kept
// here. The two are not one write: a failure in between leaves the usage
// marked billed through the statement's end and the statement not yet
// issued, which the next issue of it (billing issues a period until it is
// kept) completes.
func (s *Store) Issue(ctx context.Context, org, id uuid.UUID, is store.Issued) (store.Issued, error) {
	if err := ctx.Err(); err != nil {
		return store.Issued{}, err
	}
	if err := store.CheckIssued(is); err != nil {
		return store.Issued{}, err
	}
	index, err := s.IssuedIndex(ctx, org, id) // also: not found
	if err != nil {
		return store.Issued{}, err
	}
	t, err := s.tenant(ctx, org)
	if err != nil {
		return store.Issued{}, err
	}
	defer t.mu.Unlock()
	at, mark := is.Position, is.Through != 0
	if n := is.Number; n <= len(index) {
		// Issued already: the mark is the kept statement's, if it is
		// that statement at all (Keep refuses it otherwise).
		at, mark = index[n-1].Position, mark && index[n-1].PeriodStart == is.PeriodStart
	} else {
		now, err := s.positionNow(ctx, org, t)
		if err != nil {
			return store.Issued{}, err
		}
		if err := store.CheckPosition(is, now); err != nil {
			return store.Issued{}, err
		}
	}
	if mark {
		last, ok, err := s.lastMark(ctx, org, id)
		if err != nil {
			return store.Issued{}, err
		}
		if !ok || last < is.Through {
			if err := s.insertMark(ctx, org, id, is.Through, at); err != nil {
				return store.Issued{}, err
			}
		}
	}
	return s.Keep(ctx, org, id, is)
}
