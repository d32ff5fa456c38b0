package dev.soma.resilience.failover.storage;

import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * An upload. Its bytes come either inline ({@code data}, base64 on the bus, at most {@code
 * storage.maxInlineBytes}) or, for larger uploads, as a {@code spoolRef} returned by {@link
 * UploadSpool#spill}: the bytes already lie, fsynced, in the spool directory. Exactly one of the
 * two is set. {@code uploadId} makes a retried request idempotent (its outbox event and its queued
 * copy are keyed by it); without one, the verticle makes one up.
 */
public record StoreRequest(
    ObjectKey key,
    String requestId,
    String uploadId,
    String contentType,
    byte[] data,
    String spoolRef) {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** Validates; throws {@link IllegalArgumentException} naming the bad field. */
  public StoreRequest {
    if ((data == null) == (spoolRef == null)) {
      throw new IllegalArgumentException("exactly one of data and spoolRef must be set");
    }
    if (spoolRef != null && !UploadSpool.isReference(spoolRef)) {
      throw new IllegalArgumentException("spoolRef is not a spool reference: '" + spoolRef + "'");
    }
    if (uploadId != null && !ID.matcher(uploadId).matches()) {
      throw new IllegalArgumentException("uploadId must match " + ID.pattern());
    }
    contentType =
        contentType == null || contentType.isBlank() ? "application/octet-stream" : contentType;
    requestId = requestId == null ? "" : requestId;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("tenantId", key.tenantId())
        .put("key", key.key())
        .put("requestId", requestId)
        .put("uploadId", uploadId)
        .put("contentType", contentType)
        .put("data", data == null ? null : Base64.getEncoder().encodeToString(data))
        .put("spoolRef", spoolRef);
  }

  /** Parses and validates; throws {@link IllegalArgumentException} on a bad message. */
  public static StoreRequest fromJson(JsonObject json) {
    byte[] data;
    try {
      String encoded = json.getString("data");
      data = encoded == null ? null : Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException | ClassCastException e) {
      throw new IllegalArgumentException("data must be base64");
    }
    try {
      return new StoreRequest(
          new ObjectKey(json.getString("tenantId"), json.getString("key")),
          json.getString("requestId"),
          json.getString("uploadId"),
          json.getString("contentType"),
          data,
          json.getString("spoolRef"));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException(
          "tenantId, key, uploadId, contentType and spoolRef must" + " be strings");
    }
  }
}
