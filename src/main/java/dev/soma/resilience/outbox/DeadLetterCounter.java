package dev.soma.resilience.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code dlq_messages_total{topic}}: counts whatever enters {@code dead_letter_messages}, events of
 * the outbox and memories SomaBrain would not take alike. Each count also adds to the total series
 * {@code topic="_all"}, which exists at 0 from the moment the first counter (or {@link #total}) is
 * made: an alert on {@code increase(dlq_messages_total{topic="_all"}[5m])} sees the first dead
 * letter, which a series born at 1 would hide. Thread-safe.
 */
public final class DeadLetterCounter {

  /** The topic label of the total series. */
  public static final String ALL_TOPICS = "_all";

  private final Counter topic;
  private final Counter total;

  private DeadLetterCounter(Counter topic, Counter total) {
    this.topic = topic;
    this.total = total;
  }

  /** The counter of dead letters of {@code topic}, and the total, on {@code registry}. */
  public static DeadLetterCounter of(MeterRegistry registry, String topic) {
    return new DeadLetterCounter(counter(registry, topic), total(registry));
  }

  /** The total series, registered (at 0) if it is not yet. */
  public static Counter total(MeterRegistry registry) {
    return counter(registry, ALL_TOPICS);
  }

  /** One more dead letter. */
  public void increment() {
    topic.increment();
    total.increment();
  }

  private static Counter counter(MeterRegistry registry, String topic) {
    return Counter.builder("dlq.messages")
        .description(
            "Events moved to the dead letters (their copy on <topic>.dlq may follow later);"
                + " topic=\"_all\" is the total")
        .tag("topic", topic)
        .register(registry);
  }
}
