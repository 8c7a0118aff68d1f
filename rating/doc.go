// Package rating is pricekit's pricing engine: it turns a parent contract's
// tree of documents and its usage into statements. What it computes is
// described in the repository's reference: docs/pricing.md (usage and fee
// lines), docs/modifiers.md (discounts, minimums, credits and slices) and
// docs/statements.md (landing, line order, rounding, JSON).
//
// [Rate] takes an [Input] — a bundle of documents holding the parent contract
// and everything it references, the parent's id, its usage events and the
// days to rate — and returns one [Statement] per billing period of the parent
// that overlaps those days, in date order.
//
// # A pure engine
//
// The engine owns the math of a bill and nothing else. It reads no store,
// takes no [context.Context], never calls [time.Now] and keeps no state
// between calls: a statement is a function of its [Input] alone, so the same
// input always gives the same statements, byte for byte once written as JSON.
// [Rate] is safe for concurrent use. Reading documents and usage from a store
// is the job of package billing.
//
// # Statement by statement
//
// The engine rates the parent's statements in date order, from the
// contract's first, so that credit balances and the modifiers of periods
// that spread over several statements carry into the ones asked for; the
// earlier ones are rated without their calculations. It keeps only the state
// of the periods still open, so memory does not grow with the number of
// statements it passes through, and it reaches any period directly through
// [schedule.Grid] instead of listing the ones before it.
//
// # Days and periods
//
// Contract dates, usage days and the range of a run are calendar days
// ([date.Date]). Internally every period is half-open, [Start, End), as
// package schedule builds it. A [Statement] and each of its [Line] values
// show a period as its first and last day, both inclusive: the statement of
// January has PeriodStart 2024-01-01 and PeriodEnd 2024-01-31. [Input.From]
// and [Input.To] are inclusive too; a zero From or To defaults to the parent
// contract's dates, and an evergreen contract needs To.
//
// Each contract is billed only within its effective dates: its own clipped
// to those of every contract above it. A usage event's day is its date, or
// its timestamp converted to the parent contract's time zone.
//
// # Rounding
//
// Every computation is exact. Each line's amount is rounded once, to the
// minor unit of the parent contract's currency (2 places for USD, 0 for JPY,
// 3 for KWD), half away from zero: 0.005 becomes 0.01 and −0.005 becomes
// −0.01. Totals are sums of the rounded lines, so a statement always adds up.
// Modifiers see what the customer sees: they work on the sum of the rounded
// lines beneath them and round their own amount before it is used.
//
// # Where a line lands
//
// Each contract of the tree has billing periods: its own frequency's,
// anchored at its own start date, or its parent's, clipped to its effective
// dates. A line of one of its periods lands on the parent statement whose
// period holds its landing day: usage with the period's last day; a fixed
// fee with the period's first day (anchor S) or last (anchor E); a fee with
// its own recurrence with the first day of each recurrence. A descendant
// with its own frequency may add several periods to one statement or spread
// one period over several. The lines of one period landing on one statement
// are a slice, and the period's modifiers run progressively over its slices
// (docs/modifiers.md): discounts on the cumulative subtotal less what
// earlier slices gave, the minimum at the last slice, credits per slice.
//
// # Errors
//
// [Rate] refuses bad input with the codes of docs/errors.md, as a
// *[pricekit.Error] (several joined with [errors.Join] when there are
// several problems) and no statements: invalid documents (invalid_input,
// invalid_tiers), unknown_reference, cycle, invalid_input for a tree nested
// too deep or holding a contract twice, not_found when the id is not a
// parent contract in the bundle, and for usage invalid_input,
// duplicate_usage and usage_out_of_contract, naming every bad event as
// usage[i].
package rating
