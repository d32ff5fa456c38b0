package dev.soma.resilience.memory;

/** Event-bus addresses of the memory feature. */
public final class MemoryAddresses {

  /** Published after memories were queued: wakes the sync (JSON object, content unused). */
  public static final String QUEUED = "memory.queued";

  private MemoryAddresses() {}
}
