package usagelog_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/internal/usagelog"
	"github.com/pricekit/pricekit/usage"
)

// reference aggregates the hard way: decimals, one event at a time.
type reference struct {
	n              int64
	sum, max, last decimal.Decimal
	lastDay        date.Date
}

func (r *reference) add(q decimal.Decimal, d date.Date) {
	if r.n == 0 || q.GreaterThan(r.max) {
		r.max = q
	}
	if r.n == 0 || d >= r.lastDay {
		r.last, r.lastDay = q, d
	}
	r.n++
	r.sum = r.sum.Add(q)
}

func assertTotal(t *testing.T, want reference, got usagelog.Total, msg string) {
	t.Helper()
	assert.Equal(t, want.n, got.Count(), msg)
	assert.True(t, want.sum.Equal(got.Sum()), "%s: sum %s, want %s", msg, got.Sum(), want.sum)
	assert.True(t, want.max.Equal(got.Max()), "%s: max %s, want %s", msg, got.Max(), want.max)
	assert.True(t, want.last.Equal(got.Latest()), "%s: latest %s, want %s", msg, got.Latest(), want.last)
	assert.Equal(t, want.n, got.Aggregates().Count, msg)
}

// randomQuantity mixes integers, fractions at Scale, and quantities that
// only a decimal holds (30+ digits, 18 places).
func randomQuantity(r *rand.Rand) decimal.Decimal {
	switch r.IntN(10) {
	case 0:
		// 38 digits at most, beyond what an int64 holds at Scale.
		return dec(fmt.Sprintf("%d%08d.%018d", 1+r.IntN(999999999999), r.Int64N(1e8), r.Int64N(1e18)))
	case 1:
		return decimal.New(r.Int64N(1e18), -18) // 18 places: not at Scale unless they are zeros
	case 2:
		return decimal.New(r.Int64N(1e9), -9)
	}
	return decimal.NewFromInt(r.Int64N(1000))
}

func TestAggregateMatchesDecimals(t *testing.T) {
	for _, span := range []struct {
		name string
		days int
	}{{"dense day table", 120}, {"binary search over bounds", 200000}} {
		t.Run(span.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(span.days)))
			const nContracts = 7
			contracts := make([]uuid.UUID, nContracts)
			tg := map[uuid.UUID]usage.Target{}
			start := day("2024-01-01")
			for i := range contracts {
				contracts[i] = uuid.New()
				tg[contracts[i]] = usage.Target{ProductID: uuid.New(), Start: start, Location: time.UTC}
			}
			lookup := func(id uuid.UUID) (usage.Target, bool) { v, ok := tg[id]; return v, ok }

			var l usagelog.Log
			var all []usage.Event
			for b := range 20 {
				batch := make([]usage.Event, 200)
				for i := range batch {
					c := contracts[r.IntN(nContracts)]
					e := usage.Event{ID: fmt.Sprintf("%d-%d", b, i), ContractID: c,
						Date: start + date.Date(r.IntN(span.days)), Quantity: randomQuantity(r)}
					if r.IntN(3) == 0 {
						e.ProductID = tg[c].ProductID // a second group for the contract
					}
					batch[i] = e
				}
				_, _, err := l.Ingest(batch, lookup)
				require.NoError(t, err)
				all = append(all, batch...)
			}

			// Slot by contract (both groups of a contract together), skip
			// contract 0; periods: four uneven ranges that leave days out.
			slotOf := map[uuid.UUID]int32{}
			for i, c := range contracts[1:] {
				slotOf[c] = int32(i)
			}
			slot := make([]int32, l.Groups())
			for g := range slot {
				s, ok := slotOf[l.Key(int32(g)).ContractID]
				if !ok {
					s = -1
				}
				slot[g] = s
			}
			third := date.Date(span.days / 3)
			bounds := []date.Date{start + 1, start + third, start + third + 1, start + 2*third, start + date.Date(span.days) - 1}
			q := usagelog.Query{Slot: slot, Slots: nContracts - 1, Bounds: bounds}
			got, err := l.Aggregate(nil, q)
			require.NoError(t, err)
			require.Len(t, got, q.Slots*q.Periods())

			want := make([]reference, len(got))
			for _, e := range all {
				s, ok := slotOf[e.ContractID]
				if !ok {
					continue
				}
				for k := range q.Periods() {
					if e.Date >= bounds[k] && e.Date < bounds[k+1] {
						want[q.Cell(int(s), k)].add(e.Quantity, e.Date)
					}
				}
			}
			var counted int64
			for c := range got {
				assertTotal(t, want[c], got[c], fmt.Sprintf("cell %d", c))
				counted += got[c].Count()
			}
			assert.Positive(t, counted)

			// Reusing the result's memory gives the same totals.
			again, err := l.Aggregate(got, q)
			require.NoError(t, err)
			for c := range again {
				assertTotal(t, want[c], again[c], fmt.Sprintf("again cell %d", c))
			}
		})
	}
}

func TestTotal(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		var tot usagelog.Total
		a := tot.Aggregates()
		assert.Zero(t, a.Count)
		for _, d := range []decimal.Decimal{a.Sum, a.Max, a.Latest} {
			assert.True(t, d.IsZero())
		}
	})
	t.Run("beyond int64", func(t *testing.T) {
		// The largest quantity that fits, many times: the integer sum passes
		// 2^63 and must carry into the high word.
		q := dec("9223372036.854775807")
		var tot usagelog.Total
		var ref reference
		for i := range 1000 {
			tot.Add(q, day("2024-01-01")+date.Date(i%3))
			ref.add(q, day("2024-01-01")+date.Date(i%3))
		}
		assertTotal(t, ref, tot, "1000 × max")
		assert.Equal(t, "9223372036854.775807", tot.Sum().String())
	})
	t.Run("30 digits and 18 places with integers", func(t *testing.T) {
		var tot usagelog.Total
		var ref reference
		for i, s := range []string{"1.5", "123456789012345678901234567890.123456789012345678", "0.000000001",
			"999999999999999999999999999999.999999999999999999", "2", "0.000000000000000001"} {
			d := day("2024-01-01") + date.Date(i%2)
			tot.Add(dec(s), d)
			ref.add(dec(s), d)
		}
		assertTotal(t, ref, tot, "mixed")
		assert.Equal(t, "1123456789012345678901234567893.623456790012345678", tot.Sum().String())
		assert.Equal(t, "999999999999999999999999999999.999999999999999999", tot.Max().String())
	})
	t.Run("latest by day then by order", func(t *testing.T) {
		var tot usagelog.Total
		tot.Add(dec("5"), day("2024-01-02"))
		tot.Add(dec("7"), day("2024-01-01")) // earlier day, added later
		tot.Add(dec("123456789012345678901234567890.5"), day("2024-01-02"))
		assert.Equal(t, "123456789012345678901234567890.5", tot.Latest().String())
		tot.Add(dec("3"), day("2024-01-02"))
		assert.Equal(t, "3", tot.Latest().String())
		assert.Equal(t, "3", tot.Aggregates().Latest.String())
		assert.Equal(t, int64(4), tot.Aggregates().Count)
	})
}
