package dev.soma.resilience.failover.storage;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The answer to a {@link StoreRequest}: {@code stored} by {@code provider} ({@code s3}, {@code
 * local}, {@code redis}: the last keeps it only until {@code expiresAt}), or {@code queued} ({@code
 * provider} {@value #QUEUE_PROVIDER}, {@code message} {@value #QUEUED_MESSAGE}): no link could take
 * it, its bytes are kept durably and it will be stored automatically; or {@code journaled}: queued
 * the same way while PostgreSQL could not be reached, its queue entry in the local journal until it
 * can.
 */
public record StoreReply(
    String status,
    String provider,
    String uploadId,
    String key,
    Instant expiresAt,
    String message) {

  public static final String QUEUE_PROVIDER = "upload-queue";
  public static final String QUEUED_MESSAGE = "upload queued";

  public static StoreReply stored(
      String provider, String uploadId, ObjectKey key, Instant expiresAt) {
    return new StoreReply(
        "stored",
        provider,
        uploadId,
        key.key(),
        expiresAt,
        expiresAt == null ? null : "stored temporarily until " + expiresAt);
  }

  public static StoreReply queued(String uploadId, ObjectKey key) {
    return new StoreReply("queued", QUEUE_PROVIDER, uploadId, key.key(), null, QUEUED_MESSAGE);
  }

  /** Queued the same way, its queue entry journaled (PostgreSQL could not be reached). */
  public static StoreReply journaled(String uploadId, ObjectKey key) {
    return new StoreReply("journaled", QUEUE_PROVIDER, uploadId, key.key(), null, QUEUED_MESSAGE);
  }

  /** Whether the upload waits to be stored ({@code queued} or {@code journaled}). */
  public boolean isQueued() {
    return "queued".equals(status) || "journaled".equals(status);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("status", status)
        .put("provider", provider)
        .put("uploadId", uploadId)
        .put("key", key)
        .put("expiresAt", expiresAt == null ? null : expiresAt.toString())
        .put("message", message);
  }

  public static StoreReply fromJson(JsonObject json) {
    String expires = json.getString("expiresAt");
    return new StoreReply(
        json.getString("status"),
        json.getString("provider"),
        json.getString("uploadId"),
        json.getString("key"),
        expires == null ? null : Instant.parse(expires),
        json.getString("message"));
  }
}
