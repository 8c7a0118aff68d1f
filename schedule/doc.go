// Package schedule owns billing time: the recurrences that fees and credits
// count in, the billing frequencies of contracts and the periods they cut
// (docs/periods.md). It is pure: every function takes its dates as arguments and
// never reads a clock.
//
// # Days and periods
//
// Time is counted in whole calendar days, as [date.Date] values; there is no
// time of day and no time zone here. A [Period] is half-open: it holds the
// days [Start, End), so End is the first day of the next period and
// [Period.Last] is the last day a statement shows. Functions that take a
// contract's end take it exclusive too (the day after the last billed day),
// with 0 meaning evergreen; [SimDates] is the exception, taking and giving
// inclusive last days as the seed's sim_dates does.
//
// A period keeps the full period it was cut from ([Period.FullStart],
// [Period.FullEnd]). When a contract starts or ends inside a period the
// period is partial, and money is prorated by its days over the full
// period's days: [Period.FactorText] shows "22/31" and [Period.Prorate]
// divides once, exactly, rounding half away from zero to the places asked.
//
// # Units and recurrences
//
// A [Unit] is a day (D), week (W), month (M), quarter (Q, three months) or
// year (Y). An [Every] is a count of units such as "3M" or "1Y", as read by
// [ParseEvery]; fixed fees and credit expiries use it.
//
// Month arithmetic never drifts: the k-th boundary is computed from the
// anchor as anchor + k·n months on the anchor's own day, clamped to the end
// of a shorter month, and never by chaining steps. Monthly from 31 Jan 2024
// gives 29 Feb, 31 Mar, 30 Apr; yearly from 29 Feb 2024 gives 28 Feb 2025
// and 29 Feb 2028. See [Every.Nth].
//
// # Billing frequencies
//
// A [BillingFrequency] is an entity stored by id and shared by contracts.
// Its [BillingFrequency.Periods] are
//
//   - anniversary (type 1): anchored at the contract's start, every
//     Interval units after it;
//   - calendar (type 2): aligned to calendar boundaries (every day; ISO
//     weeks from Monday; months on the 1st; quarters on 1 Jan, Apr, Jul and
//     Oct; years on 1 Jan), or, for M, Q and Y, on a billing cycle
//     [BillingFrequency.Day] clamped to the month's end. With Interval n > 1
//     the grid starts at the boundary on or before the contract's start, so
//     the first and last periods may be partial;
//   - equal (Eq): every full period the same number of days (D 1, W 7,
//     M 30, Q 91, Y 365, times the interval) from the first boundary.
//
// The [BillingFrequency.Anchor] says where a period's fixed fees land: on
// the statement of the period (S, in advance) or with its usage (E, in
// arrears). [Monthly] is the frequency of a parent contract that names none.
//
// # JSON and errors
//
// [BillingFrequency] reads and writes the document of docs/documents.md, applying its
// defaults (type 1, interval 1, anchor S, eq false) and refusing
// unknown fields. Every refusal is a *[pricekit.Error] with code
// invalid_input and the path of the offending field.
package schedule
