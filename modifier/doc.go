// Package modifier owns what changes a node's subtotal after pricing
// (docs/modifiers.md): discounts, minimums and prepaid credits, each with its
// validation, its JSON and its own math.
//
// The rating engine applies them per node and per billing period, in this
// order: [Discount] on the subtotal, [Minimum] on the discounted subtotal,
// [Credit] on the result.
//
// # Money
//
// Amounts, percentages and thresholds are [decimal.Decimal] values. The
// methods here compute exactly and do not round; a modifier works on the sum
// of already rounded statement lines and the engine rounds its line to the
// currency's minor unit. A percentage is a number of percent, 0 to 100
// (10 means 10 %).
//
// # Discounts and minimums
//
// A [Discount] has exactly one of a percentage and an amount, and an
// optional threshold: [Discount.Apply] gives s·p/100 or min(A, s) when the
// subtotal s is positive and reaches the threshold, and zero otherwise. The
// engine caps several discounts so that together they never take the
// subtotal below zero.
//
// A [Minimum] is a minimum spend per period, prorated by the period's factor
// for a partial period; when the discounted subtotal is below it, a true-up
// line makes up the difference.
//
// # Credits and their validity
//
// A [Credit] is a balance granted on its start date (by default the start of
// the node that holds it) and valid for its [Credit.Expiry], a recurrence
// such as "1Y" (none: it never expires). [Credit.Window] returns the
// half-open range of days [grant, expiry) in which the credit pays a
// statement whose period starts; expiry 0 means never. Credits burn in
// order of lowest [Credit.Priority] (default [DefaultPriority]), then
// earliest expiry, then start date, then id.
//
// # JSON and errors
//
// Each type reads and writes its document of docs/documents.md, refusing unknown
// fields, negative amounts and percentages outside 0..100 with code
// invalid_input and the path of the field, as a *[pricekit.Error].
package modifier
