package dev.soma.resilience.degradation;

/**
 * Event-bus addresses of the degradation monitor. Every message is a JSON object (so that the bus
 * crosses nodes when the bus is clustered); requests always carry a timeout on the caller's side.
 */
public final class DegradationAddresses {

  /** Published on every status change: a {@link StatusChange}. */
  public static final String STATUS_CHANGED = "degradation.status.changed";

  /** Request/reply: any body; the reply is the current {@link StatusSnapshot}. */
  public static final String STATUS_SNAPSHOT = "degradation.status.snapshot";

  /** Request/reply: any body; the reply is {@code {"changes": [StatusChange...]}}, oldest first. */
  public static final String STATUS_HISTORY = "degradation.status.history";

  /** Published (fire and forget) by clients after each real call: a {@link CallReport}. */
  public static final String CALL_OUTCOME = "degradation.call.outcome";

  private DegradationAddresses() {}
}
