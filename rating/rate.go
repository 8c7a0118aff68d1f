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
	// Usage is usage held in memory, as events: they are checked as an
	// ingestion would check them (invalid_input, duplicate_usage,
	// usage_out_of_contract) and aggregated here.
	Usage []usage.Event
	// Aggregates, instead of Usage, answers for usage accepted and kept
	// elsewhere, such as in a store (see package billing): rating asks it
	// for the aggregates of the periods it prices, and checks nothing of
	// the events themselves, which were checked when they were accepted.
	Aggregates Aggregator
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
	src := in.Aggregates
	switch {
	case src != nil && len(in.Usage) > 0:
		return nil, pricekit.Errorf(pricekit.ErrInvalidInput, "rating", "usage", "give usage events or an aggregator, not both")
	case src == nil:
		if src, err = newEvents(t, in.Usage); err != nil {
			return nil, err
		}
	}
	return t.rate(src, from, to)
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
	if t.byID == nil {
		t.byID = make(map[uuid.UUID]*product, len(t.products))
		for _, p := range t.products {
			t.byID[p.pc.ID] = p
		}
	}
	p, ok := t.byID[id]
	if !ok {
		return usage.Target{}, false
	}
	return usage.Target{ProductID: p.pc.ProductID, Start: p.pc.Start, End: p.pc.End, Location: t.loc}, true
}

// rate rates the statements overlapping [from, to]. The statements before
// them from the last one into which nothing carries (see replayFrom) are
// rated too, without their explanations, so that credit balances and the
// progressive modifiers of periods that began earlier carry into them;
// only the state of periods still open is kept, so memory does not grow
// with the number of statements replayed.
func (t *tree) rate(src Aggregator, from, to date.Date) ([]Statement, error) {
	root := t.root
	lo, hi := max(from, root.start), bound(root.end, to+1)
	if lo >= hi {
		return []Statement{}, nil
	}
	first, last := root.grid.Index(lo), root.grid.Index(hi-1)
	e := &engine{t: t, places: t.places, src: src,
		cache: make([][]agg, len(t.products)), next: make([]int, len(t.products))}
	out := make([]Statement, 0, last-first+1)
	var buf []entry
	for k := t.replayFrom(first); k <= last; k++ {
		if k >= e.fetched {
			if err := e.fetch(k, last); err != nil {
				return nil, err
			}
		}
		p, _ := root.period(k)
		e.explain = k >= first
		buf = e.collect(buf[:0], root, p.Start, p.End)
		if e.err != nil {
			return nil, e.err
		}
		if k >= first {
			out = append(out, t.statement(p, buf))
		}
	}
	return out, nil
}

// replayFrom returns the statement from which rating statement first on
// gives what a rating from the contract's start gives: the latest one
// whose first day no state carries across. State carries across a day d
// in two ways only: a credit that could pay a period before d has a
// balance, and a node with modifiers whose period holding d began before
// d has slices already (docs/modifiers.md). Every other line depends on
// the documents and that period's usage alone. So the replay goes back to
// the first day a credit pays, and then, as long as some node's period
// holds the replay's first day and began before it, to the statement of
// that period's start. Grids aligned with the parent's stop at once; a
// descendant anchored elsewhere with modifiers walks back to the start.
func (t *tree) replayFrom(first int) int {
	root := t.root
	start := root.grid.Index(root.start)
	day := func(k int) date.Date { p, _ := root.period(k); return p.Start }
	back := func(d date.Date) int { return max(start, root.grid.Index(max(d, root.start))) }
	k := first
	for _, n := range t.nodes {
		for _, g := range n.credits {
			if n.active && g.from < day(k) {
				k = min(k, back(g.from))
			}
		}
	}
	for moved := true; moved && k > start; {
		moved = false
		d := day(k)
		for _, n := range t.nodes {
			if !n.active || !n.modified() || n.start > d || (n.end != 0 && n.end <= d) {
				continue
			}
			if p, ok := n.period(n.grid.Index(d)); ok && p.Start < d {
				if j := back(p.Start); j < k {
					k, moved = j, true
				}
			}
		}
	}
	return k
}

func joinErrors(errs []error) error { return errors.Join(errs...) }
