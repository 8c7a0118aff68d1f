// Package contract owns the contract tree and its documents: customers,
// product contracts, sub contracts and parent contracts, their currency,
// and [Objects], the bundle of every kind of document (docs/documents.md).
//
// # The tree
//
// Objects are built bottom-up and linked by id. A [ProductContract] is a
// leaf: it prices one product's usage with a tier plan. A [SubContract]
// groups product contracts, fixed fees, discounts, minimums, credits and
// further sub contracts. A [ParentContract] is the root: a sub contract that
// belongs to a customer and fixes the [Currency] and time zone of its
// statements. Plans, fees, modifiers and billing frequencies are shared by
// id; this package checks each document on its own, and the references
// between them are the store's to check.
//
// # Dates
//
// A contract's [Dates] are whole calendar days, both inclusive: Start is the
// first day billed and End the last (a datetime such as
// "2023-12-31T23:59:59" means its day, 31 Dec). A zero End is evergreen.
// Periods elsewhere are half-open; [Dates.EndExclusive] converts.
//
// # Money
//
// A [Currency] is an ISO 4217 code; its [Currency.MinorUnit] is the number of
// decimal places statement lines are rounded to (USD 2, JPY 0, KWD 3). The
// zero Currency is USD, and a decoded parent contract states its defaults:
// currency "USD", timezone "UTC".
//
// # JSON and errors
//
// Every type reads the seed's spellings (lists also as a single id, days as
// dates or datetimes, unknown fields refused) and writes one canonical form
// (lists always as lists, days as "2024-01-31"). [Objects] reads a bundle
// with one list per [Kind] and reports every problem under its path, such as
// "tiers[0].tiers[1].start". Every refusal is a *[pricekit.Error]: an empty
// document is missing_input, a malformed one invalid_input, a contract that
// contains itself cycle.
package contract
