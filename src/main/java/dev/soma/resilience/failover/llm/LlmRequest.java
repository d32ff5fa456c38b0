package dev.soma.resilience.failover.llm;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A completion request to a use case's fallback chain.
 *
 * @param useCase names the chain ({@code chat}, {@code coding}, {@code fast}, or a configured one)
 * @param tenant whose request it is (per-tenant breakers, correlation in logs)
 * @param messages the conversation, oldest first; roles {@code system}, {@code user}, {@code
 *     assistant}
 * @param maxTokens the answer's length limit; the configured default when empty
 * @param temperature sampling temperature, passed through when present
 * @param deadlineMs how long the caller will wait for the whole answer (all attempts); the
 *     configured default when empty
 * @param replyTo where stream events go (streaming only)
 */
public record LlmRequest(
    String useCase,
    String tenant,
    List<Message> messages,
    Optional<Integer> maxTokens,
    Optional<Double> temperature,
    Optional<Long> deadlineMs,
    Optional<String> replyTo) {

  private static final Set<String> ROLES = Set.of("system", "user", "assistant");

  /** One message of the conversation. */
  public record Message(String role, String content) {
    public JsonObject toJson() {
      return new JsonObject().put("role", role).put("content", content);
    }
  }

  public LlmRequest {
    messages = List.copyOf(messages);
  }

  /**
   * Parses and validates; throws {@link IllegalArgumentException} with a message fit for the caller
   * when the request is malformed.
   */
  public static LlmRequest fromJson(JsonObject json) {
    try {
      String useCase = required(json, "useCase");
      String tenant = required(json, "tenant");
      JsonArray raw = json.getJsonArray("messages");
      if (raw == null || raw.isEmpty()) {
        throw new IllegalArgumentException("messages must be a non-empty array");
      }
      List<Message> messages = new ArrayList<>();
      for (int i = 0; i < raw.size(); i++) {
        JsonObject m = raw.getJsonObject(i);
        String role = m == null ? null : m.getString("role");
        String content = m == null ? null : m.getString("content");
        if (role == null || !ROLES.contains(role) || content == null) {
          throw new IllegalArgumentException(
              "messages["
                  + i
                  + "] must have a role (system, user,"
                  + " assistant) and a string content");
        }
        messages.add(new Message(role, content));
      }
      Integer maxTokens = json.getInteger("maxTokens");
      if (maxTokens != null && maxTokens < 1) {
        throw new IllegalArgumentException("maxTokens must be at least 1, but was " + maxTokens);
      }
      Long deadline = json.getLong("deadlineMs");
      if (deadline != null && deadline < 1) {
        throw new IllegalArgumentException("deadlineMs must be at least 1, but was " + deadline);
      }
      return new LlmRequest(
          useCase,
          tenant,
          messages,
          Optional.ofNullable(maxTokens),
          Optional.ofNullable(json.getDouble("temperature")),
          Optional.ofNullable(deadline),
          Optional.ofNullable(json.getString("replyTo")));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("a field has the wrong type: " + e.getMessage());
    }
  }

  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    messages.forEach(m -> list.add(m.toJson()));
    JsonObject json =
        new JsonObject().put("useCase", useCase).put("tenant", tenant).put("messages", list);
    maxTokens.ifPresent(v -> json.put("maxTokens", v));
    temperature.ifPresent(v -> json.put("temperature", v));
    deadlineMs.ifPresent(v -> json.put("deadlineMs", v));
    replyTo.ifPresent(v -> json.put("replyTo", v));
    return json;
  }

  /** A request for the conversation {@code messages}, everything else defaulted. */
  public static LlmRequest of(String useCase, String tenant, List<Message> messages) {
    return new LlmRequest(
        useCase,
        tenant,
        messages,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  /** This request for the chain of {@code other} (a tenant's canary chain). */
  public LlmRequest withUseCase(String other) {
    return new LlmRequest(other, tenant, messages, maxTokens, temperature, deadlineMs, replyTo);
  }

  public LlmRequest withDeadlineMs(long deadline) {
    return new LlmRequest(
        useCase, tenant, messages, maxTokens, temperature, Optional.of(deadline), replyTo);
  }

  public LlmRequest withReplyTo(String address) {
    return new LlmRequest(
        useCase, tenant, messages, maxTokens, temperature, deadlineMs, Optional.of(address));
  }

  private static String required(JsonObject json, String field) {
    String value = json.getString(field);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " is required");
    }
    return value;
  }
}
