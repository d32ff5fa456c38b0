package dev.soma.resilience.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.journal.internal.Frames;
import dev.soma.resilience.journal.internal.SegmentFiles;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PendingReaderTest {

  @TempDir java.nio.file.Path dir;
  private SegmentFiles files;
  private PendingReader reader;

  @BeforeEach
  void open() {
    // segments of about three small frames each, so reads cross segment files
    files = new SegmentFiles(dir, 400, Duration.ofDays(1), Clock.systemUTC());
    reader = new PendingReader(files);
  }

  @AfterEach
  void close() {
    files.closeActive();
  }

  @Test
  void readsTheRecordsAfterTheCheckpointInOrderAcrossSegments() throws IOException {
    for (long sequence = 1; sequence <= 10; sequence++) {
      append(sequence, record(sequence).payload());
    }

    assertThat(reader.after(4, 100))
        .extracting(JournalRecord::sequence)
        .containsExactly(5L, 6L, 7L, 8L, 9L, 10L);
  }

  @Test
  void stopsAtMaxAndReadsOnFromThereOnceTheCheckpointMovesToIt() throws IOException {
    for (long sequence = 1; sequence <= 10; sequence++) {
      append(sequence, record(sequence).payload());
    }

    assertThat(reader.after(0, 4))
        .extracting(JournalRecord::sequence)
        .containsExactly(1L, 2L, 3L, 4L);
    assertThat(reader.after(4, 4))
        .extracting(JournalRecord::sequence)
        .containsExactly(5L, 6L, 7L, 8L);
  }

  @Test
  void passesOverAFrameWhosePayloadCannotBeRead() throws IOException {
    append(1, record(1).payload());
    append(2, "not json".getBytes(StandardCharsets.UTF_8));
    append(3, record(3).payload());

    assertThat(reader.after(0, 100)).extracting(JournalRecord::sequence).containsExactly(1L, 3L);
  }

  private void append(long sequence, byte[] payload) throws IOException {
    files.rollIfDue(sequence);
    byte[] frame = Frames.encode(sequence, payload);
    files.writeAndFlush(ByteBuffer.wrap(frame));
    files.appended(sequence, frame.length);
  }

  private static JournalRecord record(long sequence) {
    return JournalRecord.of(
            "conversation.message",
            "acme",
            "m" + sequence,
            Optional.empty(),
            new JsonObject().put("content", "text of m" + sequence),
            1_000 + sequence)
        .withSequence(sequence);
  }
}
