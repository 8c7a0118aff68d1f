package rating

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/usage"
)

// Input is everything a rating needs: the documents of a contract tree (a
// bundle holding at least the parent and all it references), the parent's
// id, its usage, and the days to rate.
type Input struct {
	Objects  contract.Objects
	Contract uuid.UUID // a parent contract in Objects
	Usage    []usage.Event
	// From and To (inclusive) select the statements: every billing period
	// of the parent that overlaps [From, To]. Zero values default to the
	// contract's dates; an evergreen contract needs To.
	From, To date.Date
}

// Rate validates in and returns the statements of the parent contract for
// every billing period overlapping [From, To], in date order (see the
// package documentation). Balances of credits are carried from the
// contract's start, so a statement depends only on the contract and its
// usage.
//
// Bad input gets a coded error and no statements: invalid documents,
// unknown_reference, cycle, invalid_input for a tree nested deeper than
// [MaxDepth] or holding a contract twice, not_found for an id that is not a
// parent contract, and for usage invalid_input, duplicate_usage and
// usage_out_of_contract, naming every bad event.
func Rate(in Input) ([]Statement, error) {
	if err := in.Objects.Validate(); err != nil {
		return nil, err
	}
	t, err := resolve(in.Objects, in.Contract)
	if err != nil {
		return nil, err
	}
	from, to, err := t.days(in.From, in.To)
	if err != nil {
		return nil, err
	}
	events := in.Usage
	if len(events) > 0 {
		if events, err = usage.Accept(events, t.target, func(string) (usage.Event, bool) { return usage.Event{}, false }); err != nil {
			return nil, err
		}
	}
	return t.rate(fill(t, events), from, to), nil
}

// days applies the defaults of the run's range.
func (t *tree) days(from, to date.Date) (date.Date, date.Date, error) {
	if from == 0 {
		from = t.parent.Start
	}
	if to == 0 {
		if t.parent.End == 0 {
			return 0, 0, pricekit.Errorf(pricekit.ErrInvalidInput, "rating", "to", "an evergreen contract needs an end day to rate to")
		}
		to = t.parent.End
	}
	if to < from {
		return 0, 0, pricekit.Errorf(pricekit.ErrInvalidInput, "rating", "to", fmt.Sprintf("to %s is before from %s", to, from))
	}
	return from, to, nil
}

// target is what usage of product contract id must fit: its own dates
// (docs/errors.md), in the parent contract's time zone.
func (t *tree) target(id uuid.UUID) (usage.Target, bool) {
	p, ok := t.byID[id]
	if !ok {
		return usage.Target{}, false
	}
	return usage.Target{ProductID: p.pc.ProductID, Start: p.pc.Start, End: p.pc.End, Location: t.loc}, true
}

// rate rates the statements overlapping [from, to]. The statements before
// them are rated too, without their explanations, so that credit balances
// and the progressive modifiers of periods that began earlier carry into
// them; only the state of periods still open is kept, so memory does not
// grow with the number of statements replayed.
func (t *tree) rate(usage []bucket, from, to date.Date) []Statement {
	root := t.root
	lo, hi := max(from, root.start), bound(root.end, to+1)
	if lo >= hi {
		return []Statement{}
	}
	first, last := root.grid.Index(lo), root.grid.Index(hi-1)
	e := &engine{t: t, places: t.places, usage: usage}
	out := make([]Statement, 0, last-first+1)
	var buf []entry
	for k := root.grid.Index(root.start); k <= last; k++ {
		p, _ := root.period(k)
		e.explain = k >= first
		buf = e.collect(buf[:0], root, p.Start, p.End)
		if k >= first {
			out = append(out, t.statement(p, buf))
		}
	}
	return out
}

func joinErrors(errs []error) error { return errors.Join(errs...) }
