package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/internal/usagelog"
)

// MarkBilled implements [store.UsageBiller].
func (s *Store) MarkBilled(ctx context.Context, org, parentContract uuid.UUID, through date.Date) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if through == 0 {
		return pricekit.Errorf(pricekit.ErrInvalidInput, "store", "through", "the day billed through is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenant(org, false)
	if t == nil || t.docs[parentContract] == nil || t.docs[parentContract].kind != contract.KindParentContract {
		return pricekit.Errorf(pricekit.ErrNotFound, "store", "contract_id", fmt.Sprintf("no parent contract %s", parentContract))
	}
	marks := t.usage.billed[parentContract]
	if n := len(marks); n > 0 {
		switch last := marks[n-1].through; {
		case through < last:
			return pricekit.Errorf(pricekit.ErrInvalidInput, "store", "through",
				fmt.Sprintf("usage is billed through %s already; a watermark never goes back (got %s)", last, through))
		case through == last:
			return nil
		}
	}
	t.usage.billed[parentContract] = append(marks, watermark{through: through, seq: t.usage.log.Len()})
	return nil
}

// BilledThrough implements [store.UsageBiller].
func (s *Store) BilledThrough(ctx context.Context, org, parentContract uuid.UUID) (date.Date, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.tenant(org, false)
	if t == nil || t.docs[parentContract] == nil || t.docs[parentContract].kind != contract.KindParentContract {
		return 0, pricekit.Errorf(pricekit.ErrNotFound, "store", "contract_id", fmt.Sprintf("no parent contract %s", parentContract))
	}
	marks := t.usage.billed[parentContract]
	if len(marks) == 0 {
		return 0, nil
	}
	return marks[len(marks)-1].through, nil
}

// status of an event: billed, pending (not billed yet) or late.
type status uint8

const (
	pending status = iota
	billed
	late
)

// statusOf classifies an event on day, ingested as seq: the first
// watermark covering its day billed it if it was stored by then.
func statusOf(marks []watermark, day date.Date, seq int) (status, date.Date) {
	for _, m := range marks {
		if m.through >= day {
			if seq < m.seq {
				return billed, m.through
			}
			return late, m.through
		}
	}
	return pending, 0
}

// reportItem is one product contract of a report.
type reportItem struct {
	parent   contract.ParentContract
	pc       contract.ProductContract
	pricer   *plan.Pricer
	events   []int // its events in the report's months, by day then ingest order
	currency string
	places   int32
}

func badQuery(field, msg string) error {
	return pricekit.Errorf(pricekit.ErrInvalidInput, "store", field, msg)
}

// UsageReport implements [store.UsageReporter].
func (s *Store) UsageReport(ctx context.Context, org uuid.UUID, q store.UsageQuery) (store.UsageReport, error) {
	if err := ctx.Err(); err != nil {
		return store.UsageReport{}, err
	}
	switch {
	case (q.CustomerID == uuid.Nil) == (q.ContractID == uuid.Nil):
		return store.UsageReport{}, badQuery("customer_id", "give exactly one of customer_id and contract_id")
	case q.From == 0 || q.To == 0:
		return store.UsageReport{}, badQuery("from", "from and to are required")
	case q.To < q.From:
		return store.UsageReport{}, badQuery("to", fmt.Sprintf("to %s is before from %s", q.To, q.From))
	case q.By != store.ByDay && q.By != store.ByMonth:
		return store.UsageReport{}, badQuery("by", "want by day or by month")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.tenant(org, false)
	if t == nil {
		t = &tenant{docs: map[uuid.UUID]*doc{}}
	}
	items, err := t.reportItems(q)
	if err != nil {
		return store.UsageReport{}, err
	}

	// One pass over the log: the events of the report's product contracts
	// on days from the first of From's month through To.
	lo, hi := monthStart(q.From), q.To
	l := &t.usage.log
	slot := make([]int, l.Groups())
	for g := range slot {
		slot[g] = -1
	}
	for k, it := range items {
		for g := range slot {
			if l.Key(int32(g)).ContractID == it.pc.ID {
				slot[g] = k
			}
		}
	}
	out := store.UsageReport{Query: q, Rows: []store.UsageRow{}}
	for i := range l.Len() {
		k := slot[l.GroupOf(i)]
		if k < 0 {
			continue
		}
		d := l.Day(i)
		if d < lo || d > hi {
			continue
		}
		items[k].events = append(items[k].events, i)
		if d >= q.From {
			if st, through := statusOf(t.usage.billed[items[k].parent.ID], d, i); st == late {
				out.Late = append(out.Late, store.LateUsage{ParentContractID: items[k].parent.ID,
					Event: l.Event(i), Day: d, BilledThrough: through})
			}
		}
	}
	for _, it := range items {
		out.Rows = append(out.Rows, t.rows(q, it)...)
	}
	return out, nil
}

// reportItems lists the product contracts a query covers, by parent
// contract then document order.
func (t *tenant) reportItems(q store.UsageQuery) ([]*reportItem, error) {
	var parents []contract.ParentContract
	only := uuid.Nil
	if q.CustomerID != uuid.Nil {
		for _, id := range t.order[contract.KindParentContract] {
			if p := t.docs[id].value.(contract.ParentContract); p.CustomerID == q.CustomerID {
				parents = append(parents, p)
			}
		}
	} else {
		d := t.docs[q.ContractID]
		switch {
		case d != nil && d.kind == contract.KindParentContract:
			parents = append(parents, d.value.(contract.ParentContract))
		case d != nil && d.kind == contract.KindProductContract:
			only = q.ContractID
			for _, id := range t.order[contract.KindParentContract] {
				p := t.docs[id].value.(contract.ParentContract)
				found := false
				t.walk(p.SubContract, func(pc uuid.UUID) { found = found || pc == only })
				if found {
					parents = append(parents, p)
					break
				}
			}
			if len(parents) == 0 {
				return nil, pricekit.Errorf(pricekit.ErrNotFound, "store", "contract_id",
					fmt.Sprintf("product contract %s is a draft: no parent contract holds it", only))
			}
		default:
			return nil, pricekit.Errorf(pricekit.ErrNotFound, "store", "contract_id",
				fmt.Sprintf("no parent or product contract %s", q.ContractID))
		}
	}
	var items []*reportItem
	var errs error
	for _, p := range parents {
		t.walk(p.SubContract, func(id uuid.UUID) {
			d := t.docs[id]
			if d == nil || errs != nil || (only != uuid.Nil && id != only) {
				return
			}
			pc := d.value.(contract.ProductContract)
			pd := t.docs[pc.PlanID]
			if pd == nil {
				errs = pricekit.Errorf(pricekit.ErrUnknownReference, "store", "tiers", fmt.Sprintf("no tier plan %s", pc.PlanID))
				return
			}
			pr, err := pd.value.(plan.TierPlan).Pricer()
			if err != nil {
				errs = err
				return
			}
			items = append(items, &reportItem{parent: p, pc: pc, pricer: pr,
				currency: p.Currency.Code(), places: p.Currency.MinorUnit()})
		})
	}
	return items, errs
}

func monthStart(d date.Date) date.Date {
	y, m, _ := d.Date()
	return date.New(y, m, 1)
}

// rows builds the rows of one product contract.
func (t *tenant) rows(q store.UsageQuery, it *reportItem) []store.UsageRow {
	l := &t.usage.log
	tp := it.pricer.Plan()
	agg := tp.Aggregation
	slices.SortStableFunc(it.events, func(a, b int) int { return int(l.Day(a) - l.Day(b)) })
	marks := t.usage.billed[it.parent.ID]
	// price is the usage charge of a month's cumulative total; nothing in
	// a month the contract does not run.
	active := false
	price := func(c usagelog.Total) decimal.Decimal {
		if !active {
			return decimal.Zero
		}
		return it.pricer.Amount(tp.Rounding.Apply(value(c, agg))).Round(it.places)
	}

	var out []store.UsageRow
	var (
		month     date.Date
		cum       usagelog.Total // the month's events so far
		row       *store.UsageRow
		total     usagelog.Total
		parts     [3]usagelog.Total
		pricedCum decimal.Decimal // price of cum before the row
	)
	flush := func() {
		if row == nil {
			return
		}
		row.Events, row.Quantity = total.Count(), value(total, agg)
		now := price(cum)
		row.Amount = now.Sub(pricedCum)
		pricedCum = now
		for st, p := range []*store.UsagePart{&row.Pending, &row.Billed, &row.Late} {
			*p = store.UsagePart{Events: parts[st].Count(), Quantity: value(parts[st], agg)}
		}
		if row.Events > 0 || !row.Amount.IsZero() {
			out = append(out, *row)
		}
		row, total, parts = nil, usagelog.Total{}, [3]usagelog.Total{}
	}
	open := func(start, end date.Date) {
		row = &store.UsageRow{ParentContractID: it.parent.ID, ContractID: it.pc.ID, ProductID: it.pc.ProductID,
			PlanID: it.pc.PlanID, Currency: it.currency, Start: max(start, q.From), End: min(end, q.To), Aggregation: agg}
	}
	next := 0
	// Walk the days from the first of From's month through To, one row
	// per day or month inside [From, To]; the days of From's month before
	// From only build up the month's cumulative total.
	for d := monthStart(q.From); d <= q.To; d++ {
		if m := monthStart(d); m != month {
			flush()
			// The month's base charge (the price of no usage) belongs to
			// the month's first row.
			month, cum, pricedCum = m, usagelog.Total{}, decimal.Zero
			y, mo, _ := m.Date()
			active = it.pc.Start < date.New(y, mo+1, 1) && (it.pc.End == 0 || it.pc.End >= m)
		}
		if row == nil && d >= q.From {
			if q.By == store.ByDay {
				open(d, d)
			} else {
				y, mo, _ := d.Date()
				open(d, date.New(y, mo+1, 1)-1)
			}
		}
		for next < len(it.events) && l.Day(it.events[next]) == d {
			i := it.events[next]
			l.AddTo(&cum, i)
			if row != nil {
				l.AddTo(&total, i)
				st, _ := statusOf(marks, d, i)
				l.AddTo(&parts[st], i)
			}
			next++
		}
		if row != nil && (q.By == store.ByDay || d == row.End) {
			flush()
		} else if row == nil {
			pricedCum = price(cum) // days before From: their share is not reported
		}
	}
	flush()
	return out
}

// value is the aggregate of t that aggregation a takes.
func value(t usagelog.Total, a plan.Aggregation) decimal.Decimal {
	switch a {
	case plan.Max:
		return t.Max()
	case plan.Count:
		return decimal.NewFromInt(t.Count())
	case plan.Latest:
		return t.Latest()
	}
	return t.Sum()
}
