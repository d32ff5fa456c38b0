package dev.soma.resilience.breaker;

/** Event-bus addresses of the breakers' overrides. Every message is a JSON object. */
public final class BreakerAddresses {

  /**
   * Request/reply: any body; the process re-reads the stored overrides, applies them to its
   * breakers, and replies {@code {"overrides": [...]}} (as {@link #OVERRIDES_APPLIED}) once they
   * hold. The admin API asks after each change, so its answer already shows the change.
   */
  public static final String RELOAD = "breaker.overrides.reload";

  /**
   * Published after every read of the stored overrides (on a change and periodically): {@code
   * {"overrides": [{"dependency", "tenant", "mode", "operator", "reason", "since"}...]}}, the whole
   * set in force on this process. The degradation monitor shows it in the dependencies' status.
   */
  public static final String OVERRIDES_APPLIED = "breaker.overrides.applied";

  private BreakerAddresses() {}
}
