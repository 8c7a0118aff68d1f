package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/store"
)

// Get implements [store.Reader].
func (s *Store) Get(ctx context.Context, org uuid.UUID, kind contract.Kind, ids ...uuid.UUID) (contract.Objects, error) {
	if err := ctx.Err(); err != nil {
		return contract.Objects{}, err
	}
	return get(ctx, s.pool, org, kind, false, ids...)
}

// Versions implements [store.Reader]: the versions of a versioned document
// are read in one statement, so they are those of one save.
func (s *Store) Versions(ctx context.Context, org uuid.UUID, kind contract.Kind, id uuid.UUID) (contract.Objects, error) {
	if err := ctx.Err(); err != nil {
		return contract.Objects{}, err
	}
	return get(ctx, s.pool, org, kind, true, id)
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// get reads documents of one kind through q, each as its latest version
// or, with all, as every version it has, base first, then by day.
func get(ctx context.Context, q querier, org uuid.UUID, kind contract.Kind, all bool, ids ...uuid.UUID) (contract.Objects, error) {
	if len(ids) == 0 {
		return contract.Objects{}, nil
	}
	sql := `SELECT id, body FROM pricekit_documents WHERE org = $1 AND kind = $2 AND id = ANY($3)`
	if all && kind.Versioned() {
		sql = `SELECT v.id, v.body FROM pricekit_document_versions v
			JOIN pricekit_documents d ON d.org = v.org AND d.id = v.id
			WHERE v.org = $1 AND d.kind = $2 AND v.id = ANY($3)
			ORDER BY v.id, v.effective_from`
	}
	rows, err := q.Query(ctx, sql, org, string(kind), ids)
	if err != nil {
		return contract.Objects{}, fmt.Errorf("postgres: get: %w", err)
	}
	bodies := make(map[uuid.UUID][][]byte, len(ids))
	var (
		id   uuid.UUID
		body []byte
	)
	if _, err := pgx.ForEachRow(rows, []any{&id, &body}, func() error {
		bodies[id] = append(bodies[id], append([]byte(nil), body...))
		return nil
	}); err != nil {
		return contract.Objects{}, fmt.Errorf("postgres: get: %w", err)
	}
	var out contract.Objects
	for _, id := range ids {
		bs, ok := bodies[id]
		if !ok {
			return contract.Objects{}, pricekit.Errorf(pricekit.ErrNotFound, "store", string(kind),
				fmt.Sprintf("no %s %s", kind, id))
		}
		for _, b := range bs {
			if err := decode(&out, kind, b); err != nil {
				return contract.Objects{}, fmt.Errorf("postgres: get: %w", err)
			}
		}
	}
	return out, nil
}

// Tree implements [store.TreeReader]: the tree is read in one read-only
// REPEATABLE READ transaction, so every read sees the database as of its
// first, and no save commits in the middle of it. Versioned documents come
// with every version.
func (s *Store) Tree(ctx context.Context, org, parentID uuid.UUID) (contract.Objects, error) {
	if err := ctx.Err(); err != nil {
		return contract.Objects{}, err
	}
	var out contract.Objects
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			var err error
			out, err = store.WalkTree(ctx, func(ctx context.Context, kind contract.Kind, ids ...uuid.UUID) (contract.Objects, error) {
				return get(ctx, tx, org, kind, true, ids...)
			}, parentID)
			return err
		})
	if err != nil {
		return contract.Objects{}, err
	}
	return out, nil
}

// List implements [store.Reader].
func (s *Store) List(ctx context.Context, org uuid.UUID, kinds ...contract.Kind) (contract.Objects, error) {
	if err := ctx.Err(); err != nil {
		return contract.Objects{}, err
	}
	if len(kinds) == 0 {
		kinds = contract.Kinds()
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	q, err := s.pool.Query(ctx, `SELECT kind, body FROM pricekit_documents WHERE org = $1 AND kind = ANY($2) ORDER BY seq`,
		org, names)
	if err != nil {
		return contract.Objects{}, fmt.Errorf("postgres: list: %w", err)
	}
	return collect(q)
}

// ParentContracts implements [store.Reader].
func (s *Store) ParentContracts(ctx context.Context, org, customerID uuid.UUID) ([]contract.ParentContract, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, err := s.pool.Query(ctx, `SELECT kind, body FROM pricekit_documents
		WHERE org = $1 AND kind = 'parent_contracts' AND customer_id = $2 ORDER BY seq`, org, customerID)
	if err != nil {
		return nil, fmt.Errorf("postgres: parent contracts: %w", err)
	}
	out, err := collect(q)
	return out.ParentContracts, err
}

// collect decodes rows of (kind, body) into a bundle.
func collect(q pgx.Rows) (contract.Objects, error) {
	var (
		out  contract.Objects
		kind string
		body []byte
	)
	if _, err := pgx.ForEachRow(q, []any{&kind, &body}, func() error {
		return decode(&out, contract.Kind(kind), body)
	}); err != nil {
		return contract.Objects{}, fmt.Errorf("postgres: read: %w", err)
	}
	return out, nil
}

// Version implements [store.Reader].
func (s *Store) Version(ctx context.Context, org, id uuid.UUID) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var v int64
	err := s.pool.QueryRow(ctx, `SELECT version FROM pricekit_documents WHERE org = $1 AND id = $2`, org, id).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, pricekit.Errorf(pricekit.ErrNotFound, "store", "", fmt.Sprintf("no document %s", id))
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: version: %w", err)
	}
	return v, nil
}
