package rating

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/usage"
)

// Changes says what changed since the last issued statement was issued
// (docs/statements.md), so that rating re-rates for adjustments only the
// issued periods a change can reach. Everything else an issued period
// depends on was reconciled when that statement was issued: the open
// statement of that moment carried every difference there was.
type Changes struct {
	// Documents reports that documents or versions of the tree were saved
	// since: every issued period is rated again.
	Documents bool
	// Since is the ingest position at the last issue: usage accepted from
	// it on (an [Aggregator] counts it with usage.Request.Ingested) is
	// late, and the issued periods it lands in are rated again. For
	// [Input.Usage] the position of an event is its index.
	Since int64
}

// lineKey identifies a line within one statement (docs/statements.md):
// its kind, node, item and period.
type lineKey struct {
	kind     Kind
	contract uuid.UUID
	item     uuid.UUID // product, fee or modifier
	start    date.Date
}

func keyOf(l *Line) lineKey {
	item := l.ModifierID
	switch l.Kind {
	case KindUsage:
		item = l.ProductID
	case KindFixedFee:
		item = l.FeeID
	}
	return lineKey{kind: l.Kind, contract: l.ContractID, item: item, start: l.PeriodStart}
}

// adjustedKey is the key of the line an adjustment corrects.
func adjustedKey(l *Line) lineKey {
	c := *l
	c.Kind = l.Adjusts.Kind
	return keyOf(&c)
}

// issuance is what rating knows of a contract's issued statements.
type issuance struct {
	statements []Statement
	// adjusted sums, by issued statement number and line, the adjustments
	// of that line already issued on later statements.
	adjusted map[int]map[lineKey]decimal.Decimal
}

// newIssuance checks that issued are the first statements of t, in order
// and numbered from 1 (invalid_input otherwise, at "issued[i]").
func newIssuance(t *tree, issued []Statement) (*issuance, error) {
	root := t.root
	start := root.grid.Index(root.start)
	var errs []error
	fail := func(i int, field, format string, args ...any) {
		errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "rating",
			"issued["+strconv.Itoa(i)+"]"+field, fmt.Sprintf(format, args...)))
	}
	is := &issuance{statements: issued, adjusted: map[int]map[lineKey]decimal.Decimal{}}
	for i := range issued {
		s := &issued[i]
		want, _ := root.grid.Period(start+i, root.start, 0)
		switch {
		case !s.Issued:
			fail(i, ".issued", "an issued statement has issued true")
		case s.Number != i+1:
			fail(i, ".number", "statement %d of the contract has number %d; issued statements come first period first, numbered from 1", i+1, s.Number)
		case s.ContractID != t.parent.ID:
			fail(i, ".contract_id", "the statement is of contract %s, not %s", s.ContractID, t.parent.ID)
		case s.Currency.Code() != t.currency.Code():
			fail(i, ".currency", "the statement is in %s, the contract in %s", s.Currency.Code(), t.currency.Code())
		case s.PeriodStart != want.Start:
			fail(i, ".period_start", "statement %d of the contract starts on %s, not %s", i+1, want.Start, s.PeriodStart)
		}
		for j := range s.Lines {
			l := &s.Lines[j]
			if l.Kind != KindAdjustment {
				continue
			}
			if a := l.Adjusts; a == nil || a.Number < 1 || a.Number > i {
				fail(i, ".lines["+strconv.Itoa(j)+"].adjusts", "an adjustment corrects an earlier issued statement")
				continue
			}
			m := is.adjusted[l.Adjusts.Number]
			if m == nil {
				m = map[lineKey]decimal.Decimal{}
				is.adjusted[l.Adjusts.Number] = m
			}
			k := adjustedKey(l)
			m[k] = m[k].Add(l.Amount)
		}
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	return is, nil
}

// pins returns what each credit paid on issued statement i, by credit
// line: in the re-rating of an issued period credits pay exactly that.
func (is *issuance) pins(i int) map[lineKey]decimal.Decimal {
	m := map[lineKey]decimal.Decimal{}
	for j := range is.statements[i].Lines {
		if l := &is.statements[i].Lines[j]; l.Kind == KindCredit {
			k := keyOf(l)
			m[k] = m[k].Add(l.Amount.Neg())
		}
	}
	return m
}

// seed sets the balances of t's credits to those issued statement i left
// (docs/statements.md): the open statement starts from them. A credit the
// statement does not list keeps its whole amount: it is granted later.
func (is *issuance) seed(t *tree, i int) {
	bs := is.statements[i].CreditBalances
	used := make([]bool, len(bs))
	for _, n := range t.nodes {
		if !n.active {
			continue
		}
		for _, g := range n.credits {
			for j := range bs {
				if !used[j] && bs[j].CreditID == g.credit.ID && bs[j].Granted == g.from {
					used[j], g.balance = true, bs[j].Remaining
					break
				}
			}
		}
	}
}

// compare returns the adjustments of issued statement i, given the lines
// its period gets when rated again: one per line whose amount differs from
// what was billed for it (the issued line plus its adjustments issued
// since), credit lines aside. They come in the line order of the
// re-rating; a line only the issued statement has comes after the issued
// line before it.
func (is *issuance) compare(i int, rerated []entry, places int32) []Line {
	s := &is.statements[i]
	type item struct {
		anchor, sub, pos int
		k                lineKey
		was, now         *Line
	}
	var items []item
	at := map[lineKey]int{} // re-rated line → its index
	for j := range rerated {
		if l := &rerated[j].line; l.Kind != KindCredit {
			k := keyOf(l)
			at[k] = j
			items = append(items, item{anchor: j, pos: j, k: k, now: l})
		}
	}
	issued := map[lineKey]*Line{}
	anchor := -1
	for j := range s.Lines {
		l := &s.Lines[j]
		if l.Kind == KindCredit || l.Kind == KindAdjustment {
			continue
		}
		k := keyOf(l)
		issued[k] = l
		if r, ok := at[k]; ok {
			anchor = r
			continue
		}
		items = append(items, item{anchor: anchor, sub: 1, pos: j, k: k, was: l})
	}
	slices.SortStableFunc(items, func(a, b item) int {
		if a.anchor != b.anchor {
			return a.anchor - b.anchor
		}
		if a.sub != b.sub {
			return a.sub - b.sub
		}
		return a.pos - b.pos
	})
	var out []Line
	for _, it := range items {
		if it.now != nil {
			it.was = issued[it.k]
		}
		var before, should decimal.Decimal
		if it.was != nil {
			before = it.was.Amount
		}
		if it.now != nil {
			should = it.now.Amount
		}
		already := before.Add(is.adjusted[s.Number][it.k])
		if diff := should.Sub(already); !diff.IsZero() {
			out = append(out, adjustment(s, it.k, it.was, it.now, before, already, diff, places))
		}
	}
	return out
}

// adjustment is the line that bills diff for the line with key k of issued
// statement s: was as issued (nil: it had none), now as rated again (nil:
// it has none), before the issued amount and already what was billed for
// it so far.
func adjustment(s *Statement, k lineKey, was, now *Line, before, already, diff decimal.Decimal, places int32) Line {
	src := now
	if was != nil {
		src = was
	}
	a := Line{ContractID: k.contract, Kind: KindAdjustment, ProductID: src.ProductID, PlanID: src.PlanID,
		FeeID: src.FeeID, ModifierID: src.ModifierID, PeriodStart: src.PeriodStart, PeriodEnd: src.PeriodEnd,
		Amount: diff, Adjusts: &Adjusts{Number: s.Number, PeriodStart: s.PeriodStart, Kind: k.kind}}
	if now != nil {
		a.EffectiveFrom = now.EffectiveFrom
		if k.kind == KindUsage {
			a.Quantity = now.Quantity
		}
	}
	a.Calculation = CalculationText(adjustmentText(k.kind, was, now, before, already, places))
	return a
}

// adjustmentText explains an adjustment: what changed in the line ("late
// usage: quantity 120 → 150; 12.00 → 15.00"), and what of it was billed
// already when earlier adjustments billed part of the difference.
func adjustmentText(kind Kind, was, now *Line, before, already decimal.Decimal, places int32) string {
	amt := func(d decimal.Decimal) string { return d.StringFixed(places) }
	var should decimal.Decimal
	if now != nil {
		should = now.Amount
	}
	var b strings.Builder
	switch {
	case was == nil:
		fmt.Fprintf(&b, "%s not billed before: 0 → %s", kind, amt(should))
	case now == nil:
		fmt.Fprintf(&b, "%s no longer billed: %s → 0", kind, amt(before))
	case kind == KindUsage && !was.Quantity.Equal(now.Quantity):
		fmt.Fprintf(&b, "late usage: quantity %s → %s; %s → %s", was.Quantity, now.Quantity, amt(before), amt(should))
	case kind == KindFixedFee && !was.Proration.Equal(now.Proration):
		fmt.Fprintf(&b, "fee prorated %s → %s; %s → %s", proration(was), proration(now), amt(before), amt(should))
	case was.EffectiveFrom != now.EffectiveFrom:
		fmt.Fprintf(&b, "%s priced by the version from %s, not %s; %s → %s", kind, versionName(now.EffectiveFrom),
			versionName(was.EffectiveFrom), amt(before), amt(should))
	default:
		fmt.Fprintf(&b, "%s corrected: %s → %s", kind, amt(before), amt(should))
	}
	if !already.Equal(before) {
		d := already.Sub(before)
		sign := ""
		if d.IsPositive() {
			sign = "+"
		}
		fmt.Fprintf(&b, "; %s billed so far (%s%s adjusted since)", amt(already), sign, amt(d))
	}
	return b.String()
}

// proration writes a fee line's factor as days: "15/30 days".
func proration(l *Line) string {
	days := int64(l.PeriodEnd-l.PeriodStart) + 1
	if l.Proration.IsZero() || l.Proration.Equal(one) {
		return fmt.Sprintf("%d/%d days", days, days)
	}
	full := decimal.NewFromInt(days).Div(l.Proration).Round(0).IntPart()
	return fmt.Sprintf("%d/%d days", days, full)
}

func versionName(d date.Date) string {
	if d == 0 {
		return "the base version"
	}
	return d.String()
}

// late returns, for each issued statement, whether usage accepted since
// position since lands in it, asking src once for the count of late
// events in every product period landing on the issued statements.
func (e *engine) late(n int, since int64) ([]bool, error) {
	root := e.t.root
	start := root.grid.Index(root.start)
	first, _ := root.period(start)
	lastP, ok := root.period(start + n - 1)
	out := make([]bool, n)
	if !ok {
		return out, nil
	}
	var reqs []usage.Request
	var owners []*product
	for _, p := range e.t.products {
		if b := e.bounds(p, first.Start, lastP.End); len(b) > 1 {
			reqs = append(reqs, usage.Request{Contract: p.pc.ID, Bounds: b, Want: usage.WantCount,
				Ingested: usage.Window{From: since}})
			owners = append(owners, p)
		}
	}
	e.days = nil
	if len(reqs) == 0 {
		return out, nil
	}
	got, err := e.src.Aggregate(reqs)
	if err != nil {
		return nil, err
	}
	for i := range owners {
		b := reqs[i].Bounds
		for k, a := range got[i] {
			if a.Count == 0 {
				continue
			}
			// The period lands on the statement holding its last day.
			if j := root.grid.Index(b[k+1]-1) - start; j >= 0 && j < n {
				out[j] = true
			}
		}
	}
	return out, nil
}
