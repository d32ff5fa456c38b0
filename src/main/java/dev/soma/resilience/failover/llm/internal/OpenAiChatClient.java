package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.config.LlmConfig;
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
 * OpenAI Chat Completions ({@code POST {base}/v1/chat/completions}, {@code Authorization: Bearer}),
 * the format OpenRouter and DeepSeek speak too. A stream is complete only at {@code data: [DONE]}.
 */
public final class OpenAiChatClient extends ProviderClient {

  static final String PATH = "/v1/chat/completions";

  public OpenAiChatClient(Vertx vertx, HttpClient http, LlmConfig.Provider provider, Clock clock) {
    super(vertx, http, provider, clock);
  }

  @Override
  public Future<Completion> complete(ProviderCall call) {
    return exchange.send(
        options(false),
        body(call, false).toBuffer(),
        call,
        body -> parse(body, call),
        "a chat completion");
  }

  @Override
  public Future<Completion> stream(ProviderCall call, Consumer<String> tokens) {
    OpenAiStreamedAnswer answer = new OpenAiStreamedAnswer(call.model());
    return exchange.stream(
            options(true),
            body(call, true).toBuffer(),
            call,
            (event, sink) -> answer.read(event, sink),
            tokens)
        .map(v -> answer.completion());
  }

  @Override
  RequestOptions modelsRequest() {
    return request(HttpMethod.GET, MODELS_PATH, Map.of("Accept", "application/json"));
  }

  @Override
  void credentials(RequestOptions options) {
    options.putHeader("Authorization", "Bearer " + provider.apiKey());
  }

  private RequestOptions options(boolean stream) {
    return request(
        HttpMethod.POST,
        PATH,
        Map.of(
            "Content-Type",
            "application/json",
            "Accept",
            stream ? "text/event-stream" : "application/json"));
  }

  private static JsonObject body(ProviderCall call, boolean stream) {
    JsonArray messages = new JsonArray();
    call.messages().forEach(m -> messages.add(m.toJson()));
    JsonObject body =
        new JsonObject()
            .put("model", call.model())
            .put("messages", messages)
            .put("stream", stream)
            .put("max_tokens", call.maxTokens());
    call.temperature().ifPresent(t -> body.put("temperature", t));
    return body;
  }

  private static Completion parse(Buffer raw, ProviderCall call) {
    JsonObject body = raw.toJsonObject();
    JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
    String content = choice.getJsonObject("message").getString("content");
    if (content == null) {
      throw new IllegalArgumentException("choices[0].message.content is missing");
    }
    return new Completion(
        body.getString("model", call.model()),
        content,
        choice.getString("finish_reason", "stop"),
        Optional.ofNullable(body.getJsonObject("usage")));
  }
}
