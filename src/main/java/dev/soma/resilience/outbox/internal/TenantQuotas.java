package dev.soma.resilience.outbox.internal;

import dev.soma.resilience.config.OutboxConfig.TenantQuota;
import dev.soma.resilience.flags.FeatureFlag;
import dev.soma.resilience.flags.FlagBook;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Per-tenant pacing in fixed windows: at most {@code limit} claimed events per tenant per window. A
 * tenant over its quota is skipped by the claim until the window turns; nothing is dropped. Counted
 * per relay, each taking an equal share of the limit among the relay nodes of its cluster (at least
 * one event a window; see docs/RELIABILITY.md). Event-loop confined.
 *
 * <p>The quota paces only the tenants {@link FeatureFlag#RELAY_TENANT_QUOTAS} is on for, asked at
 * every claim (a change applies from the next claim, and a tenant's count so far in the window
 * stands). Every tenant's claims are counted, so a tenant the flag turns on mid-window is paced by
 * what it already had. Tenants the relay has not seen in the window get the quota when the flag may
 * be on for unlisted tenants (its percentage, or its default): a tenant it is off for may then have
 * its first claim of a window capped at {@code limit}, never held to the next window; with an
 * allow-list alone, tenants off it are never capped.
 */
public final class TenantQuotas {

  private static final FeatureFlag FLAG = FeatureFlag.RELAY_TENANT_QUOTAS;

  /** What the claim gives a tenant the quota does not pace. */
  private static final int UNLIMITED = Integer.MAX_VALUE;

  private final TenantQuota quota;
  private final Clock clock;
  private final Map<String, Integer> used = new HashMap<>();
  private long windowStart;

  private final FlagBook flags;

  /** How many relays share the quota (this one included). */
  private final IntSupplier relays;

  /** Quotas for every tenant (the flag at its default), this relay alone. */
  public TenantQuotas(TenantQuota quota, Clock clock) {
    this(quota, clock, new FlagBook(), () -> 1);
  }

  /**
   * Quotas for the tenants {@link FeatureFlag#RELAY_TENANT_QUOTAS} is on for in {@code flags},
   * shared equally among {@code relays}.
   */
  public TenantQuotas(TenantQuota quota, Clock clock, FlagBook flags, IntSupplier relays) {
    this.quota = quota;
    this.clock = clock;
    this.flags = flags;
    this.relays = relays;
    this.windowStart = clock.millis();
  }

  /** This relay's share of the limit now. */
  int limit() {
    int sharing = Math.max(1, relays.getAsInt());
    return Math.max(1, (quota.limit() + sharing - 1) / sharing);
  }

  /**
   * Remaining quota of the tenants that used some in this window; tenants not listed may claim up
   * to {@link #defaultRemaining()}.
   */
  public Map<String, Integer> remaining() {
    roll();
    Map<String, Integer> left = new HashMap<>();
    used.forEach(
        (tenant, count) ->
            left.put(tenant, paced(tenant) ? Math.max(0, limit() - count) : UNLIMITED));
    if (quota.enabled() && !flags.reachesUnlisted(FLAG)) {
      // the flag is on only for listed tenants: those not seen yet get the quota by name
      flags.rule(FLAG).stream()
          .flatMap(rule -> rule.allow().stream())
          .filter(this::paced)
          .forEach(tenant -> left.putIfAbsent(tenant, limit()));
    }
    return left;
  }

  /**
   * What a tenant not in {@link #remaining()} may claim: the quota while the flag may be on for
   * such a tenant, else no limit.
   */
  public int defaultRemaining() {
    return quota.enabled() && flags.reachesUnlisted(FLAG) ? limit() : UNLIMITED;
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
    return used.entrySet().stream().anyMatch(e -> e.getValue() >= limit() && paced(e.getKey()));
  }

  private boolean paced(String tenant) {
    return flags.isOn(FLAG, tenant);
  }

  private void roll() {
    long now = clock.millis();
    if (now - windowStart >= quota.window().toMillis()) {
      used.clear();
      windowStart = now;
    }
  }
}
