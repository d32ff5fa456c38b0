package dev.soma.resilience.session;

import dev.soma.resilience.config.ServiceConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The recent turns of a session: in Redis (a capped list per session with a TTL) when Redis
 * answers, in this process's memory (bounded, same cap and TTL) while it does not. Reads merge
 * both, so a session keeps its context across a Redis outage on this node. {@link #degraded()} says
 * whether the last Redis call failed.
 *
 * <p>One per process ({@link #create}), shared by every HTTP verticle instance: a session's turns
 * reach it whichever event loop served them, so every request of the session reads the same
 * context. Thread-safe: the process-memory store ({@link LocalSessions}) is guarded by its own
 * lock, held for map updates only.
 */
public final class SessionContext {

  /** A Redis that does not answer within this is treated as down for the call. */
  static final long REDIS_TIMEOUT_MS = 500;

  private final Optional<RedisAPI> redis;
  private final int maxTurns;
  private final Duration ttl;
  private final LocalSessions local;
  private volatile boolean degraded;

  public SessionContext(
      Optional<RedisAPI> redis, int maxTurns, Duration ttl, int maxSessions, Clock clock) {
    this.redis = redis;
    this.maxTurns = maxTurns;
    this.ttl = ttl;
    this.local = new LocalSessions(maxTurns, ttl, maxSessions, clock);
    this.degraded = redis.isEmpty();
  }

  /** The process's session store: in Redis when {@code redisUrl} is set, else in this process. */
  public static SessionContext create(
      Vertx vertx, Optional<URI> redisUrl, ServiceConfig.SessionConfig config) {
    Optional<RedisAPI> redis =
        redisUrl.map(
            url ->
                RedisAPI.api(
                    Redis.createClient(
                        vertx,
                        new RedisOptions()
                            .setConnectionString(url.toString())
                            .setMaxPoolWaiting(1000))));
    return new SessionContext(
        redis, config.maxTurns(), config.ttl(), config.maxLocalSessions(), Clock.systemUTC());
  }

  /** True while session context lives in process memory only (Redis down or not configured). */
  public boolean degraded() {
    return degraded;
  }

  /** Adds a turn; never fails (Redis trouble falls back to process memory). */
  public Future<Void> append(String tenant, String session, JsonObject turn) {
    String key = key(tenant, session);
    if (redis.isEmpty()) {
      local.append(key, turn);
      return Future.succeededFuture();
    }
    RedisAPI api = redis.get();
    return api.rpush(List.of(key, turn.encode()))
        .compose(r -> api.ltrim(key, Integer.toString(-maxTurns), "-1"))
        .compose(r -> api.expire(List.of(key, Long.toString(ttl.toSeconds()))))
        .timeout(REDIS_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .onSuccess(v -> degraded = false)
        .recover(
            e -> {
              degraded = true;
              local.append(key, turn);
              return Future.succeededFuture();
            });
  }

  /** The session's recent turns, oldest first; never fails. */
  public Future<JsonArray> recent(String tenant, String session) {
    String key = key(tenant, session);
    List<JsonObject> fromLocal = local.turns(key);
    if (redis.isEmpty()) {
      return Future.succeededFuture(new JsonArray(new ArrayList<>(fromLocal)));
    }
    return redis
        .get()
        .lrange(key, "0", "-1")
        .timeout(REDIS_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(
            response -> {
              degraded = false;
              JsonArray turns = new JsonArray();
              if (response != null) {
                response.forEach(item -> turns.add(new JsonObject(item.toString())));
              }
              fromLocal.forEach(turns::add);
              return turns;
            })
        .recover(
            e -> {
              degraded = true;
              return Future.succeededFuture(new JsonArray(new ArrayList<>(fromLocal)));
            });
  }

  private static String key(String tenant, String session) {
    return "soma:session:" + tenant + ":" + session;
  }
}
