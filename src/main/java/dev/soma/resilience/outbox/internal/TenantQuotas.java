package dev.soma.resilience.outbox.internal;

import dev.soma.resilience.config.OutboxConfig.TenantQuota;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-tenant pacing in fixed windows: at most {@code limit} claimed events per tenant per window. A
 * tenant over its quota is skipped by the claim until the window turns; nothing is dropped. Counted
 * per relay instance (see docs/RELIABILITY.md). Event-loop confined.
 */
public final class TenantQuotas {

  private final TenantQuota quota;
  private final Clock clock;
  private final Map<String, Integer> used = new HashMap<>();
  private long windowStart;

  public TenantQuotas(TenantQuota quota, Clock clock) {
    this.quota = quota;
    this.clock = clock;
    this.windowStart = clock.millis();
  }

  /**
   * Remaining quota of the tenants that used some in this window; tenants not listed may claim up
   * to {@link #defaultRemaining()}.
   */
  public Map<String, Integer> remaining() {
    roll();
    Map<String, Integer> left = new HashMap<>();
    used.forEach((tenant, count) -> left.put(tenant, Math.max(0, quota.limit() - count)));
    return left;
  }

  public int defaultRemaining() {
    return quota.enabled() ? quota.limit() : Integer.MAX_VALUE;
  }

  /** Counts claimed events against their tenants. */
  public void record(List<ClaimedEvent> claimed) {
    if (!quota.enabled()) {
      return;
    }
    roll();
    for (ClaimedEvent event : claimed) {
      used.merge(event.tenantId(), 1, Integer::sum);
    }
  }

  /** Milliseconds until the current window ends (when paced tenants may go on). */
  public long millisToNextWindow() {
    return Math.max(1, windowStart + quota.window().toMillis() - clock.millis());
  }

  public boolean anyExhausted() {
    if (!quota.enabled()) {
      return false;
    }
    roll();
    return used.values().stream().anyMatch(count -> count >= quota.limit());
  }

  private void roll() {
    long now = clock.millis();
    if (now - windowStart >= quota.window().toMillis()) {
      used.clear();
      windowStart = now;
    }
  }
}
