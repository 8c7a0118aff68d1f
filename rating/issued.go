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
	// [Input.Usage] the position of an event is its place among the events
	// accepted: the first 0, and an event given again (same id, same
	// payload) takes none.
	Since int64
}

// lineKey identifies a line within one statement (docs/statements.md):
// its kind, node, item and period, and which of the lines with those it is
// (a fee a contract lists twice has two lines alike).
type lineKey struct {
	kind     Kind
	contract uuid.UUID
	item     uuid.UUID // product, fee or modifier
	start    date.Date
	nth      int
}

// occurrences numbers the lines of keys alike, in order: it sets nth of
// each key to how many alike came before it.
func occurrences(keys []lineKey) {
	for i := range keys {
		for j := range i {
			if k := keys[j]; k.kind == keys[i].kind && k.contract == keys[i].contract && k.item == keys[i].item &&
				k.start == keys[i].start {
				keys[i].nth++
			}
		}
	}
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

// IssuedReader gives rating a contract's issued statements where they are
// kept (docs/statements.md), so that rating reads only those it needs: the
// last one, whose credit balances the open statement starts from, and the
// ones a change reaches, with the statements that adjusted them since.
// Package billing provides one over a store; [Input.Issued] is read the
// same way from memory.
type IssuedReader interface {
	// Len returns the number of issued statements.
	Len() int
	// Adjusting returns the indexes of the issued statements after
	// statement i (0: the first) that carry adjustments of it.
	Adjusting(i int) []int
	// Read returns the issued statements at the given indexes, in that
	// order.
	Read(indexes []int) ([]Statement, error)
}

// issued reads a list of issued statements held in memory.
type issued struct {
	statements []Statement
	adjusting  map[int][]int
}

func newIssued(stmts []Statement) *issued {
	is := &issued{statements: stmts, adjusting: map[int][]int{}}
	for j := range stmts {
		var seen []int
		for _, l := range stmts[j].Lines {
			if a := l.Adjusts; a != nil && a.Number >= 1 && a.Number <= j && !slices.Contains(seen, a.Number-1) {
				seen = append(seen, a.Number-1)
				is.adjusting[a.Number-1] = append(is.adjusting[a.Number-1], j)
			}
		}
	}
	return is
}

func (is *issued) Len() int              { return len(is.statements) }
func (is *issued) Adjusting(i int) []int { return is.adjusting[i] }
func (is *issued) Read(indexes []int) ([]Statement, error) {
	out := make([]Statement, len(indexes))
	for k, i := range indexes {
		out[k] = is.statements[i]
	}
	return out, nil
}

// issuance is what rating knows of a contract's issued statements: how
// many there are, and those it has read, checked.
type issuance struct {
	t    *tree
	src  IssuedReader
	n    int
	read map[int]*Statement
	// adjusted lists, by issued statement index, the adjustments of its
	// lines already issued on later statements.
	adjusted map[int][]adjusted
}

func newIssuance(t *tree, src IssuedReader) *issuance {
	return &issuance{t: t, src: src, n: src.Len(), read: map[int]*Statement{},
		adjusted: map[int][]adjusted{}}
}

// need reads the statements at indexes not read yet, with those that
// adjusted them when adjusted is set, and checks them.
func (is *issuance) need(indexes []int, adjusted bool) error {
	var want []int
	add := func(i int) {
		if _, ok := is.read[i]; !ok && !slices.Contains(want, i) {
			want = append(want, i)
		}
	}
	for _, i := range indexes {
		add(i)
		if adjusted {
			for _, j := range is.src.Adjusting(i) {
				add(j)
			}
		}
	}
	if len(want) == 0 {
		return nil
	}
	slices.Sort(want)
	got, err := is.src.Read(want)
	if err != nil {
		return err
	}
	if len(got) != len(want) {
		return fmt.Errorf("rating: %d issued statements read for %d asked", len(got), len(want))
	}
	for k, i := range want {
		is.read[i] = &got[k]
	}
	return is.check(want)
}

// check refuses issued statements that are not the contract's first
// statements, in order and numbered from 1 (invalid_input at "issued[i]").
func (is *issuance) check(indexes []int) error {
	root := is.t.root
	start := root.grid.Index(root.start)
	var errs []error
	fail := func(i int, field, format string, args ...any) {
		errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "rating",
			"issued["+strconv.Itoa(i)+"]"+field, fmt.Sprintf(format, args...)))
	}
	for _, i := range indexes {
		s := is.read[i]
		want, _ := root.grid.Period(start+i, root.start, 0)
		switch {
		case !s.Issued:
			fail(i, ".issued", "an issued statement has issued true")
		case s.Number != i+1:
			fail(i, ".number", "statement %d of the contract has number %d; issued statements come first period first, numbered from 1", i+1, s.Number)
		case s.ContractID != is.t.parent.ID:
			fail(i, ".contract_id", "the statement is of contract %s, not %s", s.ContractID, is.t.parent.ID)
		case s.Currency.Code() != is.t.currency.Code():
			fail(i, ".currency", "the statement is in %s, the contract in %s", s.Currency.Code(), is.t.currency.Code())
		case s.PeriodStart != want.Start:
			fail(i, ".period_start", "statement %d of the contract starts on %s, not %s", i+1, want.Start, s.PeriodStart)
		}
		for j := range s.Lines {
			l := &s.Lines[j]
			at := ".lines[" + strconv.Itoa(j) + "].adjusts"
			switch a := l.Adjusts; {
			case l.Kind == KindAdjustment && a == nil:
				fail(i, at, "an adjustment names the line it adjusts")
			case l.Kind != KindAdjustment && a != nil:
				fail(i, at, "only an adjustment adjusts a line")
			case a != nil && (a.Number < 1 || a.Number > i):
				fail(i, at, "an adjustment corrects an earlier issued statement")
			case a != nil && !adjustable(a.Kind):
				fail(i, at+".kind", "an adjustment corrects a usage, fee, discount, minimum or maximum line, not %s", a.Kind)
			}
		}
	}
	return joinErrors(errs)
}

// adjustable reports whether lines of kind k can be adjusted: credits are
// not rated again, and adjustments are not adjusted.
func adjustable(k Kind) bool {
	switch k {
	case KindUsage, KindFixedFee, KindDiscount, KindMinimum, KindMaximum:
		return true
	}
	return false
}

// sums returns what the adjustments issued after statement i added to
// its lines, line by line. The statements adjusting it are read.
func (is *issuance) sums(i int) []adjusted {
	if m, ok := is.adjusted[i]; ok {
		return m
	}
	var m []adjusted
	for _, j := range is.src.Adjusting(i) {
		var keys []lineKey
		var lines []*Line
		for x := range is.read[j].Lines {
			if l := &is.read[j].Lines[x]; l.Kind == KindAdjustment && l.Adjusts.Number == i+1 {
				keys, lines = append(keys, adjustedKey(l)), append(lines, l)
			}
		}
		occurrences(keys)
		for k := range keys {
			m = append(m, adjusted{keys[k], lines[k].Amount, lines[k]})
		}
	}
	is.adjusted[i] = m
	return m
}

// adjusted is an adjustment issued for a line.
type adjusted struct {
	key    lineKey
	amount decimal.Decimal
	line   *Line // the adjustment line
}

// pins returns what each credit paid on issued statement i, by credit
// line: in the re-rating of an issued period credits pay exactly that.
func (is *issuance) pins(i int) map[lineKey]decimal.Decimal {
	m := map[lineKey]decimal.Decimal{}
	for j := range is.read[i].Lines {
		if l := &is.read[i].Lines[j]; l.Kind == KindCredit {
			k := keyOf(l)
			m[k] = m[k].Add(l.Amount.Neg())
		}
	}
	return m
}

// seed sets the balances of t's credits to those issued statement i left
// (docs/issued.md): the open statement starts from them. A grant is
// matched by its credit and grant day, or else by its credit alone (its
// grant day was corrected since). A credit the statement does not list
// keeps its whole amount: it is granted later. Recurring credits are left
// as the run before the open statement made them: their grants expire and
// roll over between statements, which credit balances do not show, so the
// run replays them from their first grant (see tree.runs), each paying
// what it paid on the issued statements.
func (is *issuance) seed(t *tree, i int) {
	bs := is.read[i].CreditBalances
	used := make([]bool, len(bs))
	// find returns the first balance not used yet of credit id granted on
	// day (any day, for 0), or -1.
	find := func(id uuid.UUID, day date.Date) int {
		for j := range bs {
			if !used[j] && bs[j].CreditID == id && (day == 0 || bs[j].Granted == day) {
				return j
			}
		}
		return -1
	}
	for _, n := range t.nodes {
		if !n.active {
			continue
		}
		for _, g := range n.credits {
			if g.recurs() {
				continue // as replayed
			}
			j := find(g.credit.ID, g.from)
			if j < 0 {
				j = find(g.credit.ID, 0)
			}
			if j >= 0 {
				used[j], g.balance = true, bs[j].Remaining
			}
		}
	}
}

// compare returns the adjustments of issued statement i, given the lines
// its period gets when rated again: one per line whose amount differs from
// what was billed for it (the issued line plus its adjustments issued
// since), credit lines aside. They come in the line order of the
// re-rating; a line only the issued statement has comes after the issued
// line before it. A statement has few lines: they are matched by scans.
func (is *issuance) compare(i int, rerated []entry, places int32) []Line {
	s := is.read[i]
	sums := is.sums(i)
	// The keys of the billable lines on both sides, numbered alike.
	issued := make([]int, 0, len(s.Lines)) // indexes of s.Lines
	var issuedKeys []lineKey
	for j := range s.Lines {
		if l := &s.Lines[j]; l.Kind != KindCredit && l.Kind != KindAdjustment {
			issued, issuedKeys = append(issued, j), append(issuedKeys, keyOf(l))
		}
	}
	occurrences(issuedKeys)
	now := make([]int, 0, len(rerated)) // indexes of rerated
	var nowKeys []lineKey
	for j := range rerated {
		if l := &rerated[j].line; l.Kind != KindCredit {
			now, nowKeys = append(now, j), append(nowKeys, keyOf(l))
		}
	}
	occurrences(nowKeys)
	var out []Line
	emit := func(k lineKey, was, now *Line) {
		var before, should decimal.Decimal
		if was != nil {
			before = was.Amount
		}
		if now != nil {
			should = now.Amount
		}
		already := before
		for _, a := range sums {
			if a.key == k {
				already = already.Add(a.amount)
			}
		}
		if diff := should.Sub(already); !diff.IsZero() {
			out = append(out, adjustment(s, k, was, now, before, already, diff, places))
		}
	}
	// emitGone adjusts a line neither side has: src names it.
	emitGone := func(k lineKey, src *Line) {
		already := decimal.Zero
		for _, a := range sums {
			if a.key == k {
				already = already.Add(a.amount)
			}
		}
		if !already.IsZero() {
			l := adjustment(s, k, src, nil, decimal.Zero, already, already.Neg(), places)
			out = append(out, l)
		}
	}
	find := func(keys []lineKey, k lineKey) int {
		for j, x := range keys {
			if x == k {
				return j
			}
		}
		return -1
	}
	// The issued lines the re-rating lacks, after the issued line before
	// them that it has (first when none has).
	next := 0
	gone := func() {
		for ; next < len(issuedKeys) && find(nowKeys, issuedKeys[next]) < 0; next++ {
			emit(issuedKeys[next], &s.Lines[issued[next]], nil)
		}
	}
	gone()
	for j, k := range nowKeys {
		var was *Line
		if x := find(issuedKeys, k); x >= 0 {
			was = &s.Lines[issued[x]]
			if x == next {
				next++
				emit(k, was, &rerated[now[j]].line)
				gone()
				continue
			}
		}
		emit(k, was, &rerated[now[j]].line)
	}
	// Issued lines left behind (an order the re-rating changed) come last.
	for ; next < len(issuedKeys); next++ {
		if find(nowKeys, issuedKeys[next]) < 0 {
			emit(issuedKeys[next], &s.Lines[issued[next]], nil)
		}
	}
	// Lines that only adjustments billed (not on the issued statement) and
	// that the re-rating has no more: what they billed comes back.
	var done []lineKey
	for _, a := range sums {
		if find(issuedKeys, a.key) >= 0 || find(nowKeys, a.key) >= 0 || slices.Contains(done, a.key) {
			continue
		}
		done = append(done, a.key)
		was := *a.line
		was.Kind, was.Adjusts, was.Amount = a.key.kind, nil, decimal.Zero
		emitGone(a.key, &was)
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
	case kind == KindUsage && now.Quantity.GreaterThan(was.Quantity):
		fmt.Fprintf(&b, "late usage: quantity %s → %s; %s → %s", was.Quantity, now.Quantity, amt(before), amt(should))
	case kind == KindUsage && !was.Quantity.Equal(now.Quantity):
		// Less usage counts now: the contract's dates or the plan changed.
		fmt.Fprintf(&b, "usage: quantity %s → %s; %s → %s", was.Quantity, now.Quantity, amt(before), amt(should))
	case kind == KindFixedFee && !was.Proration.Equal(now.Proration):
		fmt.Fprintf(&b, "fee prorated %s → %s days; %s → %s", proration(was), proration(now), amt(before), amt(should))
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

// proration writes a fee line's factor as days: "15/30".
func proration(l *Line) string {
	days := int64(l.PeriodEnd-l.PeriodStart) + 1
	if l.Proration.IsZero() || l.Proration.Equal(one) {
		return fmt.Sprintf("%d/%d", days, days)
	}
	full := decimal.NewFromInt(days).Div(l.Proration).Round(0).IntPart()
	return fmt.Sprintf("%d/%d", days, full)
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
	// First one count per product over all the issued periods: usually
	// nothing came late, and that is the whole answer.
	var reqs []usage.Request
	var owners []*product
	for _, p := range e.t.products {
		if b := e.bounds(p, first.Start, lastP.End); len(b) > 1 {
			reqs = append(reqs, usage.Request{Contract: p.pc.ID, Bounds: []date.Date{b[0], b[len(b)-1]},
				Want: usage.WantCount, Ingested: usage.Window{From: since}})
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
	some := owners[:0]
	for i, p := range owners {
		if got[i][0].Count > 0 {
			some = append(some, p)
		}
	}
	if len(some) == 0 {
		return out, nil
	}
	reqs = reqs[:0]
	owners = some
	for _, p := range owners {
		reqs = append(reqs, usage.Request{Contract: p.pc.ID, Bounds: e.bounds(p, first.Start, lastP.End),
			Want: usage.WantCount, Ingested: usage.Window{From: since}})
	}
	e.days = nil
	if got, err = e.src.Aggregate(reqs); err != nil {
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
