package dev.soma.resilience.failover.storage.internal;

/**
 * An upload id that is queued already (its marker is in the spool) or being queued right now:
 * nothing of the upload asked for was written, and nothing of the one already there was touched.
 * {@link #sameUpload} says whether the queued one is of the same tenant, key, media type and size
 * (a retry of it); otherwise the id was used for another upload. Stackless: flow control.
 */
public final class AlreadyQueued extends RuntimeException {
  private final boolean sameUpload;

  AlreadyQueued(String message, boolean sameUpload) {
    super(message, null, false, false);
    this.sameUpload = sameUpload;
  }

  public boolean sameUpload() {
    return sameUpload;
  }
}
