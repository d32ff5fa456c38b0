package dev.soma.resilience.testing.providers;

import dev.soma.resilience.common.Blocking;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP server standing in for a third-party provider, on a random loopback port, speaking
 * the provider's wire format ({@link #answer}). Switches, settable from the test thread at any
 * time: {@link #down()} (stops listening: connection refused) and {@link #up()} (same port again),
 * {@link #slow}, {@link #failWith} (any status: 5xx, 400, 401...), {@link #rateLimit} (429 with
 * {@code Retry-After}), {@link #malformed()}, {@link #cutMidBody()}, {@link #healthy()}. Every
 * request that reaches it is recorded ({@link #requests()}), whatever it was answered.
 */
public abstract class ProviderDouble implements AutoCloseable {

  /** One request as the double received it. */
  public record Recorded(String method, String path, String query, MultiMap headers, Buffer body) {
    public String header(String name) {
      return headers.get(name);
    }
  }

  private enum Mode {
    HEALTHY,
    FAIL,
    RATE_LIMITED,
    MALFORMED,
    CUT
  }

  private final Vertx vertx;
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private volatile HttpServer server;
  private volatile int port;
  private volatile Mode mode = Mode.HEALTHY;
  private volatile int failStatus;
  private volatile long retryAfterSeconds;
  private volatile Duration delay = Duration.ZERO;

  protected ProviderDouble(Vertx vertx) {
    this.vertx = vertx;
    up();
  }

  /** Answers a request in the provider's normal, well-formed way. */
  protected abstract void answer(Recorded request, HttpServerResponse response);

  /** Answers 2xx with a body that breaks the provider's wire format. */
  protected abstract void answerMalformed(Recorded request, HttpServerResponse response);

  /** The status and body of an error in the provider's own error format. */
  protected void answerError(int status, HttpServerResponse response) {
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end("{\"error\":{\"message\":\"injected " + status + "\"}}");
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public List<Recorded> requests() {
    return List.copyOf(requests);
  }

  public void clearRequests() {
    requests.clear();
  }

  /** Starts listening (on the same port as before, if it ran before). */
  public final synchronized void up() {
    if (server != null) {
      return;
    }
    try {
      server =
          Blocking.await(
              vertx
                  .createHttpServer(new HttpServerOptions().setHandle100ContinueAutomatically(true))
                  .requestHandler(this::handle)
                  .listen(port, "127.0.0.1"),
              Duration.ofSeconds(10));
      port = server.actualPort();
    } catch (Exception e) {
      throw new IllegalStateException("double cannot listen on " + port, e);
    }
  }

  /** Stops listening: callers get connection refused. */
  public final synchronized void down() {
    if (server == null) {
      return;
    }
    try {
      Blocking.await(server.close(), Duration.ofSeconds(10));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    server = null;
  }

  public void slow(Duration delayBeforeFirstByte) {
    delay = delayBeforeFirstByte;
  }

  public void failWith(int status) {
    failStatus = status;
    mode = Mode.FAIL;
  }

  public void rateLimit(long retryAfter) {
    retryAfterSeconds = retryAfter;
    mode = Mode.RATE_LIMITED;
  }

  public void malformed() {
    mode = Mode.MALFORMED;
  }

  /** Announces a body, sends part of it, then closes the connection. */
  public void cutMidBody() {
    mode = Mode.CUT;
  }

  /** Back to answering normally, promptly, and listening. */
  public void healthy() {
    mode = Mode.HEALTHY;
    delay = Duration.ZERO;
    up();
  }

  private void handle(HttpServerRequest request) {
    request
        .body()
        .onSuccess(
            body -> {
              Recorded recorded =
                  new Recorded(
                      request.method().name(),
                      request.path(),
                      request.query(),
                      MultiMap.caseInsensitiveMultiMap().addAll(request.headers()),
                      body);
              requests.add(recorded);
              if (delay.isZero()) {
                respond(recorded, request);
              } else {
                vertx.setTimer(delay.toMillis(), t -> respond(recorded, request));
              }
            });
  }

  private void respond(Recorded recorded, HttpServerRequest request) {
    HttpServerResponse response = request.response();
    if (response.closed()) {
      return;
    }
    switch (mode) {
      case FAIL -> answerError(failStatus, response);
      case RATE_LIMITED -> {
        response.putHeader("Retry-After", Long.toString(retryAfterSeconds));
        answerError(429, response);
      }
      case MALFORMED -> answerMalformed(recorded, response);
      case CUT ->
          response
              .putHeader("Content-Length", "100000")
              .write(Buffer.buffer(new byte[1000]))
              .onComplete(v -> request.connection().close());
      default -> answer(recorded, response);
    }
  }

  @Override
  public void close() {
    down();
  }
}
