package rating_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/usage"
)

// dec reads a decimal written in a test.
func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// day reads a day written in a test.
func day(s string) date.Date { return date.MustParseISO(s) }

func every(s string) schedule.Every {
	e, err := schedule.ParseEvery(s)
	if err != nil {
		panic(err)
	}
	return e
}

// bundle builds the documents of a test contract tree, with ids counted
// from 1 so runs are reproducible.
type bundle struct {
	contract.Objects
	n int
}

func (b *bundle) id() uuid.UUID {
	b.n++
	return uuid.MustParse(fmt.Sprintf("00000000-0000-4000-8000-%012d", b.n))
}

// tier is [start, end] at price (+ flat); an empty end is unbounded.
func tier(start, end, price, flat string) plan.Tier {
	t := plan.Tier{Start: dec(start), UnitPrice: dec(price)}
	if end != "" {
		t.End = decimal.NewNullDecimal(dec(end))
	}
	if flat != "" {
		t.FlatFee = dec(flat)
	}
	return t
}

// plan adds a tier plan and returns its id.
func (b *bundle) plan(p plan.TierPlan) uuid.UUID {
	p.ID = b.id()
	if p.Pricing == 0 {
		p.Pricing = plan.Graduated
	}
	b.Plans = append(b.Plans, p)
	return p.ID
}

// perUnit adds a plan charging price for every unit.
func (b *bundle) perUnit(price string) uuid.UUID {
	return b.plan(plan.TierPlan{Tiers: []plan.Tier{tier("0", "", price, "")}})
}

func (b *bundle) freq(f schedule.BillingFrequency) uuid.UUID {
	f.ID = b.id()
	if f.Type == 0 {
		f.Type = schedule.Anniversary
	}
	if f.Interval == 0 {
		f.Interval = 1
	}
	if f.Anchor == 0 {
		f.Anchor = schedule.AnchorStart
	}
	b.BillingFrequencies = append(b.BillingFrequencies, f)
	return f.ID
}

// product adds a product contract on planID and returns it.
func (b *bundle) product(planID uuid.UUID, start, end string, freq uuid.UUID) contract.ProductContract {
	pc := contract.ProductContract{ID: b.id(), ProductID: b.id(), PlanID: planID, BillingFrequency: freq,
		Dates: dates(start, end)}
	b.ProductContracts = append(b.ProductContracts, pc)
	return pc
}

// fee adds a fixed fee; period is "", "once" or a recurrence such as "3M".
func (b *bundle) fee(amount, period string) uuid.UUID {
	f := plan.FixedFee{ID: b.id(), Amount: dec(amount)}
	switch period {
	case "":
	case "once":
		f.Period.Once = true
	default:
		f.Period.Every = every(period)
	}
	b.FixedFees = append(b.FixedFees, f)
	return f.ID
}

func (b *bundle) percentOff(p, threshold string) uuid.UUID {
	d := modifier.Discount{ID: b.id(), Percentage: decimal.NewNullDecimal(dec(p))}
	if threshold != "" {
		d.Threshold = decimal.NewNullDecimal(dec(threshold))
	}
	b.Discounts = append(b.Discounts, d)
	return d.ID
}

func (b *bundle) amountOff(a string) uuid.UUID {
	d := modifier.Discount{ID: b.id(), Amount: decimal.NewNullDecimal(dec(a))}
	b.Discounts = append(b.Discounts, d)
	return d.ID
}

func (b *bundle) minimum(a string) uuid.UUID {
	m := modifier.Minimum{ID: b.id(), Amount: dec(a)}
	b.Minimums = append(b.Minimums, m)
	return m.ID
}

func (b *bundle) credit(c modifier.Credit) uuid.UUID {
	c.ID = b.id()
	if c.Priority == 0 {
		c.Priority = modifier.DefaultPriority
	}
	b.Credits = append(b.Credits, c)
	return c.ID
}

func (b *bundle) sub(s contract.SubContract) uuid.UUID {
	s.ID = b.id()
	b.SubContracts = append(b.SubContracts, s)
	return s.ID
}

func (b *bundle) parent(p contract.ParentContract) uuid.UUID {
	p.ID = b.id()
	b.ParentContracts = append(b.ParentContracts, p)
	return p.ID
}

func dates(start, end string) contract.Dates {
	d := contract.Dates{Start: day(start)}
	if end != "" {
		d.End = day(end)
	}
	return d
}

func ids(list ...uuid.UUID) []uuid.UUID { return list }

// on is a usage event of quantity q for pc on day.
func on(pc contract.ProductContract, dayText, q string) usage.Event {
	return usage.Event{ContractID: pc.ID, Date: day(dayText), Quantity: dec(q)}
}

// at is a usage event of quantity q for pc at a timestamp.
func at(pc contract.ProductContract, ts, q string) usage.Event {
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		panic(err)
	}
	return usage.Event{ContractID: pc.ID, Timestamp: t, Quantity: dec(q)}
}

// rate rates parent id of b over [from, to], requiring success.
func (b *bundle) rate(t *testing.T, id uuid.UUID, from, to string, events ...usage.Event) []rating.Statement {
	t.Helper()
	in := rating.Input{Objects: b.Objects, Contract: id, Usage: events}
	if from != "" {
		in.From = day(from)
	}
	if to != "" {
		in.To = day(to)
	}
	stmts, err := rating.Rate(in)
	require.NoError(t, err)
	return stmts
}

// want is an expected line: only the fields set are checked.
type want struct {
	kind       rating.Kind
	contract   uuid.UUID
	ref        uuid.UUID // fee, modifier or plan id
	start, end string    // period, inclusive
	quantity   string
	amount     string
	proration  string
}

// assertLines checks got line by line against want.
func assertLines(t *testing.T, want []want, got []rating.Line) {
	t.Helper()
	if !assert.Len(t, got, len(want), "lines: %s", describe(got)) {
		return
	}
	for i, w := range want {
		g := got[i]
		assert.Equal(t, w.kind, g.Kind, "line %d kind", i)
		if w.contract != uuid.Nil {
			assert.Equal(t, w.contract, g.ContractID, "line %d contract_id", i)
		}
		if w.ref != uuid.Nil {
			ref := map[rating.Kind]uuid.UUID{rating.KindUsage: g.PlanID, rating.KindFixedFee: g.FeeID,
				rating.KindDiscount: g.ModifierID, rating.KindMinimum: g.ModifierID, rating.KindMaximum: g.ModifierID,
				rating.KindCredit: g.ModifierID}[g.Kind]
			assert.Equal(t, w.ref, ref, "line %d id", i)
		}
		if w.start != "" {
			assert.Equal(t, w.start, g.PeriodStart.String(), "line %d period_start", i)
		}
		if w.end != "" {
			assert.Equal(t, w.end, g.PeriodEnd.String(), "line %d period_end", i)
		}
		if w.quantity != "" {
			assertDec(t, w.quantity, g.Quantity, "line %d quantity", i)
		}
		if w.amount != "" {
			assertDec(t, w.amount, g.Amount, "line %d amount", i)
		}
		if w.proration != "" {
			assertDec(t, w.proration, g.Proration, "line %d proration", i)
		}
	}
}

func describe(lines []rating.Line) string {
	s := ""
	for _, l := range lines {
		s += fmt.Sprintf("\n  %s %s..%s q=%s %s", l.Kind, l.PeriodStart, l.PeriodEnd, l.Quantity, l.Amount)
	}
	return s
}

// assertDec checks a decimal by value (1.0 equals 1.00).
func assertDec(t *testing.T, want string, got decimal.Decimal, msgAndArgs ...any) {
	t.Helper()
	if !dec(want).Equal(got) {
		assert.Fail(t, fmt.Sprintf("want %s, got %s", want, got), msgAndArgs...)
	}
}

// assertTotals checks a statement's sums.
func assertTotals(t *testing.T, s rating.Statement, subtotal, discounts, minimums, credits, total string) {
	t.Helper()
	assertDec(t, subtotal, s.Subtotal, "subtotal")
	assertDec(t, discounts, s.Discounts, "discounts")
	assertDec(t, minimums, s.Minimums, "minimums")
	assertDec(t, credits, s.Credits, "credits")
	assertDec(t, total, s.Total, "total")
}

// dayOffset is i days, to add to a date.Date.
func dayOffset(i int) date.Date { return date.Date(i) }

// planWithBaseFee is a plan at 1.00 a unit whose first tier charges flat:
// a base fee for every period the product contract is active in.
func planWithBaseFee(flat string) plan.TierPlan {
	return plan.TierPlan{Pricing: plan.Graduated, Tiers: []plan.Tier{tier("0", "", "1", flat)}}
}
