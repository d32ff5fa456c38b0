package dev.soma.resilience.flags;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The flags' rules in force in this process, read by the features they gate (the relay's quotas,
 * the memory service, the LLM chain). One per process, made by the composition root; the rules come
 * from the {@code feature_flags} table ({@link FeatureFlags}) through {@link #apply}, always as the
 * whole set: a flag missing from it has its default. A new book, before any read, has every flag at
 * its default.
 *
 * <p>Thread-safe: the set is replaced whole, and each question reads one set.
 */
public final class FlagBook {

  private volatile Map<FeatureFlag, FlagRule> rules = Map.of();

  /** Puts every flag under its rule in {@code next}, and every other one to its default. */
  public void apply(Map<FeatureFlag, FlagRule> next) {
    rules = next.isEmpty() ? Map.of() : new EnumMap<>(next);
  }

  /** The rules in force here, as last applied. */
  public Map<FeatureFlag, FlagRule> rules() {
    return Map.copyOf(rules);
  }

  /** The stored rule of {@code flag} in force here; empty when it has its default. */
  public Optional<FlagRule> rule(FeatureFlag flag) {
    return Optional.ofNullable(rules.get(flag));
  }

  /** Whether {@code flag} is on for {@code tenant} here (see {@link Verdict#of}). */
  public boolean isOn(FeatureFlag flag, String tenant) {
    return verdict(flag, tenant).on();
  }

  /** Whether {@code flag} is on for {@code tenant} here, and why. */
  public Verdict verdict(FeatureFlag flag, String tenant) {
    return Verdict.of(flag, rule(flag), tenant);
  }

  /**
   * Whether {@code flag} may be on for a tenant named on no list: its rule's percentage is above 0,
   * or there is no rule and it is on by default.
   */
  public boolean reachesUnlisted(FeatureFlag flag) {
    return rule(flag).map(FlagRule::reachesUnlisted).orElse(flag.defaultOn());
  }

  /** {@code {"flags": [{"name", "rule"|null}...]}}: what {@link FlagAddresses#APPLIED} says. */
  public JsonObject toJson() {
    JsonArray flags = new JsonArray();
    Map<FeatureFlag, FlagRule> now = rules;
    for (FeatureFlag flag : FeatureFlag.values()) {
      FlagRule rule = now.get(flag);
      flags.add(
          new JsonObject()
              .put("name", flag.wire())
              .put("rule", rule == null ? null : rule.toJson()));
    }
    return new JsonObject().put("flags", flags);
  }
}
