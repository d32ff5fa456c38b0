-- Leases die with their owner. Each process holds, on a connection of its own, the session-level
-- advisory lock (1279607123, key) for a key taken from lease_holders (common/db/LeaseKeeper),
-- and writes that key next to every lease it takes. PostgreSQL releases the lock the moment the
-- owner's session ends (a killed process, a closed connection, a dead host once TCP keepalive
-- notices), so its leases end then too, whatever their time. The time stays the long stop for an
-- owner that is alive but stalled: its lock is still held.

-- 2^31 - 1 process starts before a key comes round again; a process that finds its key still
-- held (by a process that has run that long) takes the next one.
CREATE SEQUENCE lease_holders AS integer MINVALUE 1 CYCLE;

-- No index on these: the relay's lease update must stay a heap-only (HOT) update.
-- NULL (rows leased before this migration): the lease lasts its time only.
ALTER TABLE outbox_messages ADD COLUMN lease_holder integer;
ALTER TABLE pending_memories ADD COLUMN lease_holder integer;
ALTER TABLE idempotency_records ADD COLUMN holder integer;

-- The one test of a lease, wherever one is tested: it is live while it has not expired at `at`
-- and its holder's lock is held by some session. The shared try-lock succeeds only when no
-- session holds the key exclusively, i.e. the owner's session is gone; it holds the shared lock
-- to the end of the caller's transaction, which is harmless (it only makes the dead key's
-- exclusive lock wait for that transaction). VOLATILE: it takes locks.
CREATE FUNCTION lease_live(expires_at timestamptz, holder integer, at timestamptz DEFAULT now())
    RETURNS boolean
    LANGUAGE sql VOLATILE
AS $$
    SELECT CASE
             WHEN expires_at IS NULL OR expires_at < at THEN false
             WHEN holder IS NULL THEN true
             ELSE NOT pg_try_advisory_xact_lock_shared(1279607123, holder)
           END
$$;
