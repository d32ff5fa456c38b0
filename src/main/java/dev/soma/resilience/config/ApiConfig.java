package dev.soma.resilience.config;

import java.time.Duration;

/**
 * The agent API's limits.
 *
 * @param maxBodyBytes larger request bodies get 413
 * @param maxUploadBytes the same for uploads and audio to transcribe
 * @param rateLimitPerSecond sustained requests per second per tenant, across the cluster when Redis
 *     is configured (else per node)
 * @param rateLimitBurst requests a tenant may make at once
 * @param rateLimitRedisTimeout a Redis that has not answered a rate-limit request within this is
 *     taken to be down (the node applies its share of the limit on its own); 10 ms to 5 s
 * @param backlogLimit a tenant with more pending outbox events is slowed with 429
 * @param idempotencyAbandonAfter an unfinished Idempotency-Key older than this may be reused
 * @param keyRecheck how often each process re-reads which API keys were revoked (so a revocation
 *     takes effect everywhere within it); at most 5 s
 * @param keyGrace how long a key seen valid keeps working while the database cannot confirm it (it
 *     is unreachable); 0 refuses every key that cannot be read
 * @param adminToken the operator credential for {@code /admin/*}; unset disables those endpoints,
 *     set it has at least 16 characters
 * @throws ConfigException when a limit is below 1, the abandon time is not positive, or the admin
 *     token is too short (its value is never shown)
 */
public record ApiConfig(
    int maxBodyBytes,
    int maxUploadBytes,
    int rateLimitPerSecond,
    int rateLimitBurst,
    Duration rateLimitRedisTimeout,
    int backlogLimit,
    Duration idempotencyAbandonAfter,
    Duration keyRecheck,
    Duration keyGrace,
    Secret adminToken) {

  public ApiConfig {
    Require.atLeast("api.maxBodyBytes", maxBodyBytes, 1);
    Require.atLeast("api.maxUploadBytes", maxUploadBytes, 1);
    Require.atLeast("api.rateLimitPerSecond", rateLimitPerSecond, 1);
    Require.atLeast("api.rateLimitBurst", rateLimitBurst, 1);
    Require.millisBetween("api.rateLimitRedisTimeoutMs", rateLimitRedisTimeout, 10, 5_000);
    Require.atLeast("api.backlogLimit", backlogLimit, 1);
    Require.positive("api.idempotencyAbandonSeconds", idempotencyAbandonAfter);
    Require.millisBetween("api.keyRecheckMs", keyRecheck, 1, 5_000);
    Require.notNegative("api.keyGraceSeconds", keyGrace);
    Require.present("admin.token", adminToken);
    if (adminToken.isSet() && adminToken.value().length() < 16) {
      throw ConfigException.invalidSetting("admin.token", "****", "at least 16 characters");
    }
  }

  static ApiConfig from(Settings s) {
    return new ApiConfig(
        s.intIn("api.maxBodyBytes", 1024, 64 * 1024 * 1024),
        s.intIn("api.maxUploadBytes", 1024, 1024 * 1024 * 1024),
        s.intIn("api.rateLimitPerSecond", 1, 1_000_000),
        s.intIn("api.rateLimitBurst", 1, 1_000_000),
        s.duration("api.rateLimitRedisTimeoutMs", 10, 5_000),
        s.intIn("api.backlogLimit", 1, Integer.MAX_VALUE),
        s.duration("api.idempotencyAbandonSeconds", 1, 86_400),
        s.duration("api.keyRecheckMs", 100, 5_000),
        s.duration("api.keyGraceSeconds", 0, 86_400),
        new Secret(s.string("admin.token")));
  }
}
