package dev.soma.resilience.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.testing.FreePort;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Session context in a real Redis, and in process memory while Redis is down. */
@ExtendWith(TestServices.class)
class SessionContextIT {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() throws Exception {
    Blocking.await(vertx.close(), Duration.ofSeconds(10));
  }

  @Test
  void turnsAreKeptInRedisCappedAndWithATimeToLive() throws Exception {
    RedisAPI redis = RedisAPI.api(Redis.createClient(vertx, TestServices.redis().toString()));
    SessionContext sessions =
        new SessionContext(Optional.of(redis), 3, Duration.ofMinutes(10), 100, Clock.systemUTC());
    String session = "s-" + UUID.randomUUID();
    for (int i = 1; i <= 5; i++) {
      JsonObject turn = new JsonObject().put("n", i);
      onLoop(() -> sessions.append("t1", session, turn));
    }

    JsonArray turns = onLoop(() -> sessions.recent("t1", session));

    assertThat(turns).extracting(t -> ((JsonObject) t).getInteger("n")).containsExactly(3, 4, 5);
    assertThat(sessions.degraded()).isFalse();
    long ttl = onLoop(() -> redis.ttl("soma:session:t1:" + session)).toLong();
    assertThat(ttl).isBetween(1L, 600L);
    assertThat(onLoop(() -> sessions.recent("t2", session))).as("another tenant's").isEmpty();
  }

  @Test
  void whileRedisIsDownTurnsLiveInProcessMemoryAndTheStoreSaysSo() throws Exception {
    RedisAPI dead = RedisAPI.api(Redis.createClient(vertx, "redis://127.0.0.1:" + FreePort.find()));
    SessionContext sessions =
        new SessionContext(Optional.of(dead), 10, Duration.ofMinutes(10), 100, Clock.systemUTC());

    onLoop(() -> sessions.append("t1", "s", new JsonObject().put("said", "hello")));
    JsonArray turns = onLoop(() -> sessions.recent("t1", "s"));

    assertThat(sessions.degraded()).isTrue();
    assertThat(turns).hasSize(1);
    assertThat(turns.getJsonObject(0).getString("said")).isEqualTo("hello");
  }

  private <T> T onLoop(Supplier<Future<T>> call) throws Exception {
    Promise<T> result = Promise.promise();
    vertx.runOnContext(v -> call.get().onComplete(result));
    return Blocking.await(result.future(), Duration.ofSeconds(10));
  }
}
