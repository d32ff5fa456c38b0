package dev.soma.resilience.outbox.internal;

import dev.soma.resilience.common.ControlFlowException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.kafka.client.producer.KafkaProducer;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Hands a whole batch of records to the Kafka producer in one task on a dedicated worker thread and
 * completes once, on the caller's context, when the broker has answered for every record.
 *
 * <p>The Vert.x producer runs each {@code send} as its own worker task and each acknowledgement as
 * its own event-loop task; for a relay that sends hundreds of records per batch that is most of its
 * CPU. {@code Producer.send} only appends to the producer's buffer, but it may block (metadata of a
 * new topic, a full buffer) for up to {@code max.block.ms}, so it never runs on an event loop.
 *
 * <p>Batches reach the producer in the order {@link #send} was called, from whatever context, which
 * keeps one aggregate's records in order on its partition: the executor has one thread, and its
 * tasks are submitted unordered, so they queue straight on that thread in call order. Vert.x's
 * ordered mode would not do: it queues each calling context's tasks apart and runs a context's
 * queued tasks back to back, so while the thread was busy with one context's batch (a first
 * contact), that context's later batches passed an earlier one of another context; a relay once
 * called from two contexts (docs/RELIABILITY.md, "One relay, one context").
 */
final class RecordBatchSender {

  /** What the broker said about each record of a batch, by position. */
  static final class Results {
    private final long[] ackMillis;
    private final AtomicReferenceArray<Object> outcomes;
    private final AtomicIntegerArray handedOver;

    private Results(int size) {
      this.ackMillis = new long[size];
      this.outcomes = new AtomicReferenceArray<>(size);
      this.handedOver = new AtomicIntegerArray(size);
    }

    boolean acked(int i) {
      return !(outcomes.get(i) instanceof Throwable);
    }

    /** When record {@code i}'s acknowledgement arrived (epoch ms); only if {@link #acked}. */
    long ackMillis(int i) {
      return ackMillis[i];
    }

    /**
     * Whether the producer took record {@code i} into its buffer (it may then have failed in
     * flight), rather than refusing it at once.
     */
    boolean handedOver(int i) {
      return handedOver.get(i) == 1;
    }

    /** Why record {@code i} was not acknowledged; only if not {@link #acked}. */
    Throwable error(int i) {
      return (Throwable) outcomes.get(i);
    }

    int size() {
      return ackMillis.length;
    }
  }

  /**
   * A record not handed to the producer because the producer refused an earlier record of its key
   * (in its batch or an earlier one still in flight) (not for good: that record will be retried,
   * and this one must follow it).
   */
  static final class HeldBack extends ControlFlowException {
    HeldBack(String key) {
      super("not sent: an earlier record of key " + key + " was refused");
    }
  }

  private static final Object ACKED = new Object();
  private static final String SEND_THREAD = "soma-outbox-send";

  /**
   * How long the send thread waits for the answer to a partition's first record (see {@link
   * #sendAll}) before it sends on regardless. A healthy broker answers in milliseconds, a topic
   * being created in about a second; a first request lost to a partition not yet ready is retried
   * by the producer after its request timeout. The producer answers every record by its delivery
   * timeout, whose default this is.
   */
  static final Duration FIRST_CONTACT_WAIT = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final Producer<String, String> producer;

  private final FirstContacts firstContacts = new FirstContacts();
  private final WorkerExecutor sendThread;
  private final Clock clock;
  private final OrderFences fences;

  /** {@code sendThread} must have one thread: the order of batches depends on it. */
  RecordBatchSender(
      Vertx vertx,
      Producer<String, String> producer,
      WorkerExecutor sendThread,
      Clock clock,
      OrderFences fences) {
    this.vertx = vertx;
    this.producer = producer;
    this.sendThread = sendThread;
    this.clock = clock;
    this.fences = fences;
  }

  /**
   * A sender for {@code producer} on the process's one outbox send thread. Created inside a
   * verticle, the executor is released when the verticle is undeployed.
   */
  static RecordBatchSender create(
      Vertx vertx, KafkaProducer<String, String> producer, Clock clock, OrderFences fences) {
    return new RecordBatchSender(
        vertx, producer.unwrap(), vertx.createSharedWorkerExecutor(SEND_THREAD, 1), clock, fences);
  }

  /**
   * Sends {@code records} (of outbox rows {@code ids}, leased by claim {@code claim}) in order.
   * Completes on the calling context (or a new one, called from elsewhere) with one result per
   * record; never fails: a record the producer refused carries its error.
   */
  Future<Results> send(List<ProducerRecord<String, String>> records, long[] ids, long claim) {
    Context context = vertx.getOrCreateContext();
    Results results = new Results(records.size());
    if (records.isEmpty()) {
      return Future.succeededFuture(results);
    }
    Promise<Results> done = Promise.promise();
    AtomicInteger unanswered = new AtomicInteger(records.size());
    Runnable settleOne =
        () -> {
          if (unanswered.decrementAndGet() == 0) {
            context.runOnContext(v -> done.complete(results));
          }
        };
    sendThread
        .executeBlocking(
            () -> {
              sendAll(records, ids, claim, results, settleOne);
              return null;
            },
            false) // one thread: call order, whatever the calling context (see above)
        .onFailure(
            e -> {
              // the worker pool refused the task (closed): what was not sent carries its error
              for (int i = 0; i < records.size(); i++) {
                answer(results, i, e, settleOne);
              }
            });
    return done.future();
  }

  /**
   * Hands the records to the producer in order. The first record for a partition this producer has
   * had no acknowledgement from yet is sent alone: the thread waits for its answer (at most {@link
   * #FIRST_CONTACT_WAIT}, once per partition and batch, and never again for a partition once a wait
   * ran out) before it hands over anything else. Without that, a partition just created (or whose
   * leader is not ready) can lose the producer's first request and accept its second (as seen: the
   * broker then logged {@code OutOfOrderSequenceException} for the first one's retry); the first
   * then lands after it or expires: an aggregate's first events delivered after later ones (seen in
   * HotAggregateIT and RollingRestartIT, docs/RELIABILITY.md). The wait was once per topic, and a
   * fresh topic's other partitions showed it still (a first batch of three records expired after
   * the delivery timeout while a later one of its partition was acknowledged). Once one record of a
   * partition is acknowledged, the producer has its sequence there, and batches go out without
   * waiting.
   *
   * <p>When the producer refuses a record at once (a full buffer, metadata it could not get in
   * time: reported by an exception or by its callback before {@code send} returns, or by the
   * topic's partitions not being known), the later records of that key, in this batch and in the
   * batches after it, are held back ({@link HeldBack}, see {@link OrderFences}), or they would
   * reach Kafka before the refused one's retry. A record refused for good (too large) goes to the
   * dead letters and does not hold its successors back.
   */
  private void sendAll(
      List<ProducerRecord<String, String>> records,
      long[] ids,
      long claim,
      Results results,
      Runnable settleOne) {
    Map<String, TopicPartitions> topics = new HashMap<>();
    Set<TopicPartition> waitedFor = new HashSet<>();
    for (int i = 0; i < records.size(); i++) {
      int index = i;
      ProducerRecord<String, String> record = records.get(i);
      if (fences.fenced(record.key(), ids[i], claim)) {
        answer(results, index, new HeldBack(record.key()), settleOne);
        continue;
      }
      // Knowing the topic's partitions first keeps send() from blocking per record on metadata.
      TopicPartitions partitions = topics.computeIfAbsent(record.topic(), this::partitionsOf);
      TopicPartition partition = firstContacts.pending(record, partitions);
      if (partitions.error().isPresent()) {
        answer(results, index, partitions.error().get(), settleOne);
      } else if (partition != null && waitedFor.add(partition)) {
        CountDownLatch answered = new CountDownLatch(1);
        handOver(
            record,
            index,
            results,
            () -> {
              settleOne.run();
              answered.countDown();
            });
        if (!awaitFirstContact(answered) || results.outcomes.get(index) == ACKED) {
          firstContacts.contacted(partition, partitions.count());
        }
      } else {
        handOver(record, index, results, settleOne);
      }
      if (results.outcomes.get(index) instanceof Throwable refused
          && !PublishFailure.permanent(refused)) {
        fences.failed(record.key(), ids[i]);
      }
    }
  }

  private void handOver(
      ProducerRecord<String, String> record, int index, Results results, Runnable settleOne) {
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error == null) {
              results.ackMillis[index] = clock.millis();
            }
            answer(results, index, error == null ? ACKED : error, settleOne);
          });
      if (!(results.outcomes.get(index) instanceof Throwable)) {
        results.handedOver.set(index, 1);
      }
    } catch (RuntimeException e) {
      answer(results, index, e, settleOne);
    }
  }

  /**
   * Blocks the send thread (never an event loop) until a first record is answered; false when the
   * wait ran out.
   */
  private static boolean awaitFirstContact(CountDownLatch answered) {
    try {
      return answered.await(FIRST_CONTACT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The topic's partition count, or why the producer has (and could fetch) no metadata for it. */
  private TopicPartitions partitionsOf(String topic) {
    try {
      return new TopicPartitions(producer.partitionsFor(topic).size(), Optional.empty());
    } catch (RuntimeException e) {
      return new TopicPartitions(0, Optional.of(e));
    }
  }

  private static void answer(Results results, int index, Object outcome, Runnable settleOne) {
    // A record is answered once, whether by its callback or by send() throwing.
    if (results.outcomes.compareAndSet(index, null, outcome)) {
      settleOne.run();
    }
  }
}
