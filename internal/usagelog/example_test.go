package usagelog_test

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit/internal/usagelog"
	"github.com/pricekit/pricekit/usage"
)

func ExampleLog_Ingest() {
	contract := uuid.MustParse("0190f5a2-0000-7000-8000-000000000001")
	honolulu, _ := time.LoadLocation("Pacific/Honolulu")
	lookup := func(id uuid.UUID) (usage.Target, bool) {
		return usage.Target{Start: date.New(2024, 1, 1), Location: honolulu}, id == contract
	}
	var log usagelog.Log
	batch := []usage.Event{
		{ID: "r1", ContractID: contract, Timestamp: time.Date(2024, 3, 10, 7, 30, 0, 0, time.UTC), Quantity: dec("2.5")},
		{ID: "r2", ContractID: contract, Date: date.New(2024, 3, 10), Quantity: dec("4")},
	}
	added, replayed, err := log.Ingest(batch, lookup)
	fmt.Println(added, replayed, err)
	added, replayed, err = log.Ingest(batch, lookup) // sent again: a no-op
	fmt.Println(added, replayed, err)
	fmt.Println(log.Day(0), "in Honolulu")

	batch[1].Quantity = dec("5")
	_, _, err = log.Ingest(batch, lookup)
	fmt.Println(err)
	// Output:
	// 2 0 <nil>
	// 0 2 <nil>
	// 2024-03-09 in Honolulu
	// usage: usage[1].id: usage id "r2" was seen before with a different payload
}

func ExampleLog_Aggregate() {
	contract := uuid.MustParse("0190f5a2-0000-7000-8000-000000000001")
	lookup := func(uuid.UUID) (usage.Target, bool) { return usage.Target{Start: date.New(2024, 1, 1)}, true }
	var log usagelog.Log
	_, _, err := log.Ingest([]usage.Event{
		{ID: "a", ContractID: contract, Date: date.New(2024, 1, 5), Quantity: dec("10")},
		{ID: "b", ContractID: contract, Date: date.New(2024, 1, 20), Quantity: dec("2.5")},
		{ID: "c", ContractID: contract, Date: date.New(2024, 2, 3), Quantity: dec("7")},
	}, lookup)
	if err != nil {
		panic(err)
	}
	q := usagelog.Query{
		Slot:   []int32{0}, // the log's only group goes to slot 0
		Slots:  1,
		Bounds: []date.Date{date.New(2024, 1, 1), date.New(2024, 2, 1), date.New(2024, 3, 1)}, // January, February
	}
	totals, _ := log.Aggregate(nil, q)
	for k := range q.Periods() {
		t := totals[q.Cell(0, k)]
		fmt.Println(q.Bounds[k], "sum", t.Sum(), "max", t.Max(), "count", t.Count(), "latest", t.Latest())
	}
	// Output:
	// 2024-01-01 sum 12.5 max 10 count 2 latest 2.5
	// 2024-02-01 sum 7 max 7 count 1 latest 7
}

func ExampleTotal() {
	var t usagelog.Total
	t.Add(dec("0.25"), date.New(2024, 1, 1))
	t.Add(dec("123456789012345678901234567890.123456789012345678"), date.New(2024, 1, 2)) // held as a decimal
	fmt.Println(t.Sum())
	fmt.Println(t.Latest())
	// Output:
	// 123456789012345678901234567890.373456789012345678
	// 123456789012345678901234567890.123456789012345678
}
