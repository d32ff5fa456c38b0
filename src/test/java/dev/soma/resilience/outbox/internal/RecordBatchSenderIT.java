package dev.soma.resilience.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.kafka.ProducerSettings;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A batch's records against a real broker, when the producer refuses one of them at once: the later
 * records of that key must not reach Kafka before the refused one's retry, while other keys go on;
 * a record refused for good (too large) holds nothing back.
 */
@ExtendWith(TestServices.class)
class RecordBatchSenderIT {

  private static final String REFUSE = " (refuse)";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Test
  void aRefusedRecordHoldsBackTheLaterRecordsOfItsKeyOnly() throws Exception {
    Vertx vertx = Vertx.vertx();
    String topic = TestServices.topic("refused");
    ServiceConfig config = OutboxFixture.config(Map.of());
    Map<String, Object> settings = settings(config, topic);
    String tooLarge = "x".repeat(config.kafka().maxRequestSizeBytes() + 1);
    try (RefusingProducer producer = new RefusingProducer(settings)) {
      RecordBatchSender sender = sender(vertx, producer, topic, new OrderFences());

      RecordBatchSender.Results results =
          Blocking.await(
              sender.send(
                  List.of(
                      new ProducerRecord<>(topic, "t:a", "a1" + REFUSE),
                      new ProducerRecord<>(topic, "t:a", "a2"),
                      new ProducerRecord<>(topic, "t:b", "b1"),
                      new ProducerRecord<>(topic, "t:c", tooLarge),
                      new ProducerRecord<>(topic, "t:c", "c2")),
                  new long[] {1, 2, 3, 4, 5},
                  1),
              Duration.ofSeconds(30));

      assertThat(results.error(0)).isInstanceOf(TimeoutException.class);
      assertThat(results.acked(1)).as("a2, behind the refused a1").isFalse();
      assertThat(results.error(1)).isInstanceOf(RecordBatchSender.HeldBack.class);
      assertThat(results.acked(2)).isTrue();
      assertThat(results.error(3)).isInstanceOf(RecordTooLargeException.class);
      assertThat(results.acked(4)).isTrue();
      List<String> onTheWire =
          KafkaReader.read(TestServices.kafkaBootstrap(), topic, 2, Duration.ofSeconds(30)).stream()
              .map(ConsumerRecord::value)
              .toList();
      assertThat(onTheWire).containsExactlyInAnyOrder("b1", "c2");
    } finally {
      Blocking.await(vertx.close(), Duration.ofSeconds(10));
    }
  }

  @Test
  void aRefusedRecordHoldsBackItsKeyInLaterBatchesUntilItsSettlement() throws Exception {
    Vertx vertx = Vertx.vertx();
    String topic = TestServices.topic("refused-across");
    ServiceConfig config = OutboxFixture.config(Map.of());
    Map<String, Object> settings = settings(config, topic);
    OrderFences fences = new OrderFences();
    try (RefusingProducer producer = new RefusingProducer(settings)) {
      RecordBatchSender sender = sender(vertx, producer, topic, fences);

      RecordBatchSender.Results first =
          Blocking.await(
              sender.send(
                  List.of(new ProducerRecord<>(topic, "t:a", "a1" + REFUSE)), new long[] {1}, 1),
              Duration.ofSeconds(30));
      // claim 2 started before claim 1's rows were settled: it may hold a's later rows
      RecordBatchSender.Results second =
          Blocking.await(
              sender.send(
                  List.of(
                      new ProducerRecord<>(topic, "t:a", "a2"),
                      new ProducerRecord<>(topic, "t:b", "b1")),
                  new long[] {2, 3},
                  2),
              Duration.ofSeconds(30));
      fences.settled(List.of("t:a"), 2, 3);
      // claim 3 started after: the claim itself keeps a's rows behind a1 from here on
      RecordBatchSender.Results third =
          Blocking.await(
              sender.send(List.of(new ProducerRecord<>(topic, "t:a", "a1")), new long[] {1}, 3),
              Duration.ofSeconds(30));

      assertThat(first.error(0)).isInstanceOf(TimeoutException.class);
      assertThat(second.error(0)).isInstanceOf(RecordBatchSender.HeldBack.class);
      assertThat(second.acked(1)).isTrue();
      assertThat(third.acked(0)).isTrue();
      assertThat(fences.size()).isZero();
    } finally {
      Blocking.await(vertx.close(), Duration.ofSeconds(10));
    }
  }

  @Test
  void theFirstRecordForATopicIsAcknowledgedBeforeAnyOtherIsHandedOver() throws Exception {
    Vertx vertx = Vertx.vertx();
    String topic = TestServices.topic("first-contact");
    String other = TestServices.topic("first-contact-other");
    ServiceConfig config = OutboxFixture.config(Map.of());
    Map<String, Object> settings = settings(config, topic);
    try (LoggingProducer producer = new LoggingProducer(settings)) {
      RecordBatchSender sender = sender(vertx, producer, topic, new OrderFences());

      RecordBatchSender.Results results =
          Blocking.await(
              sender.send(
                  List.of(
                      new ProducerRecord<>(topic, "t:a", "a1"),
                      new ProducerRecord<>(topic, "t:a", "a2"),
                      new ProducerRecord<>(other, "t:b", "b1"),
                      new ProducerRecord<>(topic, "t:a", "a3"),
                      new ProducerRecord<>(other, "t:b", "b2")),
                  new long[] {1, 2, 3, 4, 5},
                  1),
              Duration.ofSeconds(60));

      for (int i = 0; i < 5; i++) {
        assertThat(results.acked(i)).as("record " + i).isTrue();
      }
      List<String> log = producer.log();
      assertThat(log.indexOf("ack a1")).isLessThan(log.indexOf("send a2"));
      assertThat(log.indexOf("ack b1")).isLessThan(log.indexOf("send a3"));
      assertThat(log).containsSubsequence("send a1", "send a2", "send b1", "send a3", "send b2");
    } finally {
      Blocking.await(vertx.close(), Duration.ofSeconds(10));
    }
  }

  /**
   * The case that once reordered a relay's batches: the send thread busy with a task of one context
   * (a first contact, here a stand-in), a batch sent from another context, then one from the first
   * context. Vert.x's ordered mode runs the first context's tasks back to back, so its later batch
   * would pass the other context's earlier one.
   */
  @Test
  void batchesReachTheProducerInCallOrderWhateverTheCallingContext() throws Exception {
    Vertx vertx = Vertx.vertx();
    String topic = TestServices.topic("call-order");
    ServiceConfig config = OutboxFixture.config(Map.of());
    try (LoggingProducer producer = new LoggingProducer(settings(config, topic))) {
      RecordBatchSender sender = sender(vertx, producer, topic, new OrderFences());
      Context first = vertx.getOrCreateContext();
      Context second = vertx.getOrCreateContext();
      assertThat(first).isNotSameAs(second);
      CountDownLatch busy = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      List<Future<?>> sent = new CopyOnWriteArrayList<>();
      Blocking.await(
          call(
              first,
              () ->
                  sent.add(
                      vertx
                          .createSharedWorkerExecutor(topic, 1)
                          .executeBlocking(
                              () -> {
                                busy.countDown();
                                return release.await(30, TimeUnit.SECONDS);
                              }))),
          Duration.ofSeconds(10));
      assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
      Blocking.await(call(second, () -> sent.add(send(sender, topic, "b1", 1))), TIMEOUT);
      Blocking.await(call(first, () -> sent.add(send(sender, topic, "a1", 2))), TIMEOUT);
      release.countDown();
      for (Future<?> done : sent) {
        Blocking.await(done, Duration.ofSeconds(60));
      }

      assertThat(producer.log()).containsSubsequence("send b1", "send a1");
    } finally {
      Blocking.await(vertx.close(), Duration.ofSeconds(10));
    }
  }

  private static Future<RecordBatchSender.Results> send(
      RecordBatchSender sender, String topic, String value, long id) {
    return sender.send(List.of(new ProducerRecord<>(topic, "t:a", value)), new long[] {id}, id);
  }

  /** Runs {@code calls} one after the other on {@code context}; completes once they ran. */
  private static Future<Void> call(Context context, Runnable... calls) {
    Promise<Void> ran = Promise.promise();
    context.runOnContext(
        v -> {
          for (Runnable call : calls) {
            call.run();
          }
          ran.complete();
        });
    return ran.future();
  }

  private static Map<String, Object> settings(ServiceConfig config, String topic) {
    return new HashMap<>(ProducerSettings.of(config.kafka(), TestServices.kafkaBootstrap(), topic));
  }

  private static RecordBatchSender sender(
      Vertx vertx, KafkaProducer<String, String> producer, String topic, OrderFences fences) {
    return new RecordBatchSender(
        vertx, producer, vertx.createSharedWorkerExecutor(topic, 1), Clock.systemUTC(), fences);
  }

  /** The real producer, logging each record's hand-over and acknowledgement in their order. */
  private static final class LoggingProducer extends KafkaProducer<String, String> {

    private final List<String> log = new CopyOnWriteArrayList<>();

    LoggingProducer(Map<String, Object> settings) {
      super(settings);
    }

    List<String> log() {
      return List.copyOf(log);
    }

    @Override
    public java.util.concurrent.Future<RecordMetadata> send(
        ProducerRecord<String, String> record, Callback callback) {
      log.add("send " + record.value());
      return super.send(
          record,
          (metadata, error) -> {
            log.add((error == null ? "ack " : "failed ") + record.value());
            callback.onCompletion(metadata, error);
          });
    }
  }

  /**
   * The real producer, refusing the records marked so the way it refuses a record when its buffer
   * stays full for {@code max.block.ms}: through the callback, before {@code send} returns.
   */
  private static final class RefusingProducer extends KafkaProducer<String, String> {

    RefusingProducer(Map<String, Object> settings) {
      super(settings);
    }

    @Override
    public java.util.concurrent.Future<RecordMetadata> send(
        ProducerRecord<String, String> record, Callback callback) {
      if (record.value().endsWith(REFUSE)) {
        TimeoutException refused =
            new TimeoutException(
                "Failed to allocate memory within the configured max blocking time 60000 ms.");
        callback.onCompletion(null, refused);
        return CompletableFuture.failedFuture(refused);
      }
      return super.send(record, callback);
    }
  }
}
