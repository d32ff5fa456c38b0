package dev.soma.resilience.flags;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The flags the code knows: each gates one behaviour per tenant. A flag without a stored rule
 * ({@code feature_flags}, sql/V10) has its built-in default for every tenant; only these names can
 * be stored.
 */
public enum FeatureFlag {

  /**
   * The relay's per-tenant quota ({@code outbox.tenantQuota*}) paces a tenant only where this is
   * on. On by default: a configured quota applies to every tenant, as before flags existed.
   */
  RELAY_TENANT_QUOTAS(
      "relay.tenant-quotas",
      "the relay's per-tenant quota (outbox.tenantQuota*) paces this tenant's events",
      true),

  /**
   * The tenant's memories are always queued ({@code async}) whatever {@code memory.writeMode} says;
   * a request's own {@code mode} still wins.
   */
  MEMORY_QUEUE_FIRST(
      "memory.queue-first",
      "this tenant's memories are queued (write mode async) unless the request names a mode",
      false),

  /**
   * The tenant's LLM requests use the chain {@code <useCase>-canary} where one is configured (else
   * the use case's own chain).
   */
  LLM_CANARY_CHAIN(
      "llm.canary-chain",
      "this tenant's LLM requests use the chain <useCase>-canary where one is configured",
      false);

  private final String wire;
  private final String meaning;
  private final boolean defaultOn;

  FeatureFlag(String wire, String meaning, boolean defaultOn) {
    this.wire = wire;
    this.meaning = meaning;
    this.defaultOn = defaultOn;
  }

  /** The flag's name in the table, the API and the commands. */
  public String wire() {
    return wire;
  }

  /** What the flag does where it is on, for people. */
  public String meaning() {
    return meaning;
  }

  /** Whether the flag is on for every tenant while no rule is stored. */
  public boolean defaultOn() {
    return defaultOn;
  }

  /** The flag named {@code wire}, if the code knows one. */
  public static Optional<FeatureFlag> named(String wire) {
    return Arrays.stream(values()).filter(f -> f.wire.equals(wire)).findFirst();
  }

  /** Every known flag's name, in declaration order. */
  public static List<String> names() {
    return Arrays.stream(values()).map(FeatureFlag::wire).toList();
  }
}
