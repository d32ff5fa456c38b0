package dev.soma.resilience.failover.chain;

import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.breaker.BreakerSettings;
import dev.soma.resilience.breaker.CircuitBreakers;
import dev.soma.resilience.breaker.CircuitState;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a request from the first link that can, the one engine behind the LLM, audio and storage
 * chains. Walks the links in order: skips one that is not configured (no failover, no breaker),
 * whose breakers are open (per link and per (link, tenant), dependency {@code <kind>.<name>}, see
 * {@link CircuitBreakers}) or that is held off by its Retry-After ({@link HoldOffs}); calls the
 * next under its breakers and records how the call counts ({@link ProviderFailure.Kind}); fails
 * over on any failure whose kind does not end the walk. Reports every call and counts failovers
 * through its {@link ChainReport}. What a request needs beyond that (a deadline, stopping once a
 * stream reached its caller, waiting for the soonest link) are hooks of its {@link Walk}.
 *
 * <p>Succeeds with {@link Served}; fails with {@link ChainExhausted}, whose {@link
 * ChainExhausted.Why} says why. Event-loop confined (its hold-offs); the breakers it uses are
 * thread-safe.
 */
public final class FallbackChain {

  private static final Logger LOG = LoggerFactory.getLogger(FallbackChain.class);

  private final String kind;
  private final CircuitBreakers breakers;
  private final Clock clock;
  private final Optional<Duration> callTimeout;
  private final ChainReport report;
  private final HoldOffs holdOffs;

  /**
   * @param kind the chain's kind ({@code llm}, {@code tts}, {@code storage}): breakers and call
   *     reports name a link {@code <kind>.<name>}
   * @param callTimeout when present, a call that has not answered by then fails as a timeout
   */
  public FallbackChain(
      String kind,
      CircuitBreakers breakers,
      Clock clock,
      Optional<Duration> callTimeout,
      ChainReport report) {
    this.kind = kind;
    this.breakers = breakers;
    this.clock = clock;
    this.callTimeout = callTimeout;
    this.report = report;
    this.holdOffs = new HoldOffs(clock);
  }

  /**
   * Makes the breaker of every configured link in {@code links} now, so {@code circuit_state} shows
   * each at 0 before its first call.
   */
  public FallbackChain watching(List<? extends Link<?, ?>> links) {
    links.stream().filter(Link::configured).forEach(link -> breakers.watch(dependency(link)));
    return this;
  }

  /** Walks {@code links} for {@code request}. */
  public <Q, R> Future<Served<R>> walk(List<? extends Link<Q, R>> links, Q request, Walk walk) {
    return new ChainWalk<Q, R>(this, List.copyOf(links), request, walk)
        .start()
        .onSuccess(served -> report.served(primary(links), served.provider()));
  }

  /**
   * Breakers for chains' links: one setting for every link (one trial call when half-open), per
   * link and per (link, tenant); each transition is logged, an opening as a warning.
   */
  public static CircuitBreakers breakers(
      int failureThreshold,
      Duration reset,
      Clock clock,
      MeterRegistry registry,
      BreakerPanel panel) {
    return new CircuitBreakers(
        clock,
        new BreakerSettings(failureThreshold, reset, 1),
        Map.of(),
        registry,
        t -> {
          String line = "breaker {} (tenant {}): {} -> {}";
          Object[] args = {
            t.dependency(),
            t.tenant(),
            t.from(),
            t.to() + t.override().map(o -> " (" + o.describe() + ")").orElse("")
          };
          if (t.to() == CircuitState.OPEN) {
            LOG.warn(line, args);
          } else {
            LOG.info(line, args);
          }
        },
        panel);
  }

  /** The first configured link: the one that serves while everything is healthy. */
  public static String primary(List<? extends Link<?, ?>> links) {
    return links.stream().filter(Link::configured).map(Link::name).findFirst().orElse("none");
  }

  /** The breakers' (and the degradation monitor's) name of {@code link}. */
  String dependency(Link<?, ?> link) {
    return kind + "." + link.name();
  }

  String kind() {
    return kind;
  }

  CircuitBreakers breakers() {
    return breakers;
  }

  Clock clock() {
    return clock;
  }

  Optional<Duration> callTimeout() {
    return callTimeout;
  }

  ChainReport report() {
    return report;
  }

  HoldOffs holdOffs() {
    return holdOffs;
  }
}
