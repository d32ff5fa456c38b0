package dev.soma.resilience.config;

import dev.soma.resilience.journal.JournalSettings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The local journal that takes writes while PostgreSQL cannot (docs/RELIABILITY.md).
 *
 * @param dir where its segments live ({@code SA01_JOURNAL_DIR}; default {@code <dataDir>/journal})
 * @param segmentMegabytes a segment is closed once it holds this much
 * @param segmentAge ... or once it is this old
 * @param maxMegabytes beyond this, journaled writes are refused with 503
 * @param replayInterval how often the journal is checked for records to replay
 * @param replayBatch records written into the database per transaction during a replay
 * @param readyWhileJournaling whether {@code /health/ready} stays 200 while PostgreSQL is down and
 *     the journal has room (false: 503, as a node that cannot reach its database)
 * @throws ConfigException when a size is below 1, the cap below a segment, or a duration not
 *     positive
 */
public record JournalConfig(
    Path dir,
    int segmentMegabytes,
    Duration segmentAge,
    int maxMegabytes,
    Duration replayInterval,
    int replayBatch,
    boolean readyWhileJournaling) {

  private static final long MEGABYTE = 1024L * 1024;

  public JournalConfig {
    Require.present("journal.dir", dir);
    Require.atLeast("journal.segmentMegabytes", segmentMegabytes, 1);
    Require.atLeast("journal.maxMegabytes", maxMegabytes, segmentMegabytes);
    Require.positive("journal.segmentAgeSeconds", segmentAge);
    Require.positive("journal.replayIntervalMs", replayInterval);
    Require.atLeast("journal.replayBatch", replayBatch, 1);
  }

  static JournalConfig from(Settings s, Path dataDir) {
    return new JournalConfig(
        s.path("journal.dir", dataDir.resolve("journal")),
        s.intIn("journal.segmentMegabytes", 1, 1024),
        s.duration("journal.segmentAgeSeconds", 1, 7 * 86_400),
        s.intIn("journal.maxMegabytes", 1, 1024 * 1024),
        s.duration("journal.replayIntervalMs", 10, 60_000),
        s.intIn("journal.replayBatch", 1, 10_000),
        s.bool("journal.readyWhileJournaling"));
  }

  /** The journal's own settings. */
  public JournalSettings settings() {
    return settings(dir);
  }

  /** The same for a journal in {@code other} (e.g. one copied from another node). */
  public JournalSettings settings(Path other) {
    return new JournalSettings(
        other, segmentMegabytes * MEGABYTE, segmentAge, (long) maxMegabytes * MEGABYTE);
  }
}
