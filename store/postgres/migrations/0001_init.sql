-- pricekit schema, version 1: documents, the links between contracts, and usage.

-- Every document (customer, plan, modifier, frequency, contract) of every
-- organization, as its canonical JSON, with the typed columns queries need.
CREATE TABLE pricekit_documents (
    org         uuid        NOT NULL,
    id          uuid        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN (
                    'customers', 'fixed_fees', 'tiers', 'discounts', 'minimums', 'credits',
                    'billing_frequencies', 'product_contracts', 'sub_contracts', 'parent_contracts')),
    version     bigint      NOT NULL CHECK (version >= 1),
    body        jsonb       NOT NULL,
    seq         bigserial   NOT NULL,  -- first-save order
    customer_id uuid,                  -- parent contracts
    timezone    text,                  -- parent contracts ('' or NULL: UTC)
    product_id  uuid,                  -- product contracts
    start_day   date,                  -- product contracts
    end_day     date,                  -- product contracts (NULL: evergreen)
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org, id)
);

CREATE INDEX pricekit_documents_kind ON pricekit_documents (org, kind, seq);
CREATE INDEX pricekit_documents_customer ON pricekit_documents (org, customer_id, seq)
    WHERE kind = 'parent_contracts';

-- Containment edges of the contract trees: a sub or parent contract (parent)
-- holds a sub contract or a product contract (child). Rewritten with the
-- container on every save; read upwards to find a product contract's
-- parent contract, downwards to find cycles.
CREATE TABLE pricekit_links (
    org    uuid NOT NULL,
    parent uuid NOT NULL,
    child  uuid NOT NULL,
    rel    text NOT NULL CHECK (rel IN ('sub_contracts', 'product_contracts')),
    PRIMARY KEY (org, parent, rel, child),
    FOREIGN KEY (org, parent) REFERENCES pricekit_documents (org, id) ON DELETE CASCADE
);

CREATE INDEX pricekit_links_child ON pricekit_links (org, child);

-- Usage events in ingest order. day is the event's calendar day in the time
-- zone of its parent contract when it was ingested; event_date or event_ts
-- (exactly one) is what the host sent, kept to give the event back as it came.
CREATE TABLE pricekit_usage_events (
    org         uuid    NOT NULL,
    seq         bigserial NOT NULL, -- ingest order
    event_id    text,               -- the host's idempotency key; NULL: none
    contract_id uuid    NOT NULL,   -- a product contract
    product_id  uuid,               -- NULL: the contract's own product
    event_date  date,
    event_ts    text,               -- RFC 3339 with nanoseconds, exactly as given
    day         date    NOT NULL,
    quantity    numeric NOT NULL CHECK (quantity >= 0),
    ingested_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org, seq),
    CHECK ((event_date IS NULL) <> (event_ts IS NULL)),
    CHECK (event_id <> '')
);

-- Idempotency: one event per id and organization. Events without an id
-- (NULL) are distinct from each other, as NULLs are in a unique index.
CREATE UNIQUE INDEX pricekit_usage_events_id ON pricekit_usage_events (org, event_id);
CREATE INDEX pricekit_usage_events_day ON pricekit_usage_events (org, contract_id, day, seq)
    INCLUDE (quantity);
