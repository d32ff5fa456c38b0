package dev.soma.resilience.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** A credential from configuration. Never printed: {@link #toString()} hides it. */
public record Secret(String value) {

  public boolean isSet() {
    return value != null && !value.isEmpty();
  }

  /** Constant-time comparison with a presented value; false when unset. */
  public boolean matches(String presented) {
    return isSet()
        && presented != null
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return isSet() ? "Secret[****]" : "Secret[unset]";
  }
}
