package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.breaker.CircuitBreaker;
import dev.soma.resilience.breaker.CircuitBreakers;
import dev.soma.resilience.config.LlmConfig;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes LLM providers while their breaker is open, so a recovered one (the primary above all) gets
 * its traffic back within a probe interval instead of a breaker reset. Every {@code
 * llm.probeIntervalMs}, each configured provider of some chain whose dependency-wide breaker
 * ({@code llm.<provider>}, tenant {@code _all}) is open and not yet due for its trial is asked for
 * its model list ({@link LlmClient#listModels}), never for a completion.
 *
 * <p>A probe that succeeds half-opens the breaker ({@link CircuitBreakers#probeSucceeded}): the
 * next request is the provider's trial call, whose result closes or reopens it as usual. A probe
 * that fails changes nothing: the breaker stays open until its own reset (not extended), and a
 * probe is no call outcome (neither counted on the breakers nor reported to the degradation
 * monitor). At most one probe per provider is in flight. Runs on the owning verticle's event loop
 * with a periodic timer and never blocks; not thread-safe.
 */
public final class OpenLinkProbes {

  private static final Logger LOG = LoggerFactory.getLogger(OpenLinkProbes.class);
  private static final Duration SHORTEST_PROBE_TIME = Duration.ofSeconds(1);

  private final Vertx vertx;
  private final LlmConfig config;
  private final Map<String, LlmClient> clients;
  private final CircuitBreakers breakers;
  private final Set<String> probed = new LinkedHashSet<>();
  private final Set<String> inFlight = new HashSet<>();
  private long timer = -1;

  public OpenLinkProbes(
      Vertx vertx, LlmConfig config, Map<String, LlmClient> clients, CircuitBreakers breakers) {
    this.vertx = vertx;
    this.config = config;
    this.clients = Map.copyOf(clients);
    this.breakers = breakers;
    config.chains().values().stream()
        .flatMap(links -> links.stream())
        .filter(link -> config.provider(link).configured())
        .forEach(link -> probed.add(link.provider()));
  }

  /** Starts the periodic probing, unless {@code llm.probeIntervalMs} is 0. */
  public void start() {
    long interval = config.probeInterval().toMillis();
    if (interval > 0 && !probed.isEmpty()) {
      timer = vertx.setPeriodic(interval, id -> probeOpenProviders());
    }
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void probeOpenProviders() {
    for (String provider : probed) {
      if (!inFlight.contains(provider)) {
        breakers.probe("llm." + provider).ifPresent(permit -> probe(provider, permit));
      }
    }
  }

  private void probe(String provider, CircuitBreaker.Permit permit) {
    inFlight.add(provider);
    clients
        .get(provider)
        .listModels(probeTime())
        .onComplete(ar -> inFlight.remove(provider))
        .onSuccess(
            v -> {
              LOG.info(
                  "LLM provider {} answered a probe while its breaker was open: next call is a"
                      + " trial",
                  provider);
              breakers.probeSucceeded(permit);
            })
        .onFailure(
            e -> LOG.debug("probe of open LLM provider {} failed: {}", provider, e.toString()));
  }

  /** A probe may take the probe interval (at least a second), never more than a request. */
  private Duration probeTime() {
    Duration time =
        config.probeInterval().compareTo(SHORTEST_PROBE_TIME) < 0
            ? SHORTEST_PROBE_TIME
            : config.probeInterval();
    return time.compareTo(config.requestTimeout()) < 0 ? time : config.requestTimeout();
  }
}
