package dev.soma.resilience.config;

import java.time.Duration;

/**
 * How long rows that only record the past are kept, table by table ({@code retention.Retention}
 * deletes older ones every {@code outbox.cleanupIntervalSeconds}). Published outbox rows ({@code
 * outbox.retentionHours}) and idempotency records ({@code idempotency.retentionHours}) have their
 * own settings; conversation messages and tool results are business data and are kept.
 *
 * @param syncedMemories memories SomaBrain has taken (their {@code synced_at})
 * @param deadMemories memories that died, once no dead letter of theirs is unresolved or resolved
 *     more recently than this (their {@code created_at} older too)
 * @param resolvedDeadLetters dead letters replayed or resolved (their {@code resolved_at})
 * @param uploadCompletions records of uploads stored after spooling (their {@code stored_at})
 * @param adminAudit operators' audit rows (their {@code at}); keep these longest
 * @throws ConfigException when a duration is shorter than an hour
 */
public record RetentionConfig(
    Duration syncedMemories,
    Duration deadMemories,
    Duration resolvedDeadLetters,
    Duration uploadCompletions,
    Duration adminAudit) {

  private static final Duration HOUR = Duration.ofHours(1);

  public RetentionConfig {
    atLeastAnHour("retention.syncedMemoryHours", syncedMemories);
    atLeastAnHour("retention.deadMemoryHours", deadMemories);
    atLeastAnHour("retention.resolvedDeadLetterHours", resolvedDeadLetters);
    atLeastAnHour("retention.uploadCompletionHours", uploadCompletions);
    atLeastAnHour("retention.adminAuditHours", adminAudit);
  }

  private static void atLeastAnHour(String key, Duration value) {
    Require.present(key, value);
    if (value.compareTo(HOUR) < 0) {
      throw ConfigException.invalidSetting(key, value.toHours(), "at least 1 hour");
    }
  }

  static RetentionConfig from(Settings s) {
    int tenYears = 24 * 3653;
    return new RetentionConfig(
        s.duration("retention.syncedMemoryHours", 1, tenYears),
        s.duration("retention.deadMemoryHours", 1, tenYears),
        s.duration("retention.resolvedDeadLetterHours", 1, tenYears),
        s.duration("retention.uploadCompletionHours", 1, tenYears),
        s.duration("retention.adminAuditHours", 1, tenYears));
  }
}
