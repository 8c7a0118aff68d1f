package postgres

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pricekit/pricekit/store"
)

// Store is the PostgreSQL back end. The zero Store is not usable; call [New].
//
// A Store is safe for concurrent use, from one process or many: it holds no
// state of its own beyond the pool, and every call is one transaction (or
// one statement) in the database.
type Store struct {
	pool  *pgxpool.Pool
	newID func() uuid.UUID

	// beforeInsert, when set (by tests only), runs inside Ingest after the
	// batch was checked and before its events are inserted.
	beforeInsert func()
}

var (
	_ store.Store      = (*Store)(nil)
	_ store.TreeReader = (*Store)(nil)
)

// Option configures a Store.
type Option func(*Store)

// WithIDs sets the generator of ids for documents saved without one
// (default: time-ordered UUIDv7).
func WithIDs(newID func() uuid.UUID) Option { return func(s *Store) { s.newID = newID } }

// New returns a Store on pool. The pool stays the caller's: Store never
// closes it. Call [Store.Migrate] once before use.
func New(pool *pgxpool.Pool, opts ...Option) *Store {
	s := &Store{pool: pool, newID: newV7}
	for _, o := range opts {
		o(s)
	}
	return s
}

func newV7() uuid.UUID {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.New()
	}
	return id
}

//go:embed migrations/*.sql
var migrations embed.FS

// migration is one embedded SQL file, "NNNN_name.sql".
type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, path := range names {
		name := strings.TrimPrefix(path, "migrations/")
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("postgres: migration %s: name must start with a version number and _", name)
		}
		body, err := migrations.ReadFile(path)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("postgres: migrations %s and %s share a version", out[i-1].name, out[i].name)
		}
	}
	return out, nil
}

// Advisory lock keys (the two-int4 form): the first names pricekit, the
// second the organization (a hash of it) or the migrations.
const (
	lockSpace     int32 = 0x70726b74 // "prkt"
	lockMigration int32 = 0
)

// orgLock returns the advisory lock key of an organization. Two
// organizations may share a key; that only makes them wait for each other.
func orgLock(org uuid.UUID) int32 {
	h := fnv.New32a()
	h.Write(org[:])
	k := int32(h.Sum32())
	if k == lockMigration {
		k = 1
	}
	return k
}

// Migrate brings the schema up to date in the pool's database (in the
// first schema of its search_path): it applies, in one transaction, every
// embedded migration not applied yet and records it in
// pricekit_schema_migrations. It is idempotent, and concurrent calls wait
// for each other.
func (s *Store) Migrate(ctx context.Context) error { return s.migrate(ctx, math.MaxInt) }

// migrate applies the migrations up to version last (tests start from an
// older schema with it).
func (s *Store) migrate(ctx context.Context, last int) error {
	all, err := loadMigrations()
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockSpace, lockMigration); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS pricekit_schema_migrations (
			version    integer     PRIMARY KEY,
			name       text        NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM pricekit_schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		for _, m := range all {
			if m.version <= current || m.version > last {
				continue
			}
			// No arguments: the simple protocol runs every statement of the file.
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("postgres: migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO pricekit_schema_migrations (version, name) VALUES ($1, $2)`,
				m.version, m.name); err != nil {
				return fmt.Errorf("postgres: migration %s: %w", m.name, err)
			}
		}
		return nil
	})
}

// SchemaVersion returns the version of the newest migration applied to the
// database, 0 when none is.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('pricekit_schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("postgres: schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM pricekit_schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: schema version: %w", err)
	}
	return v, nil
}
