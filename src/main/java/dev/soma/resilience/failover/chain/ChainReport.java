package dev.soma.resilience.failover.chain;

import dev.soma.resilience.degradation.CallReport;
import dev.soma.resilience.degradation.CallReporter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What chains tell the rest of the system: every provider call to the degradation monitor (through
 * {@link CallReporter}, as {@code <kind>.<provider>}), and failovers as counters. Two counters keep
 * the names dashboards know: {@link #llm} counts each hop as it is taken ({@code
 * llm_failover_count{from_provider,to_provider,use_case}}, the use case being the walk's context);
 * {@link #media} counts each served request and, when a later link than the first configured one
 * served it, one failover from that primary ({@code media_served_count{kind,provider}}, {@code
 * media_failover_count{kind,from_provider,to_provider}}).
 */
public final class ChainReport {

  private final CallReporter calls;
  private final MeterRegistry registry;
  private final Optional<String> mediaKind;

  private ChainReport(CallReporter calls, MeterRegistry registry, Optional<String> mediaKind) {
    this.calls = calls;
    this.registry = registry;
    this.mediaKind = mediaKind;
  }

  /** The LLM chains' report: a failover is counted per hop. */
  public static ChainReport llm(CallReporter calls, MeterRegistry registry) {
    return new ChainReport(calls, registry, Optional.empty());
  }

  /** A media chain's report ({@code tts}, {@code stt}, {@code storage}). */
  public static ChainReport media(String kind, CallReporter calls, MeterRegistry registry) {
    return new ChainReport(calls, registry, Optional.of(kind));
  }

  void called(CallReport report) {
    calls.report(report);
  }

  /** A walk moved on; {@code context} is the walk's (an LLM chain's is its use case). */
  void hop(String fromProvider, String toProvider, String context) {
    if (mediaKind.isEmpty()) {
      llmFailovers(registry, fromProvider, toProvider, context).increment();
    }
  }

  /**
   * {@code llm_failover_count_total{from_provider,to_provider,use_case}}: requests of a use case
   * moved along its chain.
   */
  public static Counter llmFailovers(
      MeterRegistry registry, String from, String to, String useCase) {
    return Counter.builder("llm.failover.count")
        .description("Requests moved from one provider of a chain to the next")
        .tag("from_provider", from)
        .tag("to_provider", to)
        .tag("use_case", useCase)
        .register(registry);
  }

  /**
   * {@code llm_streams_cut_total{use_case}}: streamed answers that failed after their first token
   * reached the caller (the caller keeps a partial answer; nothing fails over then).
   */
  public static Counter llmStreamsCut(MeterRegistry registry, String useCase) {
    return Counter.builder("llm.streams.cut")
        .description("Streamed answers that broke off after tokens had reached the caller")
        .tag("use_case", useCase)
        .register(registry);
  }

  /**
   * This process's failover counters as they stand (the zero series too): {@code {kind, from, to,
   * useCase, count}} each, {@code kind} being {@code llm} (with its use case) or a media kind
   * ({@code useCase} null); LLM hops first, then by kind, from and to.
   */
  public static JsonArray failoverCounts(MeterRegistry registry) {
    List<JsonObject> counts =
        java.util.stream.Stream.concat(
                registry.find("llm.failover.count").counters().stream()
                    .map(c -> count(c, "llm", c.getId().getTag("use_case"))),
                registry.find("media.failover.count").counters().stream()
                    .map(c -> count(c, c.getId().getTag("kind"), null)))
            .sorted(
                Comparator.comparing((JsonObject j) -> !"llm".equals(j.getString("kind")))
                    .thenComparing(j -> j.getString("kind"))
                    .thenComparing(j -> j.getString("from"))
                    .thenComparing(j -> j.getString("to"))
                    .thenComparing(j -> String.valueOf(j.getString("useCase"))))
            .toList();
    return new JsonArray(List.copyOf(counts));
  }

  private static JsonObject count(Counter counter, String kind, String useCase) {
    return new JsonObject()
        .put("kind", kind)
        .put("from", counter.getId().getTag("from_provider"))
        .put("to", counter.getId().getTag("to_provider"))
        .put("useCase", useCase)
        .put("count", (long) counter.count());
  }

  /** Counts a request served by {@code provider} where {@code primary} should have served. */
  public void served(String primary, String provider) {
    mediaKind.ifPresent(kind -> servedMedia(kind, primary, provider));
  }

  private void servedMedia(String kind, String primary, String provider) {
    Counter.builder("media.served.count")
        .description("Media requests served, by provider")
        .tag("kind", kind)
        .tag("provider", provider)
        .register(registry)
        .increment();
    if (!provider.equals(primary)) {
      Counter.builder("media.failover.count")
          .description("Media requests served by a fallback provider instead of the primary")
          .tag("kind", kind)
          .tag("from_provider", primary)
          .tag("to_provider", provider)
          .register(registry)
          .increment();
    }
  }
}
