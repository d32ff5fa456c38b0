package dev.soma.resilience.flags;

import dev.soma.resilience.tenant.Tenants;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * An operator's rule for one flag, as stored: off for the tenants on {@code deny}, else on for the
 * tenants on {@code allow}, else on for {@code percentage} of all tenants, picked by {@link
 * TenantBucket}. Immutable; {@link Verdict#of} applies it.
 *
 * @param allow tenants the flag is on for (unless denied); at most {@value #MAX_LISTED}
 * @param deny tenants the flag is off for, whatever else says; at most {@value #MAX_LISTED}
 * @param percentage 0-100: the share of the other tenants the flag is on for
 * @param operator who set the rule (never blank)
 * @param reason why, for people (may be empty)
 * @param updated when the rule was stored (the row's time, so every process agrees)
 * @throws IllegalArgumentException when a tenant id is not valid, a list is too long, the
 *     percentage is outside 0-100 or the operator is blank
 */
public record FlagRule(
    SortedSet<String> allow,
    SortedSet<String> deny,
    int percentage,
    String operator,
    String reason,
    Instant updated) {

  /** The longest allow- or deny-list: a rule is read by every process on every change. */
  public static final int MAX_LISTED = 1000;

  public FlagRule {
    allow = listed("allow", allow);
    deny = listed("deny", deny);
    if (percentage < 0 || percentage > 100) {
      throw new IllegalArgumentException("percentage must be from 0 to 100, but was " + percentage);
    }
    if (operator == null || operator.isBlank()) {
      throw new IllegalArgumentException("operator must not be blank, but was " + operator);
    }
    reason = reason == null ? "" : reason;
    Objects.requireNonNull(updated, "updated");
  }

  /** Whether the rule may be on for a tenant on neither list (its percentage is above 0). */
  public boolean reachesUnlisted() {
    return percentage > 0;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("allow", new JsonArray(allow.stream().map(Object.class::cast).toList()))
        .put("deny", new JsonArray(deny.stream().map(Object.class::cast).toList()))
        .put("percentage", percentage)
        .put("operator", operator)
        .put("reason", reason)
        .put("updated", updated.toString());
  }

  private static SortedSet<String> listed(String name, Collection<String> tenants) {
    SortedSet<String> sorted = new TreeSet<>(tenants == null ? List.of() : tenants);
    if (sorted.size() > MAX_LISTED) {
      throw new IllegalArgumentException(
          name + " must list at most " + MAX_LISTED + " tenants, but lists " + sorted.size());
    }
    for (String tenant : sorted) {
      if (!Tenants.isValidId(tenant)) {
        throw new IllegalArgumentException(
            name
                + " must list tenant ids (1-63 characters of [a-z0-9._-]), but has '"
                + (tenant.length() > 64 ? tenant.substring(0, 64) + "..." : tenant)
                + "'");
      }
    }
    return Collections.unmodifiableSortedSet(sorted);
  }
}
