// Package httpapi serves the API of the pricing web service that pricekit
// replaces, as an [http.Handler] over any [store.Store]: services written
// against that API run their tests against it in-process (an
// httptest.Server), or run `pricekit serve` as a drop-in while they move
// to the library.
//
//	h := httpapi.New(memory.New(), httpapi.Options{})
//	srv := httptest.NewServer(h)
//
// # The API
//
// Every path lies under /contracts/{org_id}. The same paths under
// /sim/contracts/{org_id} work on a simulation space of that organization,
// a memory store of the handler's own that nothing reaches the real store
// from.
//
//   - Create, POST, answered 201 with the object as stored, its id
//     included: /plans/fixedfee, /plans/tier, /modifiers/discounts,
//     /modifiers/minimums, /modifiers/maximums, /modifiers/credits,
//     /modifiers/billing_frequency, /productcontract, /subcontract,
//     /parentcontract, /customers (which also answers customer_id). A body
//     with the id of a stored object replaces it.
//   - Read, GET, 200 (404 for an unknown id): /plans/fixedfee/{id},
//     /plans/tier/{id}, /modifiers/discount/{id}, /modifiers/minimum/{id},
//     /modifiers/maximum/{id}, /modifiers/credit/{id},
//     /modifiers/billing_frequency/{id}, /productcontract/{id},
//     /subcontract/{id}, /customers/{id}, and /contract/{id}: a parent
//     contract with its sub contracts and product contracts as objects,
//     all the way down.
//   - Lists, GET, 200, a JSON array ([] when empty): /plans/fixedfees,
//     /plans/tiers, /modifiers/discounts, /modifiers/minimums,
//     /modifiers/maximums, /modifiers/credits,
//     /modifiers/billing_frequencies, /customers, and
//     /customer/{customer_id}, the parent contracts of a customer.
//   - PUT /customers/{id} replaces a customer (200).
//   - POST /modifiers/billing_frequency/sim_dates with a frequency (its
//     fields, or "billing_frequency": an object or a stored id) and
//     start_date and end_date: 200 {"dates": [[first, last], …]}.
//   - POST /usage with a list of events (or {"usage": [...]}): the
//     library's ingestion, all or nothing; 201 {"added", "replayed"}.
//   - POST /factory/run rates every parent contract of the organization
//     over its own dates (an evergreen one through today in its time
//     zone, or each through a body's "to"): 200 {"contracts",
//     "statements"}, and "errors" for contracts that could not be rated.
//     Under /sim a body's "usage" rates with those events instead,
//     checked as an ingestion would check them, storing none. GET
//     /factory/charges answers the statements of the last run, 200, a
//     JSON array.
//
// # Shapes
//
// Bodies are the library's documents (docs/documents.md), in the service's
// shapes where its clients rely on them: amounts and quantities are
// written as JSON numbers, a tier plan's tiers as "tier": [[0, 100, 0.1],
// [101, null, 0.2]] (read as "tier" or "tiers"), and a "period" sent on a
// tier plan is accepted and ignored, so that a plan with bad tiers is
// refused for its tiers. These shapes belong to this package; the
// library's own JSON stays as it is.
//
// # Refusals
//
// An empty body (also {}, [] or null) is 400 {"message": "No input data
// provided"}. A body the library refuses is answered with the library's
// error as {"message", "code", "field"} (and "errors", every problem, when
// there are several): 400 for invalid_tiers and missing_input, 404 for
// not_found, 409 for conflict, 422 for the rest (invalid_input, an unknown
// field or a wrong type among them, unknown_reference, cycle,
// duplicate_usage, usage_out_of_contract). A body beyond Options.MaxBody is
// 413. A refused request stores nothing.
//
// # Authentication
//
// Authentication is the host's. [Options.Authenticate] maps a request to
// its organization or refuses it (401); with [Options.Login], POST /login
// {"username", "password"} answers {"access_token"}: an opaque random
// token that expires, kept only as its hash and checked in constant time.
// There are no built-in users and no default passwords. A request for an
// organization other than the authenticated one is 404. With neither, every
// organization id in a path is served: how a service's tests use it.
//
// # Where it differs from the service
//
// Objects are validated as the library validates them, so some bodies the
// service took are refused with a code (a percentage above 100, a tier
// plan whose tiers leave a gap). The service had no maximums; they are
// served in its manner. A factory run's statements are the library's
// (docs/statements.md), amounts as numbers; the charges of the last run are
// kept in the process, per organization and space, and are gone when it
// exits.
package httpapi
