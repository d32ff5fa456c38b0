package dev.soma.resilience.flags;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a flag is on for one tenant, and why. Pure: {@link #of} is the whole rule, the same on
 * every process for the same stored rule.
 *
 * @param on whether the flag's behaviour applies to the tenant
 * @param reason which part of the rule decided
 * @param bucket the tenant's {@link TenantBucket} under the flag (0-99), whatever decided
 */
public record Verdict(boolean on, Reason reason, int bucket) {

  /** Which part of the rule decided, in the order they are asked. */
  public enum Reason {
    /** The tenant is on the deny-list: off. */
    DENY_LIST,
    /** The tenant is on the allow-list: on. */
    ALLOW_LIST,
    /** The tenant's bucket is below the percentage (on) or not (off). */
    PERCENTAGE,
    /** No rule is stored: the flag's built-in default. */
    DEFAULT;

    public String wire() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * {@code flag} for {@code tenant} under {@code rule}: the deny-list wins, then the allow-list,
   * then the tenant's bucket against the percentage; without a rule, the flag's default.
   */
  public static Verdict of(FeatureFlag flag, Optional<FlagRule> rule, String tenant) {
    int bucket = TenantBucket.of(flag.wire(), tenant);
    if (rule.isEmpty()) {
      return new Verdict(flag.defaultOn(), Reason.DEFAULT, bucket);
    }
    FlagRule r = rule.get();
    if (r.deny().contains(tenant)) {
      return new Verdict(false, Reason.DENY_LIST, bucket);
    }
    if (r.allow().contains(tenant)) {
      return new Verdict(true, Reason.ALLOW_LIST, bucket);
    }
    return new Verdict(bucket < r.percentage(), Reason.PERCENTAGE, bucket);
  }

  public JsonObject toJson() {
    return new JsonObject().put("on", on).put("reason", reason.wire()).put("bucket", bucket);
  }
}
