package usagelog_test

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/benchratio"
	"github.com/pricekit/pricekit/internal/usagelog"
	"github.com/pricekit/pricekit/usage"
)

// fleet is the benchmarks' workload: 10 000 customers × 10 product
// contracts, 10 events each over a quarter, ingested interleaved (in time
// order, as a meter would send them) with ids like a source record's.
type fleet struct {
	contracts []uuid.UUID
	targets   map[uuid.UUID]usage.Target
	events    []usage.Event
}

func newFleet(customers, products, perContract int) *fleet {
	r := rand.New(rand.NewPCG(7, 7))
	f := &fleet{targets: map[uuid.UUID]usage.Target{}}
	start := date.New(2024, 1, 1)
	for range customers * products {
		id := uuid.New()
		f.contracts = append(f.contracts, id)
		f.targets[id] = usage.Target{ProductID: uuid.New(), Start: start, Location: time.UTC}
	}
	for i := range perContract * len(f.contracts) {
		f.events = append(f.events, usage.Event{
			ID:         "evt_" + strconv.Itoa(1_000_000+i),
			ContractID: f.contracts[r.IntN(len(f.contracts))],
			Date:       start + date.Date(r.IntN(91)),
			Quantity:   decimal.New(r.Int64N(100_000), -int32(r.IntN(4))), // 0 to 99 999, up to 3 places
		})
	}
	return f
}

func (f *fleet) lookup(id uuid.UUID) (usage.Target, bool) { t, ok := f.targets[id]; return t, ok }

func (f *fleet) log(tb testing.TB) *usagelog.Log {
	var l usagelog.Log
	for b := 0; b < len(f.events); b += 1000 {
		if _, _, err := l.Ingest(f.events[b:min(b+1000, len(f.events))], f.lookup); err != nil {
			tb.Fatal(err)
		}
	}
	return &l
}

var quarter = []date.Date{date.New(2024, 1, 1), date.New(2024, 2, 1), date.New(2024, 3, 1), date.New(2024, 4, 1)}

// BenchmarkAggregate folds 1 M stored events into the totals of 100 000
// product contracts: per month over a quarter (300 000 cells of 64 bytes,
// 19 MB), and for the quarter as one period (100 000 cells, 6.4 MB).
func BenchmarkAggregate(b *testing.B) {
	f := newFleet(10_000, 10, 10)
	l := f.log(b)
	slot := make([]int32, l.Groups())
	for g := range slot {
		slot[g] = int32(g)
	}
	for _, c := range []struct {
		name   string
		bounds []date.Date
	}{{"months", quarter}, {"quarter", []date.Date{quarter[0], quarter[3]}}} {
		b.Run(c.name, func(b *testing.B) {
			q := usagelog.Query{Slot: slot, Slots: len(slot), Bounds: c.bounds}
			var dst []usagelog.Total
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if dst, err = l.Aggregate(dst, q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(l.Len())*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkAggregateWithDecimals is BenchmarkAggregate with one event in a
// hundred too large for the integer form (30 digits, 18 places).
func BenchmarkAggregateWithDecimals(b *testing.B) {
	f := newFleet(10_000, 10, 10)
	for i := 0; i < len(f.events); i += 100 {
		f.events[i].Quantity = decimal.RequireFromString("12345678901234567890.123456789012345678")
	}
	l := f.log(b)
	slot := make([]int32, l.Groups())
	for g := range slot {
		slot[g] = int32(g)
	}
	q := usagelog.Query{Slot: slot, Slots: len(slot), Bounds: quarter}
	var dst []usagelog.Total
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = l.Aggregate(dst, q)
	}
	b.ReportMetric(float64(l.Len())*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkIngest validates and appends 1 M events in batches of 1 000.
func BenchmarkIngest(b *testing.B) {
	f := newFleet(10_000, 10, 10)
	b.ReportAllocs()
	for b.Loop() {
		f.log(b)
	}
	b.ReportMetric(float64(len(f.events))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkBytesPerEvent measures the heap a Log of 1 M events holds,
// ids, id index and groups included: events given by date, and events
// given by timestamp.
func BenchmarkBytesPerEvent(b *testing.B) {
	for _, stamped := range []bool{false, true} {
		name := map[bool]string{false: "dates", true: "timestamps"}[stamped]
		b.Run(name, func(b *testing.B) {
			f := newFleet(10_000, 10, 10)
			if stamped {
				for i := range f.events {
					e := &f.events[i]
					e.Timestamp = e.Date.Midnight().Add(time.Duration(i%86400) * time.Second)
					e.Date = 0
				}
			}
			var perEvent float64
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				l := f.log(b)
				runtime.GC()
				runtime.ReadMemStats(&after)
				perEvent = float64(after.HeapAlloc-before.HeapAlloc) / float64(l.Len())
				runtime.KeepAlive(l)
			}
			b.ReportMetric(perEvent, "bytes/event")
		})
	}
}

// BenchmarkAdd compares adding one quantity to a Total with adding
// decimals.
func BenchmarkAdd(b *testing.B) {
	q := decimal.RequireFromString("12.345")
	d := date.New(2024, 1, 1)
	b.Run("Total", func(b *testing.B) {
		var t usagelog.Total
		b.ReportAllocs()
		for b.Loop() {
			t.Add(q, d)
		}
	})
	b.Run("decimal", func(b *testing.B) {
		var s decimal.Decimal
		b.ReportAllocs()
		for b.Loop() {
			s = s.Add(q)
		}
	})
}

// BenchmarkAggregateRatio is BenchmarkAggregate/months as a ratio to a
// dense int64 array pass over the same events (each event's quantity added
// to its cell, the cell found from its group and day): the cost of exact,
// complete aggregates over the cheapest sum there is, measured side by side.
//
//	go test -run '^$' -bench AggregateRatio -benchtime 15x ./internal/usagelog/
func BenchmarkAggregateRatio(b *testing.B) {
	f := newFleet(10_000, 10, 10)
	l := f.log(b)
	slot := make([]int32, l.Groups())
	for g := range slot {
		slot[g] = int32(g)
	}
	q := usagelog.Query{Slot: slot, Slots: len(slot), Bounds: quarter}
	var dst []usagelog.Total
	// The baseline's columns: group, period of the day, quantity at scale 3.
	n := l.Len()
	groups, periods, qty := make([]int32, n), make([]uint8, n), make([]int64, n)
	for i := range n {
		groups[i] = l.GroupOf(i)
		d := l.Day(i)
		for k := 0; k < 3; k++ {
			if d >= quarter[k] && d < quarter[k+1] {
				periods[i] = uint8(k)
			}
		}
		qty[i] = l.Quantity(i).Shift(3).IntPart()
	}
	cells := make([]int64, 3*len(slot))
	benchratio.Measure(b, 1, func() {
		dst, _ = l.Aggregate(dst, q)
	}, func() {
		clear(cells)
		for i, g := range groups {
			cells[int(g)*3+int(periods[i])] += qty[i]
		}
	})
}
