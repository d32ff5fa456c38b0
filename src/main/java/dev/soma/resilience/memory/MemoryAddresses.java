package dev.soma.resilience.memory;

/** Event-bus addresses of the memory feature. */
public final class MemoryAddresses {

  /** Published after memories were queued: wakes the sync (JSON object, content unused). */
  public static final String QUEUED = "memory.queued";

  /**
   * The degradation monitor's status broadcasts, which the sync listens to so it starts draining as
   * soon as SomaBrain is back instead of polling a dead service.
   */
  public static final String STATUS_CHANGED = "degradation.status.changed";

  private MemoryAddresses() {}
}
