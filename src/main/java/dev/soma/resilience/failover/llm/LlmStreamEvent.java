package dev.soma.resilience.failover.llm;

import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * One event of a stream, sent to the request's {@code replyTo}. {@code type} is one of:
 *
 * <ul>
 *   <li>{@code token}: {@code {type, text}}, a piece of the answer;
 *   <li>{@code end}: {@code {type, reply}}, the stream completed; {@code reply} is the whole {@link
 *       LlmReply} (content, provider, model, failovers);
 *   <li>{@code error}: {@code {type, partial, error}}: the stream failed. {@code partial} is true
 *       when tokens had already been sent: what the caller has is a cut-off answer, never to be
 *       taken as complete. {@code error} is an {@link LlmError}.
 * </ul>
 *
 * <p>Exactly one {@code end} or {@code error} closes every stream.
 */
public record LlmStreamEvent(
    String type,
    Optional<String> text,
    Optional<LlmReply> reply,
    boolean partial,
    Optional<LlmError> error) {

  public static LlmStreamEvent token(String text) {
    return new LlmStreamEvent(
        "token", Optional.of(text), Optional.empty(), false, Optional.empty());
  }

  public static LlmStreamEvent end(LlmReply reply) {
    return new LlmStreamEvent("end", Optional.empty(), Optional.of(reply), false, Optional.empty());
  }

  public static LlmStreamEvent error(boolean partial, LlmError error) {
    return new LlmStreamEvent(
        "error", Optional.empty(), Optional.empty(), partial, Optional.of(error));
  }

  public boolean last() {
    return !type.equals("token");
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("type", type);
    text.ifPresent(t -> json.put("text", t));
    reply.ifPresent(r -> json.put("reply", r.toJson()));
    if (type.equals("error")) {
      json.put("partial", partial);
    }
    error.ifPresent(e -> json.put("error", e.toJson()));
    return json;
  }

  public static LlmStreamEvent fromJson(JsonObject json) {
    JsonObject reply = json.getJsonObject("reply");
    JsonObject error = json.getJsonObject("error");
    return new LlmStreamEvent(
        json.getString("type"),
        Optional.ofNullable(json.getString("text")),
        Optional.ofNullable(reply).map(LlmReply::fromJson),
        json.getBoolean("partial", false),
        Optional.ofNullable(error).map(LlmError::fromJson));
  }
}
