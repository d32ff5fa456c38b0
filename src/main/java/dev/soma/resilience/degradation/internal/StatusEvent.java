package dev.soma.resilience.degradation.internal;

import dev.soma.resilience.degradation.DegradationLevel;
import dev.soma.resilience.degradation.DependencyStatus;
import dev.soma.resilience.degradation.StatusSnapshot;
import dev.soma.resilience.outbox.OutboxEntry;
import io.vertx.core.json.JsonObject;

/**
 * The Kafka event of one service's level change, as the outbox takes it: type {@value #TYPE}, keyed
 * by the service, with the dedupe key {@code degradation:<service>:<from>-><to>:<since>} ({@code
 * since} in epoch millis), so the same change written twice is one event.
 *
 * @param tenant the outbox tenant the events are written under
 * @param topic the topic they go to
 * @param node the node whose monitor wrote them
 */
record StatusEvent(String tenant, String topic, String node) {

  static final String TYPE = "degradation.status.changed";

  /** {@code status}'s change from level {@code from}, as of {@code snapshot}. */
  OutboxEntry of(DependencyStatus status, DegradationLevel from, StatusSnapshot snapshot) {
    String dedupeKey =
        "degradation:"
            + status.service()
            + ":"
            + from.wire()
            + "->"
            + status.level().wire()
            + ":"
            + status.since().toEpochMilli();
    JsonObject payload =
        new JsonObject()
            .put("type", TYPE)
            .put("dedupeKey", dedupeKey)
            .put("service", status.service())
            .put("from", from.wire())
            .put("to", status.level().wire())
            .put("state", status.state().wire())
            .put("recovery", from.isWorseThan(status.level()))
            .put("status", status.toJson())
            .put("overall", snapshot.overall().wire())
            .put("epoch", snapshot.epoch())
            .put("sequence", snapshot.sequence())
            .put("node", node)
            .put("at", status.since().toString());
    return OutboxEntry.of(tenant, dedupeKey, topic, status.service(), payload);
  }
}
