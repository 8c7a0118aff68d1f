package billing_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/benchratio"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

// lifetime is a monthly parent contract in a memory store from January
// 2024, with a fee, a 10 % discount, a prepaid credit that lasts for
// years, and three product contracts on the 10-tier plan with 30 events a
// month each for 37 months.
type lifetime struct {
	st  *memory.Store
	org uuid.UUID
	id  uuid.UUID
	pcs []uuid.UUID
}

func newLifetime(tb testing.TB, st *memory.Store, org uuid.UUID) *lifetime {
	tb.Helper()
	ctx := context.Background()
	jan1 := date.New(2024, 1, 1)
	p := benchTiers()
	fee := plan.FixedFee{ID: uuid.New(), Amount: decimal.NewFromInt(49)}
	off := modifier.Discount{ID: uuid.New(), Percentage: decimal.NewNullDecimal(decimal.NewFromInt(10))}
	credit := modifier.Credit{ID: uuid.New(), Amount: decimal.NewFromInt(100000), Priority: modifier.DefaultPriority}
	lt := &lifetime{st: st, org: org, id: uuid.New()}
	parent := contract.ParentContract{SubContract: contract.SubContract{ID: lt.id, Dates: contract.Dates{Start: jan1},
		FixedFees: []uuid.UUID{fee.ID}, Discounts: []uuid.UUID{off.ID}, Credits: []uuid.UUID{credit.ID}}}
	objs := contract.Objects{Plans: []plan.TierPlan{p}, FixedFees: []plan.FixedFee{fee},
		Discounts: []modifier.Discount{off}, Credits: []modifier.Credit{credit}}
	for range 3 {
		pc := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: p.ID, Dates: contract.Dates{Start: jan1}}
		objs.ProductContracts = append(objs.ProductContracts, pc)
		parent.ProductContracts = append(parent.ProductContracts, pc.ID)
		lt.pcs = append(lt.pcs, pc.ID)
	}
	objs.ParentContracts = []contract.ParentContract{parent}
	if _, err := st.Save(ctx, org, store.Batch{Objects: objs}); err != nil {
		tb.Fatal(err)
	}
	var events []usage.Event
	for m := range 37 {
		first := month(m)
		for _, pc := range lt.pcs {
			for e := range 30 {
				events = append(events, usage.Event{ContractID: pc, Date: first + date.Date(e%28),
					Quantity: decimal.NewFromInt(int64(40 + e))})
			}
		}
	}
	if _, err := st.Ingest(ctx, org, events); err != nil {
		tb.Fatal(err)
	}
	return lt
}

// month returns the first day of month m of the contract (0: January 2024).
func month(m int) date.Date { return date.New(2024+m/12, time.Month(1+m%12), 1) }

// issue issues the contract's first n statements.
func (lt *lifetime) issue(tb testing.TB, n int) {
	tb.Helper()
	for m := range n {
		if _, err := billing.Issue(context.Background(), lt.st, lt.org, lt.id, month(m), nil); err != nil {
			tb.Fatal(err)
		}
	}
}

// rate rates month m and returns its statement.
func (lt *lifetime) rate(tb testing.TB, m int) rating.Statement {
	got, err := billing.Rate(context.Background(), lt.st, lt.org, lt.id, month(m), month(m))
	if err != nil || len(got) != 1 {
		tb.Fatalf("month %d: %v", m, err)
	}
	return got[0]
}

// BenchmarkIssuedMonthsRatio rates month 37 of a contract with 36 issued
// statements, as a ratio to rating month 1 of the same contract with none
// issued, side by side in CPU time: with nothing changed since the last
// issue (target ≤ 2×), and with one late event for month 3 (target ≤ 3×),
// whose adjustment month 37 carries.
//
//	go test -run '^$' -bench IssuedMonthsRatio -benchtime 200x ./billing/
func BenchmarkIssuedMonthsRatio(b *testing.B) {
	st := memory.New()
	org := uuid.New()
	fresh := newLifetime(b, st, org)
	quiet := newLifetime(b, st, org)
	quiet.issue(b, 36)
	late := newLifetime(b, st, org)
	late.issue(b, 36)
	_, err := st.Ingest(context.Background(), org, []usage.Event{{ContractID: late.pcs[0], Date: month(2) + 9,
		Quantity: decimal.NewFromInt(500)}})
	if err != nil {
		b.Fatal(err)
	}
	if got := len(late.rate(b, 36).Lines) - len(quiet.rate(b, 36).Lines); got != 2 {
		b.Fatalf("the late event gives %d more lines, want 2 (usage and discount adjustments)", got)
	}
	b.Run("quiet", func(b *testing.B) {
		benchratio.Measure(b, 20, func() { quiet.rate(b, 36) }, func() { fresh.rate(b, 0) })
	})
	b.Run("late", func(b *testing.B) {
		benchratio.Measure(b, 20, func() { late.rate(b, 36) }, func() { fresh.rate(b, 0) })
	})
}
