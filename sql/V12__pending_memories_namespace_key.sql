-- A memory is tenant + namespace + key, as at SomaBrain (contracts/somabrain.md): the same key in
-- two namespaces is two memories. V4 made the key unique per tenant alone, so queueing a key in a
-- second namespace replaced the first namespace's memory. Every existing row stays valid: rows
-- unique per (tenant_id, memory_key) are unique per (tenant_id, namespace, memory_key) too.
ALTER TABLE pending_memories
    ADD CONSTRAINT uq_pending_memory_namespace_key UNIQUE (tenant_id, namespace, memory_key);
ALTER TABLE pending_memories DROP CONSTRAINT uq_pending_memory_key;
