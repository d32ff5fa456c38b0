package dev.soma.resilience.bench;

import dev.soma.resilience.common.Blocking;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for an LLM provider speaking OpenAI Chat Completions, non-streaming
 * ({@code POST /v1/chat/completions} answered at once with a fixed completion; {@code GET
 * /v1/models} with a one-model list), that can go down
 * (stop listening, which also closes its open connections) and come back on the same port. The
 * benchmark cannot use the test doubles in {@code src/test}, so this is its own, minimal one.
 */
final class ChatCompletionsDouble {

  private static final String MODELS = new JsonObject().put("object", "list")
      .put("data", new JsonArray().add(new JsonObject().put("id", "gpt-4o").put("object", "model")
          .put("created", 1_715_367_049L).put("owned_by", "system")))
      .encode();

  private final Vertx vertx;
  private final String name;
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong listings = new AtomicLong();
  private HttpServer server;
  private int port;

  ChatCompletionsDouble(Vertx vertx, String name) {
    this.vertx = vertx;
    this.name = name;
  }

  /** Listens on a free port the first time, on the same port afterwards. */
  void listen() throws Exception {
    String answer = new JsonObject()
        .put("id", "chatcmpl-bench")
        .put("object", "chat.completion")
        .put("model", name + "-model")
        .put("choices", new JsonArray().add(new JsonObject()
            .put("index", 0)
            .put("message", new JsonObject().put("role", "assistant")
                .put("content", "Hello from " + name))
            .put("finish_reason", "stop")))
        .put("usage", new JsonObject().put("prompt_tokens", 5).put("completion_tokens", 3)
            .put("total_tokens", 8))
        .encode();
    server = vertx.createHttpServer(new HttpServerOptions().setReuseAddress(true))
        .requestHandler(request -> request.body().onSuccess(body -> {
          if (request.path().equals("/v1/models")) {
            listings.incrementAndGet();
            request.response().putHeader("Content-Type", "application/json").end(MODELS);
            return;
          }
          served.incrementAndGet();
          request.response().putHeader("Content-Type", "application/json").end(answer);
        }));
    port = Blocking.await(server.listen(port), Duration.ofSeconds(10)).actualPort();
  }

  /** Stops listening and closes every open connection: the provider is down. */
  void stop() throws Exception {
    Blocking.await(server.close(), Duration.ofSeconds(10));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** Completions answered (not model listings). */
  long served() {
    return served.get();
  }

  /** {@code GET /v1/models} requests answered: the failover verticle's probes. */
  long listings() {
    return listings.get();
  }
}
