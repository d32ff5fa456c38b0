package dev.soma.resilience.breaker;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;

/**
 * What one breaker knows about itself at one moment, for operators.
 *
 * @param id which breaker
 * @param state the state the next call would meet
 * @param since when it entered that state (or came under its override)
 * @param consecutiveFailures counted failures since the last success or state change (what opens it
 *     at {@link BreakerSettings#failureThreshold()})
 * @param lastFailure when the last counted failure was recorded, if any
 * @param override the operator's override, when there is one
 */
public record BreakerView(
    BreakerId id,
    CircuitState state,
    Instant since,
    int consecutiveFailures,
    Optional<Instant> lastFailure,
    Optional<BreakerOverride> override) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("dependency", id.dependency())
        .put("tenant", id.tenant())
        .put("state", state.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
        .put("since", since.toString())
        .put("consecutiveFailures", consecutiveFailures)
        .put("lastFailureAt", lastFailure.map(Instant::toString).orElse(null))
        .put("override", override.map(BreakerOverride::toJson).orElse(null));
  }
}
