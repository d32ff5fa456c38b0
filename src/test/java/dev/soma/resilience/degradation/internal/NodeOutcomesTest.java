package dev.soma.resilience.degradation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.config.DegradationConfig.Thresholds;
import dev.soma.resilience.testing.ManualClock;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NodeOutcomesTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final NodeOutcomes outcomes =
      new NodeOutcomes(
          Duration.ofSeconds(60),
          clock,
          new Thresholds(
              5,
              3,
              Duration.ofMillis(500),
              Duration.ofMillis(1000),
              Duration.ofMillis(2000),
              0.2,
              0.5));

  @Test
  void aNodeThatFailsWhereTheOthersSucceedIsFailingThereOnly() {
    calls("node-a", "somabrain", 10, false);
    calls("node-b", "somabrain", 10, true);
    calls("node-c", "somabrain", 10, true);

    JsonObject byNode = outcomes.toJson();

    JsonObject a = byNode.getJsonObject("node-a").getJsonObject("somabrain");
    assertThat(a.getInteger("calls")).isEqualTo(10);
    assertThat(a.getDouble("errorRate")).isEqualTo(1.0);
    assertThat(a.getBoolean("failingHereOnly")).isTrue();
    assertThat(a.getString("lastError")).isEqualTo("refused");
    assertThat(
            byNode.getJsonObject("node-b").getJsonObject("somabrain").getBoolean("failingHereOnly"))
        .isFalse();
  }

  @Test
  void whenEveryNodeFailsNoneIsFailingAlone() {
    calls("node-a", "somabrain", 10, false);
    calls("node-b", "somabrain", 10, false);

    JsonObject byNode = outcomes.toJson();

    assertThat(
            byNode.getJsonObject("node-a").getJsonObject("somabrain").getBoolean("failingHereOnly"))
        .isFalse();
    assertThat(
            byNode.getJsonObject("node-b").getJsonObject("somabrain").getBoolean("failingHereOnly"))
        .isFalse();
  }

  @Test
  void callsOlderThanTheWindowLeaveNoDetail() {
    calls("node-a", "redis", 3, true);
    clock.advance(Duration.ofSeconds(61));

    assertThat(outcomes.toJson().fieldNames()).isEmpty();
  }

  @Test
  void atMostSoManyNodesAreKeptPerService() {
    for (int i = 0; i < NodeOutcomes.MAX_NODES + 5; i++) {
      calls("node-" + i, "redis", 1, true);
    }

    assertThat(outcomes.toJson().fieldNames()).hasSize(NodeOutcomes.MAX_NODES);
  }

  private void calls(String node, String service, int n, boolean ok) {
    for (int i = 0; i < n; i++) {
      outcomes.record(service, node, ok, 10, ok ? null : "refused");
    }
  }
}
