package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.testing.LogCapture;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Stopping the service in the middle of a drain: the relay settles what it has in flight before the
 * Kafka producer closes, so no row loses an attempt, lands in the dead letters or keeps a lease
 * that a restarted relay would have to wait out.
 */
@ExtendWith(TestServices.class)
class ShutdownIT {

  private static final int EVENTS = 60_000;

  @Test
  void closingEndsWithAStoppedLineOfTheServicesOwn() throws Exception {
    try (OutboxFixture fx = new OutboxFixture();
        LogCapture log = LogCapture.of(Application.class)) {
      Application app =
          Application.start(fx.serviceConfig("stopped-line"), Application.Role.RELAY_ONLY);

      app.close();

      assertThat(log.messages()).last().isEqualTo("soma-resilience stopped (RELAY_ONLY)");
    }
  }

  @Test
  void stoppingMidDrainUsesUpNoAttemptAndLeavesNoLease() throws Exception {
    try (OutboxFixture fx = new OutboxFixture()) {
      fx.query(
          """
          INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload)
          SELECT 't' || (n % 10), 'd' || n, $1, 'k' || (n % 100), '{}'
            FROM generate_series(1, $2) AS n""",
          TestServices.topic("shutdown"), EVENTS);
      Application app =
          Application.start(fx.serviceConfig("shutdown"), Application.Role.RELAY_ONLY);
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> fx.countStatus("published") >= 2_000);
      } finally {
        app.close();
      }

      assertThat(fx.countStatus("published")).as("stopped mid-drain").isLessThan(EVENTS);
      assertThat(
              fx.count(
                  "SELECT count(*) FROM outbox_messages"
                      + " WHERE status <> 'published' AND (attempts > 0 OR last_error IS NOT NULL)"))
          .as("rows that lost an attempt to the shutdown")
          .isZero();
      assertThat(fx.count("SELECT count(*) FROM outbox_messages WHERE lease_owner IS NOT NULL"))
          .as("rows left leased")
          .isZero();
      assertThat(fx.count("SELECT count(*) FROM dead_letter_messages")).isZero();
    }
  }
}
