package dev.soma.resilience.degradation.internal;

import dev.soma.resilience.degradation.DegradationLevel;
import dev.soma.resilience.degradation.DependencyStatus;
import dev.soma.resilience.degradation.HealthState;
import dev.soma.resilience.degradation.StatusChange;
import dev.soma.resilience.degradation.StatusSnapshot;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The monitor's record: the current status of every service, the change sequence and a bounded
 * history of changes. {@link #apply} takes freshly computed statuses and returns the changes (state
 * or level differs); a status whose health did not change keeps its {@code since} and only
 * refreshes its figures. Not thread-safe: one event loop owns it.
 */
final class StatusBook {

  private final int historySize;
  private final long epoch;
  private final Map<String, DependencyStatus> current = new LinkedHashMap<>();

  /** Services whose status came from the previous monitor and that nothing has observed since. */
  private final Set<String> inherited = new HashSet<>();

  private final ArrayDeque<StatusChange> history = new ArrayDeque<>();
  private long sequence;
  private DegradationLevel overall = DegradationLevel.NONE;
  private Instant at = Instant.EPOCH;

  StatusBook(int historySize, long epoch) {
    this.historySize = historySize;
    this.epoch = epoch;
  }

  /**
   * A book that starts from {@code previous}, the status a monitor that was active before this one
   * left (as this node last saw it): each service keeps it until it is observed here, so a new
   * monitor that has not probed yet does not announce every service as unknown.
   */
  static StatusBook continuing(StatusSnapshot previous, int historySize, long epoch) {
    StatusBook book = new StatusBook(historySize, epoch);
    book.current.putAll(previous.services());
    book.inherited.addAll(previous.services().keySet());
    book.overall = previous.overall();
    book.at = previous.at();
    return book;
  }

  /** Records {@code fresh} (each with {@code since = now}); returns the changes, in order. */
  List<StatusChange> apply(List<DependencyStatus> fresh, Instant now) {
    List<DependencyStatus> changed = new ArrayList<>();
    Map<String, DependencyStatus> before = new LinkedHashMap<>(current);
    for (DependencyStatus status : fresh) {
      DependencyStatus previous = current.get(status.service());
      if (inherited.contains(status.service())) {
        if (status.state() == HealthState.UNKNOWN) {
          continue;
        }
        inherited.remove(status.service());
      }
      if (previous != null && previous.sameHealthAs(status)) {
        current.put(status.service(), withSince(status, previous));
      } else {
        current.put(status.service(), status);
        changed.add(status);
      }
    }
    overall = overallOf(current.values());
    at = now;
    List<StatusChange> changes = new ArrayList<>();
    for (DependencyStatus status : changed) {
      StatusChange change =
          new StatusChange(
              epoch,
              ++sequence,
              Optional.ofNullable(before.get(status.service())),
              status,
              overall);
      history.addLast(change);
      if (history.size() > historySize) {
        history.removeFirst();
      }
      changes.add(change);
    }
    return changes;
  }

  StatusSnapshot snapshot() {
    return new StatusSnapshot(epoch, sequence, at, overall, current);
  }

  /** The kept changes, oldest first. */
  List<StatusChange> history() {
    return List.copyOf(history);
  }

  /**
   * The agent's level: the worst level of a critical service, and of any other service capped at
   * {@code severe}: losing memory or a provider degrades the agent, only losing a critical service
   * makes it critical.
   */
  static DegradationLevel overallOf(Iterable<DependencyStatus> statuses) {
    DegradationLevel level = DegradationLevel.NONE;
    for (DependencyStatus s : statuses) {
      DegradationLevel contribution =
          s.critical() ? s.level() : DegradationLevel.min(s.level(), DegradationLevel.SEVERE);
      level = DegradationLevel.max(level, contribution);
    }
    return level;
  }

  private static DependencyStatus withSince(DependencyStatus status, DependencyStatus previous) {
    return new DependencyStatus(
        status.service(),
        status.kind(),
        status.state(),
        status.level(),
        status.reason(),
        previous.since(),
        status.critical(),
        status.errorRate(),
        status.latencyMs(),
        status.calls(),
        status.impactedBy());
  }
}
