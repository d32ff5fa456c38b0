package dev.soma.resilience.failover.storage;

/**
 * Event-bus addresses of the storage failover chain. Request/reply with JSON bodies; callers must
 * set a send timeout longer than the whole chain (three links' timeouts plus the queueing). Local
 * to a node, even in a cluster: a {@link StoreRequest} may name a file in this node's spool, and
 * the queue of uploads waiting for storage is this node's (its API and its chain run together).
 */
public final class StorageAddresses {

  /** {@link StoreRequest} in, {@link StoreReply} out. */
  public static final String PUT = "failover.storage.put";

  /** {@link FetchRequest} in, {@link FetchReply} out. */
  public static final String GET = "failover.storage.get";

  /** Failure code: the request is malformed (bad key, missing bytes, unknown spool reference). */
  public static final int CALLER_FAULT = 400;

  /** Failure code: no link has the object. */
  public static final int NOT_FOUND = 404;

  /**
   * Failure code: the upload id is queued already for another upload (tenant, key, media type or
   * size differ), or is being queued right now; nothing was written and the queued upload is kept.
   */
  public static final int CONFLICT = 409;

  /**
   * Failure code: inline bytes over {@code storage.maxInlineBytes}; spill them and pass a
   * reference.
   */
  public static final int TOO_LARGE = 413;

  /** Failure code: nothing could store or queue the upload (the database is down too). */
  public static final int UNAVAILABLE = 503;

  private StorageAddresses() {}
}
