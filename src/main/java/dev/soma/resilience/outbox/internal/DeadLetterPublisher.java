package dev.soma.resilience.outbox.internal;

import io.vertx.core.Future;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies dead letters to their {@code <topic>.dlq} topic. A dead letter is safe in PostgreSQL from
 * the moment it exists; this only makes it visible on Kafka, and retries (from housekeeping) until
 * the broker has it. Delivery to the {@code .dlq} topic is at least once. A payload too large for
 * Kafka (the usual reason a record dies) is replaced by a pointer to its dead-letter row, with the
 * header {@code dlq-payload-omitted: true}. A letter whose {@code <topic>.dlq} name Kafka can never
 * accept (a topic of more than 245 characters) is not sent at all.
 */
public final class DeadLetterPublisher {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterPublisher.class);

  /**
   * The topics whose {@code <topic>.dlq} Kafka can accept (1 to 249 characters of [a-zA-Z0-9._-]):
   * a letter of any other topic is never sent, so never retried in vain; it stays in {@code
   * dead_letter_messages} for {@code dead-letters list}.
   */
  static final String DLQ_POSSIBLE = "^[a-zA-Z0-9._-]{1,245}$";

  static final String SELECT_UNPUBLISHED =
      "SELECT "
          + DeadLetter.COLUMNS
          + " FROM dead_letter_messages WHERE NOT dlq_published AND id > $2 AND topic ~ $3"
          + " ORDER BY id LIMIT $1";
  static final String MARK_PUBLISHED =
      "UPDATE dead_letter_messages SET dlq_published = true WHERE id = ANY($1::bigint[])";

  private final Pool pool;
  private final KafkaProducer<String, String> producer;

  /** Called from the relay's and housekeeping's event loops. */
  private final AtomicBoolean running = new AtomicBoolean();

  /**
   * Where the next call continues: letters Kafka keeps refusing (a {@code .dlq} topic it may not
   * create) must not hold back the ones after them; they are tried again when the scan wraps.
   */
  private final AtomicLong after = new AtomicLong();

  public DeadLetterPublisher(Pool pool, KafkaProducer<String, String> producer) {
    this.pool = pool;
    this.producer = producer;
  }

  /**
   * Publishes up to {@code limit} dead letters not yet on Kafka; completes with how many made it.
   * Calls made while one is running return 0 at once: that run or the next will take them.
   */
  public Future<Integer> publishPending(int limit) {
    if (!running.compareAndSet(false, true)) {
      return Future.succeededFuture(0);
    }
    return pool.preparedQuery(SELECT_UNPUBLISHED)
        .execute(Tuple.of(limit, after.get(), DLQ_POSSIBLE))
        .compose(
            rows -> {
              List<DeadLetter> letters = new ArrayList<>();
              rows.forEach(row -> letters.add(DeadLetter.from(row)));
              after.set(letters.size() < limit ? 0 : letters.get(letters.size() - 1).id());
              return send(letters);
            })
        .eventually(
            () -> {
              running.set(false);
              return Future.succeededFuture();
            });
  }

  private Future<Integer> send(List<DeadLetter> letters) {
    List<Future<DeadLetter>> sends = new ArrayList<>();
    for (DeadLetter letter : letters) {
      sends.add(
          producer
              .asStream()
              .send(KafkaRecords.deadLetter(letter, false))
              .recover(
                  e ->
                      e instanceof RecordTooLargeException
                          // the full payload stays in dead_letter_messages; Kafka gets a pointer to
                          // it
                          ? producer.asStream().send(KafkaRecords.deadLetter(letter, true))
                          : Future.failedFuture(e))
              .map(meta -> letter)
              .onFailure(
                  e ->
                      LOG.warn(
                          "dead letter {} (tenant={} event={}) not yet on {}.dlq: {}",
                          letter.id(),
                          letter.tenantId(),
                          letter.eventId(),
                          letter.topic(),
                          e.toString())));
    }
    return Future.join(sends)
        .transform(
            done -> {
              List<Long> sent = new ArrayList<>();
              for (Future<DeadLetter> f : sends) {
                if (f.succeeded()) {
                  sent.add(f.result().id());
                }
              }
              if (sent.isEmpty()) {
                return Future.succeededFuture(0);
              }
              return pool.preparedQuery(MARK_PUBLISHED)
                  .execute(Tuple.of(sent.toArray(Long[]::new)))
                  .map(r -> sent.size());
            });
  }
}
