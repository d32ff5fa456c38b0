package dev.soma.resilience.breaker;

import dev.soma.resilience.common.ControlFlowException;
import java.time.Duration;
import java.util.Optional;

/**
 * A call was refused because a breaker is open (or its half-open trials are taken), or because an
 * operator forced it open ({@link #forcedBy()}, and the message says so). Stackless: it is flow
 * control, thrown often while a dependency is down.
 */
public final class OpenCircuitException extends ControlFlowException {

  private final String dependency;
  private final String tenant;
  private final Duration retryAfter;
  private final Optional<BreakerOverride> forcedBy;

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
    this.forcedBy = Optional.empty();
  }

  /** Refused by a breaker an operator forced open ({@code forcedBy}). */
  public OpenCircuitException(
      String dependency, String tenant, Duration retryAfter, BreakerOverride forcedBy) {
    super(
        "circuit for "
            + dependency
            + (tenant == null ? "" : " (tenant " + tenant + ")")
            + " "
            + forcedBy.describe());
    this.dependency = dependency;
    this.tenant = tenant;
    this.retryAfter = retryAfter;
    this.forcedBy = Optional.of(forcedBy);
  }

  public String dependency() {
    return dependency;
  }

  /** The tenant whose breaker is open, or null when the dependency's own breaker is. */
  public String tenant() {
    return tenant;
  }

  /** The operator's override that refused the call; empty when the breaker opened by itself. */
  public Optional<BreakerOverride> forcedBy() {
    return forcedBy;
  }

  /** How long until the breaker lets a trial call through. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
