package dev.soma.resilience.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soma.resilience.journal.internal.Frames;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

  @TempDir Path dir;
  private Journal journal;

  @AfterEach
  void close() {
    if (journal != null) {
      journal.close();
    }
  }

  @Test
  void recordsAreReadBackInOrderWithTheirKeysAfterAReopen() throws Exception {
    journal = open(1 << 20, 1 << 24);
    append("m1", Optional.of("idem-1"));
    append("m2", Optional.empty());
    journal.close();

    journal = open(1 << 20, 1 << 24);

    List<JournalRecord> pending = pending();
    assertThat(pending).extracting(JournalRecord::dedupeKey).containsExactly("m1", "m2");
    assertThat(pending).extracting(JournalRecord::sequence).containsExactly(1L, 2L);
    assertThat(pending.get(0).body().getString("content")).isEqualTo("text of m1");
    assertThat(journal.pendingWithKey("acme", "idem-1")).isPresent();
    assertThat(journal.pendingRecords()).isEqualTo(2);
  }

  @Test
  void aTornLastRecordIsCutOffCountedAndTheJournalGoesOnAfterIt() throws Exception {
    journal = open(1 << 20, 1 << 24);
    append("m1", Optional.empty());
    append("m2", Optional.empty());
    journal.close();
    Path segment = onlySegment();
    long whole = Files.size(segment);
    byte[] half = new byte[15];
    System.arraycopy(Files.readAllBytes(segment), 0, half, 0, 15); // a frame's header, torn
    Files.write(segment, half, StandardOpenOption.APPEND);

    journal = open(1 << 20, 1 << 24);
    append("m3", Optional.empty());

    assertThat(journal.counts().tornTails()).isEqualTo(1);
    assertThat(pending()).extracting(JournalRecord::dedupeKey).containsExactly("m1", "m2", "m3");
    assertThat(pending().get(2).sequence()).isEqualTo(3);
    assertThat(Files.size(segment)).isGreaterThan(whole);
  }

  @Test
  void aTornTailIsCutOffTheFileSoTheNextOpenFindsNothingCorrupt() throws Exception {
    journal = open(1 << 20, 1 << 24);
    append("m1", Optional.empty());
    journal.close();
    Path segment = onlySegment();
    byte[] half = new byte[15];
    System.arraycopy(Files.readAllBytes(segment), 0, half, 0, 15); // a frame's header, torn
    Files.write(segment, half, StandardOpenOption.APPEND);
    journal = open(1 << 20, 1 << 24);
    append("m2", Optional.empty());
    journal.close();

    journal = open(1 << 20, 1 << 24);

    assertThat(journal.counts().tornTails()).isZero();
    assertThat(journal.counts().corruptRanges()).isZero();
    assertThat(pending()).extracting(JournalRecord::dedupeKey).containsExactly("m1", "m2");
  }

  @Test
  void aCorruptRecordInTheMiddleIsQuarantinedAndTheRecordsAroundItAreKept() throws Exception {
    journal = open(1 << 20, 1 << 24);
    append("m1", Optional.empty());
    long firstEnds = journal.bytes();
    append("m2", Optional.empty());
    append("m3", Optional.empty());
    journal.close();
    Path segment = onlySegment();
    byte[] bytes = Files.readAllBytes(segment);
    bytes[(int) firstEnds + 30] ^= 0x5a; // inside m2's payload
    Files.write(segment, bytes);

    journal = open(1 << 20, 1 << 24);

    assertThat(pending()).extracting(JournalRecord::dedupeKey).containsExactly("m1", "m3");
    assertThat(journal.counts().corruptRanges()).isEqualTo(1);
    try (Stream<Path> quarantined = Files.list(dir.resolve(Journal.QUARANTINE))) {
      assertThat(quarantined).hasSize(1);
    }
  }

  @Test
  void anUnreadableLastPendingRecordIsPassedSoThatItHoldsNothingBack() throws Exception {
    journal = open(1 << 20, 1 << 24);
    append("m1", Optional.empty());
    await(journal.replayedThrough(1));
    journal.close();
    // a frame that checks but holds no record of ours (written by no release we know)
    Files.write(
        onlySegment(),
        Frames.encode(2, "not a record".getBytes(StandardCharsets.UTF_8)),
        StandardOpenOption.APPEND);

    journal = open(1 << 20, 1 << 24);

    assertThat(journal.pendingRecords()).isEqualTo(1);
    assertThat(pending()).isEmpty();
    assertThat(journal.pendingRecords()).isZero();
    assertThat(journal.counts().corruptRanges()).isEqualTo(1);
  }

  @Test
  void aJournalOpenElsewhereCannotBeOpenedAgainUntilItIsClosed() throws Exception {
    journal = open(1 << 20, 1 << 24);

    assertThatThrownBy(() -> open(1 << 20, 1 << 24))
        .isInstanceOf(JournalInUseException.class)
        .hasMessageContaining(dir.toString());
    journal.close();
    journal = open(1 << 20, 1 << 24);
    append("after", Optional.empty());
  }

  @Test
  void aFullJournalRefusesTheAppendAndWritesNothingOfIt() throws Exception {
    journal = open(1024, 2048);
    Throwable refused = null;
    int written = 0;
    while (refused == null) {
      try {
        append("m" + written, Optional.empty());
        written++;
      } catch (ExecutionException e) {
        refused = e.getCause();
      }
    }
    long size = journal.bytes();

    assertThat(refused).isInstanceOf(JournalFullException.class);
    assertThat(size).isLessThanOrEqualTo(2048);
    assertThat(journal.counts().refusedFull()).isEqualTo(1);
    assertThat(pending()).hasSize(written);
  }

  @Test
  void replayedRecordsStayReplayedAcrossAReopenAndTheirWholeSegmentsAreDeleted() throws Exception {
    journal = open(1024, 1 << 20);
    for (int i = 1; i <= 30; i++) {
      append("m" + i, Optional.of("k" + i));
    }
    int segmentsBefore = segments().size();

    await(journal.replayedThrough(20));
    journal.close();
    journal = open(1024, 1 << 20);

    assertThat(segmentsBefore).isGreaterThan(2);
    assertThat(segments().size()).isLessThan(segmentsBefore);
    assertThat(pending()).extracting(JournalRecord::sequence).first().isEqualTo(21L);
    assertThat(pending()).hasSize(10);
    assertThat(journal.pendingWithKey("acme", "k20")).isEmpty();
    assertThat(journal.pendingWithKey("acme", "k21")).isPresent();
  }

  @Test
  void appendsThatArriveTogetherShareFlushes() throws Exception {
    journal = open(1 << 20, 1 << 24);
    List<Future<JournalRecord>> appends = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      appends.add(journal.append(record("m" + i, Optional.empty())));
    }
    for (Future<JournalRecord> append : appends) {
      await(append);
    }

    assertThat(journal.counts().flushedRecords()).isEqualTo(200);
    assertThat(journal.counts().flushes()).isLessThan(200);
  }

  @Test
  void aRecordLargerThanAFrameMayHoldIsRefusedAloneAndItsGroupGoesOn() throws Exception {
    journal = open(1 << 20, 1 << 26);
    JsonObject huge = new JsonObject().put("content", "x".repeat(17 * 1024 * 1024));
    Future<JournalRecord> tooLarge =
        journal.append(JournalRecord.of("kind", "acme", "big", Optional.empty(), huge, 0));
    Future<JournalRecord> fine = journal.append(record("small", Optional.empty()));

    assertThatThrownBy(() -> await(tooLarge)).hasCauseInstanceOf(IllegalArgumentException.class);
    assertThat(await(fine).sequence()).isEqualTo(1);
  }

  @Test
  void batchAfterBatchFromTheCheckpointReadsEveryRecordOnceAcrossSegments() throws Exception {
    journal = open(2048, 1 << 24); // a few records per segment
    for (int i = 1; i <= 60; i++) {
      append("m" + i, Optional.empty());
    }
    assertThat(segments()).hasSizeGreaterThan(3);

    List<String> read = new ArrayList<>();
    List<JournalRecord> batch;
    while (!(batch = await(journal.pending(7))).isEmpty()) {
      batch.forEach(r -> read.add(r.dedupeKey()));
      await(journal.replayedThrough(batch.get(batch.size() - 1).sequence()));
    }

    assertThat(read).hasSize(60).doesNotHaveDuplicates();
    assertThat(read).containsExactlyElementsOf(read.stream().sorted(this::bySequence).toList());
    assertThat(read.get(59)).isEqualTo("m60");
  }

  @Test
  void aCheckpointShortOfTheLastRecordReadReadsOnRightAfterTheCheckpoint() throws Exception {
    journal = open(1 << 20, 1 << 24);
    for (int i = 1; i <= 10; i++) {
      append("m" + i, Optional.empty());
    }

    List<JournalRecord> first = await(journal.pending(5));
    await(journal.replayedThrough(first.get(2).sequence())); // the database went away after m3

    assertThat(await(journal.pending(3)))
        .extracting(JournalRecord::dedupeKey)
        .containsExactly("m4", "m5", "m6");
  }

  private int bySequence(String a, String b) {
    return Integer.compare(Integer.parseInt(a.substring(1)), Integer.parseInt(b.substring(1)));
  }

  private Journal open(long segmentBytes, long maxBytes) throws IOException {
    return Journal.open(
        new JournalSettings(dir, segmentBytes, Duration.ofHours(1), maxBytes), Clock.systemUTC());
  }

  private void append(String dedupeKey, Optional<String> idempotencyKey) throws Exception {
    await(journal.append(record(dedupeKey, idempotencyKey)));
  }

  private static JournalRecord record(String dedupeKey, Optional<String> idempotencyKey) {
    return JournalRecord.of(
        "conversation.message",
        "acme",
        dedupeKey,
        idempotencyKey,
        new JsonObject().put("content", "text of " + dedupeKey),
        1_000);
  }

  private List<JournalRecord> pending() throws Exception {
    return await(journal.pending(1000));
  }

  private Path onlySegment() throws IOException {
    List<Path> all = segments();
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
