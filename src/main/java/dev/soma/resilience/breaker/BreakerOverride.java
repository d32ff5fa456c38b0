package dev.soma.resilience.breaker;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * An operator's hold on one breaker: forced open (every call refused) or forced closed (every call
 * let through, failures never open it) until released. Immutable; a breaker under an override
 * ignores its own counting until the override is lifted (see {@link CircuitBreaker}).
 *
 * @param mode what the operator forced
 * @param operator who forced it (never blank)
 * @param reason why, for people (may be empty)
 * @param since when the override was set (the stored row's time, so every process agrees)
 */
public record BreakerOverride(Mode mode, String operator, String reason, Instant since) {

  /** What an override forces; {@link #wire()} is its name in the API and the table. */
  public enum Mode {
    FORCED_OPEN,
    FORCED_CLOSED;

    public String wire() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The mode named {@code wire}; {@link IllegalArgumentException} for any other name. */
    public static Mode fromWire(String wire) {
      for (Mode mode : values()) {
        if (mode.wire().equals(wire)) {
          return mode;
        }
      }
      throw new IllegalArgumentException(
          "mode must be forced-open or forced-closed, but was " + wire);
    }

    /** The state a breaker under this mode shows. */
    public CircuitState state() {
      return this == FORCED_OPEN ? CircuitState.OPEN : CircuitState.CLOSED;
    }
  }

  public BreakerOverride {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(since, "since");
    if (operator == null || operator.isBlank()) {
      throw new IllegalArgumentException("operator must not be blank, but was " + operator);
    }
    reason = reason == null ? "" : reason;
  }

  /** For people: {@code forced open by alice: provider incident 42}. */
  public String describe() {
    return mode.wire().replace('-', ' ')
        + " by "
        + operator
        + (reason.isBlank() ? "" : ": " + reason);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("mode", mode.wire())
        .put("operator", operator)
        .put("reason", reason)
        .put("since", since.toString());
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} when malformed. */
  public static BreakerOverride fromJson(JsonObject json) {
    try {
      return new BreakerOverride(
          Mode.fromWire(json.getString("mode")),
          json.getString("operator"),
          json.getString("reason"),
          Instant.parse(json.getString("since")));
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a breaker override: " + json.encode(), e);
    }
  }
}
