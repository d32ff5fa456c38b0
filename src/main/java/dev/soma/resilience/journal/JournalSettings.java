package dev.soma.resilience.journal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the journal lives and how large it grows.
 *
 * @param dir its directory (segments, the replay checkpoint, {@code quarantine/})
 * @param segmentBytes a segment is closed and a new one begun once it holds this many bytes
 * @param segmentAge ... or once it is this old
 * @param maxBytes appends are refused ({@link JournalFullException}) beyond this many bytes of
 *     segments
 */
public record JournalSettings(Path dir, long segmentBytes, Duration segmentAge, long maxBytes) {

  public JournalSettings {
    Objects.requireNonNull(dir, "dir");
    if (segmentBytes < 1024
        || maxBytes < segmentBytes
        || segmentAge.isNegative()
        || segmentAge.isZero()) {
      throw new IllegalArgumentException(
          "journal segments must hold at least 1024 bytes, the cap at least one segment, and the"
              + " age be positive, but were "
              + segmentBytes
              + ", "
              + maxBytes
              + ", "
              + segmentAge);
    }
  }
}
