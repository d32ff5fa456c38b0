-- Which version of a memory's value a row holds: bumped each time the memory is queued again.
-- A send of an older version that ends after the row was rewritten settles nothing but its lease,
-- so the newer value is sent after it, never marked synced unsent. Existing rows start at 0.
ALTER TABLE pending_memories ADD COLUMN revision bigint NOT NULL DEFAULT 0;
