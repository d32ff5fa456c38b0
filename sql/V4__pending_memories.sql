-- Memories SomaBrain could not take at once, queued until it can. One row per (tenant, key):
-- the key is sent as SomaBrain's `key`, so a re-sent memory overwrites instead of duplicating.

CREATE TABLE pending_memories (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id        text        NOT NULL CHECK (tenant_id <> ''),
    memory_key       text        NOT NULL CHECK (memory_key <> ''),
    namespace        text        NOT NULL,
    value            jsonb       NOT NULL,
    meta             jsonb       NOT NULL DEFAULT '{}'::jsonb,
    status           text        NOT NULL DEFAULT 'pending'
                                 CHECK (status IN ('pending', 'synced', 'dead')),
    attempts         integer     NOT NULL DEFAULT 0,
    max_attempts     integer     NOT NULL DEFAULT 10 CHECK (max_attempts > 0),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_owner      text,
    lease_expires_at timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    synced_at        timestamptz,
    CONSTRAINT uq_pending_memory_key UNIQUE (tenant_id, memory_key)
);

CREATE INDEX ix_pending_memories_tenant ON pending_memories (tenant_id, id) WHERE status = 'pending';
CREATE INDEX ix_pending_memories_synced ON pending_memories (synced_at) WHERE status = 'synced';

-- Dead letters hold memories too: outbox_id is then null and memory_id points at the memory.
ALTER TABLE dead_letter_messages ALTER COLUMN outbox_id DROP NOT NULL;
ALTER TABLE dead_letter_messages ADD COLUMN memory_id bigint;
ALTER TABLE dead_letter_messages ADD CONSTRAINT ck_dead_letter_source
    CHECK ((outbox_id IS NULL) <> (memory_id IS NULL));
