// Command usage-report ingests a day of synthetic usage for a few
// customers into an in-memory store, bills the day, receives one event
// late, and prints the usage report a person would read.
//
//	go run ./examples/usage-report
package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

type customer struct {
	name, zone string
	id, parent uuid.UUID
	products   []contract.ProductContract
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "usage-report:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	s := memory.New()
	org := uuid.New()
	day := date.New(2024, 3, 10) // the day New York moves its clocks forward

	// Two products, priced graduated: API calls and storage (GB, max).
	calls := plan.TierPlan{ID: uuid.New(), DisplayName: "api calls", Pricing: plan.Graduated, Tiers: []plan.Tier{
		{Start: decimal.Zero, End: decimal.NewNullDecimal(decimal.NewFromInt(1000)), UnitPrice: decimal.RequireFromString("0.002")},
		{Start: decimal.NewFromInt(1000), UnitPrice: decimal.RequireFromString("0.001")},
	}}
	storage := plan.TierPlan{ID: uuid.New(), DisplayName: "storage", Pricing: plan.Volume, Aggregation: plan.Max,
		Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: decimal.RequireFromString("0.023")}}}
	names := map[uuid.UUID]string{calls.ID: "api calls", storage.ID: "storage GB"}

	customers := []*customer{{name: "Acme (New York)", zone: "America/New_York"},
		{name: "Kiwi Labs (Kiritimati)", zone: "Pacific/Kiritimati"}, {name: "Baker Island Co (UTC−12)", zone: "Etc/GMT+12"}}
	objs := contract.Objects{Plans: []plan.TierPlan{calls, storage}}
	for _, c := range customers {
		c.id, c.parent = uuid.New(), uuid.New()
		objs.Customers = append(objs.Customers, contract.Customer{ID: c.id, Name: c.name})
		parent := contract.ParentContract{SubContract: contract.SubContract{ID: c.parent,
			Dates: contract.Dates{Start: date.New(2024, 1, 1)}}, CustomerID: c.id, TimeZone: c.zone}
		for _, p := range []plan.TierPlan{calls, storage} {
			pc := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: p.ID,
				Dates: contract.Dates{Start: date.New(2024, 1, 1)}}
			c.products = append(c.products, pc)
			objs.ProductContracts = append(objs.ProductContracts, pc)
			parent.ProductContracts = append(parent.ProductContracts, pc.ID)
		}
		objs.ParentContracts = append(objs.ParentContracts, parent)
	}
	if _, err := s.Save(ctx, org, store.Batch{Objects: objs}); err != nil {
		return err
	}

	// A day of usage, timestamped in UTC: each customer's own day runs
	// from its local midnight, so the events are spread over the local
	// days around 10 March.
	r := rand.New(rand.NewPCG(2024, 3))
	var events []usage.Event
	start := time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC)
	for i := range 240 {
		c := customers[i%len(customers)]
		pc := c.products[r.IntN(2)]
		q := decimal.NewFromInt(int64(1 + r.IntN(40)))
		if pc.PlanID == storage.ID {
			q = decimal.New(int64(100+r.IntN(900)), -1) // GB, one decimal
		}
		events = append(events, usage.Event{ID: fmt.Sprintf("rec-%04d", i), ContractID: pc.ID,
			Timestamp: start.Add(time.Duration(i) * 6 * time.Minute), Quantity: q})
	}
	got, err := s.Ingest(ctx, org, events)
	if err != nil {
		return err
	}
	fmt.Printf("ingested %d events (%d replayed)\n", got.Added, got.Replayed)
	if got, err = s.Ingest(ctx, org, events[:50]); err != nil { // the meter retries: no-ops
		return err
	}
	fmt.Printf("a retry of 50: %d added, %d replayed\n", got.Added, got.Replayed)

	// The host bills everything through 10 March; then an event for
	// 10 March arrives: it is kept and reported as late.
	acme := customers[0]
	if err := billing.MarkBilled(ctx, s, org, acme.parent, day); err != nil {
		return err
	}
	late := usage.Event{ID: "rec-late", ContractID: acme.products[0].ID,
		Timestamp: time.Date(2024, 3, 10, 18, 0, 0, 0, time.UTC), Quantity: decimal.NewFromInt(500)}
	if _, err := s.Ingest(ctx, org, []usage.Event{late}); err != nil {
		return err
	}

	for _, c := range customers {
		rep, err := billing.Report(ctx, s, org, billing.UsageQuery{CustomerID: c.id,
			From: day - 1, To: day + 1, By: billing.ByDay})
		if err != nil {
			return err
		}
		billed, err := billing.BilledThrough(ctx, s, org, c.parent)
		if err != nil {
			return err
		}
		fmt.Printf("\n%s — usage %s to %s (%s), billed through %s\n", c.name, day-1, day+1, c.zone, orNone(billed))
		w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(w, "day\tproduct\tagg\tevents\tquantity\tamount\tbilled\tpending\tlate\t")
		total := decimal.Zero
		for _, row := range rep.Rows {
			fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s %s\t%d\t%d\t%d\t\n", row.Start, names[row.PlanID], row.Aggregation,
				row.Events, row.Quantity.StringFixed(1), row.Amount.StringFixed(2), row.Currency,
				row.Billed.Events, row.Pending.Events, row.Late.Events)
			total = total.Add(row.Amount)
		}
		fmt.Fprintf(w, "\t\t\t\ttotal\t%s USD\t\t\t\t\n", total.StringFixed(2))
		if err := w.Flush(); err != nil {
			return err
		}
		for _, l := range rep.Late {
			fmt.Printf("late: %s, %s of %s, arrived after billing through %s\n",
				l.Event.ID, l.Event.Quantity, l.Day, l.BilledThrough)
		}
	}
	return nil
}

func orNone(d date.Date) string {
	if d == 0 {
		return "nothing yet"
	}
	return d.String()
}
