package dev.soma.resilience.failover.storage;

import java.util.regex.Pattern;

/**
 * Where an object lives: a tenant and a key of {@code /}-separated segments of {@code
 * [A-Za-z0-9._-]} (no {@code .} or {@code ..} segment), so it maps safely onto S3 keys, file paths
 * and Redis keys alike. Every link stores it under {@link #path()}, {@code <tenant>/<key>}.
 */
public record ObjectKey(String tenantId, String key) {

  private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,255}");
  private static final int MAX_KEY = 1000;

  /** Validates; throws {@link IllegalArgumentException} naming the bad field. */
  public ObjectKey {
    if (tenantId == null || !TENANT.matcher(tenantId).matches()) {
      throw new IllegalArgumentException(
          "tenantId must match " + TENANT.pattern() + ", but was '" + tenantId + "'");
    }
    if (key == null || key.isEmpty() || key.length() > MAX_KEY) {
      throw new IllegalArgumentException("key must be 1 to " + MAX_KEY + " characters");
    }
    for (String segment : key.split("/", -1)) {
      if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            "key must be /-separated segments of [A-Za-z0-9._-]"
                + " without . or .. segments, but was '"
                + key
                + "'");
      }
    }
  }

  public String path() {
    return tenantId + "/" + key;
  }
}
