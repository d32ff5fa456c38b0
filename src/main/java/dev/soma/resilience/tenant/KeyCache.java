package dev.soma.resilience.tenant;

import dev.soma.resilience.tenant.internal.KeyRecheck;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API keys this process has seen valid in PostgreSQL, by key id, with their secret's hash: a
 * request whose key is here is authenticated without a round trip, and keeps being authenticated
 * while the database is unreachable.
 *
 * <p>An entry is trusted while it was confirmed within {@code grace}: when it was read from the
 * database, or when a later {@link #confirm revocation check} succeeded (a check evicts the keys
 * revoked since the one before, so every entry still here is valid as of its start). While checks
 * succeed, a revoked key leaves within one check interval; while they fail (the database is down),
 * every entry expires {@code grace} after the last successful one, and the key must be read again.
 * Unknown keys are never remembered, so a key created anywhere works at once. At most {@code
 * capacity} entries: a key that finds the cache full is simply not remembered (it is read every
 * time). Thread-safe: every HTTP event loop shares one.
 */
public final class KeyCache {

  private record Entry(String tenant, byte[] secretHash, Instant seen) {}

  private final Clock clock;
  private final Duration grace;
  private final int capacity;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private volatile Instant checked = Instant.MIN;

  public KeyCache(Clock clock, Duration grace, int capacity) {
    if (grace.isNegative() || capacity < 0) {
      throw new IllegalArgumentException(
          "grace must be >= 0 and capacity >= 0, but were " + grace + " and " + capacity);
    }
    this.clock = clock;
    this.grace = grace;
    this.capacity = capacity;
  }

  /**
   * The verticle that keeps this cache true to PostgreSQL: every {@code interval} it evicts the
   * keys revoked lately and confirms the others ({@code tenant.internal.KeyRecheck}).
   */
  public VerticleBase recheck(Pool pool, Duration interval) {
    return new KeyRecheck(pool, this, interval, clock);
  }

  /** The tenant of {@code key} if it is here, matches, and was confirmed within the grace. */
  public Optional<String> tenantOf(ApiKey key) {
    Entry entry = entries.get(key.id());
    if (entry == null || !MessageDigest.isEqual(entry.secretHash(), key.secretHash())) {
      return Optional.empty();
    }
    Instant confirmed = entry.seen().isAfter(checked) ? entry.seen() : checked;
    boolean trusted = !confirmed.plus(grace).isBefore(clock.instant());
    return trusted ? Optional.of(entry.tenant()) : Optional.empty();
  }

  /** Remembers {@code key} as just read valid for {@code tenant}. */
  public void remember(ApiKey key, String tenant) {
    if (entries.size() < capacity || entries.containsKey(key.id())) {
      entries.put(key.id(), new Entry(tenant, key.secretHash(), clock.instant()));
    }
  }

  /** Forgets a key at once (it was revoked by this process). */
  public void forget(String keyId) {
    entries.remove(keyId);
  }

  /**
   * Applies a successful revocation check that started at {@code started}: evicts {@code revoked}
   * and marks every remaining entry valid as of {@code started}.
   */
  public void confirm(Instant started, Collection<String> revoked) {
    revoked.forEach(entries::remove);
    if (started.isAfter(checked)) {
      checked = started;
    }
  }

  /** When the last successful revocation check started ({@link Instant#MIN} before the first). */
  public Instant lastConfirmed() {
    return checked;
  }

  public int size() {
    return entries.size();
  }
}
