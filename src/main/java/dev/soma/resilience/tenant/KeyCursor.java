package dev.soma.resilience.tenant;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

/**
 * Where a page of a tenant's keys ended, newest first: the last key's creation time (to the
 * microsecond, as PostgreSQL keeps it) and id, encoded so that clients pass it back as it is. Like
 * {@link dev.soma.resilience.common.db.IdCursor}, a keyset: keys made meanwhile neither repeat nor
 * vanish from the pages after.
 */
public record KeyCursor(OffsetDateTime createdAt, String keyId) {

  private static final String PREFIX = "key:";

  /** The cursor text that continues after this key. */
  String encode() {
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt.toInstant());
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((PREFIX + micros + ":" + keyId).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The cursor {@code text} names; null when {@code text} is null (the first page).
   *
   * @throws IllegalArgumentException when {@code text} is not one {@link #encode} made
   */
  public static KeyCursor parse(String text) {
    if (text == null) {
      return null;
    }
    try {
      String decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':', PREFIX.length());
      if (decoded.startsWith(PREFIX) && colon > PREFIX.length()) {
        long micros = Long.parseLong(decoded.substring(PREFIX.length(), colon));
        Instant at = Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
        return new KeyCursor(at.atOffset(ZoneOffset.UTC), decoded.substring(colon + 1));
      }
    } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
      // answered below, like any other text this class did not make
    }
    throw new IllegalArgumentException("'cursor' is not a cursor this list returned");
  }
}
