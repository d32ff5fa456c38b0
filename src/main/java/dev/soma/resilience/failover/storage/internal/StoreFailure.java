package dev.soma.resilience.failover.storage.internal;

import dev.soma.resilience.failover.breaker.CallOutcome;

/**
 * A storage link could not do its part, and how that counts on its breaker. Stackless: it is flow
 * control during an outage.
 */
public final class StoreFailure extends RuntimeException {

  private final CallOutcome outcome;

  public StoreFailure(CallOutcome outcome, String message) {
    super(message, null, false, false);
    this.outcome = outcome;
  }

  /** The link is fine but busy (its worker pool's queue is full): counts on no breaker. */
  public static StoreFailure shed(String link) {
    return new StoreFailure(CallOutcome.CALLER_FAULT, link + " is saturated: request shed");
  }

  public CallOutcome outcome() {
    return outcome;
  }
}
