package dev.soma.resilience.failover.storage.internal;

import dev.soma.resilience.config.StorageConfig;
import dev.soma.resilience.failover.chain.ProviderFailure;
import dev.soma.resilience.failover.storage.ObjectKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Redis as a temporary store: the bytes and the media type under {@code
 * soma:storage:data|type:<tenant>/<key>}, both with {@code SET ... EX ttl}, so the object vanishes
 * after {@code storage.redis.ttlSeconds}. Objects over {@code storage.redis.maxBytes} skip it
 * (Redis keeps values in memory).
 */
public final class RedisStore implements ObjectStore {

  private final StorageConfig.Redis config;
  private final WorkerExecutor io;
  private final Clock clock;
  private final Redis redis;

  public RedisStore(
      Vertx vertx, StorageConfig.Redis config, WorkerExecutor io, Clock clock, Duration timeout) {
    this.config = config;
    this.io = io;
    this.clock = clock;
    this.redis =
        config
            .url()
            .map(
                url -> {
                  RedisOptions options = new RedisOptions().setConnectionString(url.toString());
                  options.getNetClientOptions().setConnectTimeout((int) timeout.toMillis());
                  return Redis.createClient(vertx, options);
                })
            .orElse(null);
  }

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public boolean configured() {
    return redis != null;
  }

  @Override
  public Future<Instant> put(ObjectKey key, Payload payload) {
    Future<byte[]> bytes =
        payload.inline() != null
            ? Future.succeededFuture(payload.inline())
            : io.executeBlocking(payload::bytes, false);
    long ttl = config.ttl().toSeconds();
    return bytes.compose(
        data -> {
          if (data.length > config.maxBytes()) {
            return Future.failedFuture(
                new ProviderFailure(
                    ProviderFailure.Kind.DECLINED,
                    "redis takes objects up to "
                        + config.maxBytes()
                        + " bytes, this one has "
                        + data.length));
          }
          Instant expiresAt = clock.instant().plusSeconds(ttl);
          return redis
              .batch(
                  List.of(
                      Request.cmd(Command.SET)
                          .arg(dataKey(key))
                          .arg(Buffer.buffer(data))
                          .arg("EX")
                          .arg(ttl),
                      Request.cmd(Command.SET)
                          .arg(typeKey(key))
                          .arg(payload.contentType())
                          .arg("EX")
                          .arg(ttl)))
              .map(ok -> expiresAt);
        });
  }

  @Override
  public Future<Optional<StoredObject>> get(ObjectKey key) {
    return redis
        .batch(
            List.of(
                Request.cmd(Command.GET).arg(dataKey(key)),
                Request.cmd(Command.GET).arg(typeKey(key))))
        .map(
            responses -> {
              Response data = responses.get(0);
              if (data == null) {
                return Optional.empty();
              }
              Response type = responses.get(1);
              return Optional.of(
                  new StoredObject(
                      type == null ? "application/octet-stream" : type.toString(),
                      data.toBuffer().getBytes()));
            });
  }

  /** The Redis key of an object's bytes (tests read its TTL). */
  public static String dataKey(ObjectKey key) {
    return "soma:storage:data:" + key.path();
  }

  static String typeKey(ObjectKey key) {
    return "soma:storage:type:" + key.path();
  }

  @Override
  public void close() {
    if (redis != null) {
      redis.close();
    }
  }
}
