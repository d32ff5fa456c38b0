package dev.soma.resilience.degradation.internal;

/**
 * One dependency's figures at one moment.
 *
 * @param calls outcomes in the window
 * @param failures failed outcomes in the window
 * @param consecutiveFailures failures since the last success (not limited to the window)
 * @param meanLatencyMs mean latency of the outcomes in the window
 * @param lastError the latest failure's description while failures are consecutive, else null
 */
record WindowStats(
    int calls, int failures, int consecutiveFailures, long meanLatencyMs, String lastError) {

  static final WindowStats EMPTY = new WindowStats(0, 0, 0, 0, null);

  double errorRate() {
    return calls == 0 ? 0.0 : (double) failures / calls;
  }

  boolean observedNothing() {
    return calls == 0 && consecutiveFailures == 0;
  }
}
