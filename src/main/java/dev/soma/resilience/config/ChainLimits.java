package dev.soma.resilience.config;

import java.time.Duration;

/**
 * The limits the media failover chains (audio and storage) share, each under its own section: the
 * longest one provider call may take ({@code timeoutMs}), the largest payload that travels base64
 * on the event bus (the key {@code maxBytesKey}: {@code maxAudioBytes}, {@code maxInlineBytes}) and
 * their providers' breakers ({@code breakerFailureThreshold}, {@code breakerResetMs}). Both chains
 * read them with the same ranges ({@link #from}) and their records check them the same way in their
 * canonical constructors ({@link #require}); this record only carries them from one to the other.
 */
record ChainLimits(
    Duration timeout, int maxBytes, int breakerFailureThreshold, Duration breakerReset) {

  /** Reads the limits under {@code section}, each within the range operators may set. */
  static ChainLimits from(Settings s, String section, String maxBytesKey) {
    return new ChainLimits(
        s.duration(section + ".timeoutMs", 100, 600_000),
        s.intIn(section + "." + maxBytesKey, 1024, 64 * 1024 * 1024),
        s.intIn(section + ".breakerFailureThreshold", 1, 1000),
        s.duration(section + ".breakerResetMs", 10, 3_600_000));
  }

  /**
   * The check a chain's record makes in its canonical constructor: a positive timeout, a payload of
   * at least 1 byte and breakers as {@link #requireBreaker} wants them.
   *
   * @throws ConfigException naming the first setting that is out of range
   */
  static void require(
      String section,
      String maxBytesKey,
      Duration timeout,
      int maxBytes,
      int breakerFailureThreshold,
      Duration breakerReset) {
    Require.positive(section + ".timeoutMs", timeout);
    Require.atLeast(section + "." + maxBytesKey, maxBytes, 1);
    requireBreaker(section, breakerFailureThreshold, breakerReset);
  }

  /**
   * The check of a failover chain's breakers (audio, storage, LLM): at least one failure to open
   * ({@code section.breakerFailureThreshold}) and a positive wait before a trial call ({@code
   * section.breakerResetMs}).
   *
   * @throws ConfigException naming the setting that is out of range
   */
  static void requireBreaker(String section, int breakerFailureThreshold, Duration breakerReset) {
    Require.atLeast(section + ".breakerFailureThreshold", breakerFailureThreshold, 1);
    Require.positive(section + ".breakerResetMs", breakerReset);
  }
}
