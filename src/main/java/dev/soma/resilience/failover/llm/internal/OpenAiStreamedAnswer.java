package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.failover.chain.ProviderFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The answer assembled from an OpenAI chat completion stream's chunks ({@code data:} lines, ended
 * by {@code [DONE]}): the content of the first choice's deltas, passed on as tokens as they come,
 * the model, the finish reason and the usage of the last chunk that reported it. An {@code error}
 * chunk is a {@link ProviderFailure.Kind#PROVIDER_ERROR}.
 */
final class OpenAiStreamedAnswer {
  private final StringBuilder content = new StringBuilder();
  private String model;
  private String finishReason = "stop";
  private JsonObject usage;

  OpenAiStreamedAnswer(String model) {
    this.model = model;
  }

  /** Takes one event, its text on to {@code tokens}; true when it was the terminator. */
  boolean read(SseParser.Event event, Consumer<String> tokens) {
    if (event.data().trim().equals("[DONE]")) {
      return true;
    }
    JsonObject chunk = new JsonObject(event.data());
    JsonObject error = chunk.getJsonObject("error");
    if (error != null) {
      throw new ProviderFailure(
          ProviderFailure.Kind.PROVIDER_ERROR,
          "error in stream: " + error.getString("message", error.encode()));
    }
    model = chunk.getString("model", model);
    if (chunk.getJsonObject("usage") != null) {
      usage = chunk.getJsonObject("usage");
    }
    JsonArray choices = chunk.getJsonArray("choices");
    if (choices == null) {
      throw new IllegalArgumentException("a chunk without choices");
    }
    if (!choices.isEmpty()) {
      JsonObject choice = choices.getJsonObject(0);
      JsonObject delta = choice.getJsonObject("delta");
      String text = delta == null ? null : delta.getString("content");
      if (text != null) {
        content.append(text);
        tokens.accept(text);
      }
      if (choice.getString("finish_reason") != null) {
        finishReason = choice.getString("finish_reason");
      }
    }
    return false;
  }

  /** What the stream said so far (all of it once {@link #read} saw the terminator). */
  Completion completion() {
    return new Completion(model, content.toString(), finishReason, Optional.ofNullable(usage));
  }
}
