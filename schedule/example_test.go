package schedule_test

import (
	"fmt"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/schedule"
)

// A calendar monthly frequency for a contract that starts on 10 August: the
// first period is partial and prorates a 50.00 fee by 22/31.
func ExampleBillingFrequency_Periods() {
	f := schedule.BillingFrequency{Type: schedule.Calendar, Interval: 1, Unit: schedule.Month, Anchor: schedule.AnchorStart}
	start := date.New(2023, 8, 10)
	end := date.New(2023, 10, 31) + 1 // the contract's last day is 31 Oct
	for _, p := range f.Periods(start, end, end) {
		fmt.Println(p.Start, p.Last(), p.FactorText(), p.Prorate(decimal.RequireFromString("50.00"), 2).StringFixed(2))
	}
	// Output:
	// 2023-08-10 2023-08-31 22/31 35.48
	// 2023-09-01 2023-09-30 1 50.00
	// 2023-10-01 2023-10-31 1 50.00
}

// Month arithmetic counts from the anchor, so a month end never drifts.
func ExampleEvery_Nth() {
	monthly, _ := schedule.ParseEvery("1M")
	anchor := date.New(2024, 1, 31)
	for k := range 4 {
		fmt.Println(monthly.Nth(anchor, k))
	}
	// Output:
	// 2024-01-31
	// 2024-02-29
	// 2024-03-31
	// 2024-04-30
}

// SimDates lists the periods of a contract as first and last days.
func ExampleSimDates() {
	periods, err := schedule.SimDates(schedule.Monthly(), date.New(2024, 1, 31), date.New(2024, 4, 15))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range periods {
		fmt.Println(p[0], "to", p[1])
	}
	// Output:
	// 2024-01-31 to 2024-02-28
	// 2024-02-29 to 2024-03-30
	// 2024-03-31 to 2024-04-15
}

func ExampleParseEvery() {
	e, err := schedule.ParseEvery("6M")
	fmt.Println(e.N, e.Unit, err)
	_, err = schedule.ParseEvery("6 months")
	fmt.Println(err)
	// Output:
	// 6 M <nil>
	// schedule: malformed recurrence "6 months" (want a count and D, W, M, Q or Y, as in "3M")
}
