package dev.soma.resilience.common.db;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;

/**
 * The opaque cursor of a list paged by keyset on a {@code bigint} id: the page's last id, encoded
 * so that clients pass it back as it is instead of doing arithmetic on it. Pages never use OFFSET,
 * so a page costs the same however deep it is, and rows written meanwhile neither repeat nor
 * vanish.
 */
public final class IdCursor {

  private static final String PREFIX = "id:";

  private IdCursor() {}

  /** The cursor that continues after {@code id}. */
  public static String after(long id) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((PREFIX + id).getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The id a cursor continues after; {@code 0} (before every id) when {@code cursor} is null.
   *
   * @throws IllegalArgumentException when {@code cursor} is not one this class made
   */
  public static long parse(String cursor) {
    if (cursor == null) {
      return 0;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
      if (text.startsWith(PREFIX)) {
        long id = Long.parseLong(text.substring(PREFIX.length()));
        if (id >= 0) {
          return id;
        }
      }
    } catch (IllegalArgumentException notBase64OrNotANumber) {
      // answered below, like any other cursor this class did not make
    }
    throw new IllegalArgumentException("'cursor' is not a cursor this list returned");
  }

  /**
   * The page {@code rows} make, read in the list's order with a limit of {@code limit + 1}: {@code
   * {"<items>": [...], "nextCursor": ...}}, its first {@code limit} rows as {@code toJson} makes
   * them, {@code nextCursor} after the last of them (by its {@code id} column), null when no row
   * followed (the last page).
   */
  public static JsonObject page(
      RowSet<Row> rows, int limit, String items, Function<Row, JsonObject> toJson) {
    JsonArray page = new JsonArray();
    long last = 0;
    for (Row row : rows) {
      if (page.size() == limit) {
        break;
      }
      last = row.getLong("id");
      page.add(toJson.apply(row));
    }
    return new JsonObject()
        .put(items, page)
        .put("nextCursor", rows.size() > limit ? after(last) : null);
  }
}
