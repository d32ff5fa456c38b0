package dev.soma.resilience.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One tenant's flood never starves another; quotas pace a tenant without dropping anything. */
@ExtendWith(TestServices.class)
class TenantFairnessIT {

  private final String kafka = TestServices.kafkaBootstrap();
  private OutboxFixture fx;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void aSingleEventOfAQuietTenantOvertakesAFloodCommittedBeforeIt() throws Exception {
    String topic = TestServices.topic("flood");
    for (int chunk = 0; chunk < 4; chunk++) {
      int from = chunk * 5000;
      fx.enqueue(
          IntStream.range(from, from + 5000)
              .mapToObj(
                  i ->
                      OutboxEntry.of(
                          "big", "e-" + i, topic, "agg-" + (i % 100), new JsonObject().put("i", i)))
              .toList());
    }
    fx.enqueue(List.of(OutboxEntry.of("small", "only-one", topic, "x", new JsonObject())));
    ServiceConfig config = OutboxFixture.config(Map.of("SA01_OUTBOX_BATCH_SIZE", "200"));

    fx.deployRelay(config, kafka, "relay");

    await().atMost(Duration.ofSeconds(120)).until(() -> fx.countStatus("published") == 20_001);
    OffsetDateTime small =
        fx.query("SELECT published_at FROM outbox_messages WHERE tenant_id = 'small'")
            .get(0)
            .getOffsetDateTime(0);
    long bigBefore =
        fx.count(
            "SELECT count(*) FROM outbox_messages"
                + " WHERE tenant_id = 'big' AND published_at < $1",
            small);
    // in the first claims: at most the batches the relay can have in flight at once
    int pipeline = config.outbox().batchSize() * (config.outbox().maxInFlightBatches() + 1);
    assertThat(bigBefore).isLessThanOrEqualTo(pipeline);
  }

  @Test
  void tenantsWhoseRowsAllWaitForARetryDoNotKeepTheRelayFromTheTenantsAfterThem() throws Exception {
    String topic = TestServices.topic("rotation");
    // two batches' worth of tenants, sorting first, with nothing due for an hour
    fx.query(
        "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, payload, next_attempt_at)"
            + " SELECT 'a' || t, 'd' || n, $1, '{}', now() + interval '1 hour'"
            + " FROM generate_series(0, 7) AS t, generate_series(1, 3) AS n",
        topic);
    fx.query(
        "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, payload)"
            + " VALUES ('z-after-them', 'only-one', $1, '{}')",
        topic);
    // no poll to fall back on: only the relay's own wake-ups can reach the last tenant
    ServiceConfig config =
        OutboxFixture.config(
            Map.of("SA01_OUTBOX_BATCH_SIZE", "4", "SA01_OUTBOX_POLL_INTERVAL_MS", "3600000"));

    fx.deployRelay(config, kafka, "relay");

    await().atMost(Duration.ofSeconds(30)).until(() -> fx.countStatus("published") == 1);
    assertThat(
            fx.count(
                "SELECT count(*) FROM outbox_messages"
                    + " WHERE tenant_id = 'z-after-them' AND status = 'published'"))
        .isEqualTo(1);
  }

  @Test
  void aTenantOverItsQuotaIsPacedButEveryEventIsPublished() throws Exception {
    String topic = TestServices.topic("quota");
    fx.enqueue(
        IntStream.range(0, 150)
            .mapToObj(i -> OutboxEntry.of("paced", "p-" + i, topic, null, new JsonObject()))
            .toList());
    fx.enqueue(
        IntStream.range(0, 20)
            .mapToObj(i -> OutboxEntry.of("light", "l-" + i, topic, null, new JsonObject()))
            .toList());
    ServiceConfig config =
        OutboxFixture.config(
            Map.of(
                "SA01_OUTBOX_TENANT_QUOTA_ENABLED", "true",
                "SA01_OUTBOX_TENANT_QUOTA_LIMIT", "50",
                "SA01_OUTBOX_TENANT_QUOTA_WINDOW_SECONDS", "2"));

    fx.deployRelay(config, kafka, "relay");

    await().atMost(Duration.ofSeconds(60)).until(() -> fx.countStatus("published") == 170);
    double pacedSpanSeconds =
        fx.query(
                "SELECT extract(epoch FROM max(published_at) - min(published_at))::float8 FROM"
                    + " outbox_messages WHERE tenant_id = 'paced'")
            .get(0)
            .getDouble(0);
    // 150 events at 50 per 2 s window need at least two window turns
    assertThat(pacedSpanSeconds).isGreaterThanOrEqualTo(3.5);
    double lightSpanSeconds =
        fx.query(
                "SELECT extract(epoch FROM max(published_at) - min(published_at))::float8 FROM"
                    + " outbox_messages WHERE tenant_id = 'light'")
            .get(0)
            .getDouble(0);
    // the light tenant stays within its quota: nothing holds it back
    assertThat(lightSpanSeconds).isLessThan(pacedSpanSeconds);
    assertThat(fx.countStatus("pending")).isZero();
  }
}
