package dev.soma.resilience.bench;

import static dev.soma.resilience.bench.OutboxBenchmark.step;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.LlmConfig;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.failover.llm.FailoverAddresses;
import dev.soma.resilience.failover.llm.LlmFailoverVerticle;
import dev.soma.resilience.failover.llm.LlmRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Issue 13, both halves, each in two modes of the same build in the same run: this build's
 * defaults (a request waits at most {@code llm.maxRecoveryWaitMs} for an open link; open providers
 * are probed every {@code llm.probeIntervalMs} by listing models) and the old behaviour set through
 * the same settings (an unbounded wait, bounded only by the deadline; no probing).
 * <ul>
 *   <li>(c) every link down: how long one request, then {@code concurrent} requests at once, are
 *       held before their 503;
 *   <li>(d) the primary down, then back: how long from its recovery to the first request it serves,
 *       how many requests the fallback served meanwhile, how many model listings (probes) it got
 *       and how many completions it got that no request sent (must be 0: probes never complete).
 * </ul>
 */
final class RecoveryBench {

  private record Mode(String name, int maxWaitMs, int probeMs) {}

  private record AllDown(double wholeMs, double concurrentMaxMs, double concurrentMeanMs,
      long retryAfterMs) {}

  private record Recovery(double recoveredMs, long fallbackServed, long listings,
      long unaskedCompletions) {}

  private RecoveryBench() {}

  static void run(int resetMs, int concurrent, int intervalMs, SuiteReport report)
      throws Exception {
    LlmConfig defaults = ServiceConfig.load(Map.of()).llm();
    Mode now = new Mode(String.format("this build: wait ≤ %d ms, probe every %d ms",
        defaults.maxRecoveryWait().toMillis(), defaults.probeInterval().toMillis()),
        (int) defaults.maxRecoveryWait().toMillis(), (int) defaults.probeInterval().toMillis());
    Mode before = new Mode("old behaviour: unbounded wait, no probing", 600_000, 0);
    List<Mode> modes = List.of(before, now);
    List<AllDown> downs = new ArrayList<>();
    List<Recovery> recoveries = new ArrayList<>();
    for (Mode mode : modes) {
      AllDown one = allDown(mode, resetMs, 1);
      AllDown many = allDown(mode, resetMs, concurrent);
      downs.add(new AllDown(one.wholeMs(), many.concurrentMaxMs(), many.concurrentMeanMs(),
          one.retryAfterMs()));
    }
    for (Mode mode : modes) {
      recoveries.add(recovery(mode, resetMs, intervalMs));
    }
    report.line("### (c) Every link down: time to the 503 (issue 13)");
    report.line("");
    report.line("Chain openai → openrouter, both doubles refusing connections, breakers opened by"
        + " one failed request (threshold 1, reset %d ms, deadline %d ms); then one request, and"
        + " in a fresh deployment the same way, %d at once.", resetMs,
        defaults.deadline().toMillis(), concurrent);
    report.line("");
    report.line("| mode | one request ms | %d concurrent: max ms | mean ms | retryAfterMs |",
        concurrent);
    report.line("| --- | ---: | ---: | ---: | ---: |");
    for (int i = 0; i < modes.size(); i++) {
      AllDown d = downs.get(i);
      report.line("| %s | %,.0f | %,.0f | %,.0f | %,d |", modes.get(i).name(), d.wholeMs(),
          d.concurrentMaxMs(), d.concurrentMeanMs(), d.retryAfterMs());
    }
    report.line("| ratio (old / this build) | %.0f | %.0f | %.0f | |",
        downs.get(0).wholeMs() / downs.get(1).wholeMs(),
        downs.get(0).concurrentMaxMs() / downs.get(1).concurrentMaxMs(),
        downs.get(0).concurrentMeanMs() / downs.get(1).concurrentMeanMs());
    report.line("");
    report.line("### (d) Primary back: time to its first served request (issue 13)");
    report.line("");
    report.line("One request every %d ms; the primary refuses connections until the fallback"
        + " serves (its breaker opened: threshold 1, reset %d ms), 0.5 s more, then listens"
        + " again: the clock starts when it does.", intervalMs, resetMs);
    report.line("");
    report.line("| mode | recovery → first answer by the primary, ms | served by the fallback"
        + " meanwhile | model listings (probes) | completions no request sent |");
    report.line("| --- | ---: | ---: | ---: | ---: |");
    for (int i = 0; i < modes.size(); i++) {
      Recovery r = recoveries.get(i);
      report.line("| %s | %,.0f | %,d | %,d | %d |", modes.get(i).name(), r.recoveredMs(),
          r.fallbackServed(), r.listings(), r.unaskedCompletions());
    }
    report.line("| ratio (old / this build) | %.1f | | | |",
        recoveries.get(0).recoveredMs() / recoveries.get(1).recoveredMs());
    report.line("");
  }

  /** One request when {@code concurrent} is 1, else that many at once, all links open. */
  private static AllDown allDown(Mode mode, int resetMs, int concurrent) throws Exception {
    step("every link down, " + concurrent + " request(s), " + mode.name());
    Vertx providers = Vertx.vertx();
    Vertx vertx = Vertx.vertx();
    try {
      ChatCompletionsDouble primary = new ChatCompletionsDouble(providers, "openai");
      ChatCompletionsDouble fallback = new ChatCompletionsDouble(providers, "openrouter");
      primary.listen();
      fallback.listen();
      primary.stop();
      fallback.stop();
      deploy(vertx, primary, fallback, mode, resetMs);
      JsonObject request = LlmRequest.of("chat", "t1",
          List.of(new LlmRequest.Message("user", "hi"))).toJson();
      timed(vertx, request); // opens both breakers
      List<Future<Timed>> calls = new ArrayList<>();
      for (int i = 0; i < concurrent; i++) {
        calls.add(timedAsync(vertx, request));
      }
      Blocking.await(Future.all(calls), Duration.ofMinutes(5));
      double max = calls.stream().mapToDouble(f -> f.result().ms()).max().orElse(0);
      double mean = calls.stream().mapToDouble(f -> f.result().ms()).average().orElse(0);
      return new AllDown(max, max, mean, calls.get(0).result().retryAfterMs());
    } finally {
      Blocking.await(vertx.close(), Duration.ofSeconds(30));
      Blocking.await(providers.close(), Duration.ofSeconds(30));
    }
  }

  private static Recovery recovery(Mode mode, int resetMs, int intervalMs) throws Exception {
    step("primary back, " + mode.name());
    Vertx providers = Vertx.vertx();
    Vertx vertx = Vertx.vertx();
    try {
      ChatCompletionsDouble primary = new ChatCompletionsDouble(providers, "openai");
      ChatCompletionsDouble fallback = new ChatCompletionsDouble(providers, "openrouter");
      primary.listen();
      fallback.listen();
      deploy(vertx, primary, fallback, mode, resetMs);
      FailoverTimeline stream = new FailoverTimeline(vertx, "openai");
      stream.start(intervalMs);
      Thread.sleep(500);
      long down = System.nanoTime();
      primary.stop();
      long deadline = down + Duration.ofSeconds(30).toNanos();
      while (stream.firstServedBy("openrouter", down).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20); // until the fallback serves: the primary's breaker is open
      }
      Thread.sleep(500);
      primary.listen();
      long up = System.nanoTime();
      long completionsAtUp = primary.served();
      long listingsAtUp = primary.listings();
      long until = up + Duration.ofMillis(resetMs + 15_000L).toNanos();
      Optional<FailoverTimeline.Sample> found = Optional.empty();
      while (found.isEmpty() && System.nanoTime() < until) {
        Thread.sleep(50);
        found = stream.firstServedBy("openai", up);
      }
      Optional<FailoverTimeline.Sample> first = found;
      Thread.sleep(200);
      List<FailoverTimeline.Sample> samples = stream.stop();
      long fallbackServed = samples.stream()
          .filter(s -> s.sent() >= up && s.provider().equals("openrouter"))
          .filter(s -> first.map(f -> s.sent() < f.sent()).orElse(true))
          .count();
      long servedByPrimary = samples.stream()
          .filter(s -> s.sent() >= up && s.provider().equals("openai")).count();
      double recoveredMs = first.map(f -> (f.done() - up) / 1e6).orElse(Double.NaN);
      return new Recovery(recoveredMs, fallbackServed, primary.listings() - listingsAtUp,
          primary.served() - completionsAtUp - servedByPrimary);
    } finally {
      Blocking.await(vertx.close(), Duration.ofSeconds(30));
      Blocking.await(providers.close(), Duration.ofSeconds(30));
    }
  }

  private static void deploy(Vertx vertx, ChatCompletionsDouble primary,
      ChatCompletionsDouble fallback, Mode mode, int resetMs) throws Exception {
    LlmConfig config = ServiceConfig.load(Map.of(
        "SA01_LLM_OPENAI_BASE_URL", primary.baseUrl(),
        "SA01_LLM_OPENAI_API_KEY", "sk-bench",
        "SA01_LLM_OPENROUTER_BASE_URL", fallback.baseUrl(),
        "SA01_LLM_OPENROUTER_API_KEY", "sk-bench",
        "SA01_LLM_ANTHROPIC_API_KEY", "",
        "SA01_LLM_CHAINS_CHAT", "openai:gpt-4o,openrouter:qwen",
        "SA01_LLM_BREAKER_FAILURE_THRESHOLD", "1",
        "SA01_LLM_BREAKER_RESET_MS", Integer.toString(resetMs),
        "SA01_LLM_MAX_RECOVERY_WAIT_MS", Integer.toString(mode.maxWaitMs()),
        "SA01_LLM_PROBE_INTERVAL_MS", Integer.toString(mode.probeMs()))).llm();
    Blocking.await(vertx.deployVerticle(
        new LlmFailoverVerticle(config, new SimpleMeterRegistry(), Clock.systemUTC(),
            new dev.soma.resilience.breaker.BreakerPanel())),
        Duration.ofSeconds(10));
  }

  private record Timed(double ms, long retryAfterMs) {}

  private static Timed timed(Vertx vertx, JsonObject request) throws Exception {
    return Blocking.await(timedAsync(vertx, request), Duration.ofMinutes(5));
  }

  /** One request's time to its answer (a failure is the expected answer here). */
  private static Future<Timed> timedAsync(Vertx vertx, JsonObject request) {
    long sent = System.nanoTime();
    return vertx.eventBus().request(FailoverAddresses.LLM_COMPLETE, request,
            new DeliveryOptions().setSendTimeout(180_000))
        .transform(ar -> Future.succeededFuture(new Timed((System.nanoTime() - sent) / 1e6,
            ar.failed() ? dev.soma.resilience.failover.llm.LlmError.from(ar.cause())
                .flatMap(e -> e.retryAfterMs()).orElse(-1L) : -1L)));
  }
}
