package dev.soma.resilience.memory;

import dev.soma.resilience.breaker.CallOutcome;
import dev.soma.resilience.config.MemoryConfig;
import dev.soma.resilience.config.Secret;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;

/**
 * SomaBrain's memory API ({@code contracts/somabrain.md}): bearer token on every call, {@code
 * X-Tenant-ID} and the body's {@code tenant} always the same, the memory's key as {@code key}.
 * Failures are {@link SomaBrainException}s that say how they count for the breakers. The token is
 * never logged.
 */
public final class SomaBrainClient {

  private final WebClient client;
  private final URI base;
  private final Secret token;
  private final Duration timeout;

  public SomaBrainClient(WebClient client, URI base, Secret token, Duration timeout) {
    this.client = client;
    this.base = base;
    this.token = token;
    this.timeout = timeout;
  }

  /** The client for SomaBrain at {@code base}, with the configured token and request timeout. */
  public static SomaBrainClient create(Vertx vertx, URI base, MemoryConfig config) {
    return new SomaBrainClient(
        WebClient.create(vertx), base, config.somabrainToken(), config.requestTimeout());
  }

  /** Stores {@code memory}; completes when SomaBrain confirmed it. */
  public Future<JsonObject> remember(Memory memory) {
    JsonObject body =
        new JsonObject()
            .put("tenant", memory.tenant())
            .put("namespace", memory.namespace())
            .put("key", memory.key())
            .put("value", memory.value())
            .put("meta", memory.meta());
    return post("/memory/remember", memory.tenant(), body, timeout)
        .map(
            json -> {
              if (!json.getBoolean("ok", false)) {
                throw new SomaBrainException(
                    "SomaBrain did not confirm the memory: " + json.encode(),
                    CallOutcome.DEPENDENCY_FAILURE,
                    200);
              }
              return json;
            });
  }

  /** Searches the tenant's memories; completes with SomaBrain's {@code results}. */
  public Future<JsonArray> recall(
      String tenant, String query, int topK, String namespace, Duration deadline) {
    JsonObject body = new JsonObject().put("query", query).put("top_k", topK);
    if (namespace != null) {
      body.put("namespace", namespace);
    }
    return post("/memory/recall", tenant, body, deadline)
        .map(
            json -> {
              JsonArray results = json.getJsonArray("results");
              if (results == null) {
                throw new SomaBrainException(
                    "SomaBrain's recall answer has no 'results'",
                    CallOutcome.DEPENDENCY_FAILURE,
                    200);
              }
              return results;
            });
  }

  private Future<JsonObject> post(String path, String tenant, JsonObject body, Duration limit) {
    return client
        .postAbs(base.toString().replaceAll("/+$", "") + path)
        .putHeader("Authorization", "Bearer " + token.value())
        .putHeader("X-Tenant-ID", tenant)
        .putHeader("X-Request-ID", UUID.randomUUID().toString())
        .timeout(limit.toMillis())
        .sendJsonObject(body)
        .recover(
            e ->
                Future.failedFuture(
                    new SomaBrainException(
                        "SomaBrain unreachable: " + e.getMessage(),
                        CallOutcome.DEPENDENCY_FAILURE,
                        0)))
        .map(SomaBrainClient::json);
  }

  private static JsonObject json(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    if (status == 200) {
      try {
        return response.bodyAsJsonObject();
      } catch (RuntimeException e) {
        throw new SomaBrainException(
            "SomaBrain answered malformed JSON", CallOutcome.DEPENDENCY_FAILURE, status);
      }
    }
    String detail = response.bodyAsString() == null ? "" : response.bodyAsString();
    detail = detail.length() > 300 ? detail.substring(0, 300) : detail;
    // 422: this memory is malformed; anything else is SomaBrain's (or our token's) problem
    CallOutcome outcome =
        status == 422 || status == 400 ? CallOutcome.CALLER_FAULT : CallOutcome.DEPENDENCY_FAILURE;
    throw new SomaBrainException("SomaBrain answered " + status + ": " + detail, outcome, status);
  }
}
