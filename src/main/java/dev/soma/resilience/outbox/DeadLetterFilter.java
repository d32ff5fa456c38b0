package dev.soma.resilience.outbox;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Which unresolved dead letters an operator means, for the bulk replay and resolve: every condition
 * given must hold, and at least one must be given (a bulk action on every dead letter is too easy
 * to send by mistake). The field names are those of {@link OutboxFilter} where they mean the same.
 *
 * @param tenantId the tenant
 * @param topic the Kafka topic, exactly
 * @param errorClass the exception class the letter died with, exactly
 * @param from dead at or after (inclusive)
 * @param to dead before (exclusive)
 * @param source outbox events or memories; null: both
 * @throws IllegalArgumentException naming the field when a text is blank or longer than {@value
 *     OutboxFilter#MAX_TEXT} characters, {@code from} is not before {@code to}, or nothing is given
 */
public record DeadLetterFilter(
    String tenantId, String topic, String errorClass, Instant from, Instant to, Source source) {

  /** What died: an outbox event or a memory SomaBrain never took. */
  public enum Source {
    OUTBOX,
    MEMORY;

    String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The field names, as in request bodies and (with {@code --}) the commands. */
  public static final List<String> FIELDS =
      List.of("tenant", "topic", "errorClass", "from", "to", "source");

  public DeadLetterFilter {
    OutboxFilter.text("tenant", tenantId);
    OutboxFilter.text("topic", topic);
    OutboxFilter.text("errorClass", errorClass);
    if (from != null && to != null && !from.isBefore(to)) {
      throw new IllegalArgumentException("'from' must be before 'to'");
    }
    if (tenantId == null
        && topic == null
        && errorClass == null
        && from == null
        && to == null
        && source == null) {
      throw new IllegalArgumentException(
          "name at least one filter (" + String.join(", ", FIELDS) + "): none selects everything");
    }
  }

  /**
   * The filter from named text values ({@link #FIELDS}; {@code field} answers null for an absent
   * one); times are RFC 3339 with an offset, {@code source} is {@code outbox} or {@code memory}.
   *
   * @throws IllegalArgumentException naming the first field whose value is not valid
   */
  public static DeadLetterFilter parse(Function<String, String> field) {
    return new DeadLetterFilter(
        field.apply("tenant"),
        field.apply("topic"),
        field.apply("errorClass"),
        OutboxFilter.time("from", field.apply("from")),
        OutboxFilter.time("to", field.apply("to")),
        source(field.apply("source")));
  }

  /** The conditions in SQL on dead letter {@code d}, their values appended to {@code values}. */
  String where(List<Object> values) {
    List<String> conditions = new ArrayList<>();
    conditions.add("NOT d.resolved");
    condition(conditions, values, "d.tenant_id = $", tenantId);
    condition(conditions, values, "d.topic = $", topic);
    condition(conditions, values, "d.error_class = $", errorClass);
    condition(conditions, values, "d.dead_at >= $", utc(from));
    condition(conditions, values, "d.dead_at < $", utc(to));
    if (source != null) {
      conditions.add(
          source == Source.OUTBOX ? "d.outbox_id IS NOT NULL" : "d.memory_id IS NOT NULL");
    }
    return String.join(" AND ", conditions);
  }

  /** This filter as JSON fields (for the audit); absent fields are left out. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    put(json, "tenant", tenantId);
    put(json, "topic", topic);
    put(json, "errorClass", errorClass);
    put(json, "from", from == null ? null : from.toString());
    put(json, "to", to == null ? null : to.toString());
    put(json, "source", source == null ? null : source.wireName());
    return json;
  }

  private static void condition(
      List<String> conditions, List<Object> values, String sql, Object value) {
    if (value != null) {
      values.add(value);
      conditions.add(sql + values.size());
    }
  }

  private static OffsetDateTime utc(Instant at) {
    return at == null ? null : OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
  }

  private static void put(JsonObject json, String field, String value) {
    if (value != null) {
      json.put(field, value);
    }
  }

  private static Source source(String value) {
    if (value == null) {
      return null;
    }
    for (Source s : Source.values()) {
      if (s.wireName().equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "'source' must be outbox or memory, but was '" + value + "'");
  }
}
