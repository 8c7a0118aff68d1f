package postgres

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/benchratio"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// The usage of BenchmarkRateMonth: rateMonthEvents events in every month
// of 2024 for one product contract, December rated.
const (
	rateMonthEvents = 1_000_000
	rateMonths      = 12
)

// BenchmarkRateMonth rates one contract-month, December 2024, of a parent
// contract whose one product contract has 1 000 000 usage events stored
// in December and as many in each of the 11 months before, 12 M in all:
//
//   - seam: billing.Rate, which asks the store for the aggregates of the
//     periods it prices; rows/op is the periods asked for, each one row of
//     the store's answer whatever the number of events in it;
//   - event-pull: the rating billing.Rate did before, which read every
//     stored event of the contract's product contracts with Store.Usage and
//     rated them in memory; rows/op is the events read;
//   - ratio: both in turns, round by round, timed on the wall clock, and
//     the median of event-pull ÷ seam per round as x-faster.
//
// The events are loaded once, with one INSERT … SELECT, into a schema of
// the benchmark's own that is dropped at its end; the load takes a few
// minutes. Run it with
//
//	source .ci/setup-postgres.sh
//	go test -run '^$' -bench RateMonth -benchtime 3x -timeout 60m -v ./store/postgres/
//
// (-v shows the log: the server's version and the time the load took).
func BenchmarkRateMonth(b *testing.B) {
	fx := loadRateMonth(b)
	ctx := context.Background()
	dec1, dec31 := date.New(2024, time.December, 1), date.New(2024, time.December, 31)

	seam := func() {
		sts, err := billing.Rate(ctx, fx.st, fx.org, fx.parent, dec1, dec31)
		if err == nil {
			err = fx.check(sts)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	var pulled int
	pull := func() {
		sts, n, err := rateByEvents(ctx, fx.st.Store, fx.org, fx.parent, dec1, dec31)
		if err == nil {
			err = fx.check(sts)
		}
		if err != nil {
			b.Fatal(err)
		}
		pulled += n
	}

	b.Run("seam", func(b *testing.B) {
		fx.st.periods = 0
		n := 0
		b.ReportAllocs()
		for b.Loop() {
			seam()
			n++
		}
		b.ReportMetric(float64(fx.st.periods)/float64(n), "rows/op")
	})
	b.Run("event-pull", func(b *testing.B) {
		pulled = 0
		n := 0
		b.ReportAllocs()
		for b.Loop() {
			pull()
			n++
		}
		b.ReportMetric(float64(pulled)/float64(n), "rows/op")
	})
	// Both sides are timed on the wall clock, not in CPU time of the
	// process as package benchratio does: the seam's work is done by the
	// database server, which the process's CPU time leaves out. A
	// collection before each side keeps the garbage of one out of the
	// other's time.
	b.Run("ratio", func(b *testing.B) {
		var seams, pulls, ratios []float64
		timed := func(f func()) float64 {
			runtime.GC()
			start := time.Now()
			f()
			return float64(time.Since(start).Nanoseconds())
		}
		for b.Loop() {
			s, p := timed(seam), timed(pull)
			seams, pulls, ratios = append(seams, s), append(pulls, p), append(ratios, p/s)
		}
		b.ReportMetric(benchratio.Median(ratios), "x-faster")
		b.ReportMetric(benchratio.Median(seams), "seam-ns")
		b.ReportMetric(benchratio.Median(pulls), "event-pull-ns")
	})
}

// periodCounter is a store that counts the periods rating asks it to
// aggregate: Store.Aggregate answers each in one row, so the count is the
// rows the seam transfers.
type periodCounter struct {
	*Store
	periods int64
}

func (c *periodCounter) Aggregate(ctx context.Context, org uuid.UUID, reqs []usage.Request) ([][]usage.Aggregates, error) {
	for _, r := range reqs {
		c.periods += int64(r.Periods())
	}
	return c.Store.Aggregate(ctx, org, reqs)
}

// rateByEvents rates stored parent contract id as billing.Rate did before
// usage reached rating as aggregates: every stored event of its product
// contracts, on any day, read into memory and rated there. It also returns
// the number of events read.
func rateByEvents(ctx context.Context, s *Store, org, id uuid.UUID, from, to date.Date) ([]rating.Statement, int, error) {
	objs, err := store.Resolve(ctx, s, org, id)
	if err != nil {
		return nil, 0, err
	}
	pcs := make([]uuid.UUID, len(objs.ProductContracts))
	for i, p := range objs.ProductContracts {
		pcs[i] = p.ID
	}
	events, err := s.Usage(ctx, org, pcs, date.Date(math.MinInt32), date.Date(math.MaxInt32))
	if err != nil {
		return nil, 0, err
	}
	sts, err := rating.Rate(rating.Input{Objects: objs, Contract: id, Usage: events, From: from, To: to})
	return sts, len(events), err
}

// rateMonthFixture is the stored contract of BenchmarkRateMonth and the
// December statement it must get.
type rateMonthFixture struct {
	st       *periodCounter
	org      uuid.UUID
	parent   uuid.UUID
	quantity decimal.Decimal // December's usage
	total    decimal.Decimal // December's statement total
}

// check reports whether sts is the one December statement expected.
func (fx *rateMonthFixture) check(sts []rating.Statement) error {
	if len(sts) != 1 {
		return fmt.Errorf("%d statements, want 1", len(sts))
	}
	s := sts[0]
	if s.PeriodStart != date.New(2024, time.December, 1) || s.PeriodEnd != date.New(2024, time.December, 31) {
		return fmt.Errorf("statement of %s–%s, want December 2024", s.PeriodStart, s.PeriodEnd)
	}
	var qty decimal.Decimal
	for _, l := range s.Lines {
		if l.Kind == rating.KindUsage {
			qty = qty.Add(l.Quantity)
		}
	}
	if !qty.Equal(fx.quantity) || !s.Total.Equal(fx.total) {
		return fmt.Errorf("usage %s and total %s, want %s and %s", qty, s.Total, fx.quantity, fx.total)
	}
	return nil
}

// bulkEvent is event g (0 ≤ g < rateMonths × rateMonthEvents) of the bulk
// load, as a host would send it: the events of a month spread evenly over
// its days in ingest order, with quantities 1 to 10 in turn.
func bulkEvent(pc uuid.UUID, g int) usage.Event {
	m, k := g/rateMonthEvents, g%rateMonthEvents
	days := time.Date(2024, time.Month(m+2), 0, 0, 0, 0, 0, time.UTC).Day()
	return usage.Event{ID: fmt.Sprintf("bulk-%08d", g), ContractID: pc,
		Date:     date.New(2024, time.Month(m+1), 1+k*days/rateMonthEvents),
		Quantity: decimal.NewFromInt(int64(k%10 + 1))}
}

// bulkLoad inserts the events bulkEvent describes in one statement, with
// every column as Store.Ingest writes it for such an event: the id; no
// product (the contract's own); a calendar day, so no timestamp, and that
// day as the day it counts on; the quantity; seq from the table's
// sequence, growing with g as generate_series yields it in order; and the
// ingest time.
const bulkLoad = `
	INSERT INTO pricekit_usage_events (org, event_id, contract_id, product_id, event_date, event_ts, day, quantity)
	SELECT $1, 'bulk-' || lpad(g::text, 8, '0'), $2, NULL, e.day, NULL, e.day, (g % $3::int % 10 + 1)::numeric
	FROM generate_series(0, $4::int * $3::int - 1) AS g
	CROSS JOIN LATERAL (SELECT make_date(2024, 1 + g / $3::int, 1) AS first) f
	CROSS JOIN LATERAL (SELECT f.first + ((g % $3::int)::bigint
		* ((f.first + interval '1 month')::date - f.first) / $3::int)::int AS day) e`

// loadRateMonth saves the contract of BenchmarkRateMonth in a schema of its
// own, dropped when b ends, and stores its usage: the bulk load, and a few
// events through Store.Ingest before and after it, among them replays of
// loaded events, which Ingest must find stored with the same payload. The
// December statement the fixture expects is computed here, independently
// of the store and of rating; both ways of rating are checked against it
// before anything is timed.
func loadRateMonth(b *testing.B) *rateMonthFixture {
	b.Helper()
	if testPool == nil {
		b.Skip("no PRICEKIT_POSTGRES_DSN")
	}
	ctx := context.Background()
	// A schema of its own: the 12 M rows would otherwise stay, until the
	// end of the run, in the table the other tests and benchmarks use.
	pool, drop, err := schemaPool(ctx, "pricekit_bench")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(drop)
	s := New(pool)
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	var version string
	if err := pool.QueryRow(ctx, `SHOW server_version`).Scan(&version); err != nil {
		b.Fatal(err)
	}

	// One parent contract for 2024, billed monthly in Europe/Berlin, with
	// a fee of 49.00 a month and one product contract at 0.001 a unit.
	jan1, dec31 := date.New(2024, time.January, 1), date.New(2024, time.December, 31)
	year := contract.Dates{Start: jan1, End: dec31}
	price := decimal.New(1, -3)
	fee := plan.FixedFee{ID: uuid.New(), DisplayName: "Platform", Amount: decimal.NewFromInt(49)}
	p := plan.TierPlan{ID: uuid.New(), DisplayName: "Calls", Pricing: plan.Graduated,
		Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: price}}}
	pc := contract.ProductContract{ID: uuid.New(), DisplayName: "Calls", ProductID: uuid.New(), PlanID: p.ID, Dates: year}
	parent := contract.ParentContract{TimeZone: "Europe/Berlin", SubContract: contract.SubContract{ID: uuid.New(),
		DisplayName: "Acme 2024", Dates: year, ProductContracts: []uuid.UUID{pc.ID}, FixedFees: []uuid.UUID{fee.ID}}}
	fx := &rateMonthFixture{st: &periodCounter{Store: s}, org: uuid.New(), parent: parent.ID}
	if _, err := s.Save(ctx, fx.org, store.Batch{Objects: contract.Objects{Plans: []plan.TierPlan{p},
		FixedFees: []plan.FixedFee{fee}, ProductContracts: []contract.ProductContract{pc},
		ParentContracts: []contract.ParentContract{parent}}}); err != nil {
		b.Fatal(err)
	}

	// Events ingested before the load: December's count on the day they
	// fall on in Berlin, November's must not count.
	ingest := func(want store.Ingested, events ...usage.Event) {
		b.Helper()
		got, err := s.Ingest(ctx, fx.org, events)
		if err != nil {
			b.Fatal(err)
		}
		if got != want {
			b.Fatalf("ingested %+v, want %+v", got, want)
		}
	}
	stamp := func(ts string) time.Time {
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			b.Fatal(err)
		}
		return t
	}
	ingest(store.Ingested{Added: 4},
		usage.Event{ID: "real-1", ContractID: pc.ID, ProductID: pc.ProductID, Date: date.New(2024, time.December, 5),
			Quantity: decimal.NewFromInt(10)},
		usage.Event{ID: "real-2", ContractID: pc.ID, Timestamp: stamp("2024-11-30T23:30:00Z"), // 1 December in Berlin
			Quantity: decimal.NewFromInt(20)},
		usage.Event{ID: "real-3", ContractID: pc.ID, Timestamp: stamp("2024-11-30T22:30:00Z"), // 30 November in Berlin
			Quantity: decimal.NewFromInt(1000)},
		usage.Event{ID: "real-4", ContractID: pc.ID, Date: date.New(2024, time.November, 30), Quantity: decimal.NewFromInt(1000)})

	start := time.Now()
	if _, err := pool.Exec(ctx, bulkLoad, fx.org, pc.ID, rateMonthEvents, rateMonths); err != nil {
		b.Fatal(err)
	}
	loaded := time.Since(start)
	// The state autovacuum brings a table to after a load: statistics for
	// the planner and a visibility map for index-only scans.
	start = time.Now()
	if _, err := pool.Exec(ctx, `VACUUM (ANALYZE) pricekit_usage_events`); err != nil {
		b.Fatal(err)
	}
	vacuumed := time.Since(start)

	// After the load: a new event on the last evening of December, and
	// two loaded events sent again, which must be replays.
	dec := (rateMonths - 1) * rateMonthEvents
	ingest(store.Ingested{Added: 1, Replayed: 2},
		usage.Event{ID: "real-5", ContractID: pc.ID, Timestamp: stamp("2024-12-31T22:59:59.999999999Z"), // 31 December in Berlin
			Quantity: decimal.NewFromInt(30)},
		bulkEvent(pc.ID, 0), bulkEvent(pc.ID, dec+rateMonthEvents/2))
	var rows int64
	var size string
	if err := pool.QueryRow(ctx, `SELECT count(*), pg_size_pretty(pg_total_relation_size('pricekit_usage_events'))
		FROM pricekit_usage_events WHERE org = $1`, fx.org).Scan(&rows, &size); err != nil {
		b.Fatal(err)
	}
	if want := int64(rateMonths*rateMonthEvents + 5); rows != want {
		b.Fatalf("%d events stored, want %d", rows, want)
	}

	// December: the loaded events' quantities, summed here, and real-1,
	// real-2 and real-5; the fee on top.
	var sum int64
	for g := dec; g < dec+rateMonthEvents; g++ {
		e := bulkEvent(pc.ID, g)
		if e.Date.Month() != time.December {
			b.Fatalf("bulk event %d on %s", g, e.Date)
		}
		sum += e.Quantity.IntPart()
	}
	fx.quantity = decimal.NewFromInt(sum + 10 + 20 + 30)
	fx.total = fx.quantity.Mul(price).Round(2).Add(fee.Amount)

	dec1 := date.New(2024, time.December, 1)
	sts, err := billing.Rate(ctx, fx.st, fx.org, fx.parent, dec1, dec31)
	if err == nil {
		err = fx.check(sts)
	}
	if err != nil {
		b.Fatal("seam: ", err)
	}
	sts, n, err := rateByEvents(ctx, s, fx.org, fx.parent, dec1, dec31)
	if err == nil {
		err = fx.check(sts)
	}
	if err == nil && n != int(rows) {
		err = fmt.Errorf("%d events read, want %d", n, rows)
	}
	if err != nil {
		b.Fatal("event-pull: ", err)
	}
	b.Logf("PostgreSQL %s: %d events loaded in %s, vacuumed and analyzed in %s; %s with indexes; December %s units, total %s",
		version, rateMonths*rateMonthEvents, loaded.Round(time.Millisecond), vacuumed.Round(time.Millisecond), size, fx.quantity, fx.total)
	return fx
}
