-- Operators' rules for the per-tenant feature flags (flags/FeatureFlags, api/FlagAdminRoutes,
-- the 'flags' command): one row per flag the code knows (flags/FeatureFlag); no row: the flag's
-- built-in default for every tenant. For a tenant: off when on deny_tenants, else on when on
-- allow_tenants, else on when its bucket (first 4 bytes of SHA-256 of '<name>:<tenant>' mod 100)
-- is below percentage. Every process LISTENs on 'feature_flags' (NOTIFY is sent in the
-- transaction that changes a row), reads the whole table at start-up and re-reads it
-- periodically. A few rows at most.
CREATE TABLE feature_flags (
    name          text        PRIMARY KEY CHECK (name <> ''),
    allow_tenants text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(allow_tenants) <= 1000),
    deny_tenants  text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(deny_tenants) <= 1000),
    percentage    smallint    NOT NULL CHECK (percentage BETWEEN 0 AND 100),
    operator      text        NOT NULL CHECK (operator <> ''),
    reason        text        NOT NULL DEFAULT '',
    updated_at    timestamptz NOT NULL DEFAULT now()
);
