-- Tenants, their API keys (hashed), and the agent API's business records.

CREATE TABLE tenants (
    id         text        PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A key is shown once, as soma_<id>_<secret>; only SHA-256(secret) is kept. The secret is 256
-- random bits, so a fast hash is enough (no password stretching needed).
CREATE TABLE api_keys (
    id          text        PRIMARY KEY,
    tenant_id   text        NOT NULL REFERENCES tenants (id),
    secret_hash bytea       NOT NULL,
    label       text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text        NOT NULL,
    revoked_at  timestamptz,
    revoked_by  text
);

CREATE INDEX ix_api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE conversation_messages (
    tenant_id       text        NOT NULL REFERENCES tenants (id),
    conversation_id text        NOT NULL,
    message_id      text        NOT NULL,
    role            text        NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
    content         text        NOT NULL,
    metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, conversation_id, message_id)
);

CREATE TABLE tool_executions (
    tenant_id       text        NOT NULL REFERENCES tenants (id),
    execution_id    text        NOT NULL,
    conversation_id text        NOT NULL,
    tool_name       text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('succeeded', 'failed')),
    result          jsonb       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, execution_id)
);
