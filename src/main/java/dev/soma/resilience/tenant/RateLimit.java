package dev.soma.resilience.tenant;

/**
 * A tenant's rate limit as a token bucket: {@code burst} requests at once, refilled at {@code
 * perSecond}.
 *
 * @param perSecond sustained requests per second; more than 0
 * @param burst requests that may be made at once; at least 1
 * @throws IllegalArgumentException when either is out of range
 */
public record RateLimit(double perSecond, double burst) {

  public RateLimit {
    if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("perSecond must be greater than 0, but was " + perSecond);
    }
    if (!(burst >= 1) || Double.isInfinite(burst)) {
      throw new IllegalArgumentException("burst must be at least 1, but was " + burst);
    }
  }

  /**
   * One node's equal share of this limit when {@code liveNodes} apply it each on their own: both
   * the rate and the burst divided by them, the burst never below one request (a node must be able
   * to serve something). A count below 1 (a cluster that cannot say) counts as 1.
   */
  public RateLimit share(int liveNodes) {
    int nodes = Math.max(1, liveNodes);
    return new RateLimit(perSecond / nodes, Math.max(1, burst / nodes));
  }
}
