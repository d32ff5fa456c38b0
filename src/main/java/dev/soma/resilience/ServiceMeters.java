package dev.soma.resilience;

import dev.soma.resilience.config.LlmConfig;
import dev.soma.resilience.failover.chain.ChainReport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Meters of the process as a whole, bound by the composition root: the JVM's ({@code jvm_memory_*},
 * {@code jvm_gc_*}, {@code jvm_threads_*}, {@code jvm_classes_*}, {@code system_cpu_*}, {@code
 * process_cpu_*}, {@code process_uptime_seconds}...), and the zero series of {@code
 * llm_failover_count_total} for every hop the configured chains can take, so the counter is there
 * before the first failover. Close it to release the GC listener.
 */
final class ServiceMeters implements AutoCloseable {

  private final JvmGcMetrics gc = new JvmGcMetrics();

  private ServiceMeters() {}

  /** Binds the JVM's meters to {@code registry}. */
  static ServiceMeters bind(MeterRegistry registry) {
    ServiceMeters meters = new ServiceMeters();
    new JvmMemoryMetrics().bindTo(registry);
    meters.gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return meters;
  }

  /**
   * Registers {@code llm_failover_count_total{from_provider,to_provider}} at 0 for each pair of
   * configured providers that follow each other in a chain (the chain skips providers without a
   * key), through the failover code's own {@link ChainReport#llmFailovers}.
   */
  static void llmFailovers(LlmConfig llm, MeterRegistry registry) {
    Set<List<String>> hops = new LinkedHashSet<>();
    llm.chains()
        .values()
        .forEach(
            links -> {
              List<String> configured =
                  links.stream()
                      .map(LlmConfig.Link::provider)
                      .filter(p -> llm.providers().get(p).configured())
                      .toList();
              for (int i = 1; i < configured.size(); i++) {
                hops.add(List.of(configured.get(i - 1), configured.get(i)));
              }
            });
    hops.forEach(hop -> ChainReport.llmFailovers(registry, hop.get(0), hop.get(1)));
  }

  @Override
  public void close() {
    gc.close();
  }
}
