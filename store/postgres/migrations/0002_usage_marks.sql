-- pricekit schema, version 2: billing marks of parent contracts.

-- A mark says that a parent contract's usage on days through "through", as
-- stored when the mark was made, is billed: events with seq below
-- "position" were in. Marks of a contract only go forward.
CREATE TABLE pricekit_usage_marks (
    org       uuid        NOT NULL,
    contract  uuid        NOT NULL,   -- a parent contract
    through   date        NOT NULL,
    position  bigint      NOT NULL CHECK (position >= 0),
    marked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org, contract, through)
);
