// Package usage owns usage events: what one is ([Event], its JSON and its
// validation), what it must fit ([Target]), how a batch of them is accepted
// ([Accept], [Log.Ingest]), how accepted events are kept compactly
// ([Log]) and how they become one quantity per period ([Total],
// [Log.Aggregate]). It knows nothing of stores, plans or prices.
//
// # Events and days
//
// An event is a non-negative decimal quantity of a product used under a
// product contract, on a calendar day ([date.Date]) or at an instant
// ([time.Time]). A timestamp's day is taken in the time zone of the parent
// contract above the product contract ([Target.Location]), so an event at
// 2024-03-10T07:30:00Z is on 9 March for a customer in Honolulu, on 10 March
// in London and on 11 March in Kiritimati (UTC+14). The day is fixed when
// the event is accepted.
//
// # Batches and idempotency
//
// A batch is accepted or refused as a whole (docs/errors.md). A refusal is an error
// joining one [pricekit.Error] per bad event, its field path starting with
// usage[i]: invalid_input for an event that is malformed (no contract, no
// or two days, a negative quantity), usage_out_of_contract for an unknown
// product contract, another product or a day outside the contract's dates,
// duplicate_usage for an id seen before with another payload. An id seen
// before with the same payload (compared by value: 5 equals "5.0") is a
// replay: accepted and counted once.
//
// # Quantities
//
// Quantities are exact decimals. A [Log] and a [Total] hold one as an int64
// at [Scale] (9 decimal places) when it fits, and as a decimal otherwise,
// so that summing a million events costs a million integer additions while
// a quantity of 30 digits and 18 places is still added exactly.
//
// # Periods
//
// Periods are half-open day ranges [start, end), as in package schedule:
// [Query.Bounds] b0 < b1 < … < bn make the periods [b0, b1), …, [bn-1, bn).
// Contract dates in a [Target] are inclusive, as in docs/README.md.
//
// # Aggregations
//
// [Sum], [Max], [Count] and [Latest] (the quantity of the last event by
// day, then by ingest order; the time of day is not compared) are computed
// together by a [Total]. An empty Total is 0 for each.
package usage
