package dev.soma.resilience.common.db;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.function.Function;

/**
 * Where a page of a list ordered by creation time and a text id ended (a tenant's keys, newest
 * first; a conversation's messages, oldest first): the last row's time, to the microsecond as
 * PostgreSQL keeps it, and id, encoded so that clients pass it back as it is. Like {@link
 * IdCursor}, a keyset: a page costs the same however deep it is, and no row repeats. (A row's time
 * is its transaction's start: a transaction still open when a client paged past its time is not on
 * the pages after.)
 */
public record TimeCursor(OffsetDateTime at, String id) {

  private static final String PREFIX = "t:";
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  /** The cursor text that continues after this row. */
  public String encode() {
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, at.toInstant());
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((PREFIX + micros + ":" + id).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The page {@code rows} make, read in the list's order with a limit of {@code limit + 1}: {@code
   * {"<items>": [...], "nextCursor": ...}}, its first {@code limit} rows as {@code toJson} makes
   * them, {@code nextCursor} after the last of them, null when no row followed; a row whose {@code
   * idColumn} is null (a LEFT JOIN's empty side) ends the page. As {@link IdCursor#page}.
   */
  public static JsonObject page(
      RowSet<Row> rows,
      int limit,
      String items,
      String idColumn,
      Function<Row, JsonObject> toJson) {
    JsonArray page = new JsonArray();
    TimeCursor last = null;
    String next = null;
    for (Row row : rows) {
      if (row.getString(idColumn) == null) {
        break;
      }
      if (page.size() == limit) {
        next = last.encode();
        break;
      }
      last = of(row, idColumn);
      page.add(toJson.apply(row));
    }
    return new JsonObject().put(items, page).put("nextCursor", next);
  }

  /** The cursor after {@code row}: its {@code created_at} and {@code idColumn}. */
  public static TimeCursor of(Row row, String idColumn) {
    return new TimeCursor(row.getOffsetDateTime("created_at"), row.getString(idColumn));
  }

  /**
   * The cursor {@code text} names; null when {@code text} is null (the first page).
   *
   * @throws IllegalArgumentException when {@code text} is not one {@link #encode} made
   */
  public static TimeCursor parse(String text) {
    if (text == null) {
      return null;
    }
    try {
      String decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':', PREFIX.length());
      if (decoded.startsWith(PREFIX) && colon > PREFIX.length()) {
        long micros = Long.parseLong(decoded.substring(PREFIX.length(), colon));
        Instant at = Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
        if (at.isAfter(EARLIEST) && at.isBefore(LATEST)) { // what a timestamptz column holds
          return new TimeCursor(at.atOffset(ZoneOffset.UTC), decoded.substring(colon + 1));
        }
      }
    } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
      // answered below, like any other text this class did not make
    }
    throw new IllegalArgumentException("'cursor' is not a cursor this list returned");
  }
}
