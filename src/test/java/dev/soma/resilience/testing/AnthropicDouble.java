package dev.soma.resilience.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Anthropic Messages ({@code POST /v1/messages}, and {@code GET /v1/models}): a JSON message, or
 * SSE with {@code event:} lines {@code message_start}, {@code content_block_start}, {@code
 * content_block_delta}..., {@code content_block_stop}, {@code message_delta}, {@code message_stop};
 * errors as {@code event: error}. See {@link ProviderDouble} for the fault switches.
 */
public final class AnthropicDouble extends ProviderDouble {

  public AnthropicDouble(Vertx vertx) {
    super(vertx, "anthropic");
  }

  @Override
  protected String path() {
    return "/v1/messages";
  }

  @Override
  protected JsonObject completion(String model, String text) {
    return new JsonObject()
        .put("id", "msg_double")
        .put("type", "message")
        .put("role", "assistant")
        .put("content", new JsonArray().add(new JsonObject().put("type", "text").put("text", text)))
        .put("model", model)
        .put("stop_reason", "end_turn")
        .put("usage", new JsonObject().put("input_tokens", 5).put("output_tokens", 3));
  }

  /** {@code {data:[{type:"model", id, display_name, created_at}], has_more, first_id, last_id}}. */
  @Override
  protected JsonObject modelList() {
    return new JsonObject()
        .put(
            "data",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("type", "model")
                        .put("id", "claude-3-5-sonnet-20241022")
                        .put("display_name", "Claude 3.5 Sonnet")
                        .put("created_at", "2024-10-22T00:00:00Z")))
        .put("has_more", false)
        .put("first_id", "claude-3-5-sonnet-20241022")
        .put("last_id", "claude-3-5-sonnet-20241022");
  }

  @Override
  protected JsonObject errorBody(int status) {
    String type =
        switch (status) {
          case 429 -> "rate_limit_error";
          case 400 -> "invalid_request_error";
          case 401 -> "authentication_error";
          case 529 -> "overloaded_error";
          default -> "api_error";
        };
    return new JsonObject()
        .put("type", "error")
        .put(
            "error",
            new JsonObject().put("type", type).put("message", "anthropic double says " + status));
  }

  @Override
  protected List<String> streamStart(String model) {
    return List.of(
        event(
            "message_start",
            new JsonObject()
                .put("type", "message_start")
                .put(
                    "message",
                    new JsonObject()
                        .put("id", "msg_double")
                        .put("type", "message")
                        .put("role", "assistant")
                        .put("content", new JsonArray())
                        .put("model", model)
                        .put(
                            "usage",
                            new JsonObject().put("input_tokens", 5).put("output_tokens", 1)))),
        event(
            "content_block_start",
            new JsonObject()
                .put("type", "content_block_start")
                .put("index", 0)
                .put("content_block", new JsonObject().put("type", "text").put("text", ""))),
        event("ping", new JsonObject().put("type", "ping")));
  }

  @Override
  protected String tokenEvent(String model, String text) {
    return event(
        "content_block_delta",
        new JsonObject()
            .put("type", "content_block_delta")
            .put("index", 0)
            .put("delta", new JsonObject().put("type", "text_delta").put("text", text)));
  }

  @Override
  protected List<String> streamEnd(String model) {
    return List.of(
        event(
            "content_block_stop",
            new JsonObject().put("type", "content_block_stop").put("index", 0)),
        event(
            "message_delta",
            new JsonObject()
                .put("type", "message_delta")
                .put("delta", new JsonObject().put("stop_reason", "end_turn"))
                .put("usage", new JsonObject().put("output_tokens", 3))),
        event("message_stop", new JsonObject().put("type", "message_stop")));
  }

  @Override
  protected String errorEvent() {
    return event("error", errorBody(529));
  }
}
