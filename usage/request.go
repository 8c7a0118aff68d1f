package usage

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
)

// Request asks for the usage of one product contract over consecutive
// periods: period k is the days [Bounds[k], Bounds[k+1]), each event counted
// on the day it was given when it was accepted. It is what rating asks of
// wherever usage is kept, so that a store aggregates where the data is and
// hands over one [Aggregates] per period, never the events.
type Request struct {
	Contract uuid.UUID // a product contract
	Bounds   []date.Date
	// Ingested, when not zero, counts only the events accepted within a
	// range of the store's ingest positions: the billed and late parts of
	// a usage report.
	Ingested Window
	// Charge, when not nil, also prices each period's events one at a
	// time (percentage pricing): the answer's Charges.
	Charge *Charge
	// Want names the aggregates the asker reads; the zero Want is all of
	// them. A store may leave the others zero, and so skips work (no
	// search for the latest event when only the sum is wanted) and
	// allocation.
	Want Want
}

// Want is a set of aggregates: Count, Sum, Max, Latest.
type Want uint8

// The aggregates a [Request] may want.
const (
	WantCount Want = 1 << iota
	WantSum
	WantMax
	WantLatest
	WantAll = WantCount | WantSum | WantMax | WantLatest
)

// Wants reports whether r wants all of w: always, for the zero Want.
func (r Request) Wants(w Want) bool { return r.Want == 0 || r.Want&w == w }

// Window is a range of a store's ingest positions, [From, Before): every
// accepted event has a position, growing in ingest order. Before 0 has no
// end; the zero Window is every event.
type Window struct {
	From, Before int64
}

// Holds reports whether an event at ingest position p lies in w.
func (w Window) Holds(p int64) bool { return p >= w.From && (w.Before == 0 || p < w.Before) }

// Mark is a billing watermark of a parent contract: its usage on days
// through Through that was stored before ingest position Position is
// billed; usage on those days accepted later is late.
type Mark struct {
	Through  date.Date
	Position int64
}

// Stored is an accepted event as a store keeps it: with its day (in its
// parent contract's time zone when it was accepted) and its ingest
// position.
type Stored struct {
	Event    Event
	Day      date.Date
	Position int64
}

// Answers returns an answer to reqs with zero aggregates in every
// period, all of them in one allocation: what a store fills in (and
// answers as it is for an organization without usage).
func Answers(reqs []Request) [][]Aggregates {
	out := make([][]Aggregates, len(reqs))
	n := 0
	for _, r := range reqs {
		n += r.Periods()
	}
	all := make([]Aggregates, n)
	for i, r := range reqs {
		out[i], all = all[:r.Periods():r.Periods()], all[r.Periods():]
	}
	return out
}

// Periods returns the number of periods r asks for.
func (r Request) Periods() int { return max(len(r.Bounds)-1, 0) }

// Validate checks that r names a contract and that its bounds increase.
func (r Request) Validate() error {
	bad := func(field, format string, args ...any) error {
		return pricekit.Errorf(pricekit.ErrInvalidInput, "usage", field, fmt.Sprintf(format, args...))
	}
	if r.Contract == uuid.Nil {
		return bad("contract", "a request needs a product contract")
	}
	if r.Ingested.From < 0 || r.Ingested.Before < 0 || (r.Ingested.Before != 0 && r.Ingested.Before < r.Ingested.From) {
		return bad("ingested", "ingest positions [%d, %d) are not a range", r.Ingested.From, r.Ingested.Before)
	}
	if r.Want&^WantAll != 0 {
		return bad("want", "unknown aggregates %#x", uint8(r.Want&^WantAll))
	}
	if r.Charge != nil {
		if err := r.Charge.Validate(); err != nil {
			return pricekit.Prefix("charge", err)
		}
	}
	if len(r.Bounds) < 2 {
		return bad("bounds", "want at least two period boundaries, got %d", len(r.Bounds))
	}
	for k := 1; k < len(r.Bounds); k++ {
		if r.Bounds[k] <= r.Bounds[k-1] {
			return bad(fmt.Sprintf("bounds[%d]", k), "%s does not follow %s", r.Bounds[k], r.Bounds[k-1])
		}
	}
	return nil
}

// ValidateRequests checks every request, naming the bad ones as
// requests[i].
func ValidateRequests(reqs []Request) error {
	var errs []error
	for i, r := range reqs {
		if err := r.Validate(); err != nil {
			errs = append(errs, pricekit.Prefix(fmt.Sprintf("requests[%d]", i), err))
		}
	}
	return errors.Join(errs...)
}

// Merge returns the aggregates of a's events and then b's, where b's days
// all follow a's: counts and sums add, the largest is the larger, and the
// latest is b's unless b is empty. Charges add as they are: each part's
// free events were its own.
func (a Aggregates) Merge(b Aggregates) Aggregates {
	if b.Count == 0 {
		return a
	}
	if a.Count == 0 {
		return b
	}
	m := Aggregates{Count: a.Count + b.Count, Sum: a.Sum.Add(b.Sum), Max: a.Max, Latest: b.Latest,
		Charges: addCharges(a.Charges, b.Charges)}
	if b.Max.GreaterThan(a.Max) {
		m.Max = b.Max
	}
	return m
}

// addCharges returns the sum of a and b, nil when both are.
func addCharges(a, b *Charges) *Charges {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	c := a.Add(*b)
	return &c
}

// Aggregates are what one period's events add up to, every aggregation at
// once: their number, the sum, the largest and the latest quantity (the
// last by day, then by the order they were accepted). The zero Aggregates
// are a period without usage: 0 for each. Charges are the period's events
// priced one at a time when the request asked for them (then never nil),
// and nil otherwise.
type Aggregates struct {
	Count   int64
	Sum     decimal.Decimal
	Max     decimal.Decimal
	Latest  decimal.Decimal
	Charges *Charges
}
