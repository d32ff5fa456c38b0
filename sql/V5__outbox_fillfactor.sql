-- Leave room on each page so that the relay's lease update (columns no index covers) can be a
-- heap-only update: no new index entries for every claimed row. Applies to pages written from now on.
ALTER TABLE outbox_messages SET (fillfactor = 70);
ALTER TABLE pending_memories SET (fillfactor = 70);
