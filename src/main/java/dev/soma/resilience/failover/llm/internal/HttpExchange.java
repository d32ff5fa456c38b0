package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.failover.chain.ProviderFailure;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The HTTP side of a provider call, shared by both wire formats: sends one request and enforces the
 * call's timeouts with timers (the whole attempt; for streams also the first token and the silence
 * between tokens), aborting the request when one fires. Turns every way a call can go wrong into a
 * {@link ProviderFailure}.
 */
final class HttpExchange {

  /** Reads one SSE event of a stream; answers true when it was the terminator. */
  interface EventReader {
    boolean read(SseParser.Event event, Consumer<String> tokens);
  }

  private final Vertx vertx;
  private final HttpClient http;
  private final Clock clock;
  private final Context context;

  /** Calls run on the context current at construction (the owning verticle's). */
  HttpExchange(Vertx vertx, HttpClient http, Clock clock) {
    this.vertx = vertx;
    this.http = http;
    this.clock = clock;
    this.context = vertx.getOrCreateContext();
  }

  /**
   * A non-streaming call: the body of a 2xx answer, read by {@code read}; a body it cannot read is
   * a {@link ProviderFailure.Kind#MALFORMED} "not a {@code what}".
   */
  <T> Future<T> send(
      RequestOptions options,
      Buffer body,
      ProviderCall call,
      Function<Buffer, T> read,
      String what) {
    return send(options, body, call.total(), read, what);
  }

  /**
   * A non-streaming request with no body when {@code body} is null (a {@code GET}) that must be
   * answered whole within {@code total}; otherwise as {@link #send(RequestOptions, Buffer,
   * ProviderCall, Function, String)}.
   */
  <T> Future<T> send(
      RequestOptions options, Buffer body, Duration total, Function<Buffer, T> read, String what) {
    return onContext(() -> doSend(options, body, total))
        .compose(
            answer -> {
              try {
                return Future.succeededFuture(read.apply(answer));
              } catch (RuntimeException e) {
                return Future.failedFuture(
                    new ProviderFailure(
                        ProviderFailure.Kind.MALFORMED, "not " + what + ": " + e.getMessage()));
              }
            });
  }

  /**
   * A streaming call: feeds each SSE event to {@code reader}, whose tokens go on to {@code tokens};
   * completes when the reader has seen the terminator.
   */
  Future<Void> stream(
      RequestOptions options,
      Buffer body,
      ProviderCall call,
      EventReader reader,
      Consumer<String> tokens) {
    return onContext(() -> doStream(options, body, call, reader, tokens));
  }

  /**
   * Vert.x 5.0.7 can drop a response's end when {@code body()} is called on another thread than the
   * connection's (eclipse-vertx/vert.x#6038): keep every step of a call on one context.
   */
  private <T> Future<T> onContext(Supplier<Future<T>> work) {
    if (Vertx.currentContext() == context) {
      return work.get();
    }
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(result));
    return result.future();
  }

  private Future<Buffer> doSend(RequestOptions options, Buffer body, Duration total) {
    Attempt<Buffer> attempt = new Attempt<>(total);
    attempt.start(
        options,
        body,
        response ->
            response
                .body()
                .onSuccess(
                    answer -> {
                      attempt.received = true;
                      attempt.succeed(answer);
                    })
                .onFailure(
                    e ->
                        attempt.fail(
                            new ProviderFailure(
                                ProviderFailure.Kind.CUT_OFF, "answer broke off: " + e))));
    return attempt.promise.future();
  }

  private Future<Void> doStream(
      RequestOptions options,
      Buffer body,
      ProviderCall call,
      EventReader reader,
      Consumer<String> tokens) {
    Attempt<Void> attempt = new Attempt<>(call.total());
    attempt.armTokenTimer(call.firstToken(), "no first token within ");
    Consumer<String> timedTokens =
        text -> {
          if (!attempt.done && !text.isEmpty()) {
            attempt.armTokenTimer(call.betweenTokens(), "no token for ");
            tokens.accept(text);
          }
        };
    SseParser parser = parser(attempt, reader, timedTokens);
    attempt.start(
        options,
        body,
        response -> {
          response.handler(
              buffer -> {
                if (!attempt.done) {
                  parser.feed(buffer);
                }
              });
          response.exceptionHandler(
              e ->
                  attempt.fail(
                      new ProviderFailure(ProviderFailure.Kind.CUT_OFF, "stream broke off: " + e)));
          response.endHandler(
              v -> {
                attempt.received = true;
                attempt.fail(
                    new ProviderFailure(
                        ProviderFailure.Kind.CUT_OFF, "stream ended without its terminator"));
              });
        });
    return attempt.promise.future();
  }

  /**
   * Feeds each event of {@code attempt}'s stream to {@code reader}; its failures end the attempt.
   */
  private static SseParser parser(
      Attempt<Void> attempt, EventReader reader, Consumer<String> tokens) {
    return new SseParser(
        event -> {
          if (attempt.done) {
            return;
          }
          try {
            if (reader.read(event, tokens)) {
              attempt.succeed(null);
            }
          } catch (ProviderFailure failure) {
            attempt.fail(failure);
          } catch (RuntimeException e) {
            attempt.fail(
                new ProviderFailure(
                    ProviderFailure.Kind.MALFORMED,
                    "unreadable stream event '" + event.event() + "': " + e));
          }
        });
  }

  /** One request in flight, its timers, and the one outcome it may settle on. */
  private final class Attempt<T> {
    final Promise<T> promise = Promise.promise();
    boolean done;

    /** The whole response arrived: its connection went back to the pool, leave it alone. */
    boolean received;

    private HttpClientRequest request;
    private final long totalTimer;
    private long tokenTimer = -1;

    Attempt(Duration limit) {
      long total = Math.max(1, limit.toMillis());
      totalTimer =
          vertx.setTimer(
              total,
              id ->
                  fail(
                      new ProviderFailure(
                          ProviderFailure.Kind.TIMEOUT,
                          "no complete answer within " + total + " ms")));
    }

    void start(RequestOptions options, Buffer body, Consumer<HttpClientResponse> onOk) {
      http.request(options)
          .compose(
              req -> {
                request = req;
                if (done) {
                  // timed out while waiting for a connection: give the connection back unused
                  req.reset();
                  return Future.failedFuture("abandoned");
                }
                return body == null ? req.send() : req.send(body);
              })
          .onSuccess(
              response -> {
                if (done) {
                  return;
                }
                if (response.statusCode() / 100 == 2) {
                  onOk.accept(response);
                } else {
                  response
                      .body()
                      .onComplete(
                          ar -> {
                            received = ar.succeeded();
                            fail(
                                ErrorAnswers.failure(
                                    clock,
                                    response.statusCode(),
                                    response.headers(),
                                    ar.succeeded() ? ar.result() : null));
                          });
                }
              })
          .onFailure(
              e ->
                  fail(
                      new ProviderFailure(
                          ProviderFailure.Kind.UNREACHABLE, "cannot reach the provider: " + e)));
    }

    void armTokenTimer(Duration timeout, String what) {
      if (tokenTimer >= 0) {
        vertx.cancelTimer(tokenTimer);
      }
      long ms = Math.max(1, timeout.toMillis());
      tokenTimer =
          vertx.setTimer(
              ms, id -> fail(new ProviderFailure(ProviderFailure.Kind.TIMEOUT, what + ms + " ms")));
    }

    void succeed(T value) {
      if (!done) {
        settle();
        promise.complete(value);
      }
    }

    void fail(ProviderFailure failure) {
      if (!done) {
        settle();
        if (request != null && !received) {
          request.reset(); // stop paying for an answer nobody will read
        }
        promise.fail(failure);
      }
    }

    private void settle() {
      done = true;
      vertx.cancelTimer(totalTimer);
      if (tokenTimer >= 0) {
        vertx.cancelTimer(tokenTimer);
      }
    }
  }
}
