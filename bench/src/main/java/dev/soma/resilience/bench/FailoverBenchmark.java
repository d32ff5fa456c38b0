package dev.soma.resilience.bench;

import static dev.soma.resilience.bench.OutboxBenchmark.step;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.LlmConfig;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.failover.llm.FailoverAddresses;
import dev.soma.resilience.failover.llm.LlmReply;
import dev.soma.resilience.failover.llm.LlmRequest;
import dev.soma.resilience.failover.llm.LlmFailoverVerticle;
import dev.soma.resilience.failover.llm.internal.OpenAiChatClient;
import dev.soma.resilience.failover.llm.internal.ProviderCall;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The failover benchmark (issue 3, see docs/PERFORMANCE.md): (a) the cost per call of the
 * failover path (event bus, {@link LlmFailoverVerticle}, fallback chain, breakers) against the
 * same provider client called directly, both against a local Chat Completions double, in the same
 * run; the breaker alone in-process against a direct call; (b) how long traffic takes to move to
 * the fallback when the primary goes down and back when it recovers, against the configured
 * breaker reset timeout; (c, d) issue 13's bounded wait and probing, see {@link RecoveryBench}.
 * {@code --phases} picks which run (default all: overhead,micro,timeline,recovery).
 */
public final class FailoverBenchmark {

  static final int QUIET_WAIT_SECONDS = 20;

  private FailoverBenchmark() {}

  public static void main(String[] args) throws Exception {
    SuiteOptions options = new SuiteOptions(args);
    int calls = options.number("calls", 30_000, 1);
    int concurrency = options.number("concurrency", 32, 1);
    int warmup = options.number("warmup-calls", 30_000, 0);
    int rounds = options.number("rounds", 3, 1);
    int microCalls = options.number("micro-calls", 5_000_000, 1000);
    int microRounds = options.number("micro-rounds", 5, 1);
    int resetMs = options.number("reset-ms", 1000, 1);
    int intervalMs = options.number("interval-ms", 2, 1);
    int outageMs = options.number("outage-ms", 4500, 100);
    int recoveryMs = options.number("recovery-ms", 4000, 100);
    int recoveryResetMs = options.number("recovery-reset-ms", 15_000, 1);
    int concurrent = options.number("concurrent", 5, 1);
    int recoveryIntervalMs = options.number("recovery-interval-ms", 50, 1);
    String phases = options.text("phases", "overhead,micro,timeline,recovery");
    Path results = Path.of(options.text("results-dir", "bench/results"));
    options.rejectUnknown();

    SuiteReport report = new SuiteReport("failover", "Failover benchmark (issue 3)");
    CpuAccounting cpu = new CpuAccounting();
    Vertx providers = Vertx.vertx();
    Vertx vertx = Vertx.vertx();
    try {
      ChatCompletionsDouble primary = new ChatCompletionsDouble(providers, "openai");
      ChatCompletionsDouble fallback = new ChatCompletionsDouble(providers, "openrouter");
      primary.listen();
      fallback.listen();
      LlmConfig config = ServiceConfig.load(Map.of(
          "SA01_LLM_OPENAI_BASE_URL", primary.baseUrl(),
          "SA01_LLM_OPENAI_API_KEY", "sk-bench",
          "SA01_LLM_OPENROUTER_BASE_URL", fallback.baseUrl(),
          "SA01_LLM_OPENROUTER_API_KEY", "sk-bench",
          "SA01_LLM_ANTHROPIC_API_KEY", "",
          "SA01_LLM_CHAINS_CHAT", "openai:gpt-4o,openrouter:qwen",
          "SA01_LLM_BREAKER_RESET_MS", Integer.toString(resetMs))).llm();
      Blocking.await(vertx.deployVerticle(
          new LlmFailoverVerticle(config, new SimpleMeterRegistry(), Clock.systemUTC(),
              new dev.soma.resilience.breaker.BreakerPanel())),
          Duration.ofSeconds(10));
      report.line("Chain `chat` = openai:gpt-4o (primary double), openrouter:qwen (fallback"
          + " double), both local Chat Completions doubles in this JVM (their own Vert.x);"
          + " breaker: %d consecutive failures, reset %d ms.", config.breakerFailureThreshold(),
          config.breakerReset().toMillis());
      report.line("");

      if (phases.contains("overhead")) {
        overhead(vertx, config, calls, concurrency, warmup, rounds, cpu, report);
      }
      if (phases.contains("micro")) {
        micro(microCalls, microRounds, report);
      }
      if (phases.contains("timeline")) {
        timeline(vertx, primary, intervalMs, outageMs, recoveryMs, resetMs, cpu, report);
      }
      if (phases.contains("recovery")) {
        RecoveryBench.run(recoveryResetMs, concurrent, recoveryIntervalMs, report);
      }
    } finally {
      Blocking.await(vertx.close(), Duration.ofSeconds(30));
      Blocking.await(providers.close(), Duration.ofSeconds(30));
    }
    report.write(results);
  }

  private static void micro(int microCalls, int microRounds, SuiteReport report) {
      step("breaker microbenchmark");
      BreakerMicro.Result micro = BreakerMicro.run(microCalls, microRounds);
      report.line("### CircuitBreakers.call around a completed future, in-process");
      report.line("");
      report.line("| measurement | ns per call |");
      report.line("| --- | ---: |");
      report.line("| supplier called directly | %.2f |", micro.directNs());
      report.line("| `CircuitBreakers.call` (both permits, record) | %.1f |", micro.breakerNs());
      report.line("| difference | %.1f (ratio %.0f) |", micro.breakerNs() - micro.directNs(),
          micro.breakerNs() / micro.directNs());
      report.line("");
      report.line("Median of %d rounds of %,d calls each, one thread.", micro.rounds(),
          micro.callsPerRound());
      report.line("");
  }

  private static void overhead(Vertx vertx, LlmConfig config, int calls, int concurrency,
      int warmup, int rounds, CpuAccounting cpu, SuiteReport report) throws Exception {
    // the same client options as LlmFailoverVerticle's, so both paths have the same pool
    HttpClient http = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) config.connectTimeout().toMillis())
        .setKeepAlive(true));
    OpenAiChatClient client = new OpenAiChatClient(vertx, http, config.providers().get("openai"),
        Clock.systemUTC());
    List<LlmRequest.Message> messages = List.of(new LlmRequest.Message("user", "hi"));
    ProviderCall call = new ProviderCall("gpt-4o", messages, config.defaultMaxTokens(),
        Optional.empty(), config.requestTimeout(), config.firstTokenTimeout(),
        config.betweenTokensTimeout(), "t1");
    Supplier<Future<?>> direct = () -> client.complete(call);
    JsonObject request = LlmRequest.of("chat", "t1", messages).toJson();
    DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(15_000);
    Supplier<Future<?>> chain = () -> vertx.eventBus()
        .<JsonObject>request(FailoverAddresses.LLM_COMPLETE, request, delivery)
        .map(m -> {
          String provider = LlmReply.fromJson(m.body()).provider();
          if (!provider.equals("openai")) {
            throw new IllegalStateException("served by " + provider + ", not the primary");
          }
          return provider;
        });
    Context directContext = vertx.getOrCreateContext();
    Context chainContext = vertx.getOrCreateContext();
    Duration limit = Duration.ofMinutes(5);

    step("warm-up: " + warmup + " calls each way");
    ClosedLoad.run(directContext, concurrency, warmup, limit, direct);
    ClosedLoad.run(chainContext, concurrency, warmup, limit, chain);

    ClosedLoad.Result[] directs = new ClosedLoad.Result[rounds];
    ClosedLoad.Result[] chains = new ClosedLoad.Result[rounds];
    CpuAccounting.Usage[] usage = new CpuAccounting.Usage[2 * rounds];
    double waited = 0;
    for (int r = 0; r < rounds; r++) {
      waited += cpu.awaitQuiet(QUIET_WAIT_SECONDS);
      step("round " + (r + 1) + ": " + calls + " direct calls, concurrency " + concurrency);
      CpuAccounting.Snapshot phase = cpu.snapshot();
      directs[r] = ClosedLoad.run(directContext, concurrency, calls, limit, direct);
      usage[2 * r] = cpu.since(phase);
      waited += cpu.awaitQuiet(QUIET_WAIT_SECONDS);
      step("round " + (r + 1) + ": " + calls + " calls through the failover verticle");
      phase = cpu.snapshot();
      chains[r] = ClosedLoad.run(chainContext, concurrency, calls, limit, chain);
      usage[2 * r + 1] = cpu.since(phase);
    }
    Blocking.await(http.close(), Duration.ofSeconds(10));

    report.line("### Per call: direct client vs the failover path (%,d calls, concurrency %d)",
        calls, concurrency);
    report.line("");
    report.line("| round | path | calls/s | mean ms | p50 ms | p99 ms | failed | other load |");
    report.line("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (int r = 0; r < rounds; r++) {
      row(report, r + 1, "direct `OpenAiChatClient`", directs[r], usage[2 * r]);
      row(report, r + 1, "event bus → verticle → chain → breaker → client", chains[r],
          usage[2 * r + 1]);
    }
    double dRate = mean(directs, ClosedLoad.Result::perSecond);
    double cRate = mean(chains, ClosedLoad.Result::perSecond);
    double dMean = mean(directs, ClosedLoad.Result::meanMs);
    double cMean = mean(chains, ClosedLoad.Result::meanMs);
    double dP50 = mean(directs, x -> x.percentileMs(50));
    double cP50 = mean(chains, x -> x.percentileMs(50));
    double dP99 = mean(directs, x -> x.percentileMs(99));
    double cP99 = mean(chains, x -> x.percentileMs(99));
    report.line("");
    report.line("| mean of rounds | direct | failover path | difference | ratio |");
    report.line("| --- | ---: | ---: | ---: | ---: |");
    report.line("| calls/s | %,.0f | %,.0f | %,.0f | %.2f |", dRate, cRate, cRate - dRate,
        cRate / dRate);
    report.line("| mean ms | %.3f | %.3f | %+.3f | %.2f |", dMean, cMean, cMean - dMean,
        cMean / dMean);
    report.line("| p50 ms | %.3f | %.3f | %+.3f | %.2f |", dP50, cP50, cP50 - dP50, cP50 / dP50);
    report.line("| p99 ms | %.3f | %.3f | %+.3f | %.2f |", dP99, cP99, cP99 - dP99, cP99 / dP99);
    report.line("");
    report.line("Waited %.0f s in all for other load to drop under 5%%.", waited);
    report.line("");
  }

  private static void row(SuiteReport report, int round, String path, ClosedLoad.Result r,
      CpuAccounting.Usage usage) {
    report.line("| %d | %s | %,.0f | %.3f | %.3f | %.3f | %d%s | %.0f%% |", round, path,
        r.perSecond(), r.meanMs(), r.percentileMs(50), r.percentileMs(99), r.failed(),
        r.firstFailure() == null ? "" : " (" + r.firstFailure() + ")", 100 * usage.others());
  }

  private static double mean(ClosedLoad.Result[] results,
      java.util.function.ToDoubleFunction<ClosedLoad.Result> f) {
    double sum = 0;
    for (ClosedLoad.Result r : results) {
      sum += f.applyAsDouble(r);
    }
    return sum / results.length;
  }

  private static void timeline(Vertx vertx, ChatCompletionsDouble primary, int intervalMs,
      int outageMs, int recoveryMs, int resetMs, CpuAccounting cpu, SuiteReport report)
      throws Exception {
    double waited = cpu.awaitQuiet(QUIET_WAIT_SECONDS);
    step("failover timeline: one request every " + intervalMs + " ms; primary down for "
        + outageMs + " ms, then up for " + recoveryMs + " ms");
    CpuAccounting.Snapshot phase = cpu.snapshot();
    FailoverTimeline stream = new FailoverTimeline(vertx, "openai");
    stream.start(intervalMs);
    Thread.sleep(1500);
    long down = System.nanoTime();
    primary.stop();
    long stopped = System.nanoTime();
    Thread.sleep(outageMs);
    long up = System.nanoTime();
    primary.listen();
    long listening = System.nanoTime();
    Thread.sleep(recoveryMs);
    List<FailoverTimeline.Sample> samples = stream.stop();
    CpuAccounting.Usage usage = cpu.since(phase);
    new TimelineSummary(samples, down, stopped, up, listening, resetMs).report(report);
    report.line("");
    report.line("%,d requests in the stream; %s; waited %.0f s for quiet before it.",
        samples.size(), SuiteReport.cpu(usage), waited);
  }
}
