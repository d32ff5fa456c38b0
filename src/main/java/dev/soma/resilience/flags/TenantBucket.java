package dev.soma.resilience.flags;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Where a tenant falls in a flag's percentage: {@code 0..99}, from the first four bytes of the
 * SHA-256 of {@code "<flag>:<tenant>"} (UTF-8) read as an unsigned big-endian number, modulo 100.
 * The same on every JVM and release (a test pins known values: changing it would move tenants in
 * and out of every percentage rule at once); the flag's name is part of the input, so different
 * flags at the same percentage pick different tenants.
 */
public final class TenantBucket {

  private TenantBucket() {}

  /** The bucket of {@code tenant} under {@code flag}: on when it is below the percentage. */
  public static int of(String flag, String tenant) {
    byte[] digest = sha256((flag + ":" + tenant).getBytes(StandardCharsets.UTF_8));
    long first =
        ((digest[0] & 0xFFL) << 24)
            | ((digest[1] & 0xFFL) << 16)
            | ((digest[2] & 0xFFL) << 8)
            | (digest[3] & 0xFFL);
    return (int) (first % 100);
  }

  private static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
