// Command lifecycle follows one customer through 2025 on the in-memory
// store, month by month: usage is ingested, the open statement is rated,
// printed as a person reads it and issued. On the way prices change from
// April, an April event arrives late, the customer tops up its credit and
// upgrades from Starter to Growth in the middle of July — saved after July
// was issued, so August corrects July with adjustments. Issuing out of
// order, or a statement that changed since it was shown, is refused, and
// issuing one again gives it back. The program ends with the twelve
// issued statements.
//
//	go run ./examples/lifecycle
//
// Every amount can be checked by hand. API calls on Starter: the first
// 1,000 a month are included, then 0.02 each (0.03 from April); on
// Growth the first 10,000 are included, then 0.01 each.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "lifecycle:", err)
		os.Exit(1)
	}
}

// run tells the story to w.
func run(w io.Writer) error {
	_, err := tell(context.Background(), w)
	return err
}

// calls are the API calls of each month of 2025, made on the 5th and the
// 12th (so that July's are all before the upgrade on the 16th).
var calls = [12][2]int64{
	{700, 800}, {1000, 1000}, {1200, 1300}, {1200, 1300}, {900, 1100}, {800, 1000},
	{900, 1100}, {6000, 6000}, {5000, 6000}, {7000, 8000}, {4500, 5000}, {6000, 7000},
}

// year is the story's state: the store, the customer's documents, display
// names by id (statements carry ids only), and what the story saw, for its
// test.
type year struct {
	w      io.Writer
	st     *memory.Store
	org    uuid.UUID
	n      int // ids handed out so far, see next
	events int // usage events ingested so far
	names  map[uuid.UUID]string

	apiStarter, apiGrowth plan.TierPlan
	starterFee, growthFee plan.FixedFee
	prepaid, topUp        modifier.Credit
	starterAPI, growthAPI contract.ProductContract
	starter, growth       contract.SubContract
	parent                contract.ParentContract
	product               uuid.UUID // the host's API product

	// What happened, for the test.
	outOfOrder error            // issuing November before October
	stale      error            // issuing a November statement that changed since it was rated
	reissued   rating.Statement // issuing March again, after December
	issued     []rating.Statement
}

// next returns a new id. The ids are fixed, so every run rates the same.
func (y *year) next() uuid.UUID {
	y.n++
	return uuid.MustParse(fmt.Sprintf("00000000-0000-4000-8000-%012d", y.n))
}

// tell plays the year and prints it to w.
func tell(ctx context.Context, w io.Writer) (*year, error) {
	y := &year{w: w, st: memory.New(), org: uuid.MustParse("0a000000-0000-4000-8000-000000000001"),
		names: map[uuid.UUID]string{}}
	if err := y.signUp(ctx); err != nil {
		return nil, err
	}
	for m := time.January; m <= time.December; m++ {
		first, last := monthOf(m)
		fmt.Fprintf(w, "\n=== %s 2025 ===\n\n", m)
		if err := y.news(ctx, m); err != nil {
			return nil, err
		}
		pc := y.starterAPI
		if m >= time.August {
			pc = y.growthAPI
		}
		q := calls[m-1]
		if err := y.use(ctx, pc, batch{date.New(2025, m, 5), q[0]}, batch{date.New(2025, m, 12), q[1]}); err != nil {
			return nil, err
		}
		s, err := y.rate(ctx, first, last)
		if err != nil {
			return nil, err
		}
		y.print(s)
		if s, err = y.before(ctx, m, s); err != nil {
			return nil, err
		}
		got, err := billing.Issue(ctx, y.st, y.org, y.parent.ID, first, &s)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "issued as statement %d\n", got.Number)
		y.after(m)
	}
	if err := y.summary(ctx); err != nil {
		return nil, err
	}
	return y, nil
}

// signUp saves the customer: a parent contract from 1 January 2025 with a
// prepaid credit of 100.00, holding the Starter sub contract (a 49.00
// monthly platform fee and the API on graduated tiers).
func (y *year) signUp(ctx context.Context) error {
	jan1 := date.New(2025, time.January, 1)
	y.product = y.next()
	y.apiStarter = plan.TierPlan{ID: y.next(), DisplayName: "Starter API prices", Pricing: plan.Graduated,
		Tiers: included(1000, "0.02")}
	y.apiGrowth = plan.TierPlan{ID: y.next(), DisplayName: "Growth API prices", Pricing: plan.Graduated,
		Tiers: included(10000, "0.01")}
	y.starterFee = plan.FixedFee{ID: y.next(), DisplayName: "Starter platform fee", Amount: d("49")}
	y.growthFee = plan.FixedFee{ID: y.next(), DisplayName: "Growth platform fee", Amount: d("199")}
	y.prepaid = modifier.Credit{ID: y.next(), DisplayName: "Prepaid credit", Amount: d("100")}
	y.topUp = modifier.Credit{ID: y.next(), DisplayName: "Top-up credit", Amount: d("100"),
		StartDate: date.New(2025, time.May, 1)}
	y.starterAPI = contract.ProductContract{ID: y.next(), DisplayName: "API calls (Starter)", ProductID: y.product,
		PlanID: y.apiStarter.ID, Dates: contract.Dates{Start: jan1}}
	y.growthAPI = contract.ProductContract{ID: y.next(), DisplayName: "API calls (Growth)", ProductID: y.product,
		PlanID: y.apiGrowth.ID, Dates: contract.Dates{Start: date.New(2025, time.July, 16)}}
	y.starter = contract.SubContract{ID: y.next(), DisplayName: "Starter", Dates: contract.Dates{Start: jan1},
		ProductContracts: []uuid.UUID{y.starterAPI.ID}, FixedFees: []uuid.UUID{y.starterFee.ID}}
	y.growth = contract.SubContract{ID: y.next(), DisplayName: "Growth", Dates: contract.Dates{Start: y.growthAPI.Start},
		ProductContracts: []uuid.UUID{y.growthAPI.ID}, FixedFees: []uuid.UUID{y.growthFee.ID}}
	y.parent = contract.ParentContract{
		SubContract: contract.SubContract{ID: y.next(), DisplayName: "Acme Corp", Dates: contract.Dates{Start: jan1},
			SubContracts: []uuid.UUID{y.starter.ID}, Credits: []uuid.UUID{y.prepaid.ID}},
		CustomerID: y.next(), Currency: "USD",
	}
	for _, n := range []struct {
		id   uuid.UUID
		name string
	}{{y.starterAPI.ID, y.starterAPI.DisplayName}, {y.growthAPI.ID, y.growthAPI.DisplayName},
		{y.starterFee.ID, y.starterFee.DisplayName}, {y.growthFee.ID, y.growthFee.DisplayName},
		{y.prepaid.ID, y.prepaid.DisplayName}, {y.topUp.ID, y.topUp.DisplayName}} {
		y.names[n.id] = n.name
	}
	fmt.Fprintln(y.w, "Acme Corp signs up on 1 January 2025: Starter (49.00 a month, API calls with 1,000 a month")
	fmt.Fprintln(y.w, "included, then 0.02 each) and a prepaid credit of 100.00.")
	return y.save(ctx, contract.Objects{Plans: []plan.TierPlan{y.apiStarter}, FixedFees: []plan.FixedFee{y.starterFee},
		Credits: []modifier.Credit{y.prepaid}, ProductContracts: []contract.ProductContract{y.starterAPI},
		SubContracts: []contract.SubContract{y.starter}, ParentContracts: []contract.ParentContract{y.parent}})
}

// included returns graduated tiers: the first free units at no charge,
// then price each.
func included(free int64, price string) []plan.Tier {
	return []plan.Tier{
		{Start: decimal.Zero, End: decimal.NewNullDecimal(decimal.NewFromInt(free)), UnitPrice: decimal.Zero},
		{Start: decimal.NewFromInt(free), UnitPrice: d(price)},
	}
}

// news is what happens in month m before its statement is rated.
func (y *year) news(ctx context.Context, m time.Month) error {
	switch m {
	case time.March:
		// "New prices from next month" is one save: a version of the plan
		// effective 1 April. March has begun, so it keeps the old price.
		v := y.apiStarter
		v.Tiers, v.EffectiveFrom = included(1000, "0.03"), date.New(2025, time.April, 1)
		fmt.Fprintln(y.w, "New prices from next month: a version of the Starter API plan effective 2025-04-01,")
		fmt.Fprintln(y.w, "0.03 a call beyond the included 1,000 (was 0.02). March has begun: it keeps the old price.")
		fmt.Fprintln(y.w)
		return y.save(ctx, contract.Objects{Plans: []plan.TierPlan{v}})
	case time.May:
		// April is issued; an event of 28 April arrives now.
		fmt.Fprintln(y.w, "April is issued, and an event of 28 April arrives late: 500 calls. The customer also")
		fmt.Fprintln(y.w, "buys a top-up credit of 100.00, granted on 1 May.")
		fmt.Fprintln(y.w)
		if err := y.use(ctx, y.starterAPI, batch{date.New(2025, time.April, 28), 500}); err != nil {
			return err
		}
		y.parent.Credits = append(y.parent.Credits, y.topUp.ID)
		return y.save(ctx, contract.Objects{Credits: []modifier.Credit{y.topUp},
			ParentContracts: []contract.ParentContract{y.parent}})
	case time.August:
		// The upgrade of 16 July, entered after July was issued: Starter
		// ends on the 15th, Growth starts on the 16th.
		fmt.Fprintln(y.w, "The customer upgraded to Growth on 16 July, but it is entered only now, after July was")
		fmt.Fprintln(y.w, "issued: Starter ends on 2025-07-15, Growth (199.00 a month, 10,000 calls included, then")
		fmt.Fprintln(y.w, "0.01) starts on 2025-07-16. July is corrected on this statement.")
		fmt.Fprintln(y.w)
		y.starter.End = date.New(2025, time.July, 15)
		y.parent.SubContracts = []uuid.UUID{y.starter.ID, y.growth.ID}
		return y.save(ctx, contract.Objects{Plans: []plan.TierPlan{y.apiGrowth}, FixedFees: []plan.FixedFee{y.growthFee},
			ProductContracts: []contract.ProductContract{y.growthAPI},
			SubContracts:     []contract.SubContract{y.starter, y.growth},
			ParentContracts:  []contract.ParentContract{y.parent}})
	}
	return nil
}

// before is what happens in month m between printing its statement s and
// issuing it. It returns the statement to issue.
func (y *year) before(ctx context.Context, m time.Month, s rating.Statement) (rating.Statement, error) {
	switch m {
	case time.October:
		nov1, _ := monthOf(time.November)
		_, y.outOfOrder = billing.Issue(ctx, y.st, y.org, y.parent.ID, nov1, nil)
		if y.outOfOrder == nil {
			return s, errors.New("November was issued before October")
		}
		fmt.Fprintf(y.w, "issuing November before October is refused:\n  %v\n", y.outOfOrder)
	case time.November:
		// A straggler arrives between rating and issuing: the statement
		// shown is stale, and issuing it is refused.
		if err := y.use(ctx, y.growthAPI, batch{date.New(2025, time.November, 28), 1500}); err != nil {
			return s, err
		}
		_, y.stale = billing.Issue(ctx, y.st, y.org, y.parent.ID, s.PeriodStart, &s)
		if y.stale == nil {
			return s, errors.New("a stale statement was issued")
		}
		fmt.Fprintf(y.w, "1,500 calls of 28 November arrive before it is issued; issuing what was shown is refused:\n  %v\n", y.stale)
		fmt.Fprintln(y.w, "Rated again:")
		fmt.Fprintln(y.w)
		var err error
		if s, err = y.rate(ctx, s.PeriodStart, s.PeriodEnd); err != nil {
			return s, err
		}
		y.print(s)
	}
	return s, nil
}

// after points out what month m's statement shows.
func (y *year) after(m time.Month) {
	switch m {
	case time.March:
		fmt.Fprintln(y.w, "March is priced by the base version: 1,500 calls beyond the included ones at 0.02 = 30.00.")
	case time.April:
		fmt.Fprintln(y.w, "April is priced by the version of 2025-04-01: the same 2,500 calls now cost 1,500 × 0.03 = 45.00.")
	case time.May:
		fmt.Fprintln(y.w, "April's usage line is corrected here: 3,000 calls instead of 2,500 cost 60.00, +15.00.")
		fmt.Fprintln(y.w, "The top-up credit pays 94.00: May's 79.00 and the 15.00 adjustment.")
	case time.August:
		fmt.Fprintln(y.w, "July had billed Starter's whole month. Starter ran 15 of July's 31 days: 49 × 15/31 = 23.71,")
		fmt.Fprintln(y.w, "so 25.29 comes back; Growth ran 16 days: 199 × 16/31 = 102.71. Net +77.42 for July.")
	}
}

// batch is a number of API calls made on one day.
type batch struct {
	day   date.Date
	calls int64
}

// use ingests batches of API calls on pc, one event each.
func (y *year) use(ctx context.Context, pc contract.ProductContract, batches ...batch) error {
	var events []usage.Event
	for _, b := range batches {
		y.events++
		events = append(events, usage.Event{ID: fmt.Sprintf("calls-%03d", y.events), ContractID: pc.ID,
			ProductID: pc.ProductID, Date: b.day, Quantity: decimal.NewFromInt(b.calls)})
	}
	_, err := y.st.Ingest(ctx, y.org, events)
	return err
}

func (y *year) save(ctx context.Context, objs contract.Objects) error {
	_, err := y.st.Save(ctx, y.org, store.Batch{Objects: objs})
	return err
}

// rate returns the statement of the period [first, last].
func (y *year) rate(ctx context.Context, first, last date.Date) (rating.Statement, error) {
	got, err := billing.Rate(ctx, y.st, y.org, y.parent.ID, first, last)
	if err != nil {
		return rating.Statement{}, err
	}
	if len(got) != 1 {
		return rating.Statement{}, fmt.Errorf("%d statements for %s – %s, want 1", len(got), first, last)
	}
	return got[0], nil
}

// print writes s as a person reads it.
func (y *year) print(s rating.Statement) {
	state := "open"
	if s.Issued {
		state = fmt.Sprintf("issued, number %d", s.Number)
	}
	fmt.Fprintf(y.w, "Statement %s – %s (%s, %s)\n", s.PeriodStart, s.PeriodEnd, s.Currency.Code(), state)
	tw := tabwriter.NewWriter(y.w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  kind\twhat\tprices\tperiod\t%8s\t%8s\tcalculation\n", "quantity", "amount")
	for _, l := range s.Lines {
		q := ""
		if l.Kind == rating.KindUsage || l.Adjusts != nil && l.Adjusts.Kind == rating.KindUsage {
			q = l.Quantity.String()
		}
		prices := ""
		if l.EffectiveFrom != 0 {
			prices = "from " + l.EffectiveFrom.Format("Jan 2")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%8s\t%8s\t%s\n", l.Kind, y.what(l), prices, period(l.PeriodStart, l.PeriodEnd), q,
			money(l.Amount, l.Kind == rating.KindAdjustment), l.Calculation)
	}
	for _, t := range []struct {
		name string
		v    decimal.Decimal
	}{{"subtotal", s.Subtotal}, {"discounts", s.Discounts}, {"minimums", s.Minimums},
		{"adjustments", s.Adjustments}, {"credits", s.Credits}, {"total", s.Total}} {
		fmt.Fprintf(tw, "  \t%s\t\t\t\t%8s\n", t.name, money(t.v, t.name == "adjustments"))
	}
	_ = tw.Flush() // y.w reports its own errors
	var left []string
	for _, b := range s.CreditBalances {
		left = append(left, y.names[b.CreditID]+" "+b.Remaining.StringFixed(2))
	}
	fmt.Fprintf(y.w, "  credit balances: %s\n", strings.Join(left, ", "))
}

// what names what line l is for: the product contract, fee or credit it
// prices; for an adjustment, those of the line it adjusts, and the issued
// statement that has that line.
func (y *year) what(l rating.Line) string {
	kind := l.Kind
	if l.Adjusts != nil {
		kind = l.Adjusts.Kind
	}
	var name string
	switch kind {
	case rating.KindUsage:
		name = y.names[l.ContractID]
	case rating.KindFixedFee:
		name = y.names[l.FeeID]
	default:
		name = y.names[l.ModifierID]
	}
	if a := l.Adjusts; a != nil {
		name = fmt.Sprintf("%s, statement %d", name, a.Number)
	}
	return name
}

// summary prints the issued statements and checks that issuing one again
// gives it back.
func (y *year) summary(ctx context.Context) error {
	mar1, _ := monthOf(time.March)
	again, err := billing.Issue(ctx, y.st, y.org, y.parent.ID, mar1, nil)
	if err != nil {
		return err
	}
	y.reissued = again
	if y.issued, err = billing.Issued(ctx, y.st, y.org, y.parent.ID); err != nil {
		return err
	}
	if len(y.issued) < 3 || !same(again, y.issued[2]) {
		return errors.New("issuing March again did not give back statement 3")
	}
	fmt.Fprintf(y.w, "\nIssuing March again returns statement %d unchanged (total %s): issuing is idempotent.\n",
		again.Number, again.Total.StringFixed(2))

	fmt.Fprintln(y.w, "\n=== 2025 issued ===")
	fmt.Fprintln(y.w)
	tw := tabwriter.NewWriter(y.w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "number\tperiod\tadjustments\tcredits\ttotal\t")
	sum := decimal.Zero
	for _, s := range y.issued {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t\n", s.Number, period(s.PeriodStart, s.PeriodEnd),
			money(s.Adjustments, true), money(s.Credits, false), money(s.Total, false))
		sum = sum.Add(s.Total)
	}
	fmt.Fprintf(tw, "\tyear\t\t\t%s\t\n", money(sum, false))
	return tw.Flush()
}

// same reports whether a and b are the same statement, as written.
func same(a, b rating.Statement) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// monthOf returns the first and last day of month m of 2025.
func monthOf(m time.Month) (first, last date.Date) {
	first = date.New(2025, m, 1)
	return first, first.AddDate(0, 1, 0) - 1
}

// period writes the days first through last: "Jul 1–15", "Jul 16–31".
func period(first, last date.Date) string {
	if first.Month() == last.Month() {
		return fmt.Sprintf("%s %d–%d", first.Format("Jan"), first.Day(), last.Day())
	}
	return first.Format("Jan 2") + " – " + last.Format("Jan 2")
}

// money writes an amount with its cents; signed puts + before a positive
// one (adjustments go both ways).
func money(v decimal.Decimal, signed bool) string {
	if signed && v.IsPositive() {
		return "+" + v.StringFixed(2)
	}
	return v.StringFixed(2)
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }
