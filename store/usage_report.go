package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/usage"
)

// UsageBiller records what the host has billed. When the host issues the
// statement of a parent contract through a day, it marks the contract's
// usage billed through that day; events on those days that arrive later
// are late: kept, reported, never dropped.
type UsageBiller interface {
	// MarkBilled sets the watermark of a parent contract: its usage on days
	// through `through` (inclusive) that is stored now is billed. A
	// watermark never goes back: an earlier day than the current one is
	// ErrInvalidInput; an unknown parent contract is ErrNotFound.
	MarkBilled(ctx context.Context, org, parentContract uuid.UUID, through date.Date) error
	// BilledThrough returns the watermark of a parent contract (0: none).
	BilledThrough(ctx context.Context, org, parentContract uuid.UUID) (date.Date, error)
}

// UsageReporter reports stored usage for people (usage reports).
type UsageReporter interface {
	UsageReport(ctx context.Context, org uuid.UUID, q UsageQuery) (UsageReport, error)
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
	return "Granularity(?)"
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
	// watermark was set, in ingest order.
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
	// Billed, Pending and Late split the row's events by the watermark.
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
	BilledThrough    date.Date // the watermark it arrived after
}
