package dev.soma.resilience.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What our producer settings do once a broker applies them, not what they say: the broker keeps
 * idempotent-producer state for our producer (a producer id and sequence numbers, so a retried
 * batch is not written twice). Kafka clients turn idempotence off without a word when other
 * settings conflict with it and it was not asked for explicitly; this is where that would show.
 * ({@code acks=all} cannot be told from {@code acks=1} on the tests' single broker: see {@link
 * ProducerSettingsTest}.)
 */
@ExtendWith(TestServices.class)
class ProducerGuaranteesIT {

  private final String bootstrap = TestServices.kafkaBootstrap();
  private final ServiceConfig config =
      OutboxFixture.config(
          Map.of(
              "SA01_KAFKA_REQUEST_TIMEOUT_MS", "2000", "SA01_KAFKA_DELIVERY_TIMEOUT_MS", "4000"));
  private final Vertx vertx = Vertx.vertx();
  private Admin admin;
  private KafkaProducer<String, String> producer;

  @BeforeEach
  void setUp() {
    admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
    producer =
        Producers.create(vertx, config.kafka(), bootstrap, "guarantees-" + UUID.randomUUID());
  }

  @AfterEach
  void tearDown() throws Exception {
    Blocking.await(producer.close(), Duration.ofSeconds(10));
    admin.close();
    Blocking.await(vertx.close(), Duration.ofSeconds(10));
  }

  @Test
  void theBrokerKnowsOurProducerAsIdempotent() throws Exception {
    String topic = topic(Map.of());

    Blocking.await(send(topic), Duration.ofSeconds(20));

    TopicPartition partition = new TopicPartition(topic, 0);
    List<ProducerState> producers =
        admin
            .describeProducers(List.of(partition))
            .partitionResult(partition)
            .get()
            .activeProducers();
    assertThat(producers).hasSize(1);
    assertThat(producers.get(0).producerId()).isNotNegative();
    assertThat(producers.get(0).lastSequence()).isZero();
  }

  private io.vertx.core.Future<io.vertx.kafka.client.producer.RecordMetadata> send(String topic) {
    return producer.send(KafkaProducerRecord.create(topic, "key", "value"));
  }

  private String topic(Map<String, String> configs) throws Exception {
    String topic = TestServices.topic("guarantees");
    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs))).all().get();
    return topic;
  }
}
