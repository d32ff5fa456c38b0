package dev.soma.resilience.tenant.internal;

import dev.soma.resilience.tenant.KeyCache;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link KeyCache} true to the database: every {@code interval}, evicts the keys revoked
 * recently and, when that read succeeds, confirms every other entry as of the read's start. A
 * revocation anywhere therefore takes effect on this process within one interval (plus the read).
 *
 * <p>The read looks back {@link #LOOK_BACK} before the previous successful check's start, not just
 * to it: {@code revoked_at} is the revoking transaction's start, which can precede its commit, and
 * a request may put back a key it read just before the revocation committed; looking back re-evicts
 * both. One read at a time; a failed read (the database is down) changes nothing, so the cache's
 * entries age towards the end of their grace.
 */
public final class KeyRecheck extends VerticleBase {

  static final String REVOKED_SINCE = "SELECT id FROM api_keys WHERE revoked_at >= $1";
  static final Duration LOOK_BACK = Duration.ofMinutes(1);

  private static final Logger LOG = LoggerFactory.getLogger(KeyRecheck.class);

  private final Pool pool;
  private final KeyCache cache;
  private final Duration interval;
  private final Clock clock;
  private long timer = -1;
  private boolean reading;
  private boolean failing;

  public KeyRecheck(Pool pool, KeyCache cache, Duration interval, Clock clock) {
    this.pool = pool;
    this.cache = cache;
    this.interval = interval;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(interval.toMillis(), id -> check());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void check() {
    if (reading) {
      return;
    }
    reading = true;
    Instant started = clock.instant();
    Instant since =
        cache.lastConfirmed().equals(Instant.MIN)
            ? started.minus(LOOK_BACK)
            : cache.lastConfirmed().minus(LOOK_BACK);
    pool.preparedQuery(REVOKED_SINCE)
        .execute(Tuple.of(OffsetDateTime.ofInstant(since, ZoneOffset.UTC)))
        .onComplete(
            ar -> {
              reading = false;
              if (ar.succeeded()) {
                List<String> revoked = new ArrayList<>();
                for (Row row : ar.result()) {
                  revoked.add(row.getString("id"));
                }
                cache.confirm(started, revoked);
                if (failing) {
                  failing = false;
                  LOG.info("API keys re-checked again; {} cached", cache.size());
                }
              } else if (!failing) {
                failing = true;
                LOG.warn(
                    "API keys cannot be re-checked ({}); cached keys stay valid until their grace"
                        + " ends",
                    ar.cause().toString());
              }
            });
  }
}
