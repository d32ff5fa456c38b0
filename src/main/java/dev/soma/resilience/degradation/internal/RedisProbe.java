package dev.soma.resilience.degradation.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.net.URI;

/** Redis: {@code PING}, expecting {@code PONG}. */
final class RedisProbe implements HealthProbe {

  private final Redis redis;

  RedisProbe(Vertx vertx, URI url) {
    this.redis =
        Redis.createClient(
            vertx,
            new RedisOptions()
                .setConnectionString(url.toString())
                .setMaxPoolSize(1)
                .setMaxPoolWaiting(4));
  }

  @Override
  public Future<Void> check() {
    return redis
        .send(Request.cmd(Command.PING))
        .compose(
            reply ->
                reply != null && "PONG".equalsIgnoreCase(reply.toString())
                    ? Future.succeededFuture()
                    : Future.failedFuture("PING answered " + reply));
  }

  @Override
  public Future<Void> close() {
    redis.close();
    return Future.succeededFuture();
  }
}
