package dev.soma.resilience.outbox.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps each aggregate's first deliveries in order while several of its batches are in flight.
 *
 * <p>A relay may send an aggregate's later events before its earlier ones are acknowledged (see the
 * order rule of {@link ClaimSql#CLAIM}): they go out through one ordered path, so on their
 * partition they follow the earlier ones, and Kafka's idempotent producer keeps that order while it
 * retries. What it cannot do is keep a later event back when an earlier one did not get through: a
 * record the producer refused before sending it (a full buffer, no metadata in time), or one whose
 * delivery failed. From then on, every later event of that aggregate that went out after it is
 * treated as not published: held back if it was not sent yet, or, sent and perhaps even
 * acknowledged, put back to pending with no attempt counted, so that it is sent again after the
 * failed one. A consumer may then see an event twice (bounded by what was in flight), but never an
 * event before an earlier one of its aggregate that was refused or held back. One that failed in
 * flight after the broker took a later one (the producer gave the earlier one up) leaves that later
 * one in Kafka ahead of it; it is sent again after it ({@link BatchVerdicts} logs it).
 *
 * <p>A fence lasts as long as batches claimed before the failed event was settled may still be
 * judged, whatever later claims met it meanwhile: once that settlement is committed, the claim sees
 * the failed event as waiting for its retry and stops its aggregate there, so claims started after
 * it ({@link #settled}) hold no later events of the aggregate until the failed one is claimed
 * again, first.
 *
 * <p>Claims are numbered in the order the relay starts them. Claims of one aggregate (one tenant,
 * hence one bucket) never run at once, so their numbers follow their rows' order. Thread-safe: the
 * send thread fences refused records, the relay's event loop fences failed deliveries and settles.
 */
final class OrderFences {

  private record Fence(long failedId, long untilClaim) {}

  private final Map<String, Fence> fences = new HashMap<>();

  /**
   * Whether event {@code id} of aggregate {@code key}, claimed by claim {@code claim}, is behind a
   * failed event of its aggregate (and must be treated as not published). A claim started after the
   * fence's settlement is never fenced, but the fence stays for the claims before it: one of their
   * batches may still be judged after a later claim's batch was sent (the failed event's own retry,
   * above all), and an event of theirs that was acknowledged behind the failed one must still count
   * as not published. Only {@link #settled} forgets fences.
   */
  synchronized boolean fenced(String key, long id, long claim) {
    Fence fence = fences.get(key);
    return fence != null && claim <= fence.untilClaim() && id > fence.failedId();
  }

  /** Event {@code id} of aggregate {@code key} did not get through. */
  synchronized void failed(String key, long id) {
    fences.merge(
        key,
        new Fence(id, Long.MAX_VALUE),
        (old, now) -> new Fence(Math.min(old.failedId(), id), Long.MAX_VALUE));
  }

  /**
   * The failed events of {@code keys} are settled, and {@code claimsStarted} claims had been
   * started by then: later claims cannot hold events behind them. Fences that no claim still in
   * flight can meet (every claim up to their last is settled: {@code oldestUnsettled} is the oldest
   * claim whose batch is not) are forgotten.
   */
  synchronized void settled(Collection<String> keys, long claimsStarted, long oldestUnsettled) {
    for (String key : keys) {
      fences.computeIfPresent(key, (k, fence) -> new Fence(fence.failedId(), claimsStarted));
    }
    fences.values().removeIf(fence -> fence.untilClaim() < oldestUnsettled);
  }

  /** Fences in force; for tests. */
  synchronized int size() {
    return fences.size();
  }
}
