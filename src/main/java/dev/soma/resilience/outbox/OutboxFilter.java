package dev.soma.resilience.outbox;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Which outbox rows an operator means: every condition given must hold; absent ones (null) do not
 * filter. Used alike by the list, the filtered replay and the commands.
 *
 * @param tenantId the tenant
 * @param state the row's {@link OutboxState}
 * @param topic the Kafka topic, exactly
 * @param from created at or after (inclusive)
 * @param to created before (exclusive)
 * @param errorClass the dead letter's {@code error_class} (the exception class Kafka's client
 *     failed with), exactly; only dead rows have one, so this filter matches dead rows only
 * @param dedupePrefix the dedupe key starts with this
 * @throws IllegalArgumentException naming the field when a text is blank or longer than {@value
 *     #MAX_TEXT} characters, or {@code from} is not before {@code to}
 */
public record OutboxFilter(
    String tenantId,
    OutboxState state,
    String topic,
    Instant from,
    Instant to,
    String errorClass,
    String dedupePrefix) {

  /** The longest text a filter field may hold. */
  public static final int MAX_TEXT = 512;

  /** The field names, as in query strings, request bodies and (with {@code --}) the commands. */
  public static final List<String> FIELDS =
      List.of("tenant", "status", "topic", "from", "to", "errorClass", "dedupeKeyPrefix");

  /** No condition: every row. */
  public static final OutboxFilter ALL = new OutboxFilter(null, null, null, null, null, null, null);

  public OutboxFilter {
    text("tenant", tenantId);
    text("topic", topic);
    text("errorClass", errorClass);
    text("dedupeKeyPrefix", dedupePrefix);
    if (from != null && to != null && !from.isBefore(to)) {
      throw new IllegalArgumentException("'from' must be before 'to'");
    }
  }

  /**
   * The filter from named text values ({@link #FIELDS}; {@code field} answers null for an absent
   * one); times are RFC 3339 with an offset ({@code 2026-12-01T10:00:00Z}).
   *
   * @throws IllegalArgumentException naming the first field whose value is not valid
   */
  public static OutboxFilter parse(Function<String, String> field) {
    return new OutboxFilter(
        field.apply("tenant"),
        field.apply("status") == null ? null : OutboxState.parse(field.apply("status")),
        field.apply("topic"),
        time("from", field.apply("from")),
        time("to", field.apply("to")),
        field.apply("errorClass"),
        field.apply("dedupeKeyPrefix"));
  }

  /** The conditions in SQL on row {@code o}, their values appended to {@code values}. */
  String where(List<Object> values) {
    List<String> conditions = new ArrayList<>();
    if (tenantId != null) {
      values.add(tenantId);
      conditions.add("o.tenant_id = $" + values.size());
    }
    if (state != null) {
      conditions.add(state.predicate());
    }
    if (topic != null) {
      values.add(topic);
      conditions.add("o.topic = $" + values.size());
    }
    if (from != null) {
      values.add(OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
      conditions.add("o.created_at >= $" + values.size());
    }
    if (to != null) {
      values.add(OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
      conditions.add("o.created_at < $" + values.size());
    }
    if (errorClass != null) {
      values.add(errorClass);
      conditions.add(
          "o.status = 'dead' AND EXISTS (SELECT 1 FROM dead_letter_messages d"
              + " WHERE d.outbox_id = o.id AND d.error_class = $"
              + values.size()
              + ")");
    }
    if (dedupePrefix != null) {
      values.add(dedupePrefix);
      conditions.add("starts_with(o.dedupe_key, $" + values.size() + ")");
    }
    return conditions.isEmpty() ? "true" : String.join(" AND ", conditions);
  }

  /** This filter as JSON fields (for the audit and dry runs); absent fields are left out. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    put(json, "tenant", tenantId);
    put(json, "status", state == null ? null : state.wireName());
    put(json, "topic", topic);
    put(json, "from", from == null ? null : from.toString());
    put(json, "to", to == null ? null : to.toString());
    put(json, "errorClass", errorClass);
    put(json, "dedupeKeyPrefix", dedupePrefix);
    return json;
  }

  private static void put(JsonObject json, String field, String value) {
    if (value != null) {
      json.put(field, value);
    }
  }

  static void text(String field, String value) {
    if (value != null && (value.isBlank() || value.length() > MAX_TEXT)) {
      throw new IllegalArgumentException(
          "'" + field + "' must be 1 to " + MAX_TEXT + " characters, not blank");
    }
  }

  static Instant time(String field, String value) {
    if (value == null) {
      return null;
    }
    // RFC 3339's year is four digits: Java alone would also take "-999999999-01-01T00:00:00Z"
    boolean fourDigitYear =
        value.length() > 4 && Character.isDigit(value.charAt(0)) && value.charAt(4) == '-';
    try {
      if (fourDigitYear) {
        return OffsetDateTime.parse(value).toInstant();
      }
    } catch (DateTimeParseException e) {
      // answered below, like a year of another length
    }
    throw new IllegalArgumentException(
        "'" + field + "' must be an RFC 3339 time with an offset, like 2026-12-01T10:00:00Z");
  }
}
