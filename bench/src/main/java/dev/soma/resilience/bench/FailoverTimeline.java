package dev.soma.resilience.bench;

import dev.soma.resilience.failover.llm.FailoverAddresses;
import dev.soma.resilience.failover.llm.LlmReply;
import dev.soma.resilience.failover.llm.LlmRequest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A steady stream of completion requests through the failover verticle while the primary goes
 * down and comes back: one request every {@code intervalMs}, each one's send and reply times, who
 * served it and whether the primary was tried. The stream runs on one event loop; the primary's
 * state is changed from the caller's thread.
 */
final class FailoverTimeline {

  /** One request: nanoTime sent and answered, the serving provider ("error" if none did). */
  record Sample(long sent, long done, String provider, boolean primaryTried) {}

  private final Vertx vertx;
  private final Context context;
  private final String primary;
  private final List<Sample> samples = new ArrayList<>(); // on the context only
  private final AtomicInteger inFlight = new AtomicInteger();
  private long timer = -1;

  FailoverTimeline(Vertx vertx, String primary) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.primary = primary;
  }

  void start(int intervalMs) {
    JsonObject request = LlmRequest.of("chat", "t1",
        List.of(new LlmRequest.Message("user", "hi"))).toJson();
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(15_000);
    context.runOnContext(v -> timer = vertx.setPeriodic(intervalMs, id -> {
      long sent = System.nanoTime();
      inFlight.incrementAndGet();
      vertx.eventBus().<JsonObject>request(FailoverAddresses.LLM_COMPLETE, request, options)
          .onComplete(ar -> {
            long done = System.nanoTime();
            inFlight.decrementAndGet();
            if (ar.failed()) {
              samples.add(new Sample(sent, done, "error", true));
              return;
            }
            LlmReply reply = LlmReply.fromJson(ar.result().body());
            // a link skipped because its breaker is open is listed too, as "circuit open"
            boolean tried = reply.provider().equals(primary) || reply.failovers().stream()
                .anyMatch(f -> f.from().startsWith(primary + ":")
                    && !f.reason().equals("circuit open"));
            samples.add(new Sample(sent, done, reply.provider(), tried));
          });
    }));
  }

  /** The first answer sent at or after {@code sentNanos} that {@code provider} served, if any. */
  Optional<Sample> firstServedBy(String provider, long sentNanos) throws Exception {
    CompletableFuture<Optional<Sample>> first = new CompletableFuture<>();
    context.runOnContext(v -> first.complete(samples.stream()
        .filter(s -> s.sent() >= sentNanos && s.provider().equals(provider))
        .min(java.util.Comparator.comparingLong(Sample::sent))));
    return first.get(10, TimeUnit.SECONDS);
  }

  /** Stops sending, waits for the answers still due, and returns every sample in send order. */
  List<Sample> stop() throws Exception {
    CountDownLatch stopped = new CountDownLatch(1);
    context.runOnContext(v -> {
      vertx.cancelTimer(timer);
      stopped.countDown();
    });
    stopped.await(10, TimeUnit.SECONDS);
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    CompletableFuture<List<Sample>> copy = new CompletableFuture<>();
    context.runOnContext(v -> copy.complete(List.copyOf(samples)));
    return copy.get(10, TimeUnit.SECONDS);
  }
}
