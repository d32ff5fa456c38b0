package dev.soma.resilience.outbox;

/** Event-bus addresses of the outbox. Messages are JSON objects. */
public final class OutboxAddresses {

  /** Published after a transaction that enqueued events committed; wakes the relays at once. */
  public static final String COMMITTED = "outbox.committed";

  private OutboxAddresses() {}
}
