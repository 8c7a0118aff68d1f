package usagelog

import (
	"math"
	"math/bits"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/fixed"
	"github.com/pricekit/pricekit/usage"
)

// Scale is the number of decimal places at which a [Log] and a [Total]
// hold a quantity as an int64: a quantity q is kept as q × 10^9 when that
// is an integer that fits an int64 (up to 9 decimal places and below
// 9 223 372 036.854775808), and as a decimal otherwise. Both forms are
// exact; the integer one is what makes aggregation fast.
const Scale = 9

// bigQty marks, in a Log's quantity column, a quantity held as a decimal.
// Stored quantities are never negative, so it cannot be a real one.
const bigQty = math.MinInt64

// Total is the running aggregate of a set of events: their count, sum,
// largest quantity and latest quantity, all exact. Quantities that fit the
// integer form of [Scale] are added as integers into a 128-bit sum (which
// no realistic number of events can overflow); the others go to a decimal
// side total, so a Total never loses a digit.
//
// The zero Total is empty: every value is 0. Events may be added in any
// order: the latest is the one with the latest day, then the latest ingest
// position. A Total is a value; it is not safe for concurrent mutation.
type Total struct {
	n         int64
	lo        uint64 // low word of the 128-bit sum of integer quantities
	hi        int64  // high word
	max       int64  // largest integer quantity, valid when hasMax
	latest    int64  // integer form of the latest quantity, unless latestBig
	latestKey int64  // the latest event's day << 32 | its ingest position
	hasMax    bool
	latestBig bool
	big       *bigTotal // quantities that did not fit; nil when none
}

// key orders events by day, then by ingest position: both are below 2^31.
func key(day, pos int32) int64 { return int64(day)<<32 | int64(pos) }

type bigTotal struct {
	sum, max, latest decimal.Decimal
	hasMax           bool
}

// toFixed returns q at Scale when that is exact and fits an int64.
func toFixed(q decimal.Decimal) (int64, bool) {
	if v, ok := fixed.FromDecimal(q, Scale); ok {
		return v, true
	}
	if q.Exponent() >= -Scale {
		return 0, false // too large
	}
	// Written with more places than Scale: exact only when the extra
	// places are zeros ("1.000000000000").
	r := q.Truncate(Scale)
	if !r.Equal(q) {
		return 0, false
	}
	return fixed.FromDecimal(r, Scale)
}

// Add adds one event: quantity q on day, after the events added before it
// (its ingest position is their count).
func (t *Total) Add(q decimal.Decimal, day date.Date) {
	k := key(int32(day), int32(t.n))
	if v, ok := toFixed(q); ok {
		t.addFast(v, k)
		return
	}
	t.addBig(q, k)
}

// addFast adds a quantity in integer form. It is the hot path of every
// aggregation: a handful of integer instructions, no allocation.
func (t *Total) addFast(v, k int64) {
	// Selects instead of branches: days and sizes come in no predictable
	// order, so these compile to conditional moves.
	latest, latestKey, latestBig := t.latest, t.latestKey, t.latestBig
	if t.n == 0 || k >= latestKey {
		latest, latestKey, latestBig = v, k, false
	}
	t.latest, t.latestKey, t.latestBig = latest, latestKey, latestBig
	m, has := t.max, t.hasMax
	if !has || v > m {
		m = v
	}
	t.max, t.hasMax = m, true
	t.n++
	var c uint64
	t.lo, c = bits.Add64(t.lo, uint64(v), 0)
	t.hi += int64(c) + v>>63 // sign-extends a negative v
}

func (t *Total) addBig(q decimal.Decimal, k int64) {
	b := t.big
	if b == nil {
		b = &bigTotal{}
		t.big = b
	}
	if t.n == 0 || k >= t.latestKey {
		b.latest, t.latestKey, t.latestBig = q, k, true
	}
	t.n++
	b.sum = b.sum.Add(q)
	if !b.hasMax || q.GreaterThan(b.max) {
		b.max, b.hasMax = q, true
	}
}

// Count returns the number of events added.
func (t Total) Count() int64 { return t.n }

// Sum returns the sum of the quantities.
func (t Total) Sum() decimal.Decimal {
	s := wide{lo: t.lo, hi: t.hi}.decimal(Scale)
	if t.big != nil {
		s = s.Add(t.big.sum)
	}
	return s
}

// Max returns the largest quantity (0 when empty).
func (t Total) Max() decimal.Decimal {
	var m decimal.Decimal
	if t.hasMax {
		m = decimal.New(t.max, -Scale)
	}
	if t.big != nil && t.big.hasMax && (!t.hasMax || t.big.max.GreaterThan(m)) {
		m = t.big.max
	}
	return m
}

// Latest returns the quantity of the last event by day, then by the order
// of adding (0 when empty).
func (t Total) Latest() decimal.Decimal {
	switch {
	case t.n == 0:
		return decimal.Decimal{}
	case t.latestBig:
		return t.big.latest
	}
	return decimal.New(t.latest, -Scale)
}

// Aggregates returns t's aggregates, as a store hands them to rating.
func (t Total) Aggregates() usage.Aggregates { return t.aggregates(usage.Request{}) }

// aggregates returns the aggregates r wants of t (the count always), the
// others zero: each decimal made costs allocations.
func (t Total) aggregates(r usage.Request) usage.Aggregates {
	a := usage.Aggregates{Count: t.n}
	if r.Wants(usage.WantSum) {
		a.Sum = t.Sum()
	}
	if r.Wants(usage.WantMax) {
		a.Max = t.Max()
	}
	if r.Wants(usage.WantLatest) {
		a.Latest = t.Latest()
	}
	return a
}
