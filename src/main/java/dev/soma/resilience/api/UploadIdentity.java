package dev.soma.resilience.api;

import dev.soma.resilience.failover.storage.ObjectKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * How an upload is told apart: an upload without an {@code Idempotency-Key} gets a fresh id; a
 * keyed one is fingerprinted (its key, media type and bytes) and its id derived from the tenant,
 * the {@code Idempotency-Key} and that fingerprint, so a retry is the same upload and two different
 * uploads never share a queue entry. Ids are 32 hex digits.
 */
final class UploadIdentity {

  private UploadIdentity() {}

  /** A new upload's id, shared with no other. */
  static String fresh() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /**
   * An upload request's fingerprint: its key (decoded: {@code a%2Fb} and {@code a%2fb} are one),
   * media type and bytes. Blocking: the bytes may be up to {@code api.maxUploadBytes}.
   */
  static String fingerprint(ObjectKey key, String contentType, byte[] bytes) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(
          ("PUT /v1/uploads/" + key.key() + "\n" + contentType + "\n")
              .getBytes(StandardCharsets.UTF_8));
      digest.update(bytes);
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A keyed upload's id: one per tenant, key and request, so no other upload ever shares it. */
  static String keyed(ObjectKey key, String idempotencyKey, String fingerprint) {
    return UUID.nameUUIDFromBytes(
            (key.tenantId() + ":" + idempotencyKey + ":" + fingerprint)
                .getBytes(StandardCharsets.UTF_8))
        .toString()
        .replace("-", "");
  }
}
