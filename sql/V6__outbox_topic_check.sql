-- Kafka accepts topic names of 1 to 249 characters of [a-zA-Z0-9._-], other than "." and "..".
-- A row with any other topic can never be published (nor its dead letter's <topic>.dlq copy):
-- refuse it when it is written, for writers that insert with plain SQL (the outbox API's
-- OutboxEntry checks the same rule).
--
-- A CHECK applies to every new version of a row, so also to the relay's updates (lease, settle)
-- of a row written before it: pending rows with such a topic are settled first, as the relay
-- would on their first attempt (dead-lettered), so that nothing updates them again.
WITH illegal AS (
    UPDATE outbox_messages
       SET status = 'dead', lease_owner = NULL, lease_expires_at = NULL,
           last_error = 'topic name Kafka can never accept (settled by migration V6)'
     WHERE status = 'pending'
       AND NOT (topic ~ '^[a-zA-Z0-9._-]{1,249}$' AND topic NOT IN ('.', '..'))
    RETURNING id, tenant_id, dedupe_key, topic, partition_key, payload, headers, attempts, created_at
)
INSERT INTO dead_letter_messages (outbox_id, tenant_id, dedupe_key, topic, message_key, payload,
                                  headers, error_message, error_class, attempts, created_at)
SELECT id, tenant_id, dedupe_key, topic, tenant_id || ':' || coalesce(partition_key, dedupe_key),
       payload, headers, 'topic name Kafka can never accept (settled by migration V6)',
       'org.apache.kafka.common.errors.InvalidTopicException', attempts, created_at
  FROM illegal;

-- NOT VALID: older published and dead rows keep their topic (retention deletes the published
-- ones; a dead one cannot be replayed, which is right: it could never be published), and adding
-- the constraint does not scan the whole outbox under an exclusive lock.
ALTER TABLE outbox_messages
    ADD CONSTRAINT ck_outbox_topic_kafka_legal
    CHECK (topic ~ '^[a-zA-Z0-9._-]{1,249}$' AND topic NOT IN ('.', '..')) NOT VALID;
