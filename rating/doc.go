// Package rating is pricekit's pricing engine: it turns a parent contract's
// tree of documents and its usage into statements (SPEC 4.3–4.4).
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
// Prepaid credit balances are replayed from the contract's start on every
// call: what a credit paid on an earlier statement is gone, and a statement
// never depends on anything mutable.
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
// A usage event's day is its date, or its timestamp converted to the parent
// contract's time zone.
//
// # Rounding
//
// Every computation is exact. Each line's amount is rounded once, to the
// minor unit of the parent contract's currency (2 places for USD, 0 for JPY,
// 3 for KWD), half away from zero: 0.005 becomes 0.01 and −0.005 becomes
// −0.01. Totals are sums of the rounded lines, so a statement always adds up:
// Total is the sum of all lines, Subtotal of the usage and fixed-fee lines,
// and Discounts, Minimums and Credits of the lines of their kind.
//
// Modifiers see what the customer sees: a discount, minimum or credit works
// on the sum of the rounded lines beneath it and rounds its own amount
// before it is used, so 10 % of a shown 120.00 is 12.00 and a credit's
// balance always matches its lines.
//
// # Where a line lands
//
// Each node of the tree (the parent and every sub contract) has billing
// periods: its own frequency's, anchored at its own start date, or, without
// one, its parent's periods clipped to its dates. A parent without a
// frequency is monthly, anniversary, anchor S. Product contracts follow the
// same rule.
//
// A line of a node's period lands on the parent statement whose period
// [s, e) holds a day of that period:
//
//   - usage, minimums, discounts and credits land with the period's last
//     day, so they are billed in arrears with the period that ends in (s, e];
//   - a fixed fee of a period lands with the period's first day when the
//     node's anchor is S (in advance) and with its last day when it is E (in
//     arrears);
//   - a fee with its own recurrence ("3M") lands with the first day of each
//     recurrence; a "once" fee with the node's first period.
//
// On a node that shares its parent's periods both rules give the same
// statement. A descendant with its own frequency may add several of its
// periods to one parent statement (a daily product on a monthly bill) or
// none. A discount of such a descendant uses its whole period's subtotal even
// when that period's advance fee landed on an earlier statement. A line that
// lands in none of the parent's periods (a child running past its parent's
// dates) is not billed.
//
// # Modifiers
//
// Per node and per period, in this order: discounts on the node's subtotal
// (its own lines plus its sub contracts' totals; only when positive, in
// document order, a later discount cut first so together they never exceed
// it), then the largest minimum (prorated for a partial period; a tie goes
// to the first) as a true-up line, then credits, burnt by lowest priority,
// earliest expiry, start date and id. override_underlying on a node ignores
// the discounts, minimums, credits and frequencies of everything beneath it.
// [Statement.CreditBalances] lists every credit that applies, sub contracts
// before their parent, with what it has left after the statement.
//
// # Line order
//
// Lines come node by node: a node's usage lines (its product contracts in
// document order), its fixed-fee lines, the lines of each sub contract
// (recursively, in document order), then its discount, minimum and credit
// lines — discounts and minimums in document order, credits in the order
// they were used. When one item has several periods on a statement, its
// lines follow one another by date. Every product contract active in a
// period gets a usage line, even at quantity 0; discount, minimum and credit
// lines appear only when not zero.
//
// # Errors
//
// [Rate] refuses bad input with the codes of SPEC section 3, as a
// *[pricekit.Error] (several joined with [errors.Join] when there are
// several problems) and no statements: invalid documents (invalid_input,
// invalid_tiers), unknown_reference, cycle, not_found when the id is not a
// parent contract in the bundle, and for usage invalid_input,
// duplicate_usage and usage_out_of_contract, naming every bad event as
// usage[i].
package rating
