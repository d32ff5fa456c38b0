-- Operators' overrides of the circuit breakers (breaker/BreakerOverrides, api/BreakerAdminRoutes):
-- one row per breaker held forced open or forced closed; no row: automatic. Every process LISTENs
-- on 'breaker_overrides' (NOTIFY is sent in the transaction that changes a row, so it arrives on
-- commit), reads the whole table at start-up and re-reads it periodically. A few rows at most.
CREATE TABLE breaker_overrides (
    dependency text        NOT NULL CHECK (dependency <> ''),
    -- '_all' for the dependency's own breaker, else the tenant's breaker of that dependency
    tenant     text        NOT NULL CHECK (tenant <> ''),
    mode       text        NOT NULL CHECK (mode IN ('forced-open', 'forced-closed')),
    operator   text        NOT NULL CHECK (operator <> ''),
    reason     text        NOT NULL DEFAULT '',
    since      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dependency, tenant)
);
