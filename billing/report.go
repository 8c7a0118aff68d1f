package billing

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/money"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// Marker is what billing's marks need of a store.
type Marker interface {
	store.Reader
	store.UsageMarker
}

// MarkBilled records that the usage of parent contract id on days through
// `through` (inclusive), as stored now, is billed: events on those days
// that arrive later are late — kept, reported, never dropped. A mark never
// goes back: an earlier day than the last is ErrInvalidInput, the same day
// again changes nothing; an id that is not a parent contract is
// ErrNotFound.
func MarkBilled(ctx context.Context, st Marker, org, id uuid.UUID, through date.Date) error {
	if through == 0 {
		return pricekit.Errorf(pricekit.ErrInvalidInput, "billing", "through", "the day billed through is required")
	}
	if _, err := st.Get(ctx, org, contract.KindParentContract, id); err != nil {
		return err
	}
	return st.Mark(ctx, org, id, through)
}

// BilledThrough returns the last day parent contract id is billed through
// (0: none yet).
func BilledThrough(ctx context.Context, st Marker, org, id uuid.UUID) (date.Date, error) {
	if _, err := st.Get(ctx, org, contract.KindParentContract, id); err != nil {
		return 0, err
	}
	marks, err := st.Marks(ctx, org, id)
	if err != nil || len(marks) == 0 {
		return 0, err
	}
	return marks[len(marks)-1].Through, nil
}

// Granularity is the length of a report row.
type Granularity uint8

// The granularities of a usage report.
const (
	ByDay   Granularity = iota + 1 // one row per product contract and day
	ByMonth                        // one row per product contract and calendar month
)

// String returns "day" or "month".
func (g Granularity) String() string {
	switch g {
	case ByDay:
		return "day"
	case ByMonth:
		return "month"
	}
	return fmt.Sprintf("Granularity(%d)", uint8(g))
}

// UsageQuery selects a usage report: the usage of a customer (all its
// parent contracts) or of one contract (a parent or a product contract),
// on the days From through To (inclusive), by day or by month.
type UsageQuery struct {
	CustomerID uuid.UUID // exactly one of CustomerID and ContractID
	ContractID uuid.UUID
	From, To   date.Date
	By         Granularity
}

// UsageReport is the usage of a customer or contract, row by row.
type UsageReport struct {
	Query UsageQuery
	// Rows come by parent contract, then product contract in document
	// order, then date; only rows with events or an amount are listed.
	Rows []UsageRow
	// Late lists the events on already-billed days that arrived after the
	// mark was set, in ingest order.
	Late []LateUsage
}

// UsageRow is the usage of one product contract over one day or month
// (clipped to the query's days).
type UsageRow struct {
	ParentContractID uuid.UUID
	ContractID       uuid.UUID // the product contract
	ProductID        uuid.UUID
	PlanID           uuid.UUID
	Currency         string
	Start, End       date.Date // inclusive
	Aggregation      plan.Aggregation
	Events           int64
	// Quantity is the row's events aggregated as the plan says, before
	// the plan's quantity rounding.
	Quantity decimal.Decimal
	// Amount is the row's share of its calendar month's usage charge: the
	// price of the month's usage through the row's last day less the price
	// through the day before its first, each rounded to the currency's
	// minor unit. Days of a month add up to the month, and a month row is
	// the charge of that month's usage as one period (tier flat fees
	// included, landing on the month's first day).
	Amount decimal.Decimal
	// Billed, Pending and Late split the row's events by the marks.
	Billed, Pending, Late UsagePart
}

// UsagePart is a share of a row's events.
type UsagePart struct {
	Events   int64
	Quantity decimal.Decimal // aggregated as the plan says
}

// LateUsage is an event that arrived for an already-billed day.
type LateUsage struct {
	ParentContractID uuid.UUID
	Event            usage.Event
	Day              date.Date // in the parent contract's time zone
	BilledThrough    date.Date // the mark it arrived after
	position         int64     // its ingest position, which orders the list
}

// Reporter is what usage reports need of a store.
type Reporter interface {
	store.Reader
	store.UsageAggregator
	store.UsageReader
	store.UsageMarker
}

func badQuery(field, msg string) error {
	return pricekit.Errorf(pricekit.ErrInvalidInput, "billing", field, msg)
}

// Report reports stored usage for people: rows by day or month per
// product contract, what they cost, and which part of them is billed,
// pending or late. It is computed here from what every store provides —
// its documents, its aggregates and its marks — so it is the same on every
// back end.
func Report(ctx context.Context, st Reporter, org uuid.UUID, q UsageQuery) (UsageReport, error) {
	switch {
	case (q.CustomerID == uuid.Nil) == (q.ContractID == uuid.Nil):
		return UsageReport{}, badQuery("customer_id", "give exactly one of customer_id and contract_id")
	case q.From == 0 || q.To == 0:
		return UsageReport{}, badQuery("from", "from and to are required")
	case q.To < q.From:
		return UsageReport{}, badQuery("to", fmt.Sprintf("to %s is before from %s", q.To, q.From))
	case q.By != ByDay && q.By != ByMonth:
		return UsageReport{}, badQuery("by", "want by day or by month")
	}
	items, err := reportItems(ctx, st, org, q)
	if err != nil {
		return UsageReport{}, err
	}
	out := UsageReport{Query: q, Rows: []UsageRow{}}
	for _, it := range items {
		rows, late, err := it.report(ctx, st, org, q)
		if err != nil {
			return UsageReport{}, err
		}
		out.Rows = append(out.Rows, rows...)
		out.Late = append(out.Late, late...)
	}
	slices.SortStableFunc(out.Late, func(a, b LateUsage) int { return compareInt(a.position, b.position) })
	return out, nil
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// reportItem is one product contract of a report, in its parent's tree.
type reportItem struct {
	parent contract.ParentContract
	pc     contract.ProductContract
	pricer *plan.Pricer
	marks  []usage.Mark
}

// reportItems lists the product contracts a query covers, by parent
// contract then document order.
func reportItems(ctx context.Context, st Reporter, org uuid.UUID, q UsageQuery) ([]reportItem, error) {
	var parents []contract.ParentContract
	only := uuid.Nil
	switch {
	case q.CustomerID != uuid.Nil:
		ps, err := st.ParentContracts(ctx, org, q.CustomerID)
		if err != nil {
			return nil, err
		}
		parents = ps
	default:
		if got, err := st.Get(ctx, org, contract.KindParentContract, q.ContractID); err == nil {
			parents = got.ParentContracts
			break
		}
		if _, err := st.Get(ctx, org, contract.KindProductContract, q.ContractID); err != nil {
			return nil, pricekit.Errorf(pricekit.ErrNotFound, "billing", "contract_id",
				fmt.Sprintf("no parent or product contract %s", q.ContractID))
		}
		only = q.ContractID
		all, err := st.List(ctx, org, contract.KindParentContract)
		if err != nil {
			return nil, err
		}
		parents = all.ParentContracts
	}
	var items []reportItem
	for _, p := range parents {
		tree, err := store.Resolve(ctx, st, org, p.ID)
		if err != nil {
			return nil, err
		}
		marks, err := st.Marks(ctx, org, p.ID)
		if err != nil {
			return nil, err
		}
		for _, pc := range productsOf(tree) {
			if only != uuid.Nil && pc.ID != only {
				continue
			}
			i := slices.IndexFunc(tree.Plans, func(tp plan.TierPlan) bool { return tp.ID == pc.PlanID })
			if i < 0 {
				return nil, pricekit.Errorf(pricekit.ErrUnknownReference, "billing", "tiers", fmt.Sprintf("no tier plan %s", pc.PlanID))
			}
			pr, err := tree.Plans[i].Pricer()
			if err != nil {
				return nil, err
			}
			items = append(items, reportItem{parent: p, pc: pc, pricer: pr, marks: marks})
		}
		if only != uuid.Nil && len(items) > 0 {
			break
		}
	}
	if only != uuid.Nil && len(items) == 0 {
		return nil, pricekit.Errorf(pricekit.ErrNotFound, "billing", "contract_id",
			fmt.Sprintf("product contract %s is a draft: no parent contract holds it", only))
	}
	return items, nil
}

// productsOf lists the product contracts of a resolved tree in document
// order: a contract's own, then its sub contracts' in turn.
func productsOf(tree contract.Objects) []contract.ProductContract {
	pcs := map[uuid.UUID]contract.ProductContract{}
	for _, p := range tree.ProductContracts {
		pcs[p.ID] = p
	}
	subs := map[uuid.UUID]contract.SubContract{}
	for _, s := range tree.SubContracts {
		subs[s.ID] = s
	}
	var out []contract.ProductContract
	var walk func(s contract.SubContract, depth int)
	walk = func(s contract.SubContract, depth int) {
		for _, id := range s.ProductContracts {
			out = append(out, pcs[id])
		}
		if depth < contract.MaxDepth {
			for _, id := range s.SubContracts {
				walk(subs[id], depth+1)
			}
		}
	}
	walk(tree.ParentContracts[0].SubContract, 0)
	return out
}

func monthStart(d date.Date) date.Date {
	y, m, _ := d.Date()
	return date.New(y, m, 1)
}

func nextMonth(d date.Date) date.Date {
	y, m, _ := d.Date()
	return date.New(y, m+1, 1)
}

// report builds the rows of one product contract and the late events
// among them.
func (it reportItem) report(ctx context.Context, st Reporter, org uuid.UUID, q UsageQuery) ([]UsageRow, []LateUsage, error) {
	tp := it.pricer.Plan()
	places := it.parent.Currency.MinorUnit()
	type rowSpec struct {
		start, end date.Date // inclusive
		total      int       // index of the request for all its events
		cumThrough int       // the month's events through its end
		cumBefore  int       // the month's events before its start; -1: none (the month's first row)
		parts      [3][]int  // billed, pending, late: requests, in day order
	}
	var reqs []usage.Request
	ask := func(from, through date.Date, w usage.Window) int {
		reqs = append(reqs, usage.Request{Contract: it.pc.ID, Bounds: []date.Date{from, through + 1}, Ingested: w})
		return len(reqs) - 1
	}
	var specs []rowSpec
	for d := q.From; d <= q.To; {
		end := d
		if q.By == ByMonth {
			end = min(nextMonth(d)-1, q.To)
		}
		sp := rowSpec{start: d, end: end, cumBefore: -1}
		sp.total = ask(d, end, usage.Window{})
		ms := monthStart(d)
		sp.cumThrough = ask(ms, end, usage.Window{})
		if d > ms {
			sp.cumBefore = ask(ms, d-1, usage.Window{})
		}
		// The marks split the row's days: each day is governed by the first
		// mark that reaches it, and days past the last mark are pending.
		lo := d
		for _, m := range it.marks {
			if lo > end {
				break
			}
			if m.Through < lo {
				continue
			}
			hi := min(m.Through, end)
			sp.parts[0] = append(sp.parts[0], ask(lo, hi, usage.Window{Before: m.Position}))
			sp.parts[2] = append(sp.parts[2], ask(lo, hi, usage.Window{From: m.Position}))
			lo = hi + 1
		}
		if lo <= end {
			sp.parts[1] = append(sp.parts[1], ask(lo, end, usage.Window{}))
		}
		specs = append(specs, sp)
		d = end + 1
	}
	got, err := st.Aggregate(ctx, org, reqs)
	if err != nil {
		return nil, nil, err
	}
	agg := func(i int) usage.Aggregates { return got[i][0] }
	value := func(a usage.Aggregates) decimal.Decimal { return rating.Quantity(a, tp.Aggregation) }
	price := func(ms date.Date, a usage.Aggregates) decimal.Decimal {
		if it.pc.Start >= nextMonth(ms) || (it.pc.End != 0 && it.pc.End < ms) {
			return decimal.Zero // no charge in a month the contract does not run
		}
		return money.Round(it.pricer.Amount(tp.Rounding.Apply(value(a))), places)
	}
	var rows []UsageRow
	for _, sp := range specs {
		ms := monthStart(sp.start)
		row := UsageRow{ParentContractID: it.parent.ID, ContractID: it.pc.ID, ProductID: it.pc.ProductID,
			PlanID: it.pc.PlanID, Currency: it.parent.Currency.Code(), Start: sp.start, End: sp.end, Aggregation: tp.Aggregation}
		total := agg(sp.total)
		row.Events, row.Quantity = total.Count, value(total)
		row.Amount = price(ms, agg(sp.cumThrough))
		if sp.cumBefore >= 0 {
			row.Amount = row.Amount.Sub(price(ms, agg(sp.cumBefore)))
		}
		for k, dst := range []*UsagePart{&row.Billed, &row.Pending, &row.Late} {
			var a usage.Aggregates
			for _, i := range sp.parts[k] {
				a = a.Merge(agg(i))
			}
			*dst = UsagePart{Events: a.Count, Quantity: value(a)}
		}
		if row.Events > 0 || !row.Amount.IsZero() {
			rows = append(rows, row)
		}
	}
	var late []LateUsage
	lo := q.From
	for _, m := range it.marks {
		if m.Through < lo {
			continue
		}
		hi := min(m.Through, q.To)
		if lo > hi {
			break
		}
		evs, err := st.UsageSince(ctx, org, []uuid.UUID{it.pc.ID}, lo, hi, m.Position)
		if err != nil {
			return nil, nil, err
		}
		for _, e := range evs {
			late = append(late, LateUsage{ParentContractID: it.parent.ID, Event: e.Event, Day: e.Day,
				BilledThrough: m.Through, position: e.Position})
		}
		lo = hi + 1
	}
	return rows, late, nil
}
