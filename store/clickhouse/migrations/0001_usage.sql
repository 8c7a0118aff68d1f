-- The usage side of pricekit in ClickHouse. Every statement is accepted
-- by ClickHouse 18.16 and by current releases.

-- Every stored copy of an accepted event, partitioned by month of its day
-- and ordered so that one product contract's period is one range read.
-- A row is read once its batch is committed. Two writers racing with one
-- event id may both store a copy: reads count an id once, by its first
-- copy (lowest position).
CREATE TABLE IF NOT EXISTS pricekit_usage_events (
    org         UUID,
    contract_id UUID,
    day         Date,
    position    Int64,
    batch       UUID,
    event_id    String,
    product_id  UUID,
    event_date  Int64,
    event_ts    String,
    quantity    Decimal(38, 12)
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (org, contract_id, day, position);

-- The same copies of events that have an id, ordered by id: the index an
-- ingestion looks ids up in.
CREATE TABLE IF NOT EXISTS pricekit_usage_ids (
    org         UUID,
    event_id    String,
    position    Int64,
    batch       UUID,
    contract_id UUID,
    day         Date,
    product_id  UUID,
    event_date  Int64,
    event_ts    String,
    quantity    Decimal(38, 12)
) ENGINE = MergeTree()
ORDER BY (org, event_id, position);

-- Every batch an ingestion began, with the last ingest position it took
-- and when the server saw it begin: what the ingest position now is read
-- from, and which batches are in flight.
CREATE TABLE IF NOT EXISTS pricekit_usage_batches (
    org   UUID,
    batch UUID,
    last  Int64,
    begun DateTime DEFAULT now()
) ENGINE = MergeTree()
ORDER BY (org, batch);

-- The batches whose ingestion was accepted. Reads count the copies of
-- committed batches only: a batch stored and then refused, or whose
-- ingestion failed, is never read.
CREATE TABLE IF NOT EXISTS pricekit_usage_committed (
    org   UUID,
    batch UUID
) ENGINE = MergeTree()
ORDER BY (org, batch);

-- The batches whose ingestion failed or was refused after they were
-- begun: no longer in flight.
CREATE TABLE IF NOT EXISTS pricekit_usage_aborted (
    org   UUID,
    batch UUID
) ENGINE = MergeTree()
ORDER BY (org, batch);

-- The events stored in more than one copy (by two writers racing with
-- the same payload), recorded by the ingestion that saw the other copy
-- before it committed: reads group only these to their first copy.
CREATE TABLE IF NOT EXISTS pricekit_usage_twins (
    org         UUID,
    contract_id UUID,
    day         Date,
    event_id    String
) ENGINE = MergeTree()
ORDER BY (org, contract_id, day, event_id);

-- Billing marks of parent contracts: usage through a day (days of package
-- date), stored before an ingest position, is billed.
CREATE TABLE IF NOT EXISTS pricekit_usage_marks (
    org      UUID,
    contract UUID,
    through  Int64,
    position Int64
) ENGINE = MergeTree()
ORDER BY (org, contract, through);

-- The migrations applied.
CREATE TABLE IF NOT EXISTS pricekit_schema_migrations (
    version UInt32,
    name    String,
    applied DateTime
) ENGINE = MergeTree()
ORDER BY version
