// Package postgres is the PostgreSQL back end of package store: a
// [store.Store] on a [pgxpool.Pool] that the host passes in, so contracts
// and usage live in the host's own database. It keeps the documents of
// docs/documents.md and refuses with the codes of docs/errors.md, exactly as
// store/memory does.
//
// # Schema
//
// The schema ships as embedded SQL migrations, applied by [Store.Migrate]
// (call it at start-up; it is idempotent and safe to run from several
// processes at once). It creates these tables, all named pricekit_*:
//
//   - pricekit_documents: every document as its canonical JSON (jsonb), keyed
//     by (org, id) with a version column, plus the typed columns queries need
//     (customer_id, timezone, product_id, start_day, end_day); a versioned
//     document (docs/versions.md) as its latest version;
//   - pricekit_document_versions: every version of the tier plans, fixed
//     fees, discounts and minimums, keyed by (org, id, effective_from), the
//     base version under -infinity so that the key orders a version set base
//     first, then by day; written in the transaction of the save, and read by
//     [Store.Versions] and [Store.Tree];
//   - pricekit_links: which contract holds which sub contract or product
//     contract, so trees are walked in SQL;
//   - pricekit_usage_events: usage in ingest order, quantity NUMERIC, day
//     DATE, with a unique key (org, event_id) for idempotency;
//   - pricekit_usage_marks: the billing marks of parent contracts;
//   - pricekit_issued_statements: issued statements by (org, contract,
//     number), the statement as BYTEA so that it comes back byte for byte.
//
// Money and quantities are NUMERIC (never floating point), days are DATE,
// ids are UUID. Every query names the organization, so one tenant never
// reads or changes another's rows.
//
// # Consistency
//
// Each [Store.Save] is one transaction: it validates the batch, checks
// [store.Batch.IfVersion] preconditions, references and cycles against the
// stored documents and writes everything or nothing. Saves of one
// organization are serialized by a transaction-scoped advisory lock;
// ingestion takes the same lock shared, so usage is always checked against
// the contracts as they are, while batches of usage are ingested
// concurrently. [Store.Mark] and [Store.Issue] take the lock exclusively,
// so the ingest position they record has no event still to commit below
// it, and issues of one contract are numbered one after the other.
// Idempotency is enforced by the database: an event id stored
// by a concurrent ingestion is compared with the new payload after the
// insert, so the same event is counted once and a different payload is
// duplicate_usage, however the calls interleave.
//
// # Days and time zones
//
// A usage event's day is computed when it is ingested, in the time zone of
// the parent contract above its product contract (UTC for a draft), as
// [store.UsageReader] specifies. [Store.AggregateUsage] sums, maxes, counts
// or takes the latest quantity per billing period in the database.
package postgres
