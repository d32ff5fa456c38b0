package dev.soma.resilience.failover.chain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A walk's links that refused the call without being called, and when each may take calls again:
 * the time side of a walk (its deadline, waiting for the soonest link, the retry-after it reports).
 */
final class Refusals<Q, R> {

  private static final Logger LOG = LoggerFactory.getLogger(FallbackChain.class);

  private record Refusal<Q, R>(Link<Q, R> link, long availableAtMillis) {}

  private final FallbackChain chain;
  private final Walk walk;
  private final List<Refusal<Q, R>> refusals = new ArrayList<>();
  private boolean waited;

  Refusals(FallbackChain chain, Walk walk) {
    this.chain = chain;
    this.walk = walk;
  }

  void add(Link<Q, R> link, Duration wait) {
    refusals.add(new Refusal<>(link, chain.clock().millis() + wait.toMillis()));
  }

  /** The time left before the walk's deadline, when it has one. */
  Optional<Duration> remaining() {
    return walk.deadline().map(d -> Duration.ofMillis(d - chain.clock().millis()));
  }

  /**
   * Once per walk, when it may wait and a refusing link recovers before the deadline and within the
   * walk's longest wait: waits, then hands that link to {@code retry}. Answers whether it waits.
   */
  boolean waitForSoonest(Consumer<Link<Q, R>> retry) {
    long now = chain.clock().millis();
    Optional<Refusal<Q, R>> soonest =
        refusals.stream().min(Comparator.comparingLong(r -> availableAt(r, now)));
    if (waited
        || walk.sleeper().isEmpty()
        || soonest.isEmpty()
        || availableAt(soonest.get(), now) >= walk.deadline().orElse(Long.MAX_VALUE)
        || availableAt(soonest.get(), now) - now
            > walk.maxWait().map(Duration::toMillis).orElse(Long.MAX_VALUE)) {
      return false;
    }
    waited = true;
    long wait = Math.max(1, availableAt(soonest.get(), now) - now);
    Link<Q, R> link = soonest.get().link();
    LOG.info(
        "every {} link is open for tenant {} ({}): waiting {} ms for {}",
        chain.kind(),
        walk.tenant(),
        walk.context(),
        wait,
        link.label());
    refusals.clear();
    walk.sleeper().get().apply(Duration.ofMillis(wait)).onComplete(ar -> retry.accept(link));
    return true;
  }

  /**
   * When {@code refusal}'s link takes calls again, as its breakers and hold-off say at {@code now}
   * (one instant for every link, so a slow walk cannot reorder them), else as it said when refusing
   * (a half-open breaker whose trial is taken).
   */
  private long availableAt(Refusal<Q, R> refusal, long now) {
    long recovery = recovery(refusal.link());
    return recovery > 0 ? now + recovery : refusal.availableAtMillis();
  }

  private long recovery(Link<?, ?> link) {
    return Math.max(
        chain.holdOffs().remaining(link.name()).toMillis(),
        chain.breakers().retryAfter(chain.dependency(link), walk.tenant()).toMillis());
  }

  /** The shortest wait before any configured link takes calls again, if any is refusing. */
  Optional<Duration> soonestRecovery(List<? extends Link<?, ?>> links) {
    return links.stream()
        .filter(Link::configured)
        .map(this::recovery)
        .filter(ms -> ms > 0)
        .min(Long::compare)
        .map(Duration::ofMillis);
  }
}
