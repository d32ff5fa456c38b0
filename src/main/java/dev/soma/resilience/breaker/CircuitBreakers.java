package dev.soma.resilience.breaker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The breakers of every dependency, two levels deep: one per dependency (opens when it fails for
 * everyone) and one per (dependency, tenant) (opens when it fails for that tenant only: its quota,
 * its key). A call needs a permit from both. Settings are global with per-tenant overrides. Each
 * breaker is a gauge {@code circuit_state{service,tenant}} (0 closed, 1 half-open, 2 open; tenant
 * {@value #ALL_TENANTS} for the dependency's own breaker) and a gauge {@code
 * circuit_forced{service,tenant}} (1 while an operator's override holds it, else 0).
 *
 * <p>Each instance joins the process's {@link BreakerPanel}, which lists its breakers and hands it
 * the operators' overrides ({@link #apply}); a breaker made later starts under its override.
 *
 * <p>Thread-safe, like the breakers: one instance per dependency set per process, shared by every
 * verticle instance that calls those dependencies.
 */
public final class CircuitBreakers {

  /** The tenant label of a dependency-wide breaker. */
  public static final String ALL_TENANTS = "_all";

  /** Both permits of one call. */
  public record Guard(CircuitBreaker.Permit dependency, CircuitBreaker.Permit tenant) {}

  private final Clock clock;
  private final BreakerSettings defaults;
  private final Map<String, BreakerSettings> tenantSettings;
  private final MeterRegistry registry;
  private final Consumer<CircuitBreaker.Transition> listener;
  private final BreakerPanel panel;
  private final Map<BreakerId, CircuitBreaker> breakers = new ConcurrentHashMap<>();

  /** A set of breakers on {@code panel}, the process's one (it joins the panel here). */
  public CircuitBreakers(
      Clock clock,
      BreakerSettings defaults,
      Map<String, BreakerSettings> tenantSettings,
      MeterRegistry registry,
      Consumer<CircuitBreaker.Transition> listener,
      BreakerPanel panel) {
    this.clock = clock;
    this.defaults = defaults;
    this.tenantSettings = Map.copyOf(tenantSettings);
    this.registry = registry;
    this.listener = listener;
    this.panel = panel;
    panel.join(this);
  }

  /**
   * Permits for a call to {@code dependency} for {@code tenant}, or {@link OpenCircuitException}.
   */
  public Guard acquire(String dependency, String tenant) {
    CircuitBreaker.Permit shared = breaker(dependency, ALL_TENANTS).acquire();
    try {
      return new Guard(shared, breaker(dependency, tenant).acquire());
    } catch (OpenCircuitException refused) {
      shared.breaker().record(shared, false, false);
      throw refused;
    }
  }

  /** Counts a call's result where it belongs (see {@link CallOutcome}). */
  public void record(Guard guard, CallOutcome outcome) {
    CircuitBreaker.Permit shared = guard.dependency();
    CircuitBreaker.Permit own = guard.tenant();
    switch (outcome) {
      case SUCCESS -> {
        shared.breaker().record(shared, true, true);
        own.breaker().record(own, true, true);
      }
      case DEPENDENCY_FAILURE -> {
        shared.breaker().record(shared, true, false);
        own.breaker().record(own, false, false);
      }
      case TENANT_FAILURE -> {
        // the dependency answered: it is up, whatever it thinks of this tenant
        shared.breaker().record(shared, true, true);
        own.breaker().record(own, true, false);
      }
      case CALLER_FAULT -> {
        shared.breaker().record(shared, false, false);
        own.breaker().record(own, false, false);
      }
    }
  }

  /**
   * Runs {@code call} under both breakers and records its result as {@code classify} says. Fails
   * with {@link OpenCircuitException}, without calling, when either breaker refuses.
   */
  public <T> Future<T> call(
      String dependency,
      String tenant,
      Supplier<Future<T>> call,
      Function<AsyncResult<T>, CallOutcome> classify) {
    Guard guard;
    try {
      guard = acquire(dependency, tenant);
    } catch (OpenCircuitException refused) {
      return Future.failedFuture(refused);
    }
    Future<T> result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.andThen(ar -> record(guard, classify.apply(ar)));
  }

  /**
   * Makes {@code dependency}'s own breaker now, so its gauge ({@code tenant="_all"}) is there at 0
   * before the first call; for the dependencies that are configured.
   */
  public void watch(String dependency) {
    breaker(dependency, ALL_TENANTS);
  }

  /**
   * A permit to probe {@code dependency} while its dependency-wide breaker is open (see {@link
   * CircuitBreaker#probe}); empty when it is not open or already due for a trial.
   */
  public Optional<CircuitBreaker.Permit> probe(String dependency) {
    return breaker(dependency, ALL_TENANTS).probe();
  }

  /** The probe made with {@code permit} succeeded: see {@link CircuitBreaker#probeSucceeded}. */
  public void probeSucceeded(CircuitBreaker.Permit permit) {
    permit.breaker().probeSucceeded(permit);
  }

  /** The state the next call for {@code tenant} would meet (the worse of the two breakers). */
  public CircuitState state(String dependency, String tenant) {
    CircuitState shared = breaker(dependency, ALL_TENANTS).state();
    CircuitState own = breaker(dependency, tenant).state();
    return shared.gaugeValue() >= own.gaugeValue() ? shared : own;
  }

  /**
   * How long until {@code dependency} accepts a trial call for {@code tenant}; zero if it would
   * now.
   */
  public Duration retryAfter(String dependency, String tenant) {
    Duration shared = breaker(dependency, ALL_TENANTS).retryAfter();
    Duration own = breaker(dependency, tenant).retryAfter();
    return shared.compareTo(own) >= 0 ? shared : own;
  }

  /** Whether {@code dependency} has its breakers here (it is watched or was called). */
  public boolean knows(String dependency) {
    return breakers.containsKey(BreakerId.of(dependency));
  }

  /** What breaker {@code id} knows about itself now (made if it was not yet). */
  public BreakerView view(BreakerId id) {
    return breaker(id.dependency(), id.tenant()).view();
  }

  /** What every breaker here knows about itself now. */
  public List<BreakerView> views() {
    return breakers.values().stream().map(CircuitBreaker::view).toList();
  }

  /**
   * Puts every breaker here under its override in {@code overrides}, and every other one back to
   * automatic. An override for a tenant's breaker of a dependency known here makes that breaker (so
   * it shows, forced, in the metrics and the list); one for a dependency not known here waits until
   * the dependency is.
   */
  void apply(Map<BreakerId, BreakerOverride> overrides) {
    breakers.forEach((id, breaker) -> breaker.override(Optional.ofNullable(overrides.get(id))));
    overrides.keySet().stream()
        .filter(id -> knows(id.dependency()))
        .forEach(id -> breaker(id.dependency(), id.tenant()));
  }

  private CircuitBreaker breaker(String dependency, String tenant) {
    BreakerId id = new BreakerId(dependency, tenant);
    CircuitBreaker existing = breakers.get(id);
    if (existing != null) {
      return existing;
    }
    CircuitBreaker made = breakers.computeIfAbsent(id, this::make);
    // after it is in the map, so an override applied meanwhile is either seen here or reaches it
    made.override(panel.overrideOf(id));
    return made;
  }

  private CircuitBreaker make(BreakerId id) {
    BreakerSettings settings =
        id.dependencyWide() ? defaults : tenantSettings.getOrDefault(id.tenant(), defaults);
    CircuitBreaker breaker =
        new CircuitBreaker(id.dependency(), id.tenant(), settings, clock, listener);
    Gauge.builder("circuit.state", breaker, b -> b.state().gaugeValue())
        .description("Circuit breaker state: 0 closed, 1 half-open, 2 open")
        .tag("service", id.dependency())
        .tag("tenant", id.tenant())
        .register(registry);
    Gauge.builder("circuit.forced", breaker, b -> b.overriddenBy().isPresent() ? 1 : 0)
        .description("1 while an operator's override holds the breaker (see circuit_state), else 0")
        .tag("service", id.dependency())
        .tag("tenant", id.tenant())
        .register(registry);
    return breaker;
  }
}
