package dev.soma.resilience;

import dev.soma.resilience.flags.FeatureFlag;
import dev.soma.resilience.flags.FlagBook;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * Meters of the process as a whole, bound by the composition root: the JVM's ({@code jvm_memory_*},
 * {@code jvm_gc_*}, {@code jvm_threads_*}, {@code jvm_classes_*}, {@code system_cpu_*}, {@code
 * process_cpu_*}, {@code process_uptime_seconds}...), and whether an operator's rule is in force
 * for each feature flag. Close it to release the GC listener.
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
   * Registers {@code feature_flag_rule{flag}} for every known flag: 1 while an operator's rule is
   * in force for it on this process, 0 while it has its built-in default.
   */
  static void featureFlags(FlagBook flags, MeterRegistry registry) {
    for (FeatureFlag flag : FeatureFlag.values()) {
      Gauge.builder("feature.flag.rule", flags, book -> book.rule(flag).isPresent() ? 1 : 0)
          .description("1 while an operator's rule is in force for the flag here, 0 at its default")
          .tag("flag", flag.wire())
          .strongReference(true)
          .register(registry);
    }
  }

  @Override
  public void close() {
    gc.close();
  }
}
