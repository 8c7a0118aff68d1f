package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// Ingest implements [store.UsageWriter] in one transaction.
//
// It checks the batch with [usage.Accept] against the product contracts
// and the stored events it names, then inserts the accepted events with
// ON CONFLICT DO NOTHING on the (org, event_id) key. An event that a
// concurrent ingestion stored in between is compared after the insert:
// the same payload counts as replayed, another payload refuses the whole
// batch as duplicate_usage. Events are inserted in the order of their ids,
// so concurrent batches that share ids wait for each other instead of
// deadlocking; their ingest order is still the batch order.
func (s *Store) Ingest(ctx context.Context, org uuid.UUID, events []usage.Event) (store.Ingested, error) {
	if err := ctx.Err(); err != nil {
		return store.Ingested{}, err
	}
	if len(events) == 0 {
		return store.Ingested{}, pricekit.Errorf(pricekit.ErrMissingInput, "usage", "", "no usage events")
	}
	var got store.Ingested
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		got, err = s.ingest(ctx, tx, org, events)
		return err
	})
	if err != nil {
		return store.Ingested{}, err
	}
	return got, nil
}

func (s *Store) ingest(ctx context.Context, tx pgx.Tx, org uuid.UUID, events []usage.Event) (store.Ingested, error) {
	// Saves of this organization wait until the batch is in.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock_shared($1, $2)`, lockSpace, orgLock(org)); err != nil {
		return store.Ingested{}, fmt.Errorf("postgres: ingest: %w", err)
	}
	targets, err := s.targets(ctx, tx, org, events)
	if err != nil {
		return store.Ingested{}, err
	}
	keys, first := usage.LookupIDs(events)
	stored, err := storedEvents(ctx, tx, org, keys)
	if err != nil {
		return store.Ingested{}, err
	}
	accepted, err := usage.Accept(events,
		func(id uuid.UUID) (usage.Target, bool) { t, ok := targets[id]; return t, ok },
		func(id string) (usage.Event, bool) { e, ok := stored[id]; return e, ok })
	if err != nil {
		return store.Ingested{}, err
	}
	if len(accepted.Events) == 0 {
		return store.Ingested{Replayed: len(events)}, nil
	}
	if s.beforeInsert != nil {
		s.beforeInsert()
	}
	inserted, err := insertEvents(ctx, tx, org, accepted)
	if err != nil {
		return store.Ingested{}, err
	}
	added := len(accepted.Events)
	var errs []error
	var raced []string
	for _, e := range accepted.Events {
		if e.ID != "" && !inserted[e.ID] {
			raced = append(raced, e.ID)
		}
	}
	if len(raced) > 0 {
		// Stored by a concurrent ingestion after this one looked.
		now, err := storedEvents(ctx, tx, org, raced)
		if err != nil {
			return store.Ingested{}, err
		}
		for _, e := range accepted.Events {
			if e.ID == "" || inserted[e.ID] {
				continue
			}
			if prev, ok := now[e.ID]; !ok || !targets[e.ContractID].Same(prev, e) {
				errs = append(errs, pricekit.Errorf(pricekit.ErrDuplicateUsage, "usage",
					fmt.Sprintf("usage[%d].id", first[e.ID]),
					fmt.Sprintf("usage id %q was seen before with a different payload", e.ID)))
			}
			added--
		}
		if err := errors.Join(errs...); err != nil {
			return store.Ingested{}, err
		}
	}
	return store.Ingested{Added: added, Replayed: len(events) - added}, nil
}

// targets reads what the batch's events must fit: each product contract
// named, with the time zone of the parent contract above it (of the
// parent saved last when several hold it; UTC for a draft).
func (s *Store) targets(ctx context.Context, tx pgx.Tx, org uuid.UUID, events []usage.Event) (map[uuid.UUID]usage.Target, error) {
	return targetsOf(ctx, tx, org, usage.ContractIDs(events))
}

// UsageTargets implements [store.Documents], in one read-only transaction.
func (s *Store) UsageTargets(ctx context.Context, org uuid.UUID, productContracts []uuid.UUID) (map[uuid.UUID]usage.Target, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out map[uuid.UUID]usage.Target
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		out, err = targetsOf(ctx, tx, org, distinct(productContracts))
		return err
	})
	return out, err
}

// distinct returns ids without repeats, in their order.
func distinct(ids []uuid.UUID) []uuid.UUID {
	seen := make(map[uuid.UUID]bool, len(ids))
	out := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if id != uuid.Nil && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// targetsOf reads what the usage of each product contract in ids (no
// repeats) must fit.
func targetsOf(ctx context.Context, tx pgx.Tx, org uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]usage.Target, error) {
	out := make(map[uuid.UUID]usage.Target, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	// The time zone of each product contract: of the parent contract
	// saved last among those above it. Two queries joined here, each linear
	// whatever plan the statistics suggest (one query joining them was
	// once planned as a loop over every pair).
	zones := make(map[uuid.UUID]string, len(ids))
	q, err := tx.Query(ctx, `
		WITH RECURSIVE up(pc, node) AS (
			SELECT unnest($2::uuid[]), unnest($2::uuid[])
			UNION
			SELECT up.pc, l.parent FROM up JOIN pricekit_links l ON l.org = $1 AND l.child = up.node
		)
		SELECT DISTINCT ON (up.pc) up.pc, coalesce(d.timezone, '')
		FROM up JOIN pricekit_documents d ON d.org = $1 AND d.id = up.node AND d.kind = 'parent_contracts'
		ORDER BY up.pc, d.seq DESC`, org, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: ingest: %w", err)
	}
	var (
		id   uuid.UUID
		zone string
	)
	if _, err := pgx.ForEachRow(q, []any{&id, &zone}, func() error {
		zones[id] = zone
		return nil
	}); err != nil {
		return nil, fmt.Errorf("postgres: ingest: %w", err)
	}
	q, err = tx.Query(ctx, `
		SELECT p.id, p.product_id, p.start_day, p.end_day
		FROM unnest($2::uuid[]) AS k(id)
		JOIN pricekit_documents p ON p.org = $1 AND p.id = k.id AND p.kind = 'product_contracts'`, org, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: ingest: %w", err)
	}
	var (
		product    pgtype.UUID
		start, end pgtype.Date
	)
	locations := map[string]*time.Location{"": time.UTC, "UTC": time.UTC}
	if _, err := pgx.ForEachRow(q, []any{&id, &product, &start, &end}, func() error {
		z := zones[id]
		loc, ok := locations[z]
		if !ok {
			l, err := time.LoadLocation(z)
			if err != nil {
				return fmt.Errorf("parent contract time zone %q: %w", z, err)
			}
			loc, locations[z] = l, l
		}
		out[id] = usage.Target{ProductID: fromPGUUID(product), Start: fromPGDay(start), End: fromPGDay(end), Location: loc}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("postgres: ingest: %w", err)
	}
	return out, nil
}

// storedEvents reads the stored events with the given ids.
func storedEvents(ctx context.Context, tx pgx.Tx, org uuid.UUID, ids []string) (map[string]usage.Event, error) {
	out := make(map[string]usage.Event, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	// A join on the ids probes the unique index once per id, whatever the
	// plan cache saw when the table was small.
	q, err := tx.Query(ctx, `SELECT `+eventColumns+`
		FROM unnest($2::text[]) AS k(id) JOIN pricekit_usage_events u ON u.org = $1 AND u.event_id = k.id`, org, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: ingest: %w", err)
	}
	err = scanEvents(q, func(e usage.Event) { out[e.ID] = e })
	if err != nil {
		return nil, fmt.Errorf("postgres: ingest: %w", err)
	}
	return out, nil
}

// insertEvents inserts accepted events, numbered in batch order and sent in
// the order of their ids, and reports the ids it inserted (an id stored
// meanwhile by another transaction is not).
func insertEvents(ctx context.Context, tx pgx.Tx, org uuid.UUID, b usage.Batch) (map[string]bool, error) {
	events := b.Events
	n := len(events)
	seqs := make([]int64, 0, n)
	q, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('pricekit_usage_events', 'seq'))
		FROM generate_series(1, $1)`, n)
	if err != nil {
		return nil, fmt.Errorf("postgres: ingest: %w", err)
	}
	var v int64
	if _, err := pgx.ForEachRow(q, []any{&v}, func() error { seqs = append(seqs, v); return nil }); err != nil {
		return nil, fmt.Errorf("postgres: ingest: %w", err)
	}
	slices.Sort(seqs)

	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(events[a].ID, events[b].ID) })
	var (
		seq        = make([]int64, n)
		ids        = make([]pgtype.Text, n)
		contracts  = make([]uuid.UUID, n)
		products   = make([]pgtype.UUID, n)
		dates      = make([]pgtype.Date, n)
		stamps     = make([]pgtype.Text, n)
		days       = make([]pgtype.Date, n)
		quantities = make([]string, n)
	)
	for j, i := range order {
		e := events[i]
		seq[j] = seqs[i]
		ids[j] = pgtype.Text{String: e.ID, Valid: e.ID != ""}
		contracts[j] = e.ContractID
		products[j] = pgUUID(e.ProductID)
		dates[j] = pgDay(e.Date)
		if e.Date == 0 {
			stamps[j] = pgtype.Text{String: e.Timestamp.Format(time.RFC3339Nano), Valid: true}
		}
		days[j] = pgDay(b.Days[i])
		quantities[j] = e.Quantity.String()
	}
	q, err = tx.Query(ctx, `
		INSERT INTO pricekit_usage_events
		       (org, seq, event_id, contract_id, product_id, event_date, event_ts, day, quantity)
		SELECT $1, t.seq, t.event_id, t.contract_id, t.product_id, t.event_date, t.event_ts, t.day, t.quantity::numeric
		FROM unnest($2::bigint[], $3::text[], $4::uuid[], $5::uuid[], $6::date[], $7::text[], $8::date[], $9::text[])
		     WITH ORDINALITY AS t(seq, event_id, contract_id, product_id, event_date, event_ts, day, quantity, ord)
		ORDER BY t.ord
		ON CONFLICT (org, event_id) DO NOTHING
		RETURNING event_id`,
		org, seq, ids, contracts, products, dates, stamps, days, quantities)
	if err != nil {
		return nil, fmt.Errorf("postgres: ingest: %w", err)
	}
	inserted := make(map[string]bool, n)
	var id pgtype.Text
	if _, err := pgx.ForEachRow(q, []any{&id}, func() error {
		if id.Valid {
			inserted[id.String] = true
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("postgres: ingest: %w", err)
	}
	return inserted, nil
}

const eventColumns = `u.event_id, u.contract_id, u.product_id, u.event_date, u.event_ts, u.quantity::text`

// scanEvents decodes rows of eventColumns.
func scanEvents(q pgx.Rows, each func(usage.Event)) error { return scanEventsWith(q, nil, each) }

// scanEventsWith decodes rows of eventColumns followed by more columns,
// scanned into more.
func scanEventsWith(q pgx.Rows, more []any, each func(usage.Event)) error {
	var (
		id       pgtype.Text
		contract uuid.UUID
		product  pgtype.UUID
		day      pgtype.Date
		stamp    pgtype.Text
		quantity string
	)
	_, err := pgx.ForEachRow(q, append([]any{&id, &contract, &product, &day, &stamp, &quantity}, more...), func() error {
		e := usage.Event{ID: id.String, ContractID: contract, ProductID: fromPGUUID(product), Date: fromPGDay(day)}
		if stamp.Valid {
			t, err := time.Parse(time.RFC3339Nano, stamp.String)
			if err != nil {
				return fmt.Errorf("stored timestamp %q: %w", stamp.String, err)
			}
			e.Timestamp = t
		}
		qty, err := decimal.NewFromString(quantity)
		if err != nil {
			return fmt.Errorf("stored quantity %q: %w", quantity, err)
		}
		e.Quantity = qty
		each(e)
		return nil
	})
	return err
}

// Usage implements [store.UsageReader]. Any from and to may be given: days
// beyond what a store holds read as open ends.
func (s *Store) Usage(ctx context.Context, org uuid.UUID, productContracts []uuid.UUID, from, to date.Date) ([]usage.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(productContracts) == 0 || from > to {
		return nil, nil
	}
	q, err := s.pool.Query(ctx, `SELECT `+eventColumns+` FROM pricekit_usage_events u
		WHERE u.org = $1 AND u.contract_id = ANY($2) AND u.day BETWEEN $3 AND $4 ORDER BY u.seq`,
		org, productContracts, pgBound(from), pgBound(to))
	if err != nil {
		return nil, fmt.Errorf("postgres: usage: %w", err)
	}
	var out []usage.Event
	if err := scanEvents(q, func(e usage.Event) { out = append(out, e) }); err != nil {
		return nil, fmt.Errorf("postgres: usage: %w", err)
	}
	return out, nil
}

// Aggregate implements [store.UsageAggregator] in one query: every
// requested period of every product contract is a row of the answer, its
// count, sum and max read from the usage index by day and its latest
// quantity, when wanted, by one step back along it. Rows transferred are the periods
// asked for, whatever the number of events; the quantities are exact
// (NUMERIC).
func (s *Store) Aggregate(ctx context.Context, org uuid.UUID, reqs []usage.Request) ([][]usage.Aggregates, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := usage.ValidateRequests(reqs); err != nil {
		return nil, err
	}
	out := usage.Answers(reqs)
	var rs, ks []int32
	var cs []uuid.UUID
	var starts, ends []pgtype.Date
	var from, before []int64
	var wantLatest []bool
	for i, r := range reqs {
		b := r.Ingested.Before
		if b == 0 {
			b = math.MaxInt64
		}
		for k := range r.Periods() {
			rs, ks, cs = append(rs, int32(i)), append(ks, int32(k)), append(cs, r.Contract)
			starts, ends = append(starts, pgBound(r.Bounds[k])), append(ends, pgBound(r.Bounds[k+1]))
			from, before = append(from, r.Ingested.From), append(before, b)
			wantLatest = append(wantLatest, r.Wants(usage.WantLatest))
		}
	}
	if len(rs) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT p.r, p.k, a.n, a.total::text, a.top::text, coalesce(l.quantity, 0)::text
		FROM unnest($2::int[], $3::int[], $4::uuid[], $5::date[], $6::date[], $7::bigint[], $8::bigint[], $9::bool[])
		     AS p(r, k, c, s, e, f, b, l)
		CROSS JOIN LATERAL (
			SELECT count(*) AS n, coalesce(sum(u.quantity), 0) AS total, coalesce(max(u.quantity), 0) AS top
			FROM pricekit_usage_events u
			WHERE u.org = $1 AND u.contract_id = p.c AND u.day >= p.s AND u.day < p.e
			  AND u.seq >= p.f AND u.seq < p.b) a
		LEFT JOIN LATERAL (
			SELECT u.quantity FROM pricekit_usage_events u
			WHERE p.l AND u.org = $1 AND u.contract_id = p.c AND u.day >= p.s AND u.day < p.e
			  AND u.seq >= p.f AND u.seq < p.b
			ORDER BY u.day DESC, u.seq DESC LIMIT 1) l ON true`, org, rs, ks, cs, starts, ends, from, before, wantLatest)
	if err != nil {
		return nil, fmt.Errorf("postgres: aggregate usage: %w", err)
	}
	var (
		r, k             int32
		n                int64
		sum, top, latest string
	)
	if _, err := pgx.ForEachRow(rows, []any{&r, &k, &n, &sum, &top, &latest}, func() error {
		a := usage.Aggregates{Count: n}
		var err error
		if a.Sum, err = decimal.NewFromString(sum); err != nil {
			return err
		}
		if a.Max, err = decimal.NewFromString(top); err != nil {
			return err
		}
		if a.Latest, err = decimal.NewFromString(latest); err != nil {
			return err
		}
		out[r][k] = a
		return nil
	}); err != nil {
		return nil, fmt.Errorf("postgres: aggregate usage: %w", err)
	}
	if err := s.charges(ctx, org, reqs, out); err != nil {
		return nil, fmt.Errorf("postgres: aggregate usage: %w", err)
	}
	return out, nil
}

// charges fills in the Charges of the requests that ask for them, in one
// query: each period's events are priced in SQL, in NUMERIC (exact), the
// first free ones by day and then by seq skipped, and only the sums come
// back, a row per period with paying events.
func (s *Store) charges(ctx context.Context, org uuid.UUID, reqs []usage.Request, out [][]usage.Aggregates) error {
	var (
		rs, ks       []int32
		cs           []uuid.UUID
		starts, ends []pgtype.Date
		from, before []int64
		rates, fees  []string
		mins, maxs   []*string
		free         []int64
	)
	bound := func(d decimal.NullDecimal) *string {
		if !d.Valid {
			return nil
		}
		t := d.Decimal.String()
		return &t
	}
	for i, r := range reqs {
		if r.Charge == nil {
			continue
		}
		zero := make([]usage.Charges, r.Periods()) // periods without a paying event
		for k := range zero {
			out[i][k].Charges = &zero[k]
		}
		b := r.Ingested.Before
		if b == 0 {
			b = math.MaxInt64
		}
		c := r.Charge
		for k := range r.Periods() {
			rs, ks, cs = append(rs, int32(i)), append(ks, int32(k)), append(cs, r.Contract)
			starts, ends = append(starts, pgBound(r.Bounds[k])), append(ends, pgBound(r.Bounds[k+1]))
			from, before = append(from, r.Ingested.From), append(before, b)
			rates, fees = append(rates, c.Rate.Shift(-2).String()), append(fees, c.Fee.String())
			mins, maxs = append(mins, bound(c.Minimum)), append(maxs, bound(c.Maximum))
			free = append(free, c.Free)
		}
	}
	if len(rs) == 0 {
		return nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT p.r, p.k, count(*), sum(ev.q)::text, sum(ev.charged)::text,
		       count(*) FILTER (WHERE ev.raw < p.mn), coalesce(sum(p.mn - ev.raw) FILTER (WHERE ev.raw < p.mn), 0)::text,
		       count(*) FILTER (WHERE ev.raw > p.mx), coalesce(sum(ev.raw - p.mx) FILTER (WHERE ev.raw > p.mx), 0)::text
		FROM unnest($2::int[], $3::int[], $4::uuid[], $5::date[], $6::date[], $7::bigint[], $8::bigint[],
		            $9::numeric[], $10::numeric[], $11::numeric[], $12::numeric[], $13::bigint[])
		     AS p(r, k, c, s, e, f, b, rate, fee, mn, mx, free)
		CROSS JOIN LATERAL (
			SELECT u.quantity AS q, u.quantity * p.rate + p.fee AS raw,
			       LEAST(GREATEST(u.quantity * p.rate + p.fee, p.mn), p.mx) AS charged
			FROM pricekit_usage_events u
			WHERE u.org = $1 AND u.contract_id = p.c AND u.day >= p.s AND u.day < p.e
			  AND u.seq >= p.f AND u.seq < p.b
			ORDER BY u.day, u.seq OFFSET p.free) ev
		GROUP BY p.r, p.k`, org, rs, ks, cs, starts, ends, from, before, rates, fees, mins, maxs, free)
	if err != nil {
		return err
	}
	var (
		r, k                             int32
		c                                usage.Charges
		qty, amount, raisedBy, loweredBy string
	)
	_, err = pgx.ForEachRow(rows, []any{&r, &k, &c.Events, &qty, &amount, &c.Raised, &raisedBy, &c.Lowered, &loweredBy}, func() error {
		for _, f := range []struct {
			dst *decimal.Decimal
			src string
		}{{&c.Quantity, qty}, {&c.Amount, amount}, {&c.RaisedBy, raisedBy}, {&c.LoweredBy, loweredBy}} {
			v, err := decimal.NewFromString(f.src)
			if err != nil {
				return err
			}
			*f.dst = v
		}
		*out[r][k].Charges = c
		return nil
	})
	return err
}

// UsageSince implements [store.UsageReader]: the positions are the events'
// seq values.
func (s *Store) UsageSince(ctx context.Context, org uuid.UUID, productContracts []uuid.UUID, from, to date.Date, since int64) ([]usage.Stored, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, err := s.pool.Query(ctx, `SELECT `+eventColumns+`, u.day, u.seq
		FROM pricekit_usage_events u
		WHERE u.org = $1 AND u.contract_id = ANY($2) AND u.day >= $3 AND u.day <= $4 AND u.seq >= $5
		ORDER BY u.seq`, org, productContracts, pgBound(from), pgBound(to), since)
	if err != nil {
		return nil, fmt.Errorf("postgres: usage: %w", err)
	}
	var out []usage.Stored
	var day pgtype.Date
	var seq int64
	err = scanEventsWith(q, []any{&day, &seq}, func(e usage.Event) {
		out = append(out, usage.Stored{Event: e, Day: fromPGDay(day), Position: seq})
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: usage: %w", err)
	}
	return out, nil
}

// Mark implements [store.UsageMarker]. It takes the organization's lock
// exclusively, as a save does: every ingestion holds it shared until it
// commits, so when the mark reads the next ingest position no event below
// it is still to come.
func (s *Store) Mark(ctx context.Context, org, parentContract uuid.UUID, through date.Date) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockSpace, orgLock(org)); err != nil {
			return fmt.Errorf("postgres: mark: %w", err)
		}
		var last pgtype.Date
		if err := tx.QueryRow(ctx, `SELECT max(through) FROM pricekit_usage_marks WHERE org = $1 AND contract = $2`,
			org, parentContract).Scan(&last); err != nil {
			return fmt.Errorf("postgres: mark: %w", err)
		}
		if l := fromPGDay(last); last.Valid && through < l {
			return pricekit.Errorf(pricekit.ErrInvalidInput, "store", "through",
				fmt.Sprintf("usage is billed through %s already; a mark never goes back (got %s)", l, through))
		} else if last.Valid && through == l {
			return nil
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO pricekit_usage_marks (org, contract, through, position)
			SELECT $1, $2, $3, coalesce(max(seq), 0) + 1 FROM pricekit_usage_events WHERE org = $1`,
			org, parentContract, pgDay(through)); err != nil {
			return fmt.Errorf("postgres: mark: %w", err)
		}
		return nil
	})
}

// Marks implements [store.UsageMarker].
func (s *Store) Marks(ctx context.Context, org, parentContract uuid.UUID) ([]usage.Mark, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, err := s.pool.Query(ctx, `SELECT through, position FROM pricekit_usage_marks
		WHERE org = $1 AND contract = $2 ORDER BY through`, org, parentContract)
	if err != nil {
		return nil, fmt.Errorf("postgres: marks: %w", err)
	}
	var out []usage.Mark
	var through pgtype.Date
	var pos int64
	if _, err := pgx.ForEachRow(q, []any{&through, &pos}, func() error {
		out = append(out, usage.Mark{Through: fromPGDay(through), Position: pos})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("postgres: marks: %w", err)
	}
	return out, nil
}
