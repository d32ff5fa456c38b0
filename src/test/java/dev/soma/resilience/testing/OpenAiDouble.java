package dev.soma.resilience.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * OpenAI Chat Completions ({@code POST /v1/chat/completions}, and {@code GET /v1/models}), also
 * OpenRouter's and DeepSeek's format: a JSON completion, or SSE {@code data:} chunks ending with
 * {@code data: [DONE]}. Errors are {@code {"error":{"message","type"}}}; a stream error is a {@code
 * data:} chunk with {@code error}. See {@link ProviderDouble} for the fault switches.
 */
public final class OpenAiDouble extends ProviderDouble {

  public OpenAiDouble(Vertx vertx, String name) {
    super(vertx, name);
  }

  public OpenAiDouble(Vertx vertx) {
    this(vertx, "openai");
  }

  @Override
  protected String path() {
    return "/v1/chat/completions";
  }

  @Override
  protected JsonObject completion(String model, String text) {
    return new JsonObject()
        .put("id", "chatcmpl-double")
        .put("object", "chat.completion")
        .put("model", model)
        .put(
            "choices",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("index", 0)
                        .put(
                            "message",
                            new JsonObject().put("role", "assistant").put("content", text))
                        .put("finish_reason", "stop")))
        .put(
            "usage",
            new JsonObject()
                .put("prompt_tokens", 5)
                .put("completion_tokens", 3)
                .put("total_tokens", 8));
  }

  /** {@code {object:"list", data:[{id, object:"model", created, owned_by}]}}. */
  @Override
  protected JsonObject modelList() {
    return new JsonObject()
        .put("object", "list")
        .put(
            "data",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("id", "gpt-4o")
                        .put("object", "model")
                        .put("created", 1_715_367_049L)
                        .put("owned_by", "system")));
  }

  @Override
  protected JsonObject errorBody(int status) {
    return new JsonObject()
        .put(
            "error",
            new JsonObject()
                .put("message", name() + " double says " + status)
                .put("type", status == 429 ? "rate_limit_exceeded" : "server_error"));
  }

  @Override
  protected List<String> streamStart(String model) {
    return List.of(
        event(
            null,
            chunk(model, new JsonObject().put("role", "assistant").put("content", ""), null)));
  }

  @Override
  protected String tokenEvent(String model, String text) {
    return event(null, chunk(model, new JsonObject().put("content", text), null));
  }

  @Override
  protected List<String> streamEnd(String model) {
    return List.of(event(null, chunk(model, new JsonObject(), "stop")), "data: [DONE]\n\n");
  }

  @Override
  protected String errorEvent() {
    return event(null, errorBody(500));
  }

  private static JsonObject chunk(String model, JsonObject delta, String finishReason) {
    return new JsonObject()
        .put("id", "chatcmpl-double")
        .put("object", "chat.completion.chunk")
        .put("model", model)
        .put(
            "choices",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("index", 0)
                        .put("delta", delta)
                        .put("finish_reason", finishReason)));
  }
}
