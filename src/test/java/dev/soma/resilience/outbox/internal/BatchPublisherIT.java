package dev.soma.resilience.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.flags.FlagBook;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.sqlclient.Row;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A batch whose records fail because the producer was closed under it (a stopping process): while
 * the publisher is stopping, its rows go back to pending with no attempt counted; otherwise the
 * same failure is an attempt, as any unexplained failure next to a reachable broker is.
 */
@ExtendWith(TestServices.class)
class BatchPublisherIT {

  private final String kafka = TestServices.kafkaBootstrap();

  @Test
  void aFailureWhileStoppingIsNoAttempt() throws Exception {
    assertThat(attemptsAfterAClosedProducer(true))
        .containsExactly("pending 0 null", "pending 0 null");
  }

  @Test
  void theSameFailureWhenNotStoppingIsAnAttempt() throws Exception {
    assertThat(attemptsAfterAClosedProducer(false))
        .containsExactly("pending 1 null", "pending 1 null");
  }

  /** Publishes two claimed rows through a closed producer; returns "status attempts lease". */
  private List<String> attemptsAfterAClosedProducer(boolean stopping) throws Exception {
    try (OutboxFixture fx = new OutboxFixture()) {
      String topic = TestServices.topic("closed");
      fx.query(
          "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload)"
              + " SELECT 't', 'd' || n, $1, 'k' || n, '{}' FROM generate_series(1, 2) AS n",
          topic);
      ServiceConfig config = OutboxFixture.config(Map.of());
      OutboxRepository repository = new OutboxRepository(fx.pool);
      List<ClaimedEvent> batch =
          Blocking.await(
                  repository.claim(Claim.ofAll("relay", 10, Duration.ofSeconds(60))),
                  Duration.ofSeconds(10))
              .events();
      KafkaProducer<String, String> producer = fx.producer(config, kafka);
      Blocking.await(producer.close(), Duration.ofSeconds(10));
      ClaimNumbers claims = new ClaimNumbers();
      long claim = claims.start();
      BatchPublisher publisher =
          new RelayParts(
                  repository,
                  producer,
                  new DeadLetterPublisher(fx.pool, producer),
                  fx.probe(kafka),
                  fx.metrics,
                  config.outbox(),
                  fx.keeper(),
                  new FlagBook(),
                  () -> 1)
              .publisher(fx.vertx, "relay", claims, Clock.systemUTC(), () -> stopping);

      Blocking.await(publisher.publish(batch, claim), Duration.ofSeconds(30));

      List<Row> rows =
          fx.query("SELECT status, attempts, lease_owner FROM outbox_messages ORDER BY id");
      return rows.stream()
          .map(r -> r.getString(0) + " " + r.getInteger(1) + " " + r.getString(2))
          .toList();
    }
  }
}
