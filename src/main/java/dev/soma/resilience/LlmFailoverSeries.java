package dev.soma.resilience;

import dev.soma.resilience.config.LlmConfig;
import dev.soma.resilience.failover.chain.ChainReport;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The zero series of the LLM failover counters, registered when the {@code failover} role starts so
 * that they are there before the first failover: {@code
 * llm_failover_count_total{from_provider,to_provider,use_case}} for every hop the configured chains
 * can take, and {@code llm_streams_cut_total{use_case}} for every use case.
 */
final class LlmFailoverSeries {

  private LlmFailoverSeries() {}

  /**
   * Registers {@code llm_failover_count_total} at 0 for each pair of configured providers that
   * follow each other in a use case's chain (the chain skips providers without a key), and {@code
   * llm_streams_cut_total} at 0 for each use case, through the failover code's own {@link
   * ChainReport}.
   */
  static void register(LlmConfig llm, MeterRegistry registry) {
    Set<List<String>> hops = new LinkedHashSet<>();
    llm.chains()
        .forEach(
            (useCase, links) -> {
              ChainReport.llmStreamsCut(registry, useCase);
              List<String> configured =
                  links.stream()
                      .map(LlmConfig.Link::provider)
                      .filter(p -> llm.providers().get(p).configured())
                      .toList();
              for (int i = 1; i < configured.size(); i++) {
                hops.add(List.of(configured.get(i - 1), configured.get(i), useCase));
              }
            });
    hops.forEach(hop -> ChainReport.llmFailovers(registry, hop.get(0), hop.get(1), hop.get(2)));
  }
}
