package dev.soma.resilience.tenant.internal;

import dev.soma.resilience.tenant.RateLimit;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A token bucket per tenant in Redis, shared by every node that talks to the same Redis: one hash
 * {@value #KEY_PREFIX}{@code <tenant>} with the tokens left and when they were counted. Each
 * request is one atomic Lua script that refills the bucket, takes a token or says how long until
 * one is there, and writes it back; time is Redis's own ({@code TIME}), so the nodes' clocks do not
 * matter. A bucket expires once it would be full again, so an idle tenant leaves nothing behind (an
 * absent bucket is a full one).
 *
 * <p>The script is sent by its SHA-1 ({@code EVALSHA}) and in full ({@code EVAL}, which also loads
 * it) only when Redis does not have it ({@code NOSCRIPT}: after a restart or {@code SCRIPT FLUSH}).
 * Needs Redis 4.0 or newer. Any other error, and a Redis that does not answer, fail the returned
 * future: what to do then is the caller's choice.
 */
public final class RedisBuckets {

  static final String KEY_PREFIX = "soma:ratelimit:";

  /**
   * KEYS[1]: the bucket; ARGV[1]: tokens per second; ARGV[2]: the burst. Returns 0 when a token was
   * taken, else the milliseconds until one is there.
   */
  static final String SCRIPT =
      """
      if redis.replicate_commands then redis.replicate_commands() end
      local rate = tonumber(ARGV[1])
      local burst = tonumber(ARGV[2])
      local time = redis.call('TIME')
      local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
      local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
      local tokens = tonumber(bucket[1]) or burst
      local at = tonumber(bucket[2]) or now
      tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
      local wait = 0
      if tokens >= 1 then
        tokens = tokens - 1
      else
        wait = math.ceil((1 - tokens) * 1000 / rate)
      end
      redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
      redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
      return wait
      """;

  static final String SCRIPT_SHA = sha1(SCRIPT);

  private final RedisAPI redis;

  public RedisBuckets(RedisAPI redis) {
    this.redis = redis;
  }

  /**
   * Takes a token of {@code tenant}'s bucket: 0 when allowed, else the millis until one is there.
   */
  public Future<Long> take(String tenant, RateLimit limit) {
    List<String> args =
        List.of(
            "1",
            KEY_PREFIX + tenant,
            Double.toString(limit.perSecond()),
            Double.toString(limit.burst()));
    return redis
        .evalsha(with(SCRIPT_SHA, args))
        .recover(e -> notLoaded(e) ? redis.eval(with(SCRIPT, args)) : Future.failedFuture(e))
        .map(Response::toLong);
  }

  /** Loads the script into Redis ({@code SCRIPT LOAD}), opening a connection if none is open. */
  public Future<Void> load() {
    return redis.script(List.of("LOAD", SCRIPT)).mapEmpty();
  }

  private static boolean notLoaded(Throwable e) {
    return e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT");
  }

  private static List<String> with(String first, List<String> rest) {
    List<String> all = new ArrayList<>(rest.size() + 1);
    all.add(first);
    all.addAll(rest);
    return all;
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-1", e);
    }
  }
}
