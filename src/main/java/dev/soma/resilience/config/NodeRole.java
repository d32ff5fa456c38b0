package dev.soma.resilience.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A part of the service a node can run ({@code SA01_ROLES}). Every node also serves its health
 * probes and metrics, keeps the feature flags and breaker overrides in force, and runs nothing
 * else.
 */
public enum NodeRole {
  /** The agent API over HTTP and WebSocket, its journal and its uploads' storage chain. */
  API,
  /** The outbox relay to Kafka, and the housekeeping of the tables (retention, idempotency). */
  RELAY,
  /** Syncing queued memories to SomaBrain. */
  MEMORY_SYNC,
  /** The degradation monitor (one active per cluster). */
  MONITOR,
  /** The LLM and audio fallback chains, reached over the event bus. */
  FAILOVER;

  /** Every role: what a node runs unless told otherwise. */
  public static Set<NodeRole> all() {
    return EnumSet.allOf(NodeRole.class);
  }

  /** The name in {@code SA01_ROLES}: lower case, {@code -} between words. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Optional<NodeRole> fromWire(String value) {
    return Arrays.stream(values()).filter(role -> role.wire().equals(value)).findFirst();
  }

  /**
   * The roles {@code list} names ({@code SA01_ROLES}: wire names, comma-separated).
   *
   * @throws ConfigException when a name is unknown or none is given
   */
  static Set<NodeRole> parseList(String list) {
    Set<NodeRole> roles = EnumSet.noneOf(NodeRole.class);
    List<String> unknown = new ArrayList<>();
    for (String name : Settings.entries(list)) {
      fromWire(name).ifPresentOrElse(roles::add, () -> unknown.add(name));
    }
    if (!unknown.isEmpty() || roles.isEmpty()) {
      throw ConfigException.invalidSetting(
          "roles", list, "a comma-separated list of " + wire(all()));
    }
    return roles;
  }

  /** {@code roles} as {@code SA01_ROLES} lists them: wire names in declaration order. */
  static String wire(Set<NodeRole> roles) {
    return roles.stream().sorted().map(NodeRole::wire).collect(Collectors.joining(","));
  }
}
