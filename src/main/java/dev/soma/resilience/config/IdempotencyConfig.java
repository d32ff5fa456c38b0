package dev.soma.resilience.config;

/**
 * Retention of idempotency records (consumer-side and request-side).
 *
 * @param retentionHours how long a record is kept (the settings allow a day to a year)
 * @param cleanupIntervalSeconds how often records past their retention are deleted
 * @throws ConfigException when either is below 1
 */
public record IdempotencyConfig(int retentionHours, int cleanupIntervalSeconds) {
  public IdempotencyConfig {
    Require.atLeast("idempotency.retentionHours", retentionHours, 1);
    Require.atLeast("idempotency.cleanupIntervalSeconds", cleanupIntervalSeconds, 1);
  }

  static IdempotencyConfig from(Settings s) {
    return new IdempotencyConfig(
        s.intIn("idempotency.retentionHours", 24, 24 * 365),
        s.intIn("idempotency.cleanupIntervalSeconds", 1, 86_400));
  }
}
