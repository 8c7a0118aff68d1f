package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/store"
)

// Issue implements [store.StatementKeeper] in one transaction. It takes
// the organization's lock exclusively, as a save and a mark do: issues of
// one contract are serialized, so each reads the numbers the one before it
// kept, and no ingestion is still to commit when it reads the ingest
// position (the next seq, as [Store.Mark] records it).
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
	var out store.Issued
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockSpace, orgLock(org)); err != nil {
			return fmt.Errorf("postgres: issue: %w", err)
		}
		if err := parent(ctx, tx, org, id); err != nil {
			return err
		}
		var last int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(number), 0) FROM pricekit_issued_statements
			WHERE org = $1 AND contract = $2`, org, id).Scan(&last); err != nil {
			return fmt.Errorf("postgres: issue: %w", err)
		}
		if is.Number <= last {
			kept, err := scanIssued(tx.QueryRow(ctx, `SELECT `+issuedColumns+` FROM pricekit_issued_statements
				WHERE org = $1 AND contract = $2 AND number = $3`, org, id, is.Number))
			if err != nil {
				return fmt.Errorf("postgres: issue: statement %d: %w", is.Number, err)
			}
			if kept.PeriodStart != is.PeriodStart {
				return pricekit.Errorf(pricekit.ErrConflict, "store", "number",
					fmt.Sprintf("statement %d is issued already, for %s", is.Number, kept.PeriodStart))
			}
			out = kept
			return nil
		}
		if is.Number != last+1 {
			return pricekit.Errorf(pricekit.ErrConflict, "store", "number",
				fmt.Sprintf("statement %d cannot be issued before statement %d", is.Number, last+1))
		}
		if ownUsage {
			now, err := position(ctx, tx, org)
			if err != nil {
				return err
			}
			if err := store.CheckPosition(is, now); err != nil {
				return err
			}
		}
		var err error
		out, err = scanIssued(tx.QueryRow(ctx, `
			INSERT INTO pricekit_issued_statements (org, contract, number, period_start, statement, documents, adjusts, position)
			VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::bigint[], '{}'), $8)
			RETURNING `+issuedColumns,
			org, id, is.Number, pgDay(is.PeriodStart), is.Statement, is.Documents, is.Adjusts, is.Position))
		if err != nil {
			return fmt.Errorf("postgres: issue: %w", err)
		}
		if is.Through != 0 {
			// The usage mark, in the same transaction: only forward.
			if _, err := tx.Exec(ctx, `
				INSERT INTO pricekit_usage_marks (org, contract, through, position)
				SELECT $1, $2, $3, $4
				WHERE NOT EXISTS (SELECT 1 FROM pricekit_usage_marks WHERE org = $1 AND contract = $2 AND through >= $3)`,
				org, id, pgDay(is.Through), is.Position); err != nil {
				return fmt.Errorf("postgres: issue: mark: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return store.Issued{}, err
	}
	return out, nil
}

// Issued implements [store.StatementKeeper].
func (s *Store) Issued(ctx context.Context, org, id uuid.UUID) ([]store.Issued, error) {
	return s.issued(ctx, org, id, issuedColumns)
}

// IssuedIndex implements [store.StatementKeeper]: the statements stay in
// the database.
func (s *Store) IssuedIndex(ctx context.Context, org, id uuid.UUID) ([]store.Issued, error) {
	return s.issued(ctx, org, id, indexColumns)
}

// issued lists the issued statements of parent contract id as columns (of
// issuedColumns or indexColumns) give them.
func (s *Store) issued(ctx context.Context, org, id uuid.UUID, columns string) ([]store.Issued, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Documents are never deleted, so the contract checked is still the
	// one whose statements are read.
	if err := parent(ctx, s.pool, org, id); err != nil {
		return nil, err
	}
	q, err := s.pool.Query(ctx, `SELECT `+columns+` FROM pricekit_issued_statements
		WHERE org = $1 AND contract = $2 ORDER BY number`, org, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: issued: %w", err)
	}
	out, err := pgx.CollectRows(q, func(r pgx.CollectableRow) (store.Issued, error) { return scanIssued(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: issued: %w", err)
	}
	return out, nil
}

// IssuedStatements implements [store.StatementKeeper].
func (s *Store) IssuedStatements(ctx context.Context, org, id uuid.UUID, numbers ...int) ([]store.Issued, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := parent(ctx, s.pool, org, id); err != nil {
		return nil, err
	}
	q, err := s.pool.Query(ctx, `SELECT `+issuedColumns+` FROM pricekit_issued_statements
		WHERE org = $1 AND contract = $2 AND number = ANY($3)`, org, id, numbers)
	if err != nil {
		return nil, fmt.Errorf("postgres: issued statements: %w", err)
	}
	kept, err := pgx.CollectRows(q, func(r pgx.CollectableRow) (store.Issued, error) { return scanIssued(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: issued statements: %w", err)
	}
	byNumber := make(map[int]store.Issued, len(kept))
	for _, is := range kept {
		byNumber[is.Number] = is
	}
	out := make([]store.Issued, len(numbers))
	given := make(map[int]bool, len(numbers))
	for i, n := range numbers {
		is, ok := byNumber[n]
		if !ok {
			return nil, pricekit.Errorf(pricekit.ErrNotFound, "store", "number",
				fmt.Sprintf("contract %s has no issued statement %d", id, n))
		}
		if given[n] { // asked twice: a copy of its own
			is.Statement, is.Adjusts = slices.Clone(is.Statement), slices.Clone(is.Adjusts)
		}
		given[n] = true
		out[i] = is
	}
	return out, nil
}

// parent refuses an id that is not a stored parent contract of org.
func parent(ctx context.Context, q querier, org, id uuid.UUID) error {
	var kind string
	err := q.QueryRow(ctx, `SELECT kind FROM pricekit_documents WHERE org = $1 AND id = $2`, org, id).Scan(&kind)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && contract.Kind(kind) != contract.KindParentContract) {
		return pricekit.Errorf(pricekit.ErrNotFound, "store", "contract_id", fmt.Sprintf("no parent contract %s", id))
	}
	if err != nil {
		return fmt.Errorf("postgres: parent contract: %w", err)
	}
	return nil
}

// The columns scanIssued reads: every one, or all but the statement.
const (
	issuedColumns = `number, period_start, statement, documents, position, adjusts`
	indexColumns  = `number, period_start, NULL::bytea, documents, position, adjusts`
)

// scanIssued reads a row of issuedColumns or indexColumns.
func scanIssued(r pgx.Row) (store.Issued, error) {
	var (
		is      store.Issued
		day     pgtype.Date
		adjusts []int
	)
	if err := r.Scan(&is.Number, &day, &is.Statement, &is.Documents, &is.Position, &adjusts); err != nil {
		return store.Issued{}, err
	}
	is.PeriodStart = fromPGDay(day)
	if len(adjusts) > 0 {
		is.Adjusts = adjusts
	}
	return is, nil
}

// Position implements [store.UsageMarker]. It takes the organization's
// lock for a moment, as an issue does, so that no ingestion is still to
// commit below the position it reads.
func (s *Store) Position(ctx context.Context, org uuid.UUID) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var pos int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockSpace, orgLock(org)); err != nil {
			return fmt.Errorf("postgres: position: %w", err)
		}
		var err error
		pos, err = position(ctx, tx, org)
		return err
	})
	return pos, err
}

// position reads the next ingest position of org; the caller holds the
// organization's lock.
func position(ctx context.Context, tx pgx.Tx, org uuid.UUID) (int64, error) {
	var pos int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM pricekit_usage_events WHERE org = $1`,
		org).Scan(&pos); err != nil {
		return 0, fmt.Errorf("postgres: position: %w", err)
	}
	return pos, nil
}
