package dev.soma.resilience.degradation;

import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * One service's status changed (its state or level). Published on {@link
 * DegradationAddresses#STATUS_CHANGED} and kept in the monitor's history; the Kafka event on {@code
 * degradation.events} carries the same fields plus {@code type} and {@code dedupeKey}.
 *
 * @param epoch the monitor's: a later active monitor has a higher one (see {@code
 *     cluster.Leadership}), so a change from an earlier one is recognized and dropped
 * @param sequence numbers changes of this monitor 1, 2, 3...; a gap means a change was missed
 * @param previous the status before (empty for a service seen for the first time)
 * @param current the status now
 * @param overall the agent's level after this change
 */
public record StatusChange(
    long epoch,
    long sequence,
    Optional<DependencyStatus> previous,
    DependencyStatus current,
    DegradationLevel overall) {

  public String service() {
    return current.service();
  }

  /** The level before; {@link DegradationLevel#NONE} for a service seen for the first time. */
  public DegradationLevel fromLevel() {
    return previous.map(DependencyStatus::level).orElse(DegradationLevel.NONE);
  }

  /** The level went down, or the service became usable again. */
  public boolean isRecovery() {
    boolean usableAgain =
        previous.map(p -> !p.state().isUsable()).orElse(false) && current.state().isUsable();
    return fromLevel().isWorseThan(current.level()) || usableAgain;
  }

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("epoch", epoch)
            .put("sequence", sequence)
            .put("service", service())
            .put("from", fromLevel().wire())
            .put("to", current.level().wire())
            .put("current", current.toJson())
            .put("overall", overall.wire());
    previous.ifPresent(p -> json.put("previous", p.toJson()));
    return json;
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} when malformed. */
  public static StatusChange fromJson(JsonObject json) {
    try {
      JsonObject previous = json.getJsonObject("previous");
      return new StatusChange(
          json.getLong("epoch", 0L),
          json.getLong("sequence"),
          previous == null ? Optional.empty() : Optional.of(DependencyStatus.fromJson(previous)),
          DependencyStatus.fromJson(json.getJsonObject("current")),
          DegradationLevel.fromWire(json.getString("overall")));
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a status change: " + json.encode(), e);
    }
  }
}
