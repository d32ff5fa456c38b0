package dev.soma.resilience.breaker;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * The message on {@link BreakerAddresses#OVERRIDES_APPLIED}: the whole set of overrides in force on
 * the publishing process (a breaker not in it is automatic).
 */
public record OverridesApplied(Map<BreakerId, BreakerOverride> overrides) {

  public OverridesApplied {
    overrides = Map.copyOf(overrides);
  }

  public JsonObject toJson() {
    JsonArray all = new JsonArray();
    overrides.forEach(
        (id, override) ->
            all.add(
                override.toJson().put("dependency", id.dependency()).put("tenant", id.tenant())));
    return new JsonObject().put("overrides", all);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} when malformed. */
  public static OverridesApplied fromJson(JsonObject json) {
    try {
      Map<BreakerId, BreakerOverride> overrides = new HashMap<>();
      for (Object each : json.getJsonArray("overrides")) {
        JsonObject o = (JsonObject) each;
        overrides.put(
            new BreakerId(o.getString("dependency"), o.getString("tenant")),
            BreakerOverride.fromJson(o));
      }
      return new OverridesApplied(overrides);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a set of breaker overrides: " + json.encode(), e);
    }
  }
}
