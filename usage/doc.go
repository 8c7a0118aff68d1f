// Package usage owns usage events and how they are accepted: what an event
// is ([Event], its JSON and its validation), what it must fit ([Target]),
// the one rule by which a batch is accepted ([Accept]), and the vocabulary
// in which usage reaches rating: a [Request] for the periods of a product
// contract and the [Aggregates] that answer it. It knows nothing of stores
// or plans; the one price it spells out is percentage pricing's per-event
// charge, which a store computes where the events are. The documents are described in the repository's
// reference, docs/documents.md, and the refusals in docs/errors.md.
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
// A batch is accepted or refused as a whole. A refusal is an error joining
// one [pricekit.Error] per bad event, its field path starting with usage[i]:
// invalid_input for an event that is malformed or beyond the limits (no
// contract, no or two days, a negative quantity, too many digits),
// usage_out_of_contract for an unknown product contract, another product or
// a day outside the contract's own dates, duplicate_usage for an id seen
// before with another payload. An id seen before with the same payload
// (compared by value: 5 equals "5.0") is a replay: accepted and counted
// once. [Accept] is the rule every store and rating applies; [AcceptBatch]
// is the same rule asking a [Lookup] about a whole batch at once, so that a
// store can look many events up together.
//
// # Periods and aggregates
//
// A [Request] names a product contract and period boundaries b0 < b1 < … <
// bn, which make the half-open day ranges [b0, b1), …, [bn-1, bn). A store
// answers with the [Aggregates] of each period — count, sum, max and latest
// (the quantity of the last event by day, then by the order accepted) — so
// that usage reaches rating as quantities, never as events. Contract dates
// in a [Target] are inclusive, as everywhere in documents.
//
// A Request with a [Charge] also asks for each period's events priced one
// at a time, as percentage pricing prices them: the period's first
// Charge.Free events (by day, then by the order accepted) cost nothing and
// every later one clamp(v × rate/100 + fee, minimum, maximum). The answer's
// [Charges] hold the paying events' number, quantity and exact amount, and
// how many a bound moved and by how much, so that a line can say so.
// [ChargeEach] is the rule in plain decimals; every store agrees with it.
package usage
