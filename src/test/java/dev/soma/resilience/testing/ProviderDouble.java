package dev.soma.resilience.testing;

import dev.soma.resilience.common.Blocking;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP server standing in for an LLM provider we do not run, speaking its wire format (see
 * {@link OpenAiDouble}, {@link AnthropicDouble}), on a random loopback port. Switches, which stay
 * until {@link #healthy()}: {@link #down()} (connection refused), {@link #slowFirstByte}, {@link
 * #slowBetweenTokens}, {@link #rateLimited} (429 with Retry-After), {@link #failWith} (any status,
 * e.g. 500), {@link #malformed()}, {@link #cutAfterTokens} (close the connection mid-stream, no
 * terminator), {@link #errorEventAfterTokens}. Every completion request is recorded in {@link
 * #requests()}; {@code GET /v1/models} (the free request the service probes an open provider with)
 * answers the format's model list, obeys {@code down}, {@code slowFirstByte}, {@code failWith} and
 * {@code rateLimited}, and is recorded apart, in {@link #modelListings()}.
 */
public abstract class ProviderDouble implements AutoCloseable {

  /** Where both formats list their models. */
  public static final String MODELS_PATH = "/v1/models";

  /** A request as the double received it. */
  public record Received(String path, MultiMap headers, JsonObject body) {}

  private final Vertx vertx;
  private final String name;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<Received> modelListings = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private int port;

  private volatile List<String> tokens;
  private volatile Duration firstByteDelay = Duration.ZERO;
  private volatile Duration betweenTokensDelay = Duration.ZERO;
  private volatile int status = 200;
  private volatile long retryAfterSeconds = -1;
  private volatile boolean malformed;
  private volatile int cutAfterTokens = -1;
  private volatile int errorAfterTokens = -1;
  private volatile int malformedAfterTokens = -1;

  protected ProviderDouble(Vertx vertx, String name) {
    this.vertx = vertx;
    this.name = name;
    this.tokens = List.of("Hello", " from", " " + name);
    listen(0);
  }

  /** The base URL to configure ({@code http://127.0.0.1:<port>}, no path). */
  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** The default answer's text: what a healthy double replies. */
  public String answer() {
    return String.join("", tokens);
  }

  /** Stops listening: connections are refused until {@link #up()}. */
  public ProviderDouble down() {
    await(server.close());
    return this;
  }

  /** Listens again on the same port. */
  public ProviderDouble up() {
    listen(port);
    return this;
  }

  /** Clears every fault switch (not the recorded requests; the server stays up or down). */
  public ProviderDouble healthy() {
    firstByteDelay = Duration.ZERO;
    betweenTokensDelay = Duration.ZERO;
    status = 200;
    retryAfterSeconds = -1;
    malformed = false;
    cutAfterTokens = -1;
    errorAfterTokens = -1;
    malformedAfterTokens = -1;
    return this;
  }

  public ProviderDouble answer(String... pieces) {
    tokens = List.of(pieces);
    return this;
  }

  public ProviderDouble slowFirstByte(Duration delay) {
    firstByteDelay = delay;
    return this;
  }

  public ProviderDouble slowBetweenTokens(Duration delay) {
    betweenTokensDelay = delay;
    return this;
  }

  public ProviderDouble rateLimited(long retryAfterSeconds) {
    this.status = 429;
    this.retryAfterSeconds = retryAfterSeconds;
    return this;
  }

  public ProviderDouble failWith(int status) {
    this.status = status;
    return this;
  }

  /** A 200 whose body (or stream event) is not the wire format. */
  public ProviderDouble malformed() {
    malformed = true;
    return this;
  }

  /** Streams close the connection after {@code n} token chunks, without a terminator. */
  public ProviderDouble cutAfterTokens(int n) {
    cutAfterTokens = n;
    return this;
  }

  /** Streams send the format's error event after {@code n} token chunks. */
  /** Streams send an event that is not JSON after {@code n} token chunks. */
  public ProviderDouble malformedAfterTokens(int n) {
    malformedAfterTokens = n;
    return this;
  }

  public ProviderDouble errorEventAfterTokens(int n) {
    errorAfterTokens = n;
    return this;
  }

  public List<Received> requests() {
    return List.copyOf(received);
  }

  /** The {@code GET /v1/models} requests received, apart from {@link #requests()}. */
  public List<Received> modelListings() {
    return List.copyOf(modelListings);
  }

  public void forgetRequests() {
    received.clear();
    modelListings.clear();
  }

  @Override
  public void close() {
    await(server.close());
  }

  // --- the wire format, one subclass per provider ---

  protected abstract String path();

  protected abstract JsonObject completion(String model, String text);

  /** The answer to {@code GET /v1/models}. */
  protected abstract JsonObject modelList();

  protected abstract JsonObject errorBody(int status);

  /** Events before the first token, each a whole SSE event with its blank line. */
  protected abstract List<String> streamStart(String model);

  protected abstract String tokenEvent(String model, String text);

  /** Events after the last token, ending with the terminator. */
  protected abstract List<String> streamEnd(String model);

  protected abstract String errorEvent();

  protected static String event(String type, JsonObject data) {
    return (type == null ? "" : "event: " + type + "\n") + "data: " + data.encode() + "\n\n";
  }

  // --- the server ---

  private void listen(int wanted) {
    server = vertx.createHttpServer().requestHandler(this::handle);
    port = await(server.listen(wanted, "127.0.0.1")).actualPort();
  }

  private void handle(HttpServerRequest request) {
    if (request.method() == HttpMethod.GET && request.path().equals(MODELS_PATH)) {
      modelListings.add(
          new Received(
              request.path(),
              MultiMap.caseInsensitiveMultiMap().addAll(request.headers()),
              new JsonObject()));
      after(firstByteDelay, () -> listModels(request.response()));
      return;
    }
    request
        .body()
        .onSuccess(
            body -> {
              JsonObject json;
              try {
                json = body.toJsonObject();
              } catch (RuntimeException e) {
                json = new JsonObject().put("unparseable", body.toString());
              }
              received.add(
                  new Received(
                      request.path(),
                      MultiMap.caseInsensitiveMultiMap().addAll(request.headers()),
                      json));
              JsonObject parsed = json;
              after(firstByteDelay, () -> respond(request, parsed));
            });
  }

  private void listModels(HttpServerResponse response) {
    if (status != 200) {
      fail(response);
    } else {
      response.putHeader("Content-Type", "application/json").end(modelList().encode());
    }
  }

  private void fail(HttpServerResponse response) {
    if (retryAfterSeconds >= 0) {
      response.putHeader("Retry-After", String.valueOf(retryAfterSeconds));
    }
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(errorBody(status).encode());
  }

  private void respond(HttpServerRequest request, JsonObject body) {
    HttpServerResponse response = request.response();
    if (!request.path().equals(path())) {
      response.setStatusCode(404).end(errorBody(404).encode());
    } else if (status != 200) {
      fail(response);
    } else if (!body.getBoolean("stream", false)) {
      response
          .putHeader("Content-Type", "application/json")
          .end(malformed ? "{\"choices\": [ oops" : completion(model(body), answer()).encode());
    } else {
      response.setChunked(true).putHeader("Content-Type", "text/event-stream");
      List<String> events = new ArrayList<>(streamStart(model(body)));
      if (malformed) {
        events.add("data: {this is not json\n\n");
      }
      response.write(String.join("", events));
      writeTokens(request, response, model(body), 0);
    }
  }

  private void writeTokens(
      HttpServerRequest request, HttpServerResponse response, String model, int sent) {
    if (sent == cutAfterTokens) {
      request.connection().close();
      return;
    }
    if (sent == malformedAfterTokens) {
      response.end("data: {this is not json\n\n");
      return;
    }
    if (sent == errorAfterTokens) {
      response.end(errorEvent());
      return;
    }
    if (sent == tokens.size()) {
      response.end(String.join("", streamEnd(model)));
      return;
    }
    response.write(tokenEvent(model, tokens.get(sent)));
    after(betweenTokensDelay, () -> writeTokens(request, response, model, sent + 1));
  }

  private void after(Duration delay, Runnable action) {
    if (delay.isZero()) {
      action.run();
    } else {
      vertx.setTimer(delay.toMillis(), id -> action.run());
    }
  }

  private static String model(JsonObject body) {
    return body.getString("model", "unknown");
  }

  private static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return Blocking.await(future, Duration.ofSeconds(10));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return name + " double at " + baseUrl();
  }

  protected String name() {
    return name;
  }
}
