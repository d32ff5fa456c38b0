package dev.soma.resilience.memory;

/**
 * What one or more passes of the memory sync did: memories SomaBrain took, and those that failed.
 */
public record SyncRound(int synced, int failed) {

  /** The totals of this and {@code other}. */
  public SyncRound plus(SyncRound other) {
    return new SyncRound(synced + other.synced, failed + other.failed);
  }
}
