package dev.soma.resilience.idempotency;

import dev.soma.resilience.common.db.Transaction;
import io.vertx.core.Future;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaHeader;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.function.Function;

/**
 * Applies a Kafka record's effect at most once per (consumer group, event id). The event id is
 * recorded in {@code idempotency_records} in the same transaction as the effect: if the effect
 * fails, neither is kept and a redelivery tries again; if it commits, every redelivery (a relay
 * re-sending after a crash, a consumer rebalance, a dead-letter replay) is recognised and skipped.
 * The effect is a participant in that transaction: what it writes (outbox events too, which then
 * wake the relay once it commits) stands or falls with the record of the event id.
 *
 * <p>Records are kept for {@code retention} (at least as long as redeliveries can happen: the
 * topic's retention is a safe choice) and removed by {@link IdempotencyCleanup}.
 */
public final class IdempotentConsumer {

  static final String CLAIM =
      """
      INSERT INTO idempotency_records (scope, idem_key, tenant_id, expires_at)
      VALUES ($1, $2, $3, now() + make_interval(secs => $4))
      ON CONFLICT (scope, idem_key) DO NOTHING\
      """;

  private final Pool pool;
  private final String scope;
  private final Duration retention;

  /** A consumer for {@code consumerGroup}; its keys never collide with another group's. */
  public IdempotentConsumer(Pool pool, String consumerGroup, Duration retention) {
    if (consumerGroup == null || consumerGroup.isBlank()) {
      throw new IllegalArgumentException("consumerGroup must not be empty");
    }
    this.pool = pool;
    this.scope = "consumer:" + consumerGroup;
    this.retention = retention;
  }

  /**
   * Runs {@code effect} in a transaction unless the record's {@code event-id} header was already
   * processed by this group. Completes with {@code true} when the effect ran and committed, {@code
   * false} for a duplicate. Fails (and records nothing) when the record carries no {@code event-id}
   * header or the effect fails.
   */
  public Future<Boolean> process(
      KafkaConsumerRecord<String, String> record, Function<Transaction, Future<?>> effect) {
    String eventId = header(record, "event-id");
    if (eventId == null) {
      return Future.failedFuture(
          new IllegalArgumentException(
              "record at "
                  + record.topic()
                  + "/"
                  + record.partition()
                  + "@"
                  + record.offset()
                  + " has no event-id header"));
    }
    return process(eventId, header(record, "tenant-id"), effect);
  }

  /** As {@link #process(KafkaConsumerRecord, Function)}, for an event id at hand. */
  public Future<Boolean> process(
      String eventId, String tenantId, Function<Transaction, Future<?>> effect) {
    return Transaction.run(
        pool,
        tx ->
            tx.preparedQuery(CLAIM)
                .execute(Tuple.of(scope, eventId, tenantId, retention.toMillis() / 1000.0))
                .compose(
                    rows ->
                        rows.rowCount() == 0
                            ? Future.succeededFuture(false)
                            : effect.apply(tx).map(done -> true)));
  }

  private static String header(KafkaConsumerRecord<String, String> record, String name) {
    String value = null;
    for (KafkaHeader header : record.headers()) {
      if (header.key().equals(name)) {
        value = header.value().toString();
      }
    }
    return value;
  }
}
