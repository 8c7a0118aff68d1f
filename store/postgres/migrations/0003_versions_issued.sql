-- pricekit schema, version 3: versions of documents, issued statements.

-- Every version of every tier plan, fixed fee, discount and minimum: the
-- version set of the document, base first, then by day. The base version
-- (saved without effective_from) is kept under '-infinity', which sorts
-- before every day, so ORDER BY effective_from is the order of the set and
-- the primary key holds one base and one version per day. A document of
-- these kinds always has at least one row here, and pricekit_documents.body
-- is the body of its last one (its latest version), so reads by id and
-- lists need not look here. Rewritten in the transaction of each save.
CREATE TABLE pricekit_document_versions (
    org            uuid  NOT NULL,
    id             uuid  NOT NULL,
    effective_from date  NOT NULL,  -- '-infinity': the base version
    body           jsonb NOT NULL,
    PRIMARY KEY (org, id, effective_from),
    FOREIGN KEY (org, id) REFERENCES pricekit_documents (org, id) ON DELETE CASCADE
);

-- The documents saved before versions existed are their base versions.
INSERT INTO pricekit_document_versions (org, id, effective_from, body)
SELECT org, id, '-infinity', body FROM pricekit_documents
WHERE kind IN ('tiers', 'fixed_fees', 'discounts', 'minimums');

-- Statements as they were issued, kept with their parent contract and
-- numbered 1, 2, … per contract. The statement is bytea, not jsonb: it is
-- given back byte for byte. position is the ingest position when it was
-- issued (as a usage mark's). Nothing deletes an issued statement, and the
-- parent contract it belongs to cannot be deleted while it has one.
CREATE TABLE pricekit_issued_statements (
    org          uuid        NOT NULL,
    contract     uuid        NOT NULL,   -- a parent contract
    number       bigint      NOT NULL CHECK (number >= 1),
    period_start date        NOT NULL,
    statement    bytea       NOT NULL CHECK (octet_length(statement) > 0),
    documents    text        NOT NULL,
    position     bigint      NOT NULL CHECK (position >= 0),
    adjusts      bigint[]    NOT NULL DEFAULT '{}', -- numbers of the earlier statements it adjusts
    issued_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org, contract, number),
    FOREIGN KEY (org, contract) REFERENCES pricekit_documents (org, id)
);
