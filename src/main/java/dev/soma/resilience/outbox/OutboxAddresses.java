package dev.soma.resilience.outbox;

/** Event-bus addresses of the outbox. Messages are JSON objects. */
public final class OutboxAddresses {

  /** Published after a transaction that enqueued events committed; wakes the relays at once. */
  public static final String COMMITTED = "outbox.committed";

  /**
   * Published by housekeeping after each refresh: a JSON object {@code {tenant: pendingCount}} of
   * every tenant with pending events (the API slows tenants with too large a backlog).
   */
  public static final String PENDING_COUNTS = "outbox.pending.counts";

  private OutboxAddresses() {}
}
