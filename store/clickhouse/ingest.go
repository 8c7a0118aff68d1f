package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// The days and quantities a ClickHouse column holds: Date counts days from
// 1970-01-01 (the functions of every release read days through 2105), and
// Decimal(38, 12) keeps 12 places and 26 digits before the point.
var (
	firstDay = date.New(1970, time.January, 1)
	lastDay  = date.New(2105, time.December, 31)
	// maxQuantity bounds the quantities a Decimal(38, 12) holds.
	maxQuantity = decimal.New(1, 26)
)

const quantityPlaces = 12

// Ingest implements [store.UsageWriter].
//
// It checks the batch with [usage.Accept] against the product contracts,
// as the documents store describes them, and against the committed copies
// of the ids it names, then stores the accepted events under a new batch
// id with consecutive positions, and commits the batch: reads count the
// copies of committed batches only. The ingestions of one organization in
// this process are serialized, so that a racing batch sees the one before
// it. Before committing, it looks its ids up again: a copy with another
// payload in a batch of another process, committed or in flight, refuses
// this batch as duplicate_usage, and it is never committed. See the
// package documentation for what that guarantees.
func (s *Store) Ingest(ctx context.Context, org uuid.UUID, events []usage.Event) (store.Ingested, error) {
	if err := ctx.Err(); err != nil {
		return store.Ingested{}, err
	}
	if len(events) == 0 {
		return store.Ingested{}, pricekit.Errorf(pricekit.ErrMissingInput, "usage", "", "no usage events")
	}
	targets, err := s.UsageTargets(ctx, org, usage.ContractIDs(events))
	if err != nil {
		return store.Ingested{}, err
	}
	t, err := s.tenant(ctx, org)
	if err != nil {
		return store.Ingested{}, err
	}
	defer t.mu.Unlock()

	keys, first := usage.LookupIDs(events)
	stored, err := s.firstCopies(ctx, org, keys)
	if err != nil {
		return store.Ingested{}, err
	}
	accepted, err := usage.Accept(events,
		func(id uuid.UUID) (usage.Target, bool) { t, ok := targets[id]; return t, ok },
		func(id string) (usage.Event, bool) { c, ok := stored[id]; return c.Event, ok })
	if err := errors.Join(err, columnLimits(events, targets)); err != nil {
		return store.Ingested{}, err
	}
	if len(accepted.Events) == 0 {
		return store.Ingested{Replayed: len(events)}, nil
	}
	if s.beforeInsert != nil {
		s.beforeInsert()
	}
	batch := uuid.New()
	begun := s.now()
	pos := t.reserve(begun, len(accepted.Events))
	if err := s.insertRow(ctx, `INSERT INTO pricekit_usage_batches (org, batch, last)`,
		org, batch, pos+int64(len(accepted.Events))-1); err != nil {
		return store.Ingested{}, fmt.Errorf("clickhouse: ingest: %w", err)
	}
	if err := s.storeBatch(ctx, org, batch, begun, pos, accepted, keys, first, targets); err != nil {
		s.abort(org, batch)
		return store.Ingested{}, err
	}
	return store.Ingested{Added: len(accepted.Events), Replayed: accepted.Replayed}, nil
}

// storeBatch stores an accepted batch, looks its ids up again and commits
// it.
func (s *Store) storeBatch(ctx context.Context, org, batch uuid.UUID, begun time.Time, pos int64, accepted usage.Batch,
	keys []string, first map[string]int, targets map[uuid.UUID]usage.Target) error {
	if err := s.insert(ctx, org, batch, pos, accepted); err != nil {
		return err
	}
	if s.afterInsert != nil {
		s.afterInsert()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	twins, err := s.checkRaces(ctx, org, batch, keys, first, targets)
	if err != nil {
		return err
	}
	if err := s.insertTwins(ctx, org, twins); err != nil {
		return err
	}
	if took := s.now().Sub(begun); took > maxInFlight/2 {
		// Other writers stop taking this batch for in flight at
		// maxInFlight: committing it now could count a rival twice.
		return fmt.Errorf("clickhouse: ingest: the batch took %s to store, more than %s; nothing was ingested, try again",
			took.Round(time.Millisecond), maxInFlight/2)
	}
	if err := s.insertRow(ctx, `INSERT INTO pricekit_usage_committed (org, batch)`, org, batch); err != nil {
		return fmt.Errorf("clickhouse: ingest: %w", err)
	}
	return nil
}

// abort records that a batch will never be committed, so that racing
// writers stop taking it for in flight. It is best effort, on a context of
// its own (the ingestion's may be what failed): a batch it cannot record
// stops counting as in flight after maxInFlight.
func (s *Store) abort(org, batch uuid.UUID) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = s.insertRow(ctx, `INSERT INTO pricekit_usage_aborted (org, batch)`, org, batch)
}

// maxInFlight is how long a batch begun and not committed counts as in
// flight: a rival of a racing batch. A batch older than that is taken for
// dead (its writer failed), and its ingestion refuses to commit it.
const maxInFlight = time.Minute

// columnLimits refuses what the columns cannot hold exactly: a day beyond
// the Date column's range, a quantity beyond Decimal(38, 12). Events that
// Accept refuses on their own are left to it.
func columnLimits(events []usage.Event, targets map[uuid.UUID]usage.Target) error {
	var errs []error
	for i, e := range events {
		tg, ok := targets[e.ContractID]
		if !ok || e.Validate() != nil {
			continue
		}
		if d := e.Day(tg.Location); d < firstDay || d > lastDay {
			errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "usage", fmt.Sprintf("usage[%d].%s", i, dayField(e)),
				fmt.Sprintf("day %s is outside %s … %s, the days the ClickHouse store keeps", d, firstDay, lastDay)))
		}
		if q := e.Quantity; q.Exponent() < -quantityPlaces && !q.Equal(q.Truncate(quantityPlaces)) || q.Abs().GreaterThanOrEqual(maxQuantity) {
			errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "usage", fmt.Sprintf("usage[%d].quantity", i),
				fmt.Sprintf("quantity %s does not fit 26 digits and %d places, what the ClickHouse store keeps", q, quantityPlaces)))
		}
	}
	return errors.Join(errs...)
}

func dayField(e usage.Event) string {
	if e.Date != 0 {
		return "date"
	}
	return "timestamp"
}

// insert stores the accepted events of a batch, positions from pos on in
// batch order, in the events table and the index of ids; neither is read
// before the batch is committed.
func (s *Store) insert(ctx context.Context, org, batch uuid.UUID, pos int64, b usage.Batch) error {
	ev, err := s.conn.PrepareBatch(ctx, `INSERT INTO pricekit_usage_events
		(org, contract_id, day, position, batch, event_id, product_id, event_date, event_ts, quantity)`)
	if err != nil {
		return fmt.Errorf("clickhouse: ingest: %w", err)
	}
	defer ev.Abort() //nolint:errcheck // after Send, Abort does nothing
	ids, err := s.conn.PrepareBatch(ctx, `INSERT INTO pricekit_usage_ids
		(org, event_id, position, batch, contract_id, day, product_id, event_date, event_ts, quantity)`)
	if err != nil {
		return fmt.Errorf("clickhouse: ingest: %w", err)
	}
	defer ids.Abort() //nolint:errcheck // after Send, Abort does nothing
	withIDs := 0
	for i, e := range b.Events {
		p := pos + int64(i)
		day := b.Days[i].MidnightUTC()
		stamp := ""
		if e.Date == 0 {
			stamp = e.Timestamp.Format(time.RFC3339Nano)
		}
		if err := ev.Append(org, e.ContractID, day, p, batch, e.ID, e.ProductID, int64(e.Date), stamp, e.Quantity); err != nil {
			return fmt.Errorf("clickhouse: ingest: %w", err)
		}
		if e.ID != "" {
			withIDs++
			if err := ids.Append(org, e.ID, p, batch, e.ContractID, day, e.ProductID, int64(e.Date), stamp, e.Quantity); err != nil {
				return fmt.Errorf("clickhouse: ingest: %w", err)
			}
		}
	}
	if err := ev.Send(); err != nil {
		return fmt.Errorf("clickhouse: ingest: %w", err)
	}
	if withIDs > 0 {
		if err := ids.Send(); err != nil {
			return fmt.Errorf("clickhouse: ingest: %w", err)
		}
	}
	return nil
}

// checkRaces looks the ids of a stored batch up again. A copy of one of
// them with another payload, in another batch that is committed or in
// flight (begun within maxInFlight, on the server's clock, and not
// aborted), refuses this batch, naming each such event: two batches that
// see each other are both refused. A copy with the same payload makes the
// event a twin, returned to be recorded before the batch commits: reads
// count it once.
//
// Of two batches storing one event, each stores before it looks, so the
// later to look sees the other's copy: every event stored twice is
// recorded, by whichever batch saw the other.
func (s *Store) checkRaces(ctx context.Context, org, batch uuid.UUID, keys []string, first map[string]int,
	targets map[uuid.UUID]usage.Target) ([]copyOf, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	live := `(batch = ? OR ` + committed + ` OR batch IN (
		SELECT batch FROM pricekit_usage_batches
		WHERE org = ? AND begun > now() - ` + fmt.Sprint(int(maxInFlight.Seconds())) + `
		  AND batch NOT IN (SELECT batch FROM pricekit_usage_aborted WHERE org = ?)))`
	copies, err := s.copies(ctx, org, keys, live, batch, org, org, org)
	if err != nil {
		return nil, err
	}
	var (
		errs  []error
		twins []copyOf
	)
	for _, id := range keys {
		var mine *copyOf
		for i := range copies[id] {
			if copies[id][i].batch == batch {
				mine = &copies[id][i]
			}
		}
		if mine == nil {
			continue // a replay of a committed copy: not stored again
		}
		twin := false
		for _, c := range copies[id] {
			if c.batch == batch {
				continue
			}
			if !targets[mine.Event.ContractID].Same(c.Event, mine.Event) {
				errs = append(errs, pricekit.Errorf(pricekit.ErrDuplicateUsage, "usage",
					fmt.Sprintf("usage[%d].id", first[id]),
					fmt.Sprintf("usage id %q is being stored at the same time with a different payload", id)))
				twin = false
				break
			}
			twin = true
		}
		if twin {
			twins = append(twins, *mine)
		}
	}
	return twins, errors.Join(errs...)
}

// insertTwins records events stored in more than one copy.
func (s *Store) insertTwins(ctx context.Context, org uuid.UUID, twins []copyOf) error {
	if len(twins) == 0 {
		return nil
	}
	b, err := s.conn.PrepareBatch(ctx, `INSERT INTO pricekit_usage_twins (org, contract_id, day, event_id)`)
	if err != nil {
		return fmt.Errorf("clickhouse: ingest: %w", err)
	}
	for _, c := range twins {
		if err := b.Append(org, c.Event.ContractID, c.Day.MidnightUTC(), c.Event.ID); err != nil {
			_ = b.Abort()
			return fmt.Errorf("clickhouse: ingest: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("clickhouse: ingest: %w", err)
	}
	return nil
}

// copyOf is a stored copy of an event.
type copyOf struct {
	usage.Stored
	batch uuid.UUID
}

// copies returns every stored copy of the given ids in the batches that
// the condition in (with its arguments) keeps, by id, in position order.
// The batches are chosen where they are kept: their lists grow with the
// organization's usage.
func (s *Store) copies(ctx context.Context, org uuid.UUID, ids []string, in string, args ...any) (map[string][]copyOf, error) {
	out := make(map[string][]copyOf, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	tbl, err := stringTable("want", "id", ids)
	if err != nil {
		return nil, err
	}
	rows, err := s.conn.Query(withTables(ctx, tbl), `
		SELECT event_id, contract_id, product_id, event_date, event_ts, quantity, day, position, batch
		FROM pricekit_usage_ids
		WHERE org = ? AND event_id IN (SELECT id FROM want) AND `+in+`
		ORDER BY event_id, position`, append([]any{org}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: ingest: %w", err)
	}
	err = scanCopies(rows, func(c copyOf) { out[c.Event.ID] = append(out[c.Event.ID], c) })
	if err != nil {
		return nil, fmt.Errorf("clickhouse: ingest: %w", err)
	}
	return out, nil
}

// firstCopies returns the first committed copy of each given id: the one
// reads count.
func (s *Store) firstCopies(ctx context.Context, org uuid.UUID, ids []string) (map[string]copyOf, error) {
	all, err := s.copies(ctx, org, ids, committed, org)
	if err != nil {
		return nil, err
	}
	out := make(map[string]copyOf, len(all))
	for id, cs := range all {
		out[id] = cs[0]
	}
	return out, nil
}

// scanCopies decodes rows of event_id, contract_id, product_id,
// event_date, event_ts, quantity, day, position and batch.
func scanCopies(rows driver.Rows, each func(copyOf)) error {
	defer rows.Close()
	var (
		c     copyOf
		edate int64
		stamp string
		day   time.Time
	)
	for rows.Next() {
		if err := rows.Scan(&c.Event.ID, &c.Event.ContractID, &c.Event.ProductID, &edate, &stamp,
			&c.Event.Quantity, &day, &c.Position, &c.batch); err != nil {
			return err
		}
		c.Event.Date, c.Event.Timestamp = date.Date(edate), time.Time{}
		if stamp != "" {
			ts, err := time.Parse(time.RFC3339Nano, stamp)
			if err != nil {
				return fmt.Errorf("stored timestamp %q: %w", stamp, err)
			}
			c.Event.Timestamp = ts
		}
		c.Day = date.NewAt(day)
		each(c)
	}
	return rows.Err()
}
