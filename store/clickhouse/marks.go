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
	return s.insertMark(ctx, org, parentContract, through, t.last+1)
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

// Issue implements [store.StatementKeeper]: the documents store keeps the
// statement ([store.Documents.Keep]), its position checked against the
// usage kept here, and then the mark it asks for is made here. A failure
// in between leaves the statement issued without its mark: issuing it
// again (which returns the kept statement) makes the mark.
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
	if is.Number > len(index) {
		now := t.last + 1
		if is.Position > now {
			// Perhaps read in another process: what is stored tells.
			stored, err := s.storedPosition(ctx, org)
			if err != nil {
				return store.Issued{}, err
			}
			now = max(now, stored+1)
		}
		if err := store.CheckPosition(is, now); err != nil {
			return store.Issued{}, err
		}
	}
	kept, err := s.Keep(ctx, org, id, is)
	if err != nil {
		return store.Issued{}, err
	}
	if is.Through != 0 {
		last, ok, err := s.lastMark(ctx, org, id)
		if err != nil {
			return store.Issued{}, err
		}
		if !ok || last < is.Through {
			if err := s.insertMark(ctx, org, id, is.Through, kept.Position); err != nil {
				return store.Issued{}, err
			}
		}
	}
	return kept, nil
}
