-- Uploads that no storage link could take at first: their bytes waited in the spool directory
-- (storage.spoolDir) and the retry loop stored them later. One row per upload, written before the
-- spooled bytes are deleted, so a crash in between never stores an upload twice.

CREATE TABLE upload_completions (
    upload_id  text        PRIMARY KEY CHECK (upload_id <> ''),
    tenant_id  text        NOT NULL,
    object_key text        NOT NULL,
    provider   text        NOT NULL,
    queued_at  timestamptz NOT NULL,
    stored_at  timestamptz NOT NULL DEFAULT now()
);
