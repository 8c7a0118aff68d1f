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
// pricekit_usage_batches records every batch an ingestion began, with the
// positions it took, pricekit_usage_committed the batches accepted (reads
// count their rows only), pricekit_usage_aborted those given up,
// pricekit_usage_twins the events stored in two copies, and
// pricekit_usage_marks the billing marks.
//
// Aggregation happens in ClickHouse: each request's periods are sent as an
// external table, the events are bucketed into them where they are
// stored, and a row per period with usage comes back, whatever the number
// of events. Percentage charges are priced event by event in ClickHouse
// too.
//
// # Idempotency without unique keys
//
// ClickHouse has no unique constraint and no transactions, so a batch is
// made all or nothing, and an event id an idempotency key, in steps:
//
//  1. An ingestion looks the batch's ids up among the copies of committed
//     batches: the same payload again is a replay (not stored again),
//     another payload refuses the batch as duplicate_usage. The
//     ingestions of one organization in one process are serialized, so
//     within a process this is exactly the rule of the other stores.
//  2. It records the batch as begun, stores its events, and looks its ids
//     up again, now among the copies of other batches that are committed
//     or in flight (begun within the last minute, on the server's clock,
//     and not aborted): a copy with another payload refuses this batch as
//     duplicate_usage, naming the event.
//  3. A copy with the same payload makes the event a twin, which it
//     records (pricekit_usage_twins); only then does it commit the batch.
//     Every read counts the rows of committed batches only, each row as
//     it is, but a twin's rows, which it groups to their first copy by
//     position. A batch refused in step 2, or whose ingestion failed or
//     was cancelled on the way, is never committed and never read; its
//     rows stay behind, unread.
//
// What holds, then, for two batches that race with one id in two
// processes:
//
//   - With the same payload, both may store a copy, and every read counts
//     the event exactly once: each batch stores before it looks, so the
//     later of the two looks sees the other's copy and records the twin
//     before its batch commits.
//   - With different payloads, at most one of the two is accepted, for
//     the same reason; when both see each other, both are refused, and a
//     retry then goes through.
//   - A failed or refused ingestion changes nothing that any read sees,
//     and no read sees a batch before its ingestion is accepted.
//
// It is weaker than PostgreSQL's unique key in one way: a batch counts as
// in flight for a minute from its beginning. A commit that reaches the
// server later than that (an ingestion takes at most half of it to reach
// its commit, or gives up) could be taken for dead by a racing batch,
// which would then neither refuse itself nor record a twin: two payloads,
// or one payload twice, would count. [Store.Conflicts] lists such ids, so
// a host can check an organization before it issues statements. A writer
// that dies between beginning and committing a batch leaves its rows
// unread, and holds a racing batch with another payload for that id back
// (refused) for that minute.
//
// An organization without twins, the rule, is aggregated as it is
// stored; the twins' rows alone are grouped.
//
// # Positions
//
// An ingest position is a nanosecond of the writing process's clock, made
// to grow past every position any process took for the organization (the
// batches record them). In one process every rule of [store.UsageMarker]
// holds exactly: reading the position, marking and issuing wait for the
// organization's ingestions in flight there, and read the positions other
// processes took, so a process that only bills sees every accepted event
// before the position it reads. Across writers, positions are as close as
// their clocks and their batches in flight: an event of a batch that
// another process is still storing, or whose clock lags, may get a
// position below one read meanwhile, and be taken for seen by a statement
// rated at it. Route an organization's ingestion to one process (shard
// ingestion by organization), or read positions for billing well after
// the ingestions they should cover.
package clickhouse
