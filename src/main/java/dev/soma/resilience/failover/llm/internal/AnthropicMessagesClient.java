package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.config.LlmConfig;
import dev.soma.resilience.failover.chain.ProviderFailure;
import dev.soma.resilience.failover.llm.LlmRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Anthropic Messages ({@code POST {base}/v1/messages}, {@code x-api-key}, {@code anthropic-version:
 * 2023-06-01}). System messages travel in the top-level {@code system} field. A stream is complete
 * only at {@code message_stop}; an {@code error} event fails it.
 */
public final class AnthropicMessagesClient extends ProviderClient {

  static final String PATH = "/v1/messages";
  static final String VERSION = "2023-06-01";

  public AnthropicMessagesClient(
      Vertx vertx, HttpClient http, LlmConfig.Provider provider, Clock clock) {
    super(vertx, http, provider, clock);
  }

  @Override
  public Future<Completion> complete(ProviderCall call) {
    return exchange.send(
        options(), body(call, false).toBuffer(), call, body -> parse(body, call), "a message");
  }

  @Override
  public Future<Completion> stream(ProviderCall call, Consumer<String> tokens) {
    StreamedMessage message = new StreamedMessage(call.model());
    return exchange.stream(options(), body(call, true).toBuffer(), call, message::read, tokens)
        .map(v -> message.completion());
  }

  @Override
  RequestOptions modelsRequest() {
    return request(HttpMethod.GET, MODELS_PATH, Map.of());
  }

  @Override
  void credentials(RequestOptions options) {
    options.putHeader("x-api-key", provider.apiKey()).putHeader("anthropic-version", VERSION);
  }

  private RequestOptions options() {
    return request(HttpMethod.POST, PATH, Map.of("Content-Type", "application/json"));
  }

  private static JsonObject body(ProviderCall call, boolean stream) {
    JsonArray messages = new JsonArray();
    StringBuilder system = new StringBuilder();
    for (LlmRequest.Message m : call.messages()) {
      if (m.role().equals("system")) {
        system.append(system.length() == 0 ? "" : "\n\n").append(m.content());
      } else {
        messages.add(m.toJson());
      }
    }
    JsonObject body =
        new JsonObject()
            .put("model", call.model())
            .put("max_tokens", call.maxTokens())
            .put("messages", messages)
            .put("stream", stream);
    if (system.length() > 0) {
      body.put("system", system.toString());
    }
    call.temperature().ifPresent(t -> body.put("temperature", t));
    return body;
  }

  private static Completion parse(Buffer raw, ProviderCall call) {
    JsonObject body = raw.toJsonObject();
    if (!"message".equals(body.getString("type"))) {
      throw new IllegalArgumentException("type is '" + body.getString("type") + "'");
    }
    StringBuilder text = new StringBuilder();
    JsonArray content = body.getJsonArray("content");
    for (int i = 0; i < content.size(); i++) {
      JsonObject block = content.getJsonObject(i);
      if ("text".equals(block.getString("type"))) {
        text.append(block.getString("text"));
      }
    }
    return new Completion(
        body.getString("model", call.model()),
        text.toString(),
        body.getString("stop_reason", "end_turn"),
        Optional.ofNullable(body.getJsonObject("usage")));
  }

  /** The message assembled from a stream's events. */
  private static final class StreamedMessage {
    private final StringBuilder content = new StringBuilder();
    private String model;
    private String stopReason = "end_turn";
    private final JsonObject usage = new JsonObject();

    StreamedMessage(String model) {
      this.model = model;
    }

    boolean read(SseParser.Event event, Consumer<String> tokens) {
      JsonObject data = new JsonObject(event.data());
      String type = event.event().isEmpty() ? data.getString("type", "") : event.event();
      switch (type) {
        case "message_start" -> {
          JsonObject message = data.getJsonObject("message");
          model = message.getString("model", model);
          if (message.getJsonObject("usage") != null) {
            usage.mergeIn(message.getJsonObject("usage"));
          }
        }
        case "content_block_delta" -> {
          String text = data.getJsonObject("delta").getString("text");
          if (text != null) {
            content.append(text);
            tokens.accept(text);
          }
        }
        case "message_delta" -> {
          JsonObject delta = data.getJsonObject("delta");
          if (delta != null && delta.getString("stop_reason") != null) {
            stopReason = delta.getString("stop_reason");
          }
          if (data.getJsonObject("usage") != null) {
            usage.mergeIn(data.getJsonObject("usage"));
          }
        }
        case "message_stop" -> {
          return true;
        }
        case "error" -> {
          JsonObject error = data.getJsonObject("error", new JsonObject());
          throw new ProviderFailure(
              ProviderFailure.Kind.PROVIDER_ERROR,
              "error event: "
                  + error.getString("type", "?")
                  + ": "
                  + error.getString("message", ""));
        }
        default -> {
          // content_block_start, content_block_stop, ping: nothing to take from them
        }
      }
      return false;
    }

    Completion completion() {
      return new Completion(
          model,
          content.toString(),
          stopReason,
          usage.isEmpty() ? Optional.empty() : Optional.of(usage));
    }
  }
}
