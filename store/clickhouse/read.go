package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/ext"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/usage"
)

// copyKey is what makes two stored rows copies of one event: the same id
// on the same product contract and day (a replay has the same payload, so
// the same contract and day). An event without an id is its own.
const copyKey = `contract_id, day, event_id, if(event_id = '', position, 0),
	if(event_id = '', batch, toUUID('00000000-0000-0000-0000-000000000000'))`

// committed keeps the copies of committed batches only; its one
// parameter is the organization.
const committed = `batch IN (SELECT batch FROM pricekit_usage_committed WHERE org = ?)`

// Usage implements [store.UsageReader]: the first copy of each event, in
// position order.
func (s *Store) Usage(ctx context.Context, org uuid.UUID, productContracts []uuid.UUID, from, to date.Date) ([]usage.Event, error) {
	got, err := s.usageSince(ctx, org, productContracts, from, to, math.MinInt64)
	if err != nil {
		return nil, err
	}
	out := make([]usage.Event, len(got))
	for i, st := range got {
		out[i] = st.Event
	}
	return out, nil
}

// UsageSince implements [store.UsageReader]: the first copies from
// position since on.
func (s *Store) UsageSince(ctx context.Context, org uuid.UUID, productContracts []uuid.UUID, from, to date.Date, since int64) ([]usage.Stored, error) {
	return s.usageSince(ctx, org, productContracts, from, to, since)
}

func (s *Store) usageSince(ctx context.Context, org uuid.UUID, productContracts []uuid.UUID, from, to date.Date, since int64) ([]usage.Stored, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lo, hi, ok := dayRange(from, to+1)
	if len(productContracts) == 0 || !ok {
		return nil, nil
	}
	pcs, err := uuidTable("pcs", "c", productContracts)
	if err != nil {
		return nil, err
	}
	rows, err := s.conn.Query(withTables(ctx, pcs), `
		SELECT event_id, contract_id, product_id, event_date, event_ts, quantity, day, position, batch
		FROM (
			SELECT event_id, contract_id, product_id, event_date, event_ts, quantity, day, position, batch
			FROM pricekit_usage_events
			WHERE org = ? AND contract_id IN (SELECT c FROM pcs) AND day >= `+lo+` AND day <= `+hi+`
			  AND `+committed+`
			ORDER BY position
			LIMIT 1 BY `+copyKey+`
		)
		WHERE position >= ?
		ORDER BY position`, org, org, since)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: usage: %w", err)
	}
	var out []usage.Stored
	if err := scanCopies(rows, func(c copyOf) { out = append(out, c.Stored) }); err != nil {
		return nil, fmt.Errorf("clickhouse: usage: %w", err)
	}
	return out, nil
}

// Aggregate implements [store.UsageAggregator] in one query: the first
// copies of the events on the requested contracts are bucketed into each
// request's periods where they are stored, and only a row per period with
// usage comes back, whatever the number of events. Percentage charges are
// priced in ClickHouse too, a query per distinct charge. The quantities
// are exact (Decimal(38, 12)).
func (s *Store) Aggregate(ctx context.Context, org uuid.UUID, reqs []usage.Request) ([][]usage.Aggregates, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := usage.ValidateRequests(reqs); err != nil {
		return nil, err
	}
	out := usage.Answers(reqs)
	all := make([]int, len(reqs))
	for i := range all {
		all[i] = i
	}
	p, lo, hi, ok, err := periodTable(reqs, all)
	if err != nil || !ok {
		return out, err
	}
	twins, err := s.hasTwins(ctx, org)
	if err != nil {
		return nil, err
	}
	from, args := bucketed(lo, hi, twins, org)
	rows, err := s.conn.Query(withTables(ctx, p), `
		SELECT r, toInt32(k - 1), count(), `+exactSum("quantity")+`, max(quantity), argMax(quantity, (day, position))
		FROM (`+from+`)
		WHERE k >= 1 AND position >= f AND position < b
		GROUP BY r, k`, args...)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: aggregate usage: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r, k        int32
			n           uint64
			a           usage.Aggregates
			whole, frac decimal.Decimal
		)
		if err := rows.Scan(&r, &k, &n, &whole, &frac, &a.Max, &a.Latest); err != nil {
			return nil, fmt.Errorf("clickhouse: aggregate usage: %w", err)
		}
		a.Count, a.Sum = int64(n), whole.Add(frac)
		out[r][k] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: aggregate usage: %w", err)
	}
	if err := s.charges(ctx, org, reqs, twins, out); err != nil {
		return nil, fmt.Errorf("clickhouse: aggregate usage: %w", err)
	}
	return out, nil
}

// bucketed selects the first copies of the events of org on the contracts
// of table p, with days in [lo, hi], each with the request r it answers
// and its period k (1 for the first, 0 before it, -1 after the last), its
// position and the request's window [f, b); and the query's arguments.
//
// An event's rows are its only copy unless its id, contract and day are
// among the organization's twins (twins tells whether it has any): the
// ingestion that stored a second copy recorded them. So only the twins'
// rows are grouped to their first copy, and an organization without any
// is read as it is stored.
func bucketed(lo, hi string, twins bool, org uuid.UUID) (string, []any) {
	rows := `FROM pricekit_usage_events
			WHERE org = ? AND contract_id IN (SELECT c FROM p) AND day >= ` + lo + ` AND day <= ` + hi + `
			  AND ` + committed
	firsts := `SELECT contract_id AS c, day, position AS first, quantity AS q ` + rows
	args := []any{org, org}
	if twins {
		twin := `(contract_id, day, event_id) IN (SELECT contract_id, day, event_id FROM pricekit_usage_twins WHERE org = ?)`
		firsts = firsts + ` AND NOT ` + twin + `
			UNION ALL
			SELECT contract_id AS c, day, min(position) AS first, argMin(quantity, position) AS q ` + rows + `
			  AND ` + twin + `
			GROUP BY ` + copyKey
		args = append(args, org, org, org, org)
	}
	return `
		SELECT r, day, first AS position, q AS quantity, toInt64(arrayFirstIndex(x -> x > day, bounds)) - 1 AS k, f, b, free
		FROM (` + firsts + `) ALL INNER JOIN p USING c`, args
}

// hasTwins reports whether any event of org has more than one copy.
func (s *Store) hasTwins(ctx context.Context, org uuid.UUID) (bool, error) {
	var n uint64
	if err := s.conn.QueryRow(ctx, `SELECT count() FROM pricekit_usage_twins WHERE org = ?`, org).Scan(&n); err != nil {
		return false, fmt.Errorf("clickhouse: aggregate usage: %w", err)
	}
	return n > 0, nil
}

// periodTable is the external table p of the requests picked from reqs:
// r (the index in reqs), c (the contract), bounds, the window [f, b) and
// the free events of a charge; with the range of days they span, and
// false when no day a Date column holds lies in it.
func periodTable(reqs []usage.Request, picked []int) (*ext.Table, string, string, bool, error) {
	tbl, err := ext.NewTable("p",
		ext.Column("r", column.Type("Int32")), ext.Column("c", column.Type("UUID")),
		ext.Column("bounds", column.Type("Array(Date)")),
		ext.Column("f", column.Type("Int64")), ext.Column("b", column.Type("Int64")),
		ext.Column("free", column.Type("Int64")))
	if err != nil {
		return nil, "", "", false, fmt.Errorf("clickhouse: %w", err)
	}
	from, to := date.Date(math.MaxInt64), date.Date(math.MinInt64)
	for _, i := range picked {
		r := reqs[i]
		bounds := make([]time.Time, len(r.Bounds))
		for j, d := range r.Bounds {
			bounds[j] = clamp(d).MidnightUTC()
		}
		before := r.Ingested.Before
		if before == 0 {
			before = math.MaxInt64
		}
		var free int64
		if r.Charge != nil {
			free = r.Charge.Free
		}
		if err := tbl.Append(int32(i), r.Contract, bounds, r.Ingested.From, before, free); err != nil {
			return nil, "", "", false, fmt.Errorf("clickhouse: %w", err)
		}
		from, to = min(from, r.Bounds[0]), max(to, r.Bounds[len(r.Bounds)-1])
	}
	lo, hi, ok := dayRange(from, to)
	return tbl, lo, hi, ok, nil
}

// charges fills in the Charges of the requests that ask for them: a query
// for each distinct charge, pricing each period's events one at a time in
// ClickHouse, the first free ones (by day, then position) skipped. Only
// the sums come back.
func (s *Store) charges(ctx context.Context, org uuid.UUID, reqs []usage.Request, twins bool, out [][]usage.Aggregates) error {
	byCharge := map[string][]int{}
	var order []string
	for i, r := range reqs {
		if r.Charge == nil {
			continue
		}
		zero := make([]usage.Charges, r.Periods()) // periods without a paying event
		for k := range zero {
			out[i][k].Charges = &zero[k]
		}
		c := chargeKey(*r.Charge)
		if _, ok := byCharge[c]; !ok {
			order = append(order, c)
		}
		byCharge[c] = append(byCharge[c], i)
	}
	for _, c := range order {
		picked := byCharge[c]
		ch := *reqs[picked[0]].Charge
		if !chargeFits(ch) {
			if err := s.chargeInGo(ctx, org, reqs, picked, ch, twins, out); err != nil {
				return err
			}
			continue
		}
		err := s.charge(ctx, org, reqs, picked, ch, twins, out)
		var ex *clickhouse.Exception
		if errors.As(err, &ex) && (ex.Code == codeDecimalOverflow || ex.Code == codeArgumentOutOfBound) {
			// An event's charge beyond what its Decimal holds.
			err = s.chargeInGo(ctx, org, reqs, picked, ch, twins, out)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// The errors of ClickHouse that a charge too large for its Decimal gives.
const (
	codeArgumentOutOfBound = 69
	codeDecimalOverflow    = 407
)

// chargeFits reports whether c's charges are priced exactly in
// ClickHouse: each event's charge is a quantity (12 places) times the
// rate, plus the fee, clamped, a Decimal(38, 12 + the rate's places). Its
// sums keep what is left of their whole parts below the number of events,
// so 24 places leave 14 digits for them.
func chargeFits(c usage.Charge) bool {
	places := func(d decimal.Decimal) int32 { return max(-d.Exponent(), 0) }
	limit := int32(24)
	ok := quantityPlaces+places(c.Rate.Shift(-2)) <= limit && places(c.Fee) <= limit
	if c.Minimum.Valid {
		ok = ok && places(c.Minimum.Decimal) <= limit
	}
	if c.Maximum.Valid {
		ok = ok && places(c.Maximum.Decimal) <= limit
	}
	return ok
}

// chargeInGo prices the charges of the requests picked from reqs in Go,
// with the reference rule, from the first copies of their periods' events
// in order: what a charge whose figures ClickHouse's decimals cannot hold
// takes. The events leave the store, one quantity a row.
func (s *Store) chargeInGo(ctx context.Context, org uuid.UUID, reqs []usage.Request, picked []int, c usage.Charge,
	twins bool, out [][]usage.Aggregates) error {
	p, lo, hi, ok, err := periodTable(reqs, picked)
	if err != nil || !ok {
		return err
	}
	from, args := bucketed(lo, hi, twins, org)
	rows, err := s.conn.Query(withTables(ctx, p), `
		SELECT r, toInt32(k - 1), quantity
		FROM (`+from+`)
		WHERE k >= 1 AND position >= f AND position < b
		ORDER BY r, k, day, position`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		r, k       int32
		q          decimal.Decimal
		quantities []decimal.Decimal
	)
	flush := func(r, k int32) {
		if len(quantities) > 0 {
			cc := c
			cc.Free = reqs[r].Charge.Free
			*out[r][k].Charges = usage.ChargeEach(cc, quantities)
		}
		quantities = quantities[:0]
	}
	lastR, lastK := int32(-1), int32(-1)
	for rows.Next() {
		if err := rows.Scan(&r, &k, &q); err != nil {
			return err
		}
		if r != lastR || k != lastK {
			flush(lastR, lastK)
			lastR, lastK = r, k
		}
		quantities = append(quantities, q)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	flush(lastR, lastK)
	return nil
}

// chargeKey names what a charge's query depends on (its free events are a
// column of the periods): equal charges share a query.
func chargeKey(c usage.Charge) string {
	bound := func(d decimal.NullDecimal) string {
		if !d.Valid {
			return "-"
		}
		return d.Decimal.String()
	}
	return c.Rate.String() + " " + c.Fee.String() + " " + bound(c.Minimum) + " " + bound(c.Maximum)
}

func (s *Store) charge(ctx context.Context, org uuid.UUID, reqs []usage.Request, picked []int, c usage.Charge, twins bool,
	out [][]usage.Aggregates) error {
	p, lo, hi, ok, err := periodTable(reqs, picked)
	if err != nil || !ok {
		return err
	}
	from, args := bucketed(lo, hi, twins, org)
	zero := `toDecimal128('0', 0), toDecimal128('0', 0)`
	raw := `q * ` + literal(c.Rate.Shift(-2)) + ` + ` + literal(c.Fee)
	charged := `raw`
	raised, raisedBy := `0`, zero
	if c.Minimum.Valid {
		mn := literal(c.Minimum.Decimal)
		charged = `greatest(` + charged + `, ` + mn + `)`
		raised, raisedBy = `countIf(raw < `+mn+`)`, exactSum(`if(raw < `+mn+`, `+mn+` - raw, (`+mn+` - raw) * 0)`)
	}
	lowered, loweredBy := `0`, zero
	if c.Maximum.Valid {
		mx := literal(c.Maximum.Decimal)
		charged = `least(` + charged + `, ` + mx + `)`
		lowered, loweredBy = `countIf(raw > `+mx+`)`, exactSum(`if(raw > `+mx+`, raw - `+mx+`, (raw - `+mx+`) * 0)`)
	}
	// The first free events of a period (by day, then position) cost
	// nothing: each period's cut is the place of its last free one.
	// (Arrays hold only integers: release 18 cannot keep decimals in the
	// state of groupArray.)
	rows, err := s.conn.Query(withTables(ctx, p), `
		SELECT r, toInt32(k - 1), toInt64(count()), `+exactSum("q")+`, `+exactSum("charged")+`,
		       toInt64(`+raised+`), `+raisedBy+`, toInt64(`+lowered+`), `+loweredBy+`
		FROM (
			SELECT r, k, q, `+raw+` AS raw, `+charged+` AS charged
			FROM (
				SELECT r, k, quantity AS q, (toInt64(day), position) AS at
				FROM (`+from+`)
				WHERE k >= 1 AND position >= f AND position < b
			) ALL INNER JOIN (
				SELECT r, k, if(any(free) = 0, (toInt64(-1), toInt64(-1)),
				             if(count() < any(free), (toInt64(`+maxInt+`), toInt64(`+maxInt+`)),
				                arraySort(groupArray((toInt64(day), position)))[any(free)])) AS cut
				FROM (`+from+`)
				WHERE k >= 1 AND position >= f AND position < b
				GROUP BY r, k
			) USING (r, k)
			WHERE at > cut
		)
		GROUP BY r, k`, append(args, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r, k int32
			ch   usage.Charges
			sums [8]decimal.Decimal // each sum as its whole and fractional parts
		)
		if err := rows.Scan(&r, &k, &ch.Events, &sums[0], &sums[1], &sums[2], &sums[3], &ch.Raised, &sums[4], &sums[5],
			&ch.Lowered, &sums[6], &sums[7]); err != nil {
			return err
		}
		ch.Quantity, ch.Amount = sums[0].Add(sums[1]), sums[2].Add(sums[3])
		ch.RaisedBy, ch.LoweredBy = sums[4].Add(sums[5]), sums[6].Add(sums[7])
		*out[r][k].Charges = ch
	}
	return rows.Err()
}

const maxInt = "9223372036854775807"

// exactSum sums the decimal expression e as two columns, its whole parts
// as Decimal(38, 0) and what is left of each: a sum of Decimal(38, 12)
// wraps around without an error past 1.7 × 10²⁶ on release 18, the sum of
// the whole parts only past 1.7 × 10³⁸, and the rest stays below the
// number of rows. The caller adds the two.
func exactSum(e string) string {
	return "sum(toDecimal128(" + e + ", 0)), sum((" + e + ") - toDecimal128(" + e + ", 0))"
}

// literal writes d as a Decimal128 literal of its own scale: exact.
func literal(d decimal.Decimal) string {
	scale := max(-d.Exponent(), 0)
	return fmt.Sprintf("toDecimal128('%s', %d)", d.StringFixed(scale), scale)
}

// clamp brings a day into the range a Date column holds, extended by one
// day for an exclusive end.
func clamp(d date.Date) date.Date { return min(max(d, firstDay), lastDay+1) }

// dayRange writes the days [from, to) clamped to what a Date column holds
// as two Date literals, the first and the last day (a literal past 2105
// does not parse), and reports whether any stored day can lie in it.
func dayRange(from, to date.Date) (first, last string, ok bool) {
	from, to = clamp(from), clamp(to)
	return dateLiteral(from), dateLiteral(to - 1), from < to
}

func dateLiteral(d date.Date) string { return "toDate('" + d.String() + "')" }

// uuidTable is an external table of one UUID column.
func uuidTable(name, col string, ids []uuid.UUID) (*ext.Table, error) {
	tbl, err := ext.NewTable(name, ext.Column(col, column.Type("UUID")))
	if err != nil {
		return nil, fmt.Errorf("clickhouse: %w", err)
	}
	for _, id := range ids {
		if err := tbl.Append(id); err != nil {
			return nil, fmt.Errorf("clickhouse: %w", err)
		}
	}
	return tbl, nil
}

// stringTable is an external table of one String column.
func stringTable(name, col string, values []string) (*ext.Table, error) {
	tbl, err := ext.NewTable(name, ext.Column(col, column.Type("String")))
	if err != nil {
		return nil, fmt.Errorf("clickhouse: %w", err)
	}
	for _, v := range values {
		if err := tbl.Append(v); err != nil {
			return nil, fmt.Errorf("clickhouse: %w", err)
		}
	}
	return tbl, nil
}

// withTables sends external tables with the query run under ctx.
func withTables(ctx context.Context, tables ...*ext.Table) context.Context {
	return clickhouse.Context(ctx, clickhouse.WithExternalTable(tables...))
}
