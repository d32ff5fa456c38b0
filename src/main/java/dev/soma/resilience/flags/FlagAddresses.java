package dev.soma.resilience.flags;

/** Event-bus addresses of the feature flags. Every message is a JSON object. */
public final class FlagAddresses {

  /**
   * Request/reply: any body; the process re-reads the stored rules, applies them, and replies as
   * {@link #APPLIED} once they hold. The admin API asks after each change, so its answer and the
   * next request on this process already see the change.
   */
  public static final String RELOAD = "flags.reload";

  /**
   * Published after every read of the stored rules: {@code {"flags": [{"name", "rule"}...]}}, every
   * known flag with the rule in force on this process ({@code null}: its default).
   */
  public static final String APPLIED = "flags.applied";

  private FlagAddresses() {}
}
