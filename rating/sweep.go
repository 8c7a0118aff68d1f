package rating

import (
	"math"
	"slices"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/schedule"
)

// engine rates one tree, one parent statement after another.
type engine struct {
	t       *tree
	places  int32
	explain bool // write calculations: the statement is one the caller asked for

	src     Aggregator
	err     error       // the first error of src
	fetched int         // statements before it have their usage fetched
	cache   [][]agg     // by product index: aggregates of its fetched periods, in date order
	next    []int       // by product index: the next cache entry to use
	days    []date.Date // room for the bounds of the window being fetched
	// prefetched says that the usage of every run was fetched at once.
	prefetched bool

	// pinned, while an issued period is rated again, is what each credit
	// paid on its statement, by credit line: credits pay exactly that.
	pinned map[lineKey]decimal.Decimal
	// adjust holds the adjustments the open statement carries, until the
	// parent's modifiers place them (docs/statements.md).
	adjust []Line
}

// reset starts a new run of statements at statement k: the progressive
// state of node periods is forgotten, and usage is fetched anew unless
// every run's was fetched at once (see fetchRuns).
func (e *engine) reset(k int) {
	for _, n := range e.t.nodes {
		n.open, n.closed, n.windows = nil, math.MinInt, nil
	}
	if !e.prefetched {
		e.fetched = k
	}
}

// entry is a line with the day that decides the statement it lands on and,
// for a modifier line, its place among the node's modifier lines.
type entry struct {
	line Line
	land date.Date
	rank int
}

// periodState is what a node period carries from one of its slices to the
// next (docs/modifiers.md): the charges so far and what each discount gave.
type periodState struct {
	k          int
	cum        decimal.Decimal // subtotal of the slices so far
	given      []decimal.Decimal
	discounted decimal.Decimal // Σ given
	raised     decimal.Decimal // the minimum's true-up, once given
	cut        decimal.Decimal // what maximums cut so far
	slices     int
}

// acc gathers one slice while a statement is collected: the lines of one
// node period that land on the statement.
type acc struct {
	k        int
	subtotal decimal.Decimal
	land     date.Date // the latest line's day
	lines    bool
}

// collect appends to dst the lines of node n and everything beneath it
// that land on the parent statement [s, end), in statement order: n's
// usage lines, its fee lines, each sub contract's lines, then n's modifier
// lines (docs/statements.md).
func (e *engine) collect(dst []entry, n *node, s, end date.Date) []entry {
	mark := len(dst)
	for _, p := range n.products {
		dst = e.usageLines(dst, p, s, end)
	}
	for _, f := range n.fees {
		dst = e.feeLines(dst, n, f, s, end)
	}
	for _, c := range n.children {
		if c.active {
			dst = e.collect(dst, c, s, end)
		}
	}
	root := n.parent == nil
	if !n.modified() && !(root && len(e.adjust) > 0) {
		return dst
	}
	parts := e.slices(n, dst[mark:], s, end)
	if root && len(e.adjust) > 0 && len(parts) == 0 {
		// Adjustments need the parent's slice of the statement, lines or not.
		k := n.grid.Index(max(s, n.start))
		p, _ := n.period(k)
		parts = append(parts, acc{k: k, land: p.Last()})
	}
	mods := len(dst)
	for i := range parts {
		a := &parts[i]
		p, _ := n.period(a.k)
		st := n.state(a.k)
		last := p.End <= end || !e.linesIn(n, end, p.End, true)
		dst = e.modify(dst, n, p, st, a, last)
		if last {
			n.close(a.k)
		}
	}
	sortModifierLines(dst[mods:])
	return dst
}

// slices groups lines (all of n's periods) by n's period, in date order,
// and adds a slice at the end of each period of n that ends on the
// statement without any line (docs/modifiers.md: such a period is one slice at its
// end, where its minimum lands).
func (e *engine) slices(n *node, lines []entry, s, end date.Date) []acc {
	var out []acc
	var cur schedule.Period
	k := 0
	for _, en := range lines {
		if !cur.Contains(en.land) {
			k = n.grid.Index(en.land)
			cur, _ = n.period(k)
		}
		i := slices.IndexFunc(out, func(a acc) bool { return a.k == k })
		if i < 0 {
			out = append(out, acc{k: k})
			i = len(out) - 1
		}
		a := &out[i]
		a.subtotal = a.subtotal.Add(en.line.Amount)
		a.land = max(a.land, en.land)
		a.lines = true
	}
	if lo, hi := max(s, n.start), bound(n.end, end); len(n.minimums) > 0 && lo < hi {
		for k := n.grid.Index(lo); ; k++ {
			p, ok := n.period(k)
			if !ok || p.Start >= hi || p.Last() >= end {
				break
			}
			if k > n.closed && !slices.ContainsFunc(out, func(a acc) bool { return a.k == k }) && !n.hadLines(k) {
				out = append(out, acc{k: k, land: p.Last()})
			}
		}
	}
	slices.SortFunc(out, func(a, b acc) int { return a.k - b.k })
	return out
}

// state returns the state of n's period k, new when the period has had no
// slice yet.
func (n *node) state(k int) *periodState {
	for _, st := range n.open {
		if st.k == k {
			return st
		}
	}
	st := &periodState{k: k, given: make([]decimal.Decimal, len(n.discounts))}
	n.open = append(n.open, st)
	return st
}

// hadLines reports whether n's period k had a slice on an earlier
// statement and is still open.
func (n *node) hadLines(k int) bool {
	for _, st := range n.open {
		if st.k == k {
			return st.slices > 0
		}
	}
	return false
}

// close forgets the state of n's period k: its last slice is done. A
// period's slices all come before the next period's, so periods close in
// order and n.closed is the last one closed.
func (n *node) close(k int) {
	n.open = slices.DeleteFunc(n.open, func(st *periodState) bool { return st.k == k })
	n.closed = max(n.closed, k)
}

// linesIn reports whether any line of n or beneath it lands on a day in
// [a, b). It looks ahead from a slice to the rest of its period, to tell
// whether the slice is the period's last (docs/modifiers.md), and it needs only the
// documents: which lines exist never depends on usage, since every active
// product contract gets a usage line for each of its periods and every fee
// a line for each of its periods. With own true, a period of n that holds
// no line at all counts too when its minimum would give a line at its end.
func (e *engine) linesIn(n *node, a, b date.Date, own bool) bool {
	if a >= b {
		return false
	}
	for _, p := range n.products {
		lo := max(a, p.start)
		if p.end != 0 && lo >= p.end {
			continue
		}
		if q, ok := p.period(p.indexOf(lo)); ok && q.Last() < b {
			return true
		}
	}
	for _, f := range n.fees {
		if e.feeLandsIn(n, f, a, b) {
			return true
		}
	}
	for _, c := range n.children {
		if c.active && e.linesIn(c, a, b, true) {
			return true
		}
	}
	if lo, hi := max(a, n.start), bound(n.end, b); own && len(n.minimums) > 0 && lo < hi {
		for k := n.grid.Index(lo); ; k++ {
			p, ok := n.period(k)
			if !ok || p.Start >= hi || p.Last() >= b {
				break
			}
			if e.minimum(n, p).IsPositive() && !e.linesIn(n, p.Start, p.End, false) {
				return true
			}
		}
	}
	return false
}

// sortModifierLines orders a node's modifier lines of one statement: by
// kind (discounts, minimums, maximums, adjustments, credits), by document (credits in burn order),
// then by date, the order they were made in.
func sortModifierLines(lines []entry) {
	slices.SortStableFunc(lines, func(a, b entry) int { return a.rank - b.rank })
}

// rank is the place of a modifier line among a node's: its kind, then its
// item.
func rank(k Kind, item int) int { return kindOrder[k]<<20 | item }

// kindOrder is the order of a node's modifier lines by kind: discounts,
// minimums, maximums, then (on the parent) adjustments, then credits.
var kindOrder = [...]int{KindDiscount: 1, KindMinimum: 2, KindMaximum: 3, KindAdjustment: 4, KindCredit: 5}
