// Package clickhouse keeps pricekit's usage in ClickHouse, for hosts whose
// usage outgrows one PostgreSQL, and everything else in another store: a
// [Store] is a [store.Store] whose ingestion, usage reads, aggregation,
// billing marks and ingest positions run in ClickHouse, and whose
// documents and issued statements stay in the [store.Documents] given to
// [New] (the memory or the PostgreSQL store):
//
//	st := clickhouse.New(conn, postgres.New(pool))
//
// The host passes a connection of github.com/ClickHouse/clickhouse-go/v2
// (the native protocol) and calls [Store.Migrate] once. Every statement it
// sends is accepted by ClickHouse 18.16 and by current releases.
//
// # Tables
//
// pricekit_usage_events is a MergeTree partitioned by the month of each
// event's day and ordered by (org, contract_id, day, position), so that a
// product contract's period is one range read. Quantities are
// Decimal(38, 12) and days are Date: an event whose quantity needs more
// than 12 places or 26 digits before the point, or whose day lies outside
// 1970-01-01 … 2105-12-31, is refused as invalid_input (the days and
// amounts of the other stores are wider). pricekit_usage_ids holds the
// same rows of events that have an id, ordered by id: the index that
// ingestion looks ids up in, so looking up a batch's ids reads the
// granules of those ids only (ids that grow with time, such as UUIDv7 or
// a sequence, keep a batch's lookups in few granules).
// pricekit_usage_withdrawn lists batches that were refused after they were
// stored, and pricekit_usage_marks the billing marks.
//
// Aggregation happens in ClickHouse: each request's periods are sent as an
// external table, the events are bucketed into them where they are
// stored, and a row per period with usage comes back, whatever the number
// of events. Percentage charges are priced event by event in ClickHouse
// too.
//
// # Idempotency without unique keys
//
// ClickHouse has no unique constraint, so an event id is made an
// idempotency key in three steps:
//
//  1. Before it stores a batch, an ingestion looks its ids up among the
//     stored copies: the same payload again is a replay (not stored
//     again), another payload refuses the batch as duplicate_usage. The
//     ingestions of one organization in one process are serialized, so
//     within a process this is exactly the rule of the other stores.
//  2. Two processes may still race: both look an id up, find nothing,
//     and both store a copy. So after storing, an ingestion looks its ids
//     up again; a copy of one of them with another payload, stored by
//     another batch that is not withdrawn, withdraws this batch (a row in
//     pricekit_usage_withdrawn: every read leaves its copies out) and
//     refuses it as duplicate_usage, naming the event.
//  3. Every read counts an event once: among the copies of an id on one
//     product contract and day (the copies of a payload), the first, by
//     position, is the one counted.
//
// What holds, then, when batches race with the same id:
//
//   - With the same payload, the event is counted exactly once, whatever
//     the interleaving, also after a crash between the two inserts of an
//     ingestion or a retry of a batch whose answer was lost.
//   - With different payloads, at most one of the batches is accepted and
//     counted; the other is refused as duplicate_usage and changes
//     nothing that any read sees. When the two look each other up at the
//     same moment, both may be refused: a retry then succeeds.
//
// It is weaker than PostgreSQL's unique key in two ways. A batch refused
// in step 2 stays stored (withdrawn, never read); and a process that dies
// between storing a batch and its second look leaves that batch counted
// even if a racing batch with another payload for one of its ids was
// accepted: [Store.Conflicts] lists such ids, so a host can check an
// organization before it issues statements.
//
// # Positions
//
// An ingest position is a nanosecond of the writing process's clock, made
// to grow past every position that process gave out or found stored. In
// one process every rule of [store.UsageMarker] holds exactly: reading the
// position, marking and issuing wait for the organization's ingestions in
// flight. Across processes, positions are as close as the clocks: an
// event accepted by a process whose clock lags by more than the time since
// another process read the position may get a position below it, and be
// taken for seen by a statement rated at it. Route an organization's
// ingestion to one process (shard ingestion by organization), or keep the
// writers' clocks synchronized and read positions for billing well after
// the ingestions they should cover.
package clickhouse
