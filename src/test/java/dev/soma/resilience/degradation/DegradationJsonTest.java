package dev.soma.resilience.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soma.resilience.degradation.DependencyStatus.Kind;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DegradationJsonTest {

  private static final DependencyStatus SOMABRAIN =
      new DependencyStatus(
          "somabrain",
          Kind.DEPENDENCY,
          HealthState.UNAVAILABLE,
          DegradationLevel.CRITICAL,
          "2 consecutive failure(s): refused",
          Instant.parse("2026-01-01T00:00:05Z"),
          false,
          0.5,
          12,
          4,
          List.of());
  private static final DependencyStatus MEMORY =
      new DependencyStatus(
          "memory",
          Kind.CAPABILITY,
          HealthState.UNAVAILABLE,
          DegradationLevel.CRITICAL,
          "needs somabrain (critical)",
          Instant.parse("2026-01-01T00:00:05Z"),
          false,
          0,
          0,
          0,
          List.of("somabrain"));

  @Test
  void aDependencyStatusSurvivesTheWire() {
    JsonObject json = SOMABRAIN.toJson();

    assertThat(json.getString("state")).isEqualTo("unavailable");
    assertThat(json.getString("level")).isEqualTo("critical");
    assertThat(json.getInteger("levelValue")).isEqualTo(4);
    assertThat(DependencyStatus.fromJson(new JsonObject(json.encode()))).isEqualTo(SOMABRAIN);
  }

  @Test
  void aSnapshotSurvivesTheWireInOrder() {
    StatusSnapshot snapshot =
        new StatusSnapshot(
            1_767_225_600_000L,
            7,
            Instant.parse("2026-01-01T00:00:06Z"),
            DegradationLevel.SEVERE,
            Map.of("somabrain", SOMABRAIN));
    snapshot =
        snapshot.with(
            new StatusChange(
                snapshot.epoch(), 8, Optional.empty(), MEMORY, DegradationLevel.SEVERE));

    StatusSnapshot back = StatusSnapshot.fromJson(new JsonObject(snapshot.toJson().encode()));

    assertThat(back).isEqualTo(snapshot);
    assertThat(back.services().keySet()).containsExactly("somabrain", "memory");
    assertThat(back.stateOf("nobody")).isEqualTo(HealthState.UNKNOWN);
  }

  @Test
  void aChangeSurvivesTheWireAndKnowsARecovery() {
    DependencyStatus healthy =
        new DependencyStatus(
            "somabrain",
            Kind.DEPENDENCY,
            HealthState.HEALTHY,
            DegradationLevel.NONE,
            "ok",
            Instant.parse("2026-01-01T00:01:00Z"),
            false,
            0,
            3,
            5,
            List.of());
    StatusChange change =
        new StatusChange(3, 9, Optional.of(SOMABRAIN), healthy, DegradationLevel.NONE);

    StatusChange back = StatusChange.fromJson(new JsonObject(change.toJson().encode()));

    assertThat(back).isEqualTo(change);
    assertThat(back.isRecovery()).isTrue();
    assertThat(change.toJson().getString("from")).isEqualTo("critical");
    assertThat(change.toJson().getString("to")).isEqualTo("none");
  }

  @Test
  void aCallOutcomeSurvivesTheWire() {
    CallReport outcome = CallReport.failure("llm.openai", 1200, "HTTP 503").forTenant("t1");

    assertThat(CallReport.fromJson(new JsonObject(outcome.toJson().encode()))).isEqualTo(outcome);
    assertThat(outcome.toJson().encode())
        .isEqualTo(
            "{\"dependency\":\"llm.openai\",\"ok\":false,\"latencyMs\":1200,"
                + "\"tenant\":\"t1\",\"error\":\"HTTP 503\"}");
  }

  @Test
  void malformedMessagesAreRejectedWithTheirContent() {
    assertThatThrownBy(() -> CallReport.fromJson(new JsonObject().put("ok", true)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a call outcome");
    assertThatThrownBy(() -> DependencyStatus.fromJson(new JsonObject().put("service", "x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StatusChange.fromJson(new JsonObject()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
