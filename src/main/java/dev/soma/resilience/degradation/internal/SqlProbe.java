package dev.soma.resilience.degradation.internal;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

/** PostgreSQL: {@code SELECT 1} through the shared pool. */
final class SqlProbe implements HealthProbe {

  static final String PING = "SELECT 1";

  private final Pool pool;

  SqlProbe(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<Void> check() {
    return pool.query(PING).execute().mapEmpty();
  }
}
