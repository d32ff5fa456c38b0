package dev.soma.resilience.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * Whether a request sent over the event bus is still being worked on. Vert.x does not fail a
 * request whose handler's node died: the caller waits for its own timeout (eclipse-vertx/vert.x
 * issue 4170). So the caller {@link #watch watches}: it names an address in the request's {@value
 * #HEADER} header, the handler {@link #beat beats} there at once and every {@link #BEAT} until it
 * has answered, and a caller that hears nothing for {@link #SILENCE} knows that the node working on
 * its request is gone, and can ask again, where another node will take it.
 */
public final class InFlight {

  /** The request header that names the caller's beat address. */
  public static final String HEADER = "soma-beats-to";

  static final Duration BEAT = Duration.ofSeconds(1);

  /** How long without a beat means the handler's node is gone: several beats missed. */
  public static final Duration SILENCE = Duration.ofMillis(3_500);

  private InFlight() {}

  /**
   * The handler's side: beats for {@code request} (if its caller asked) until the returned handle
   * is run, which the handler does once it has answered.
   */
  public static Runnable beat(Vertx vertx, Message<?> request) {
    String to = request.headers().get(HEADER);
    if (to == null) {
      return () -> {};
    }
    JsonObject beat = new JsonObject();
    vertx.eventBus().send(to, beat);
    long timer = vertx.setPeriodic(BEAT.toMillis(), id -> vertx.eventBus().send(to, beat));
    return () -> vertx.cancelTimer(timer);
  }

  /**
   * A request to a handler that {@link #beat beats}: as {@code EventBus#request}, except that when
   * the handler goes silent (its node died) the request is sent again, where another node takes it,
   * as long as {@code within} leaves time for it; then it fails with {@link HandlerLost}.
   */
  public static <T> Future<Message<T>> request(
      Vertx vertx, String address, Object body, DeliveryOptions options, Duration within) {
    return retrying(
        vertx,
        address,
        within,
        (watch, left) ->
            vertx
                .eventBus()
                .<T>request(
                    address,
                    body,
                    watch.on(
                        new DeliveryOptions(options)
                            .setSendTimeout(
                                Math.min(options.getSendTimeout(), Math.max(1, left.toMillis()))))),
        () -> true);
  }

  /**
   * Asks by {@code attempt}, each time under a fresh {@link Watch}: when the handler goes silent,
   * the attempt is left behind (a late answer of its node, only slow, is dropped) and, if what is
   * left of {@code within} exceeds {@link #SILENCE} and then {@code mayRetry} agrees, made again,
   * where another node takes it; otherwise the result fails with {@link HandlerLost} (naming {@code
   * address}). Any other failure of an attempt is the result's.
   */
  public static <T> Future<T> retrying(
      Vertx vertx, String address, Duration within, Attempt<T> attempt, BooleanSupplier mayRetry) {
    return retrying(vertx, address, System.nanoTime() + within.toNanos(), attempt, mayRetry);
  }

  private static <T> Future<T> retrying(
      Vertx vertx, String address, long until, Attempt<T> attempt, BooleanSupplier mayRetry) {
    return watch(vertx)
        .compose(
            watch -> {
              Promise<T> answered = Promise.promise();
              attempt
                  .ask(watch, Duration.ofNanos(until - System.nanoTime()))
                  .onComplete(
                      ar -> {
                        if (ar.succeeded()) {
                          answered.tryComplete(ar.result());
                        } else {
                          answered.tryFail(ar.cause());
                        }
                      });
              watch.lost().onSuccess(v -> answered.tryFail(new HandlerLost(address)));
              return answered.future().eventually(watch::close);
            })
        .recover(
            e ->
                e instanceof HandlerLost
                        && until - System.nanoTime() > SILENCE.toNanos()
                        && mayRetry.getAsBoolean()
                    ? retrying(vertx, address, until, attempt, mayRetry)
                    : Future.failedFuture(e));
  }

  /** One attempt of a {@link #retrying} request, with its watch and what is left of the time. */
  @FunctionalInterface
  public interface Attempt<T> {
    /** Sends the request with {@code watch} {@link Watch#on on} it, bounded by {@code left}. */
    Future<T> ask(Watch watch, Duration left);
  }

  /**
   * The node working on a request went silent and there was no time to ask again (or the caller's
   * {@code mayRetry} said no). Stackless: flow control.
   */
  public static final class HandlerLost extends RuntimeException {
    public HandlerLost(String address) {
      super("the node answering " + address + " stopped answering", null, false, false);
    }
  }

  /** The caller's side: a watch, registered (on every node) once the future completes. */
  public static Future<Watch> watch(Vertx vertx) {
    Watch watch = new Watch(vertx);
    return watch.beats.completion().map(watch);
  }

  /**
   * One request's watch: put it on the request with {@link #on}; {@link #lost} completes when the
   * handler has been silent for {@link #SILENCE}; {@link #close} it when the request is done.
   */
  public static final class Watch {

    private final Vertx vertx;
    private final String address = "in-flight." + UUID.randomUUID();
    private final MessageConsumer<JsonObject> beats;
    private final Promise<Void> lost = Promise.promise();
    private final long timer;
    private volatile long lastBeat = System.nanoTime();

    private Watch(Vertx vertx) {
      this.vertx = vertx;
      this.beats = vertx.eventBus().consumer(address, message -> lastBeat = System.nanoTime());
      long check = SILENCE.toMillis() / 4;
      this.timer =
          vertx.setPeriodic(
              check,
              id -> {
                if (System.nanoTime() - lastBeat > SILENCE.toNanos()) {
                  lost.tryComplete();
                }
              });
    }

    /** {@code options} naming this watch's address for the handler's beats. */
    public DeliveryOptions on(DeliveryOptions options) {
      return options.addHeader(HEADER, address);
    }

    /** Completes once the handler has been silent for {@link #SILENCE}. */
    public Future<Void> lost() {
      return lost.future();
    }

    public Future<Void> close() {
      vertx.cancelTimer(timer);
      return beats.unregister();
    }
  }
}
