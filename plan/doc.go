// Package plan owns what a product's usage and a node's fixed fees cost
// (docs/pricing.md): tier plans, their validation and their math, and fixed fees.
//
// # Quantities and money
//
// Quantities, prices and amounts are [decimal.Decimal] values and every
// computation is exact: [Pricer.Amount] rounds no money. Rounding to a
// currency's minor unit happens once per statement line, in the line
// methods the rating engine calls ([Pricer.LineIn], [Pricer.ChargeLine]),
// which take the currency's decimal places. The other rounding a plan does
// is to quantities, when it names a [QuantityRounding] (a period's
// aggregated quantity rounded up, down or half up to a multiple of an
// increment before pricing).
//
// # Tiers
//
// A [TierPlan] holds a list of [Tier] values. Bounds are cumulative
// quantities and a tier covers the quantities above its start up to and
// including its end: (Start, End]. The first tier starts at 0, each next one
// starts where the previous one ended, written either as the previous end
// ([0,100],[100,null]) or, when both bounds are whole numbers, as the
// previous end + 1 ([0,100],[101,null]); the two notations mean the same.
// Only the last tier is unbounded. [ValidateTiers] refuses any other shape
// with the code invalid_tiers and a field path such as "tiers[1].start".
//
// The [PricingType] says how a quantity goes through the tiers:
//
//   - [Graduated]: each part of the quantity at the price of the tier it
//     falls in, plus the first tier's flat fee and the flat fee of every
//     further tier the quantity enters;
//   - [Volume]: the whole quantity at the tier where it ends, plus that
//     tier's flat fee;
//   - [Package]: whole packages of [TierPlan.PackageSize], rounded up, at
//     the first tier's unit price, plus its flat fee.
//
// A first tier's flat fee is therefore a base fee, due even with no usage.
// A plan's [TierPlan.FreeQuantity] gives the first units of each period
// free: the tiers price max(0, q − FreeQuantity).
//
// A [Percentage] plan has no tiers: it prices each event of a period on
// its own, at [TierPlan.Rate] percent of its quantity plus
// [TierPlan.EventFee], within [TierPlan.EventMinimum] and
// [TierPlan.EventMaximum], its first [TierPlan.FreeEvents] free. Package
// plan only states those terms ([Pricer.Charge], a [usage.Charge]): the
// events are priced where usage is kept, and the line is made from the
// period's [usage.Charges] ([Pricer.ChargeLine]).
//
// # Pricing
//
// [TierPlan.Pricer] validates a plan once and returns a [Pricer], which is
// immutable and safe for concurrent use. [Pricer.Amount] is the fast path:
// it works in scaled 64-bit integers when the numbers fit and falls back to
// decimals when they do not, so its result is exact either way.
// [Pricer.Explain] returns the same amount with a calculation a person can
// follow, such as "100 × 0.10 = 10.00; 50 × 0.20 = 10.00".
//
// # Lines
//
// [Pricer.LineIn] prices a period's quantity as a statement line shows it:
// the exact price rounded once to the currency's minor unit, half away
// from zero, then held between the plan's [TierPlan.Minimum] and
// [TierPlan.Maximum], each prorated for a partial [schedule.Period] like a
// fixed fee ([schedule.Period.Prorate]) and so rounded too; [Pricer.Line]
// is LineIn of a full period. [Pricer.ChargeLine] does the same for a
// percentage plan's events. The line's [Explanation] says which units were
// free and when a bound applied. Bounds act on the line, before any
// modifier of a contract.
//
// # Fixed fees
//
// A [FixedFee] is an amount charged per period. Its [FeePeriod] is empty
// (every billing period of the node that holds it), once (on the node's
// first statement) or a recurrence of its own such as "3M", counted from the
// node's start with the month-end clamping of package schedule.
//
// # JSON and errors
//
// Plans and fees read the seed's shapes (tiers as arrays or objects,
// pricing_type as a number or a name, decimals as numbers or strings) and
// write one canonical form. Unknown fields, wrong types and negative prices
// are invalid_input; the shape of the tiers is invalid_tiers. Every refusal
// is a *[pricekit.Error].
package plan
