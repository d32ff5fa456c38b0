package dev.soma.resilience.failover.audio.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code media_failover_count{kind,from_provider,to_provider}}: requests served by a later link
 * than the chain's first configured provider, and {@code media_served_count{kind,provider}}.
 */
public final class FailoverMetrics {

  private final MeterRegistry registry;

  public FailoverMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Counts one request of {@code kind} served by {@code provider}. */
  public void served(String kind, String primary, String provider) {
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
