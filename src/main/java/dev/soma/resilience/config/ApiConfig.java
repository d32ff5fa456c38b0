package dev.soma.resilience.config;

import java.time.Duration;

/**
 * The agent API's limits.
 *
 * @param maxBodyBytes larger request bodies get 413
 * @param maxUploadBytes the same for uploads and audio to transcribe
 * @param rateLimitPerSecond sustained requests per second per tenant (per node)
 * @param rateLimitBurst requests a tenant may make at once
 * @param backlogLimit a tenant with more pending outbox events is slowed with 429
 * @param idempotencyAbandonAfter an unfinished Idempotency-Key older than this may be reused
 * @param adminToken the operator credential for {@code /admin/*}; unset disables those endpoints
 */
public record ApiConfig(
    int maxBodyBytes,
    int maxUploadBytes,
    int rateLimitPerSecond,
    int rateLimitBurst,
    int backlogLimit,
    Duration idempotencyAbandonAfter,
    Secret adminToken) {

  static ApiConfig from(Settings s) {
    String admin = s.string("admin.token");
    if (!admin.isEmpty() && admin.length() < 16) {
      throw ConfigException.invalid(
          ConfigSource.envName("admin.token"), "****", "at least 16 characters");
    }
    return new ApiConfig(
        s.intIn("api.maxBodyBytes", 1024, 64 * 1024 * 1024),
        s.intIn("api.maxUploadBytes", 1024, 1024 * 1024 * 1024),
        s.intIn("api.rateLimitPerSecond", 1, 1_000_000),
        s.intIn("api.rateLimitBurst", 1, 1_000_000),
        s.intIn("api.backlogLimit", 1, Integer.MAX_VALUE),
        Duration.ofSeconds(s.intIn("api.idempotencyAbandonSeconds", 1, 86_400)),
        new Secret(admin));
  }
}
