package clickhouse

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/benchratio"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/store/postgres"
	"github.com/pricekit/pricekit/usage"
)

// The workload of BenchmarkClickHouseVsPostgres: benchContracts product
// contracts (10 under each of benchContracts/10 parent contracts, through
// a sub contract each), with the events spread evenly over the
// benchMonths months from January 2024, in time order, so that every
// contract has events÷benchContracts of them, as many each month; ingested
// in batches of benchBatch, each batch a slice of time that touches every
// contract.
const (
	benchContracts = 10_000
	benchMonths    = 10
	benchBatch     = 10_000
)

// benchSize reads a size knob of the benchmark from the environment: an
// event count, a multiple of benchContracts × benchMonths (so every
// contract has as many events each month) and of benchBatch.
func benchSize(b *testing.B, name string, def int) int {
	b.Helper()
	n := def
	if v := os.Getenv(name); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("%s=%q: %v", name, v, err)
		}
	}
	if n <= 0 || n%(benchContracts*benchMonths) != 0 || n%benchBatch != 0 {
		b.Fatalf("%s=%d: want a positive multiple of %d and of %d", name, n, benchContracts*benchMonths, benchBatch)
	}
	return n
}

// BenchmarkClickHouseVsPostgres measures the usage side of the ClickHouse
// store (documents in memory) and of the PostgreSQL store side by side, in
// one run, on the same events, through Ingest and Aggregate:
//
//   - ingest: PRICEKIT_BENCH_EVENTS events (default 10 000 000; ids
//     "e0000000000", … that grow with time) in batches of 10 000, each
//     batch ingested into both stores in turn (which goes first
//     alternates), each call timed on the wall clock. Reported: events/s
//     of each store over the whole load and over its first and last
//     tenth, and ch-x-pg, the median over the batches of PostgreSQL's time
//     ÷ ClickHouse's (how many times faster ClickHouse ingests).
//   - month-1-contract and month-10000-contracts: the four aggregates of
//     one month (June 2024) of one product contract, and of all 10 000 in
//     one Aggregate call, asked of both stores in turns round by round;
//     ch-ns/op and pg-ns/op are the medians of each side's time a call,
//     ch/pg the median of the per-round ratios.
//   - ingest-random-ids: PRICEKIT_BENCH_RANDOM_EVENTS events (default
//     1 000 000, at most PRICEKIT_BENCH_EVENTS) on the same layout into
//     four fresh organizations, two a store, in turns batch by batch: one
//     with ids that grow with time, one with random ids
//     (uuid.NewString). Reported: events/s of each, and each store's
//     median per-batch ratio of random ÷ growing time.
//
// Both stores are timed on the wall clock, not in CPU time of the process
// as package benchratio does: most of the work is done by the database
// servers, which the process's CPU time leaves out. A collection before
// each timed call keeps the garbage of one side out of the other's time.
//
// The events are loaded once per benchmark process (the parent benchmark
// runs once, its sub-benchmarks share the load), which takes minutes at
// 10 M events; run with -count 1. Before anything is timed, the answers of
// both stores for every month of every contract are checked against the
// aggregates computed here from the generated events: the benchmark fails
// on any difference. After the load, PostgreSQL's table is vacuumed and
// analyzed (what autovacuum brings it to) and ClickHouse's merges are let
// finish, so that neither is measured in the middle of its housekeeping.
//
// It skips unless both PRICEKIT_CLICKHOUSE_DSN and PRICEKIT_POSTGRES_DSN
// are set. Run with
//
//	export PRICEKIT_CLICKHOUSE_DSN=…   # or source .ci/setup-clickhouse.sh
//	source .ci/setup-postgres.sh
//	go test -run '^$' -bench ClickHouseVsPostgres -benchtime 15x -count 1 -timeout 120m -v ./store/clickhouse/
//
// and, for a quick run, PRICEKIT_BENCH_EVENTS=100000 (then the random-id
// run defaults to 100 000 events too). -v shows the log: the servers'
// versions, the time the load took and the sizes of the tables.
func BenchmarkClickHouseVsPostgres(b *testing.B) {
	fx := newVsFixture(b)
	b.Run("ingest", func(b *testing.B) {
		// One load, measured by its own clock; the loop of the framework
		// does not fit a load done once. ns/op is hidden: it would be the
		// whole load, or nothing.
		fx.load(b)
		b.ReportMetric(0, "ns/op")
		l := fx.loadStats
		b.ReportMetric(l.ch.rate(0, 1), "ch-events/s")
		b.ReportMetric(l.pg.rate(0, 1), "pg-events/s")
		b.ReportMetric(l.ch.rate(0, 0.1), "ch-first-tenth-events/s")
		b.ReportMetric(l.ch.rate(0.9, 1), "ch-last-tenth-events/s")
		b.ReportMetric(l.pg.rate(0, 0.1), "pg-first-tenth-events/s")
		b.ReportMetric(l.pg.rate(0.9, 1), "pg-last-tenth-events/s")
		b.ReportMetric(medianRatio(l.pg, l.ch), "ch-x-pg")
	})
	month := min(5, benchMonths-1) // June 2024
	one := []usage.Request{{Contract: fx.pcs[benchContracts/2], Bounds: monthBounds(month)}}
	b.Run("month-1-contract", func(b *testing.B) {
		fx.load(b)
		fx.compare(b, one, month, 20)
	})
	b.Run(fmt.Sprintf("month-%d-contracts", benchContracts), func(b *testing.B) {
		fx.load(b)
		fx.compare(b, fx.monthRequests(month), month, 1)
	})
	b.Run("ingest-random-ids", func(b *testing.B) {
		r := fx.randomIDs(b)
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(r.chSeq.rate(0, 1), "ch-growing-events/s")
		b.ReportMetric(r.chRand.rate(0, 1), "ch-random-events/s")
		b.ReportMetric(r.chRand.rate(0.9, 1), "ch-random-last-tenth-events/s")
		b.ReportMetric(medianRatio(r.chRand, r.chSeq), "ch-random/growing")
		b.ReportMetric(r.pgSeq.rate(0, 1), "pg-growing-events/s")
		b.ReportMetric(r.pgRand.rate(0, 1), "pg-random-events/s")
		b.ReportMetric(r.pgRand.rate(0.9, 1), "pg-random-last-tenth-events/s")
		b.ReportMetric(medianRatio(r.pgRand, r.pgSeq), "pg-random/growing")
	})
}

// vsFixture is the two stores of BenchmarkClickHouseVsPostgres, the
// documents they know and, once loaded, the aggregates they must give.
type vsFixture struct {
	ch     *Store
	pg     *postgres.Store
	pgPool *pgxpool.Pool
	objs   contract.Objects
	pcs    []uuid.UUID
	org    uuid.UUID
	events int // PRICEKIT_BENCH_EVENTS
	random int // PRICEKIT_BENCH_RANDOM_EVENTS

	loadOnce  sync.Once
	loadErr   error
	loadStats struct{ ch, pg batchTimes }
	want      []monthAggregates // by contract × benchMonths + month

	randomOnce  sync.Once
	randomErr   error
	randomStats randomIDStats
}

// batchTimes is the wall time of each batch ingested into one store.
type batchTimes []time.Duration

// rate is the events a second over the batches in the fraction [from, to)
// of the run.
func (t batchTimes) rate(from, to float64) float64 {
	lo, hi := int(from*float64(len(t))), int(to*float64(len(t)))
	var sum time.Duration
	for _, d := range t[lo:hi] {
		sum += d
	}
	if sum <= 0 {
		return 0
	}
	return float64((hi-lo)*benchBatch) / sum.Seconds()
}

// medianRatio is the median over the batches of num ÷ den.
func medianRatio(num, den batchTimes) float64 {
	ratios := make([]float64, len(num))
	for i := range num {
		ratios[i] = float64(num[i]) / float64(den[i])
	}
	return benchratio.Median(ratios)
}

// monthAggregates is what a product contract's month must aggregate to,
// in integers of thousandths.
type monthAggregates struct {
	count, sum, max, latest int64
}

func (m monthAggregates) aggregates() usage.Aggregates {
	return usage.Aggregates{Count: m.count, Sum: decimal.New(m.sum, -3), Max: decimal.New(m.max, -3), Latest: decimal.New(m.latest, -3)}
}

func newVsFixture(b *testing.B) *vsFixture {
	b.Helper()
	docs := memory.New()
	ch := newStore(b, docs) // skips without a ClickHouse server
	pg, pool := postgresStore(b, 4)
	fx := &vsFixture{ch: ch, pg: pg, pgPool: pool, org: uuid.New(),
		events: benchSize(b, "PRICEKIT_BENCH_EVENTS", 10_000_000)}
	fx.random = benchSize(b, "PRICEKIT_BENCH_RANDOM_EVENTS", min(1_000_000, fx.events))
	fx.objs, fx.pcs = benchDocuments()
	fx.save(b, fx.org)
	return fx
}

// save stores the documents in both stores under org.
func (fx *vsFixture) save(b *testing.B, org uuid.UUID) {
	b.Helper()
	ctx := context.Background()
	for _, s := range []store.Saver{fx.ch, fx.pg} {
		if _, err := s.Save(ctx, org, store.Batch{Objects: fx.objs}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchDocuments returns the benchmark's contracts and its product
// contracts' ids: benchContracts/10 parent contracts for 2024, each with a
// sub contract holding 10 product contracts on one plan.
func benchDocuments() (contract.Objects, []uuid.UUID) {
	jan1 := date.New(2024, time.January, 1)
	year := contract.Dates{Start: jan1, End: date.New(2024, time.December, 31)}
	p := plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated,
		Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: decimal.New(1, -3)}}}
	objs := contract.Objects{Plans: []plan.TierPlan{p}}
	pcs := make([]uuid.UUID, 0, benchContracts)
	for range benchContracts / 10 {
		sub := contract.SubContract{ID: uuid.New(), Dates: year}
		for range 10 {
			pc := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: p.ID, Dates: year}
			objs.ProductContracts = append(objs.ProductContracts, pc)
			sub.ProductContracts = append(sub.ProductContracts, pc.ID)
			pcs = append(pcs, pc.ID)
		}
		objs.SubContracts = append(objs.SubContracts, sub)
		objs.ParentContracts = append(objs.ParentContracts, contract.ParentContract{CustomerID: uuid.New(),
			SubContract: contract.SubContract{ID: uuid.New(), Dates: year, SubContracts: []uuid.UUID{sub.ID}}})
	}
	return objs, pcs
}

// benchEvent is event g of n (0 ≤ g < n), as a meter sends them in time
// order: the events of month g÷(n/benchMonths) spread evenly over its days,
// the contracts in turn; a quantity of 0 to 9 999.99 with 2 decimal
// places or 0 to 999.999 with 3, from a hash of g. It returns the
// contract's index and the quantity in thousandths too.
func benchEvent(pcs []uuid.UUID, n, g int, id string) (usage.Event, int, int64) {
	perMonth := n / benchMonths
	m, k := g/perMonth, g%perMonth
	first := date.New(2024, time.Month(m+1), 1)
	days := int(date.New(2024, time.Month(m+2), 1) - first)
	x := uint64(g+1) * 0x9e3779b97f4a7c15
	x ^= x >> 31
	v, places := int64(x%1_000_000), int32(2+g%2)
	milli := v
	if places == 2 {
		milli *= 10
	}
	c := k % benchContracts
	return usage.Event{ID: id, ContractID: pcs[c], Date: first + date.Date(k*days/perMonth),
		Quantity: decimal.New(v, -places)}, c, milli
}

func monthBounds(m int) []date.Date {
	return []date.Date{date.New(2024, time.Month(m+1), 1), date.New(2024, time.Month(m+2), 1)}
}

// monthRequests asks for month m of every product contract.
func (fx *vsFixture) monthRequests(m int) []usage.Request {
	reqs := make([]usage.Request, len(fx.pcs))
	for i, pc := range fx.pcs {
		reqs[i] = usage.Request{Contract: pc, Bounds: monthBounds(m)}
	}
	return reqs
}

// load ingests the events into both stores, once, and checks what they
// aggregate to.
func (fx *vsFixture) load(b *testing.B) {
	b.Helper()
	fx.loadOnce.Do(func() { fx.loadErr = fx.doLoad(b) })
	if fx.loadErr != nil {
		b.Fatal(fx.loadErr)
	}
}

func (fx *vsFixture) doLoad(b *testing.B) error {
	ctx := context.Background()
	n := fx.events
	fx.want = make([]monthAggregates, benchContracts*benchMonths)
	start := time.Now()
	stores := []store.UsageWriter{fx.ch, fx.pg}
	times := []*batchTimes{&fx.loadStats.ch, &fx.loadStats.pg}
	batch := make([]usage.Event, benchBatch)
	for j := range n / benchBatch {
		for i := range batch {
			g := j*benchBatch + i
			e, c, milli := benchEvent(fx.pcs, n, g, fmt.Sprintf("e%010d", g))
			batch[i] = e
			w := &fx.want[c*benchMonths+g/(n/benchMonths)]
			w.count++
			w.sum += milli
			w.max = max(w.max, milli)
			w.latest = milli // the last of a contract's month is its latest: days grow with g
		}
		for turn := range 2 {
			side := (j + turn) % 2
			d, err := timedIngest(ctx, stores[side], fx.org, batch)
			if err != nil {
				return fmt.Errorf("batch %d: %w", j, err)
			}
			*times[side] = append(*times[side], d)
		}
		if testing.Verbose() && (j+1)%max(n/benchBatch/10, 1) == 0 {
			fmt.Fprintf(os.Stderr, "BenchmarkClickHouseVsPostgres: %d events loaded in %s\n",
				(j+1)*benchBatch, time.Since(start).Round(time.Second))
		}
	}
	loaded := time.Since(start)

	start = time.Now()
	if _, err := fx.pgPool.Exec(ctx, `VACUUM (ANALYZE) pricekit_usage_events`); err != nil {
		return fmt.Errorf("postgres: vacuum: %w", err)
	}
	vacuumed := time.Since(start)
	start = time.Now()
	if err := waitForMerges(ctx, 10*time.Minute); err != nil {
		return err
	}
	merged := time.Since(start)

	start = time.Now()
	for m := range benchMonths {
		if err := fx.check(ctx, fx.monthRequests(m), m); err != nil {
			return err
		}
	}
	b.Logf("%d events over %d product contracts loaded into both stores in %s (wall clock: ClickHouse %s, PostgreSQL %s); "+
		"PostgreSQL vacuumed and analyzed in %s, ClickHouse's merges done %s later; every month of every contract checked in %s",
		n, benchContracts, loaded.Round(time.Second), fx.loadStats.ch.total().Round(time.Second), fx.loadStats.pg.total().Round(time.Second),
		vacuumed.Round(time.Second), merged.Round(time.Second), time.Since(start).Round(time.Second))
	fx.logSizes(ctx, b)
	return nil
}

func (t batchTimes) total() time.Duration {
	var sum time.Duration
	for _, d := range t {
		sum += d
	}
	return sum
}

// timedIngest ingests events into s, which must add them all, and returns
// the wall time it took, a collection before it left out.
func timedIngest(ctx context.Context, s store.UsageWriter, org uuid.UUID, events []usage.Event) (time.Duration, error) {
	runtime.GC()
	start := time.Now()
	got, err := s.Ingest(ctx, org, events)
	d := time.Since(start)
	if err != nil {
		return 0, err
	}
	if got != (store.Ingested{Added: len(events)}) {
		return 0, fmt.Errorf("ingested %+v, want %d added", got, len(events))
	}
	return d, nil
}

// waitForMerges waits until the test database has no merge running and
// none of its tables more than a few active parts a partition.
func waitForMerges(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		var merges, parts uint64
		if err := testConn.QueryRow(ctx, `SELECT count() FROM system.merges WHERE database = currentDatabase()`).Scan(&merges); err != nil {
			return fmt.Errorf("clickhouse: merges: %w", err)
		}
		if err := testConn.QueryRow(ctx, `SELECT toUInt64(max(n)) FROM (SELECT count() AS n FROM system.parts
			WHERE active AND database = currentDatabase() GROUP BY table, partition)`).Scan(&parts); err != nil {
			return fmt.Errorf("clickhouse: parts: %w", err)
		}
		if merges == 0 && parts <= 20 || time.Now().After(deadline) {
			return nil
		}
		time.Sleep(2 * time.Second)
	}
}

// logSizes logs the servers' versions and the sizes of the event tables.
func (fx *vsFixture) logSizes(ctx context.Context, b *testing.B) {
	var chVersion, pgVersion, pgSize string
	var chEvents, chIDs, chParts uint64
	if err := testConn.QueryRow(ctx, `SELECT version()`).Scan(&chVersion); err != nil {
		b.Log(err)
	}
	if err := testConn.QueryRow(ctx, `SELECT sumIf(bytes, table = 'pricekit_usage_events'), sumIf(bytes, table = 'pricekit_usage_ids'),
		count() FROM system.parts WHERE active AND database = currentDatabase()`).Scan(&chEvents, &chIDs, &chParts); err != nil {
		b.Log(err)
	}
	if err := fx.pgPool.QueryRow(ctx, `SELECT current_setting('server_version'),
		pg_size_pretty(pg_total_relation_size('pricekit_usage_events'))`).Scan(&pgVersion, &pgSize); err != nil {
		b.Log(err)
	}
	b.Logf("ClickHouse %s: events %.0f MB, ids %.0f MB compressed (%d active parts); PostgreSQL %s: %s with indexes",
		chVersion, float64(chEvents)/1e6, float64(chIDs)/1e6, chParts, pgVersion, pgSize)
}

// check asks both stores for reqs, month m of some product contracts, and
// compares every answer with what the generated events aggregate to.
func (fx *vsFixture) check(ctx context.Context, reqs []usage.Request, m int) error {
	for _, s := range []struct {
		name string
		agg  store.UsageAggregator
	}{{"clickhouse", fx.ch}, {"postgres", fx.pg}} {
		got, err := s.agg.Aggregate(ctx, fx.org, reqs)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if err := fx.same(reqs, m, got); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

// same compares the answer to reqs (month m) with the aggregates wanted.
func (fx *vsFixture) same(reqs []usage.Request, m int, got [][]usage.Aggregates) error {
	index := make(map[uuid.UUID]int, len(fx.pcs))
	for i, pc := range fx.pcs {
		index[pc] = i
	}
	for i, r := range reqs {
		w := fx.want[index[r.Contract]*benchMonths+m].aggregates()
		a := got[i][0]
		if a.Count != w.Count || !a.Sum.Equal(w.Sum) || !a.Max.Equal(w.Max) || !a.Latest.Equal(w.Latest) || a.Charges != nil {
			return fmt.Errorf("month %d of contract %d: got %d, %s, %s, %s; want %d, %s, %s, %s", m+1, index[r.Contract],
				a.Count, a.Sum, a.Max, a.Latest, w.Count, w.Sum, w.Max, w.Latest)
		}
	}
	return nil
}

// compare asks both stores for reqs (month m) in turns, round by round,
// reps calls a side, and reports the medians of each side's wall time a
// call and of the ratios per round. Which store goes first alternates.
// Every answer is checked, untimed.
func (fx *vsFixture) compare(b *testing.B, reqs []usage.Request, m, reps int) {
	ctx := context.Background()
	sides := []store.UsageAggregator{fx.ch, fx.pg}
	var took [2][]float64
	var ratios []float64
	round := 0
	b.ReportAllocs()
	for b.Loop() {
		var ns [2]float64
		for turn := range 2 {
			side := (round + turn) % 2
			var got [][]usage.Aggregates
			runtime.GC()
			start := time.Now()
			for range reps {
				var err error
				if got, err = sides[side].Aggregate(ctx, fx.org, reqs); err != nil {
					b.Fatal(err)
				}
			}
			ns[side] = float64(time.Since(start).Nanoseconds()) / float64(reps)
			if err := fx.same(reqs, m, got); err != nil {
				b.Fatal(err)
			}
		}
		took[0], took[1] = append(took[0], ns[0]), append(took[1], ns[1])
		ratios = append(ratios, ns[0]/ns[1])
		round++
	}
	b.ReportMetric(benchratio.Median(took[0]), "ch-ns/op")
	b.ReportMetric(benchratio.Median(took[1]), "pg-ns/op")
	b.ReportMetric(benchratio.Median(ratios), "ch/pg")
}

// randomIDStats is the ingestion of the random-id run, in four
// organizations: ids that grow with time and random ids, in each store.
type randomIDStats struct {
	chSeq, chRand, pgSeq, pgRand batchTimes
}

// randomIDs ingests PRICEKIT_BENCH_RANDOM_EVENTS events, once, into four
// fresh organizations in turns, batch by batch: the same events in each,
// with ids that grow with time ("s0000000000", …) in one of each store's
// two and random ones (uuid.NewString) in the other. Every organization
// starts empty, so each pair sees the same table sizes; ClickHouse's id
// index is ordered by organization first, so the organization of the big
// load stays out of their lookups.
func (fx *vsFixture) randomIDs(b *testing.B) randomIDStats {
	b.Helper()
	fx.randomOnce.Do(func() { fx.randomErr = fx.doRandomIDs(b) })
	if fx.randomErr != nil {
		b.Fatal(fx.randomErr)
	}
	return fx.randomStats
}

func (fx *vsFixture) doRandomIDs(b *testing.B) error {
	ctx := context.Background()
	n := fx.random
	r := &fx.randomStats
	type run struct {
		s      store.UsageWriter
		org    uuid.UUID
		random bool
		times  *batchTimes
	}
	runs := []run{{fx.ch, uuid.New(), false, &r.chSeq}, {fx.ch, uuid.New(), true, &r.chRand},
		{fx.pg, uuid.New(), false, &r.pgSeq}, {fx.pg, uuid.New(), true, &r.pgRand}}
	for _, rn := range runs {
		if _, err := rn.s.(store.Saver).Save(ctx, rn.org, store.Batch{Objects: fx.objs}); err != nil {
			return err
		}
	}
	seq := make([]usage.Event, benchBatch)
	random := make([]usage.Event, benchBatch)
	for j := range n / benchBatch {
		for i := range seq {
			g := j*benchBatch + i
			seq[i], _, _ = benchEvent(fx.pcs, n, g, fmt.Sprintf("s%010d", g))
			random[i] = seq[i]
			random[i].ID = uuid.NewString()
		}
		for turn := range len(runs) {
			rn := runs[(j+turn)%len(runs)]
			events := seq
			if rn.random {
				events = random
			}
			d, err := timedIngest(ctx, rn.s, rn.org, events)
			if err != nil {
				return fmt.Errorf("random ids: batch %d: %w", j, err)
			}
			*rn.times = append(*rn.times, d)
		}
	}
	b.Logf("random ids: %d events into each of 4 organizations in %s (wall clock: ClickHouse %s growing, %s random; PostgreSQL %s growing, %s random)",
		n, (r.chSeq.total() + r.chRand.total() + r.pgSeq.total() + r.pgRand.total()).Round(time.Second),
		r.chSeq.total().Round(time.Second), r.chRand.total().Round(time.Second),
		r.pgSeq.total().Round(time.Second), r.pgRand.total().Round(time.Second))
	return nil
}

// postgresStore returns a PostgreSQL store in a fresh schema of the
// server of PRICEKIT_POSTGRES_DSN, on a pool of at most conns
// connections, and the pool; the schema is dropped when tb ends. It skips
// without a server, and fails without one in CI.
func postgresStore(tb testing.TB, conns int32) (*postgres.Store, *pgxpool.Pool) {
	tb.Helper()
	dsn := os.Getenv("PRICEKIT_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("PRICEKIT_POSTGRES_DSN is not set; CI must provide a server (.ci/setup-postgres.sh)")
		}
		tb.Skip("no PRICEKIT_POSTGRES_DSN")
	}
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "pricekit_ch_bench_" + hex.EncodeToString(b[:])
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatal(err)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.MaxConns = conns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		pool.Close()
		if c, err := pgx.Connect(ctx, dsn); err == nil {
			_, _ = c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			_ = c.Close(ctx)
		}
	})
	s := postgres.New(pool)
	if err := s.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return s, pool
}
