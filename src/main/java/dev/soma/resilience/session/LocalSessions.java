package dev.soma.resilience.session;

import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sessions' recent turns in this process's memory, kept as Redis keeps them: at most {@code
 * maxTurns} per session (the oldest dropped first), a session forgotten {@code ttl} after its last
 * turn, and at most {@code maxSessions} sessions (the least recently used dropped first).
 * Thread-safe: one lock, held for map updates only.
 */
final class LocalSessions {

  private record Local(Deque<JsonObject> turns, long touchedMillis) {}

  private final int maxTurns;
  private final Duration ttl;
  private final Clock clock;
  private final Map<String, Local> sessions;

  LocalSessions(int maxTurns, Duration ttl, int maxSessions, Clock clock) {
    this.maxTurns = maxTurns;
    this.ttl = ttl;
    this.clock = clock;
    this.sessions =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Local> eldest) {
            return size() > maxSessions;
          }
        };
  }

  /** Adds {@code turn} as the latest of the session under {@code key}. */
  void append(String key, JsonObject turn) {
    synchronized (sessions) {
      Local session = live(key);
      Deque<JsonObject> turns = session == null ? new ArrayDeque<>() : session.turns();
      turns.addLast(turn);
      while (turns.size() > maxTurns) {
        turns.removeFirst();
      }
      sessions.put(key, new Local(turns, clock.millis()));
    }
  }

  /** The turns of the session under {@code key}, oldest first; none once it expired. */
  List<JsonObject> turns(String key) {
    synchronized (sessions) {
      Local session = live(key);
      return session == null ? List.of() : List.copyOf(session.turns());
    }
  }

  /** The session under {@code key}, or null (and forgotten) once it expired; under the lock. */
  private Local live(String key) {
    Local session = sessions.get(key);
    if (session != null && clock.millis() - session.touchedMillis() > ttl.toMillis()) {
      sessions.remove(key);
      return null;
    }
    return session;
  }
}
