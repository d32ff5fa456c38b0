-- Transactional outbox, dead letters and idempotency records.
-- Other services may insert into outbox_messages directly, in their own transactions: a row with
-- only tenant_id, dedupe_key, topic, partition_key and payload (optionally headers) set is a valid
-- pending event. Everything else has a default.

CREATE TABLE outbox_messages (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id        text        NOT NULL CHECK (tenant_id <> ''),
    dedupe_key       text        NOT NULL CHECK (dedupe_key <> ''),
    topic            text        NOT NULL CHECK (topic <> ''),
    partition_key    text,
    payload          jsonb       NOT NULL,
    headers          jsonb       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(headers) = 'object'),
    status           text        NOT NULL DEFAULT 'pending'
                                 CHECK (status IN ('pending', 'published', 'dead')),
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts     integer     NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_owner      text,
    lease_expires_at timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    published_at     timestamptz,
    CONSTRAINT uq_outbox_tenant_dedupe UNIQUE (tenant_id, dedupe_key)
);

-- Claiming walks pending rows per tenant in id order; only pending rows are indexed, so the index
-- stays as small as the backlog however many published rows wait for retention.
CREATE INDEX ix_outbox_pending_tenant ON outbox_messages (tenant_id, id)
    WHERE status = 'pending';
-- The per-key order check: is there an earlier pending row of the same aggregate?
CREATE INDEX ix_outbox_pending_key ON outbox_messages (tenant_id, partition_key, id)
    WHERE status = 'pending' AND partition_key IS NOT NULL;
-- Retention deletes published rows by age.
CREATE INDEX ix_outbox_published_at ON outbox_messages (published_at)
    WHERE status = 'published';

-- Wakes relays on commits made by any writer. One notification per inserting statement; PostgreSQL
-- delivers it at commit and folds duplicates within a transaction.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox_messages', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_messages_notify
    AFTER INSERT ON outbox_messages
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

CREATE TABLE dead_letter_messages (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id       bigint      NOT NULL,
    tenant_id       text        NOT NULL,
    dedupe_key      text        NOT NULL,
    topic           text        NOT NULL,
    message_key     text        NOT NULL,
    payload         jsonb       NOT NULL,
    headers         jsonb       NOT NULL,
    error_message   text        NOT NULL,
    error_class     text        NOT NULL,
    attempts        integer     NOT NULL,
    created_at      timestamptz NOT NULL,
    dead_at         timestamptz NOT NULL DEFAULT now(),
    dlq_published   boolean     NOT NULL DEFAULT false,
    resolved        boolean     NOT NULL DEFAULT false,
    resolved_by     text,
    resolved_at     timestamptz,
    resolution_notes text
);

CREATE INDEX ix_dead_letter_unresolved ON dead_letter_messages (tenant_id, id) WHERE NOT resolved;
CREATE INDEX ix_dead_letter_dlq_pending ON dead_letter_messages (id) WHERE NOT dlq_published;

-- One row per processed key: an HTTP Idempotency-Key (scope 'http:<tenant>') or a consumed event
-- (scope 'consumer:<group>'). The primary key is what makes "at most once" hold under races.
CREATE TABLE idempotency_records (
    scope           text        NOT NULL CHECK (scope <> ''),
    idem_key        text        NOT NULL CHECK (idem_key <> ''),
    tenant_id       text,
    request_hash    text,
    status          text        NOT NULL DEFAULT 'completed'
                                CHECK (status IN ('in_progress', 'completed')),
    response_status integer,
    response_body   jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (scope, idem_key)
);

CREATE INDEX ix_idempotency_expires ON idempotency_records (expires_at);
