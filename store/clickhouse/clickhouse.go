package clickhouse

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"

	"github.com/pricekit/pricekit/store"
)

// Store is a [store.Store] whose usage is kept in ClickHouse and whose
// documents and issued statements are kept by another store, the one
// given to [New]. The zero Store is not usable.
//
// A Store is safe for concurrent use. It serializes the ingestions, marks
// and position reads of one organization in this process; several
// processes may share a database, with the guarantees of the package
// documentation.
type Store struct {
	store.Documents
	conn driver.Conn

	mu      sync.Mutex
	tenants map[uuid.UUID]*tenant

	now func() time.Time

	// Set by tests only: beforeInsert runs in Ingest after the batch was
	// checked and before it is stored, afterInsert after it is stored and
	// before the check for racing writers.
	beforeInsert, afterInsert func()
}

// tenant is what this process knows of an organization's usage.
type tenant struct {
	mu sync.Mutex // held by an ingestion, a mark and a position read
	// last is the highest ingest position this process has given out or
	// seen stored; 0 until read from the server.
	last int64
}

var _ store.Store = (*Store)(nil)

// New returns a Store that keeps usage in ClickHouse through conn and
// everything else in docs (a memory or PostgreSQL store):
//
//	st := clickhouse.New(conn, postgres.New(pool))
//
// conn stays the caller's: Store never closes it. Call [Store.Migrate]
// once before use, and the docs store's own Migrate if it has one.
func New(conn driver.Conn, docs store.Documents) *Store {
	return &Store{Documents: docs, conn: conn, tenants: map[uuid.UUID]*tenant{}, now: time.Now}
}

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates the tables of the usage side in the connection's
// database, applying every embedded migration not applied yet and
// recording it in pricekit_schema_migrations. It is idempotent.
func (s *Store) Migrate(ctx context.Context) error {
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("clickhouse: migrate: %w", err)
	}
	slices.Sort(files)
	applied, err := s.applied(ctx)
	if err != nil {
		return err
	}
	for _, f := range files {
		name := strings.TrimPrefix(f, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("clickhouse: migrate: %s: no version number", name)
		}
		if applied[version] {
			continue
		}
		body, err := migrations.ReadFile(f)
		if err != nil {
			return fmt.Errorf("clickhouse: migrate: %w", err)
		}
		for _, stmt := range statements(string(body)) {
			if err := s.conn.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("clickhouse: migrate: %s: %w", name, err)
			}
		}
		if err := s.insertRow(ctx, `INSERT INTO pricekit_schema_migrations (version, name, applied)`,
			uint32(version), name, time.Now()); err != nil {
			return fmt.Errorf("clickhouse: migrate: %s: %w", name, err)
		}
	}
	return nil
}

// insertRow inserts one row. Inserts go as data blocks, never as values
// in the query: a server of release 18 waits for a block after any INSERT.
func (s *Store) insertRow(ctx context.Context, insert string, values ...any) error {
	b, err := s.conn.PrepareBatch(ctx, insert)
	if err != nil {
		return err
	}
	if err := b.Append(values...); err != nil {
		_ = b.Abort()
		return err
	}
	return b.Send()
}

// applied returns the versions recorded as applied.
func (s *Store) applied(ctx context.Context) (map[int]bool, error) {
	var exists uint8
	if err := s.conn.QueryRow(ctx, `EXISTS TABLE pricekit_schema_migrations`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("clickhouse: migrate: %w", err)
	}
	out := map[int]bool{}
	if exists == 0 {
		return out, nil
	}
	rows, err := s.conn.Query(ctx, `SELECT version FROM pricekit_schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: migrate: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("clickhouse: migrate: %w", err)
		}
		out[int(v)] = true
	}
	return out, rows.Err()
}

// statements splits a migration into its statements, without their
// comments: ClickHouse takes one a query, and a query that starts with a
// comment is never answered by some releases.
func statements(body string) []string {
	var out []string
	for _, part := range strings.Split(body, ";") {
		var code []string
		for _, line := range strings.Split(part, "\n") {
			if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") {
				code = append(code, line)
			}
		}
		if len(code) > 0 {
			out = append(out, strings.Join(code, "\n"))
		}
	}
	return out
}

// tenant returns the state of org, locked; the caller unlocks it. On first
// use it reads the highest position stored for org, so that positions keep
// growing across restarts whatever the clock did.
func (s *Store) tenant(ctx context.Context, org uuid.UUID) (*tenant, error) {
	s.mu.Lock()
	t := s.tenants[org]
	if t == nil {
		t = &tenant{}
		s.tenants[org] = t
	}
	s.mu.Unlock()
	t.mu.Lock()
	if t.last == 0 {
		last, err := s.storedPosition(ctx, org)
		if err != nil {
			t.mu.Unlock()
			return nil, err
		}
		t.last = max(last, 1)
	}
	return t, nil
}

// storedPosition reads the highest ingest position any process took for
// org: of every batch begun, committed or not.
func (s *Store) storedPosition(ctx context.Context, org uuid.UUID) (int64, error) {
	var last int64
	if err := s.conn.QueryRow(ctx, `SELECT max(last) FROM pricekit_usage_batches WHERE org = ?`,
		org).Scan(&last); err != nil {
		return 0, fmt.Errorf("clickhouse: position: %w", err)
	}
	return last, nil
}

// reserve gives out n consecutive ingest positions and returns the first:
// nanoseconds of the clock, made to grow past every position given out.
func (t *tenant) reserve(now time.Time, n int) int64 {
	first := max(now.UnixNano(), t.last+1)
	t.last = first + int64(n) - 1
	return first
}

// Position implements [store.UsageMarker]. It waits for the ingestions of
// org in this process to finish, and reads the positions other processes
// took: every event accepted so far lies before the position it returns,
// every event accepted later at or after it (see the package
// documentation for several writers).
func (s *Store) Position(ctx context.Context, org uuid.UUID) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	t, err := s.tenant(ctx, org)
	if err != nil {
		return 0, err
	}
	defer t.mu.Unlock()
	return s.positionNow(ctx, org, t)
}

// positionNow is the ingest position now: one past the last any process took.
// The caller holds t.mu.
func (s *Store) positionNow(ctx context.Context, org uuid.UUID, t *tenant) (int64, error) {
	stored, err := s.storedPosition(ctx, org)
	if err != nil {
		return 0, err
	}
	t.last = max(t.last, stored)
	return t.last + 1, nil
}
