package rating

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/schedule"
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
	// Issued holds the contract's issued statements (docs/statements.md),
	// first period first: they must be its first statements, numbered 1,
	// 2, …. Rating returns each as it is for its period, and the first
	// statement after them (the open statement) carries an adjustment for
	// every difference between what should have been billed in their
	// periods and what was billed. The open statement starts from the
	// credit balances of the last of them.
	Issued []Statement
	// IssuedFrom, instead of Issued, reads the issued statements where
	// they are kept (see package billing): rating reads only the ones it
	// needs.
	IssuedFrom IssuedReader
	// Changes, with issued statements, says what changed since the last of
	// them was issued, so that only the issued periods a change reaches are
	// rated again; nil: anything may have changed, and every one is.
	Changes *Changes
}

// Rate validates in and returns the statements of the parent contract for
// every billing period overlapping [From, To], in date order (see the
// package documentation). Balances of credits are carried from the
// contract's start, or from the last issued statement, so a statement
// depends only on the contract, its usage and its issued statements.
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
	if c := in.Changes; c != nil && c.Since < 0 {
		return nil, pricekit.Errorf(pricekit.ErrInvalidInput, "rating", "changes.since",
			fmt.Sprintf("ingest position %d is negative", c.Since))
	}
	var is *issuance
	switch {
	case len(in.Issued) > 0 && in.IssuedFrom != nil:
		return nil, pricekit.Errorf(pricekit.ErrInvalidInput, "rating", "issued", "give issued statements or a reader of them, not both")
	case len(in.Issued) > 0:
		is = newIssuance(t, newIssued(in.Issued))
		all := make([]int, len(in.Issued))
		for i := range all {
			all[i] = i
		}
		if err := is.need(all, false); err != nil {
			return nil, err
		}
	case in.IssuedFrom != nil && in.IssuedFrom.Len() > 0:
		is = newIssuance(t, in.IssuedFrom)
	}
	return t.rate(src, from, to, in.To == 0, is, in.Changes)
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
//
// With issued statements, those are returned as they are; the issued
// periods a change can reach are rated again, each credit paying what it
// paid, and compared with what was billed; the open statement, starting
// from the last issued statement's credit balances, carries the
// differences; and the statements after it follow from it.
//
// With toContractEnd (To was not given), a contract whose end moved before
// what was issued is rated through its issued statements and its closing
// statement.
func (t *tree) rate(src Aggregator, from, to date.Date, toContractEnd bool, is *issuance, changes *Changes) ([]Statement, error) {
	root := t.root
	lo, hi := max(from, root.start), bound(root.end, to+1)
	start := root.grid.Index(root.start)
	// A contract whose end moved before what was issued still shows its
	// issued statements, and its corrections go on a closing statement:
	// the period after the last issued one (docs/issued.md).
	var closing bool
	var openP schedule.Period
	if is != nil {
		openP, _ = root.grid.Period(start+is.n, root.start, 0)
		closing = root.end != 0 && openP.Start >= root.end
		reach := openP.Start // the last issued period's end
		if closing && to+1 >= root.end {
			reach = openP.End
		}
		if toContractEnd {
			hi = max(hi, reach)
		} else {
			hi = max(hi, min(reach, to+1))
		}
	}
	if lo >= hi {
		return []Statement{}, nil
	}
	first, last := root.grid.Index(lo), root.grid.Index(hi-1)
	e := &engine{t: t, places: t.places, src: src,
		cache: make([][]agg, len(t.products)), next: make([]int, len(t.products))}
	out := make([]Statement, 0, last-first+1)
	open := start
	if is != nil {
		open += is.n
		var shown []int
		for k := max(first, start); k <= min(last, open-1); k++ {
			shown = append(shown, k-start)
		}
		if err := is.need(shown, false); err != nil {
			return nil, err
		}
		for _, i := range shown {
			out = append(out, is.read[i].Clone())
		}
		if last < open {
			return out, nil
		}
	}
	runs, err := t.runs(e, first, last, open, is, changes)
	if err != nil {
		return nil, err
	}

	if is != nil {
		// Read what the runs use: each issued period rated again (its
		// credits and what was billed for it) and the last statement.
		rated := []int{is.n - 1}
		for _, r := range runs {
			for k := r[0]; k <= min(r[1], open-1); k++ {
				rated = append(rated, k-start)
			}
		}
		if err := is.need(rated, true); err != nil {
			return nil, err
		}
	}
	if len(runs) > 1 {
		if e.prefetched, err = e.fetchRuns(runs); err != nil {
			return nil, err
		}
		if e.prefetched {
			e.fetched = math.MaxInt
		}
	}
	var buf []entry
	var adjust []Line
	for _, r := range runs {
		e.reset(r[0])
		for k := r[0]; k <= r[1]; k++ {
			if k >= e.fetched {
				if err := e.fetch(k, r[1]); err != nil {
					return nil, err
				}
			}
			if closing && k >= open {
				if k == open && k >= first && len(adjust) > 0 {
					is.seed(t, k-start-1)
					out = append(out, t.closingStatement(openP, adjust))
				}
				continue
			}
			p, ok := root.period(k)
			if !ok {
				p, _ = root.grid.Period(k, root.start, 0) // past the end: nothing is billed in it
			}
			e.pinned = nil
			switch {
			case k < open:
				e.pinned = is.pins(k - start)
			case k == open && is != nil:
				is.seed(t, k-start-1)
				e.adjust = adjust
			}
			e.explain = k >= first && k >= open
			buf = e.collect(buf[:0], root, p.Start, p.End)
			if e.err != nil {
				return nil, e.err
			}
			t.expire(p.Last())
			switch {
			case k < open:
				adjust = append(adjust, is.compare(k-start, buf, t.places)...)
			case k >= first:
				out = append(out, t.statement(p, buf))
			}
		}
	}
	return out, nil
}

// closingStatement is the statement after the last issued one of a
// contract that ended before it: its period p, outside the contract's
// dates, holds only the adjustments of what was issued. Credits do not pay
// it: the contract has ended.
func (t *tree) closingStatement(p schedule.Period, adjust []Line) Statement {
	s := Statement{ContractID: t.parent.ID, Currency: t.currency, PeriodStart: p.Start, PeriodEnd: p.Last(),
		Lines: adjust, CreditBalances: t.balances(p.Last())}
	s.sum()
	return s
}

// runs returns the runs of statements [a, b] to rate, in order: with no
// issued statement, from the replay start of first through last; with
// some, each issued period a change reaches (all of them when changes is
// nil or names documents) from its own replay start, and the open
// statement from its replay start through last, overlapping runs merged.
// Credits pay what they paid in issued periods, so only the progressive
// modifiers of periods begun earlier make an issued period's run start
// before it, and the open statement's balances come from the last issued
// statement.
func (t *tree) runs(e *engine, first, last, open int, is *issuance, changes *Changes) ([][2]int, error) {
	if is == nil {
		return [][2]int{{t.replayFrom(first, true), last}}, nil
	}
	start := t.root.grid.Index(t.root.start)
	n := is.n
	dirty := make([]bool, n)
	switch {
	case changes == nil || changes.Documents:
		for i := range dirty {
			dirty[i] = true
		}
	default:
		late, err := e.late(n, changes.Since)
		if err != nil {
			return nil, err
		}
		// A period is dirty when late usage lands in it or in an earlier
		// period its run replays; on a tree whose modified nodes all share
		// the parent's periods, a run replays nothing.
		if !t.replays {
			copy(dirty, late)
		}
		for i := range dirty {
			if dirty[i] || !t.replays || !slices.Contains(late[:i+1], true) {
				continue
			}
			for j := t.replayFrom(start+i, false) - start; j <= i && !dirty[i]; j++ {
				dirty[i] = j >= 0 && late[j]
			}
		}
	}
	var spans [][2]int
	for i, d := range dirty {
		if d {
			spans = append(spans, [2]int{t.replayFrom(start+i, false), start + i})
		}
	}
	spans = append(spans, [2]int{t.replayFrom(open, t.recurring), max(last, open)})
	// Merge them: the open statement's run can start before the others.
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var out [][2]int
	for _, sp := range spans {
		if l := len(out) - 1; l >= 0 && sp[0] <= out[l][1]+1 {
			out[l][1] = max(out[l][1], sp[1])
			continue
		}
		out = append(out, sp)
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
//
// Without credits, the credits are left out: they carry nothing into a
// statement whose balances are given (the open statement) or whose credits
// pay what they paid (an issued one rated again).
func (t *tree) replayFrom(first int, credits bool) int {
	if !credits && !t.replays {
		return first
	}
	root := t.root
	start := root.grid.Index(root.start)
	day := func(k int) date.Date { p, _ := root.period(k); return p.Start }
	back := func(d date.Date) int { return max(start, root.grid.Index(max(d, root.start))) }
	k := first
	for _, n := range t.nodes {
		for _, g := range n.credits {
			if credits && n.active && g.from < day(k) {
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
			// A term commitment's window carries what it billed so far.
			for _, every := range n.terms {
				g := every.Grid(n.ownStart)
				if w, ok := g.Period(g.Index(d), n.start, n.end); ok && w.Start < d {
					if j := back(w.Start); j < k {
						k, moved = j, true
					}
				}
			}
		}
	}
	return k
}

// expire rolls over the grants of recurring credits that expired by day,
// the last of a statement, whether or not anything was due: on every
// statement, rated for the caller or replayed, so that what a statement
// shows never depends on the range rated.
func (t *tree) expire(day date.Date) {
	for _, n := range t.nodes {
		for _, g := range n.credits {
			if n.active && g.recurs() {
				g.advance(day)
			}
		}
	}
}

func joinErrors(errs []error) error { return errors.Join(errs...) }
