package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// Accepted means rateable: a save the store accepts never leaves a parent
// contract that can no longer be rated, and a stored event is never a
// reason to refuse a rating (docs/errors.md). Usage outside a contract's
// dates after a change is kept, and not billed.
func rateableTests() []test {
	return []test{
		{"shortened product contract", testRateableShortened},
		{"pricing breadth rated through the store as in memory", testRateablePricingBreadth},
		{"time zone changed", testRateableTimeZone},
		{"product contract taken out", testRateableTakenOut},
		{"parent contract shortened", testRateableParentShortened},
	}
}

// perUnit is a small tree: a monthly parent contract of 2024 (UTC) with one
// product contract at 1.00 a unit through June, and usage on 10 January,
// 10 March and 10 May.
type perUnit struct {
	org     uuid.UUID
	plan    plan.TierPlan
	product contract.ProductContract
	parent  contract.ParentContract
}

func newPerUnit(t *testing.T, s store.Store) perUnit {
	t.Helper()
	p := perUnit{org: uuid.New()}
	p.plan = plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated, Tiers: []plan.Tier{{Start: dec("0"), UnitPrice: dec("1")}}}
	p.product = contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: p.plan.ID,
		Dates: contract.Dates{Start: day("2024-01-01"), End: day("2024-06-30")}}
	p.parent = contract.ParentContract{SubContract: contract.SubContract{ID: uuid.New(),
		Dates: contract.Dates{Start: day("2024-01-01"), End: day("2024-12-31")}, ProductContracts: []uuid.UUID{p.product.ID}},
		TimeZone: "UTC"}
	save(t, s, p.org, contract.Objects{Plans: []plan.TierPlan{p.plan}, ProductContracts: []contract.ProductContract{p.product},
		ParentContracts: []contract.ParentContract{p.parent}})
	_, err := s.Ingest(t.Context(), p.org, []usage.Event{event("jan", p.product.ID, "2024-01-10", "1"),
		event("mar", p.product.ID, "2024-03-10", "10"), event("may", p.product.ID, "2024-05-10", "100")})
	require.NoError(t, err)
	return p
}

// billed rates the parent contract over the first half of 2024 and returns
// each month's total.
func (p perUnit) billed(t *testing.T, s store.Store) []string {
	t.Helper()
	stmts, err := billing.Rate(t.Context(), s, p.org, p.parent.ID, day("2024-01-01"), day("2024-06-30"))
	require.NoError(t, err, "an accepted save leaves the contract rateable")
	return totals(stmts)
}

func totals(stmts []rating.Statement) []string {
	out := make([]string, len(stmts))
	for i, st := range stmts {
		out[i] = st.Total.StringFixed(2)
	}
	return out
}

func testRateableShortened(t *testing.T, s store.Store) {
	p := newPerUnit(t, s)
	assert.Equal(t, []string{"1.00", "0.00", "10.00", "0.00", "100.00", "0.00"}, p.billed(t, s))
	p.product.End = day("2024-02-29") // after usage on 10 March and 10 May
	save(t, s, p.org, contract.Objects{ProductContracts: []contract.ProductContract{p.product}})
	assert.Equal(t, []string{"1.00", "0.00", "0.00", "0.00", "0.00", "0.00"}, p.billed(t, s))
	assert.Len(t, allUsage(t, s, p.org, p.product.ID), 3, "the usage is kept")
}

func testRateableTimeZone(t *testing.T, s store.Store) {
	p := newPerUnit(t, s)
	// 23:30 UTC on 30 June is 30 June in UTC, within the product's dates;
	// in Berlin it would be 1 July, outside them.
	late := usage.Event{ID: "late", ContractID: p.product.ID, Timestamp: time.Date(2024, 6, 30, 23, 30, 0, 0, time.UTC),
		Quantity: dec("1000")}
	_, err := s.Ingest(t.Context(), p.org, []usage.Event{late})
	require.NoError(t, err)
	p.parent.TimeZone = "Europe/Berlin"
	save(t, s, p.org, contract.Objects{ParentContracts: []contract.ParentContract{p.parent}})
	// The day an event was given when it was accepted stands.
	assert.Equal(t, []string{"1.00", "0.00", "10.00", "0.00", "100.00", "1000.00"}, p.billed(t, s))
}

func testRateableTakenOut(t *testing.T, s store.Store) {
	p := newPerUnit(t, s)
	p.parent.ProductContracts = nil
	save(t, s, p.org, contract.Objects{ParentContracts: []contract.ParentContract{p.parent}})
	assert.Equal(t, []string{"0.00", "0.00", "0.00", "0.00", "0.00", "0.00"}, p.billed(t, s))
	assert.Len(t, allUsage(t, s, p.org, p.product.ID), 3)
}

func testRateableParentShortened(t *testing.T, s store.Store) {
	p := newPerUnit(t, s)
	p.parent.End = day("2024-04-15") // the product runs on to June: clipped
	save(t, s, p.org, contract.Objects{ParentContracts: []contract.ParentContract{p.parent}})
	stmts, err := billing.Rate(t.Context(), s, p.org, p.parent.ID, 0, 0)
	require.NoError(t, err)
	assert.Equal(t, []string{"1.00", "0.00", "10.00", "0.00"}, totals(stmts))
	assert.Equal(t, day("2024-04-15"), stmts[3].PeriodEnd)
}

// testRateablePricingBreadth checks that a contract using percentage
// pricing, plan bounds, a cap, a commitment and a recurring credit is
// rated through the store exactly as from the same events in memory: the
// per-event charges come from where the usage is kept.
func testRateablePricingBreadth(t *testing.T, s store.Store) {
	org := uuid.New()
	start := day("2024-01-01")
	card := plan.TierPlan{ID: uuid.New(), Pricing: plan.Percentage, Rate: dec("2"), EventFee: dec("0.25"),
		FreeEvents: 1, EventMinimum: decimal.NewNullDecimal(dec("0.50")), EventMaximum: decimal.NewNullDecimal(dec("9"))}
	units := plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated, Tiers: []plan.Tier{{Start: dec("0"), UnitPrice: dec("1")}},
		FreeQuantity: dec("5"), Minimum: decimal.NewNullDecimal(dec("3"))}
	payments := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: card.ID, Dates: contract.Dates{Start: start}}
	seats := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: units.ID, Dates: contract.Dates{Start: start}}
	cap := modifier.Maximum{ID: uuid.New(), Amount: dec("80")}
	quarter := modifier.Minimum{ID: uuid.New(), Amount: dec("150"), Period: schedule.Every{N: 3, Unit: schedule.Month}}
	included := modifier.Credit{ID: uuid.New(), Amount: dec("10"), Priority: 50, Recurrence: schedule.Every{N: 1, Unit: schedule.Month},
		Rollover: dec("0.5")}
	parent := contract.ParentContract{SubContract: contract.SubContract{ID: uuid.New(),
		Dates: contract.Dates{Start: start, End: day("2024-06-30")}, ProductContracts: []uuid.UUID{payments.ID, seats.ID},
		Minimums: []uuid.UUID{quarter.ID}, Maximums: []uuid.UUID{cap.ID}, Credits: []uuid.UUID{included.ID}}}
	objs := contract.Objects{Plans: []plan.TierPlan{card, units}, Minimums: []modifier.Minimum{quarter},
		Maximums: []modifier.Maximum{cap}, Credits: []modifier.Credit{included},
		ProductContracts: []contract.ProductContract{payments, seats}, ParentContracts: []contract.ParentContract{parent}}
	save(t, s, org, objs)
	var events []usage.Event
	for i := range 120 {
		pc := payments.ID
		if i%3 == 0 {
			pc = seats.ID
		}
		events = append(events, usage.Event{ID: fmt.Sprintf("e%d", i), ContractID: pc, Date: start + date.Date(i*3/2),
			Quantity: dec(fmt.Sprintf("%d.%02d", (i*37)%900, i%100))})
	}
	_, err := s.Ingest(t.Context(), org, events)
	require.NoError(t, err)
	stored, err := billing.Rate(t.Context(), s, org, parent.ID, 0, 0)
	require.NoError(t, err)
	saved, err := store.Resolve(t.Context(), s, org, parent.ID)
	require.NoError(t, err)
	inMemory, err := rating.Rate(rating.Input{Objects: saved, Contract: parent.ID, Usage: events})
	require.NoError(t, err)
	require.Len(t, stored, 6)
	want, err := json.Marshal(inMemory)
	require.NoError(t, err)
	got, err := json.Marshal(stored)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))
}
