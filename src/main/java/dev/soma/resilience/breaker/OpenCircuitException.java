package dev.soma.resilience.breaker;

import dev.soma.resilience.common.ControlFlowException;
import java.time.Duration;

/**
 * A call was refused because a breaker is open (or its half-open trials are taken). Stackless: it
 * is flow control, thrown often while a dependency is down.
 */
public final class OpenCircuitException extends ControlFlowException {

  private final String dependency;
  private final String tenant;
  private final Duration retryAfter;

  public OpenCircuitException(String dependency, String tenant, Duration retryAfter) {
    super(
        "circuit open for "
            + dependency
            + (tenant == null ? "" : " (tenant " + tenant + ")")
            + ", next trial in "
            + retryAfter.toMillis()
            + " ms");
    this.dependency = dependency;
    this.tenant = tenant;
    this.retryAfter = retryAfter;
  }

  public String dependency() {
    return dependency;
  }

  /** The tenant whose breaker is open, or null when the dependency's own breaker is. */
  public String tenant() {
    return tenant;
  }

  /** How long until the breaker lets a trial call through. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
