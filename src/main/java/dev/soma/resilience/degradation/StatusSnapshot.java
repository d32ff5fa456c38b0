package dev.soma.resilience.degradation;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The agent-wide status at one moment: every service's status and the overall level.
 *
 * @param sequence the number of the last change included; a {@link StatusChange} with {@code
 *     sequence + 1} is the next one
 * @param at when the snapshot was taken
 * @param overall the agent's level: the worst critical service's level, and the worst other
 *     service's level capped at {@link DegradationLevel#SEVERE} (the agent keeps answering)
 * @param services by name, in a stable order
 */
public record StatusSnapshot(
    long epoch,
    long sequence,
    Instant at,
    DegradationLevel overall,
    Map<String, DependencyStatus> services) {

  public StatusSnapshot {
    services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
  }

  /** Before the monitor has answered: nothing known. */
  public static StatusSnapshot empty() {
    return new StatusSnapshot(0, 0, Instant.EPOCH, DegradationLevel.NONE, Map.of());
  }

  public Optional<DependencyStatus> status(String service) {
    return Optional.ofNullable(services.get(service));
  }

  /** A service's state; {@link HealthState#UNKNOWN} for one the monitor does not know. */
  public HealthState stateOf(String service) {
    return status(service).map(DependencyStatus::state).orElse(HealthState.UNKNOWN);
  }

  /** A service's level; {@link DegradationLevel#NONE} for one the monitor does not know. */
  public DegradationLevel levelOf(String service) {
    return status(service).map(DependencyStatus::level).orElse(DegradationLevel.NONE);
  }

  /** This snapshot with {@code change} applied. */
  public StatusSnapshot with(StatusChange change) {
    Map<String, DependencyStatus> copy = new LinkedHashMap<>(services);
    copy.put(change.service(), change.current());
    return new StatusSnapshot(
        change.epoch(), change.sequence(), change.current().since(), change.overall(), copy);
  }

  /**
   * Whether this snapshot is later than {@code other}: from a later monitor (a higher epoch), or
   * from the same one and at least as far in its changes.
   */
  public boolean isNotOlderThan(StatusSnapshot other) {
    return epoch != other.epoch ? epoch > other.epoch : sequence >= other.sequence;
  }

  public JsonObject toJson() {
    JsonObject byName = new JsonObject();
    services.forEach((name, status) -> byName.put(name, status.toJson()));
    return new JsonObject()
        .put("epoch", epoch)
        .put("sequence", sequence)
        .put("at", at.toString())
        .put("overall", overall.wire())
        .put("overallValue", overall.value())
        .put("services", byName);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} when malformed. */
  public static StatusSnapshot fromJson(JsonObject json) {
    try {
      Map<String, DependencyStatus> services = new LinkedHashMap<>();
      JsonObject byName = json.getJsonObject("services", new JsonObject());
      for (String name : byName.fieldNames()) {
        services.put(name, DependencyStatus.fromJson(byName.getJsonObject(name)));
      }
      return new StatusSnapshot(
          json.getLong("epoch", 0L),
          json.getLong("sequence"),
          Instant.parse(json.getString("at")),
          DegradationLevel.fromWire(json.getString("overall")),
          services);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a status snapshot: " + json.encode(), e);
    }
  }
}
