package dev.soma.resilience.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An API key as handed to a tenant: {@code soma_<id>_<secret>}. The id finds the row; only SHA-256
 * of the secret is stored. {@link #toString()} never shows the secret.
 */
public record ApiKey(String id, String secret) {

  private static final Pattern FORMAT = Pattern.compile("soma_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A fresh key: 64 random bits of id, 256 of secret. */
  public static ApiKey generate() {
    byte[] id = new byte[8];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(secret);
    return new ApiKey(
        HexFormat.of().formatHex(id),
        Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
  }

  /** Parses a presented key; empty when it is not in our format. */
  public static Optional<ApiKey> parse(String presented) {
    if (presented == null) {
      return Optional.empty();
    }
    Matcher m = FORMAT.matcher(presented.trim());
    return m.matches() ? Optional.of(new ApiKey(m.group(1), m.group(2))) : Optional.empty();
  }

  /** The full key, to show the tenant exactly once. */
  public String token() {
    return "soma_" + id + "_" + secret;
  }

  public byte[] secretHash() {
    return sha256(secret);
  }

  /** Whether {@code storedHash} is this key's secret hash (constant time). */
  public boolean matches(byte[] storedHash) {
    return MessageDigest.isEqual(secretHash(), storedHash);
  }

  @Override
  public String toString() {
    return "ApiKey[id=" + id + "]";
  }

  static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
