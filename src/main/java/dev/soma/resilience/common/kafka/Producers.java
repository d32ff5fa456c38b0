package dev.soma.resilience.common.kafka;

import dev.soma.resilience.config.KafkaConfig;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaProducer;

/** Creates our producers: {@link ProducerSettings}, string keys and values. */
public final class Producers {

  private Producers() {}

  /**
   * A producer whose failures are reported through each {@code send} future only (Vert.x would
   * otherwise also log every failed record as an unhandled exception).
   */
  public static KafkaProducer<String, String> create(
      Vertx vertx, KafkaConfig kafka, String bootstrapServers, String clientId) {
    KafkaProducer<String, String> producer =
        KafkaProducer.create(vertx, ProducerSettings.of(kafka, bootstrapServers, clientId));
    producer.exceptionHandler(error -> {});
    return producer;
  }
}
