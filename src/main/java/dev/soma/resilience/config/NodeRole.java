package dev.soma.resilience.config;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

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
}
