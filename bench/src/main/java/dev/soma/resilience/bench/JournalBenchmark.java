package dev.soma.resilience.bench;

import static dev.soma.resilience.bench.OutboxBenchmark.step;

import dev.soma.resilience.journal.Journal;
import dev.soma.resilience.journal.JournalRecord;
import dev.soma.resilience.journal.JournalReplay;
import dev.soma.resilience.journal.JournalSettings;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The journal benchmark (issue 16, see docs/PERFORMANCE.md): appends of message-sized records,
 * each completed only once on disk, with {@code in-flight} appends outstanding at a time, against a
 * raw {@code FileChannel.write} + {@code force} loop writing the same frames in batches of the size
 * the journal's group flush reached in the same round (1 with one in flight), in the same run, on
 * the same disk. Rounds alternate journal and raw. Shapes: one writer (no grouping possible) and
 * many. Phases ({@code --phases}, all by default): {@code append} (this), {@code replay} ({@link
 * ReplayRate}) and {@code post} ({@link JournaledPosts}).
 */
public final class JournalBenchmark {

  private static final Vertx VERTX = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  private JournalBenchmark() {}

  public static void main(String[] args) throws Exception {
    SuiteOptions options = new SuiteOptions(args);
    int seconds = options.number("seconds", 10, 1);
    int rounds = options.number("rounds", 3, 1);
    int contentBytes = options.number("content-bytes", 200, 1);
    String inFlightList = options.text("in-flight", "1,64");
    Path dir = Path.of(options.text("dir", "target/bench/journal"));
    Path results = Path.of(options.text("results-dir", "bench/results"));
    List<String> phases = List.of(options.text("phases", "append,replay,post").split(","));
    int replayRecords = options.number("replay-records", 100_000, 1);
    int replayRows = options.number("replay-rows", 200, 1);
    int conversations = options.number("conversations", 1000, 1);
    int concurrency = options.number("concurrency", 32, 1);
    int postSeconds = options.number("post-seconds", 20, 1);
    int postWarmupSeconds = options.number("post-warmup-seconds", 10, 0);
    options.rejectUnknown();
    for (String phase : phases) {
      if (!List.of("append", "replay", "post").contains(phase)) {
        throw new IllegalArgumentException("--phases are append, replay and post, but got '"
            + phase + "'");
      }
    }

    SuiteReport report = new SuiteReport("journal", "Journal benchmark (issue 16)");
    if (phases.contains("append")) {
      appends(report, dir, contentBytes, seconds, rounds, inFlightList);
    }
    if (phases.contains("replay") || phases.contains("post")) {
      try (BenchServers servers = BenchServers.start(6)) {
        if (phases.contains("replay")) {
          ReplayRate.run(servers, report, replayRecords, conversations, contentBytes, replayRows,
              rounds);
        }
        if (phases.contains("post")) {
          JournaledPosts.run(servers, report, concurrency, postSeconds, postWarmupSeconds, rounds,
              conversations, contentBytes);
        }
      }
    }
    report.write(results);
    VERTX.close();
  }

  private static void appends(SuiteReport report, Path dir, int contentBytes, int seconds,
      int rounds, String inFlightList) throws Exception {
    JournalRecord record = record(contentBytes);
    int frameBytes = frameBytes(dir.resolve("size"), record);
    report.line("Records of %d bytes on disk (a message of %d characters, its envelope and"
        + " frame); each round %d s; directory %s.", frameBytes, contentBytes, seconds,
        dir.toAbsolutePath());
    report.line("");
    report.line("| in flight | round | journal appends/s | p50 ms | p99 ms | records/flush |"
        + " raw write+force records/s | ratio |");
    report.line("|---|---|---|---|---|---|---|---|");
    for (String part : inFlightList.split(",")) {
      int inFlight = Integer.parseInt(part.trim());
      for (int round = 1; round <= rounds; round++) {
        step("journal, " + inFlight + " in flight, round " + round);
        Result journal = journal(dir.resolve("j"), record, inFlight, seconds);
        int batch = Math.max(1, (int) Math.round(journal.recordsPerFlush));
        step("raw, batches of " + batch + ", round " + round);
        double raw = raw(dir.resolve("raw"), frameBytes, batch, seconds);
        report.line("| %d | %d | %.0f | %.2f | %.2f | %.1f | %.0f | %.2f |", inFlight, round,
            journal.rate, journal.p50Ms, journal.p99Ms, journal.recordsPerFlush, raw,
            journal.rate / raw);
      }
    }
  }

  record Result(double rate, double p50Ms, double p99Ms, double recordsPerFlush) {}

  static Result journal(Path dir, JournalRecord record, int inFlight, int seconds)
      throws Exception {
    clean(dir);
    try (Journal journal = Journal.open(
        new JournalSettings(dir, 64L << 20, Duration.ofHours(1), 64L << 30), Clock.systemUTC())) {
      long[] latencies = new long[4_000_000];
      AtomicInteger done = new AtomicInteger();
      AtomicBoolean running = new AtomicBoolean(true);
      CountDownLatch drained = new CountDownLatch(inFlight);
      long flushesBefore = journal.counts().flushes();
      long recordsBefore = journal.counts().flushedRecords();
      long start = System.nanoTime();
      // appends come from event loops, as the API's do (completions go back to them)
      for (int i = 0; i < inFlight; i++) {
        VERTX.getOrCreateContext()
            .runOnContext(v -> next(journal, record, running, done, latencies, drained));
      }
      Thread.sleep(seconds * 1000L);
      running.set(false);
      drained.await();
      double elapsed = (System.nanoTime() - start) / 1e9;
      int count = Math.min(done.get(), latencies.length);
      long[] sorted = Arrays.copyOf(latencies, count);
      Arrays.sort(sorted);
      long flushes = journal.counts().flushes() - flushesBefore;
      long flushed = journal.counts().flushedRecords() - recordsBefore;
      return new Result(done.get() / elapsed, sorted[count / 2] / 1e6,
          sorted[(int) (count * 0.99)] / 1e6, flushes == 0 ? 0 : (double) flushed / flushes);
    }
  }

  private static void next(Journal journal, JournalRecord record, AtomicBoolean running,
      AtomicInteger done, long[] latencies, CountDownLatch drained) {
    if (!running.get()) {
      drained.countDown();
      return;
    }
    long began = System.nanoTime();
    journal.append(record).onComplete(ar -> {
      if (ar.failed()) {
        System.err.println("append failed: " + ar.cause());
        running.set(false);
        drained.countDown();
        return;
      }
      int n = done.getAndIncrement();
      if (n < latencies.length) {
        latencies[n] = System.nanoTime() - began;
      }
      next(journal, record, running, done, latencies, drained);
    });
  }

  static double raw(Path dir, int frameBytes, int batch, int seconds) throws IOException {
    clean(dir);
    Files.createDirectories(dir);
    byte[] frame = new byte[frameBytes];
    Arrays.fill(frame, (byte) 'x');
    ByteBuffer buffer = ByteBuffer.allocate(frameBytes * batch);
    long records = 0;
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    try (FileChannel channel = FileChannel.open(dir.resolve("raw.seg"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      while (System.nanoTime() < end) {
        buffer.clear();
        for (int i = 0; i < batch; i++) {
          buffer.put(frame);
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(false);
        records += batch;
      }
    }
    return records / ((System.nanoTime() - start) / 1e9);
  }

  private static JournalRecord record(int contentBytes) {
    String content = "word ".repeat(contentBytes / 5 + 1).substring(0, contentBytes);
    JsonObject request = new JsonObject().put("conversationId", "conversation-0042")
        .put("messageId", "9b2f4c1e-6d1a-4a53-8f0e-3c2d1b0a9e87").put("role", "user")
        .put("content", content).put("metadata", new JsonObject());
    return JournalRecord.of("conversation.message", "bench", "conv:conversation-0042:9b2f",
        Optional.empty(), new JsonObject().put(JournalReplay.REQUEST, request)
            .put(JournalReplay.STATUS, 202).put(JournalReplay.REQUEST_HASH, "ab".repeat(32)),
        System.currentTimeMillis());
  }

  /** The bytes one record takes on disk, as the journal writes it. */
  private static int frameBytes(Path dir, JournalRecord record) throws Exception {
    clean(dir);
    try (Journal journal = Journal.open(
        new JournalSettings(dir, 1 << 20, Duration.ofHours(1), 1 << 24), Clock.systemUTC())) {
      journal.append(record).toCompletionStage().toCompletableFuture().get();
      return (int) journal.bytes();
    }
  }

  static void clean(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
