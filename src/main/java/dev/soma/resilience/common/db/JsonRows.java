package dev.soma.resilience.common.db;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A query's rows as JSON for a listing: one object per row, as the caller's {@code toJson} makes
 * it, in the order the query returned them. What it returns is the caller's to change.
 */
public final class JsonRows {

  private JsonRows() {}

  /** {@code rows} as a JSON array. */
  public static JsonArray array(RowSet<Row> rows, Function<Row, JsonObject> toJson) {
    return new JsonArray(list(rows, toJson));
  }

  /** Timestamp {@code column} of {@code row} as JSON carries it: ISO-8601 in UTC. */
  public static String instant(Row row, String column) {
    return row.getOffsetDateTime(column).toInstant().toString();
  }

  /** {@code rows} as a list of JSON objects. */
  public static List<JsonObject> list(RowSet<Row> rows, Function<Row, JsonObject> toJson) {
    List<JsonObject> objects = new ArrayList<>(rows.size());
    rows.forEach(row -> objects.add(toJson.apply(row)));
    return objects;
  }
}
