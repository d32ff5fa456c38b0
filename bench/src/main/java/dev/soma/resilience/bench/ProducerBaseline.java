package dev.soma.resilience.bench;

import dev.soma.resilience.common.kafka.ProducerSettings;
import dev.soma.resilience.config.KafkaConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Baseline (b): the plain Kafka producer with the relay's settings ({@link ProducerSettings#of}),
 * sending records shaped like the relay's (same key, value and header count, see
 * {@link EventShape#record}), with no PostgreSQL. {@link #flood} sends as fast as the producer
 * accepts; {@link #paced} sends at a fixed rate and records send-to-ack latency.
 */
final class ProducerBaseline implements AutoCloseable {

  private final Producer<String, String> producer;
  private final EventShape shape;
  private final AtomicLong acked = new AtomicLong();
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  ProducerBaseline(KafkaConfig kafka, String bootstrap, String clientId, EventShape shape) {
    Map<String, Object> settings = new HashMap<>(ProducerSettings.of(kafka, bootstrap, clientId));
    this.producer = new KafkaProducer<>(settings);
    this.shape = shape;
  }

  long acked() {
    return acked.get();
  }

  /** Sends {@code count} records to {@code topic} as fast as allowed; returns when all are acked. */
  void flood(String topic, long from, long count) {
    for (long n = from; n < from + count; n++) {
      producer.send(shape.record(topic, "raw", n), (meta, e) -> {
        if (e != null) {
          failure.compareAndSet(null, e);
        } else {
          acked.incrementAndGet();
        }
      });
    }
    producer.flush();
    check();
  }

  /**
   * Sends {@code perSecond} records a second for {@code seconds}, what is due every
   * {@code tickMillis}, and records each record's send-call-to-ack time into {@code latency}
   * (microseconds) once {@code warmupSeconds} have passed. Record {@code n}'s send time (wall
   * clock) goes to {@code sentMillis[n]}; returns how many were sent.
   */
  long paced(String topic, double perSecond, int warmupSeconds, int seconds, int tickMillis,
      Recorder latency, long[] sentMillis) {
    long start = System.nanoTime();
    long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
    long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
    long sent = 0;
    for (long now = start; now < end; now = System.nanoTime()) {
      long due = (long) ((now - start) / 1e9 * perSecond);
      for (; sent < due; sent++) {
        long sentAt = System.nanoTime();
        sentMillis[(int) sent] = System.currentTimeMillis();
        boolean measured = sentAt >= measureFrom;
        producer.send(shape.record(topic, "raw-paced", sent), (meta, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          } else if (measured) {
            latency.recordValue((System.nanoTime() - sentAt) / 1_000);
          }
        });
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(tickMillis));
    }
    producer.flush();
    check();
    return sent;
  }

  private void check() {
    if (failure.get() != null) {
      throw new IllegalStateException("raw producer baseline failed", failure.get());
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
