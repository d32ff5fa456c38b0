package dev.soma.resilience.bench;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.Database;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.outbox.OutboxEntry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Commit-to-ack latency at a steady rate ({@link #relay}): a writer enqueues events through {@link
 * Outbox} (in a transaction, as a service would), {@code perSecond} a second, committing what is
 * due every {@code tickMillis}; the relay (another process) publishes them; {@link AppendTimes}
 * reads when the broker appended each one. Latency of an event = broker append time minus the
 * moment its transaction's commit returned to the writer. All writer work is non-blocking, on one
 * event loop. {@link #raw} measures the raw producer at the same rate and pacing, for comparison.
 */
final class LatencyRun {

  /**
   * One latency distribution: {@code toAck} when measured at the producer (send to callback),
   * {@code toAppend} when read from the broker's append time.
   */
  record Result(Histogram toAppend, Histogram toAck, long events, long transactions,
      long failed, long missing, long duplicates) {}

  /** What the writer did, and the commit times it saw (wall clock, ms; by event number). */
  record Written(long events, long transactions, long failed, long[] commitMillis,
      long measureFromMillis) {}

  private LatencyRun() {}

  /** What a phase does on the calling thread once the writer's warm-up is over. */
  interface AtMeasureStart {
    void run() throws Exception;
  }

  /**
   * A relay phase's latencies: of all measured events, and of those {@code select} chose (by event
   * number), measured from {@code fromMillis} to {@code toMillis} (wall clock).
   */
  record Measured(Result all, Histogram selected, long[] selectedWorst, long fromMillis,
      long toMillis) {}

  /** The slice of commit time over which {@link #worstBySlice} takes each maximum. */
  static final int SLICE_MILLIS = 5000;

  /** Starts the paced writer; its events' dedupe keys are {@code <prefix>-<n>}. */
  static Future<Written> write(Vertx vertx, Pool pool, EventShape shape, String topic,
      String prefix, double perSecond, int warmupSeconds, int seconds, int tickMillis) {
    int capacity = (int) (perSecond * (warmupSeconds + seconds)) + 1;
    long[] commitMillis = new long[capacity];
    Outbox outbox = new Outbox(vertx);
    Promise<Written> done = Promise.promise();
    vertx.runOnContext(v -> new Pacer(vertx, pool, outbox, shape, topic, prefix, perSecond,
        warmupSeconds, seconds, tickMillis, commitMillis, done).start());
    return done.future();
  }

  /**
   * The relay's commit-to-ack at {@code rate}: a writer on {@code db}, a relay publishing. Each
   * phase on one database needs its own {@code prefix}: the outbox drops a tenant's repeated
   * dedupe key, so a second phase with the same keys would write nothing for its first events.
   */
  static Result relay(BenchServers servers, DatabaseUrl db, EventShape shape,
      BenchOptions options, double rate, String topic, String prefix) throws Exception {
    return relay(servers, db, shape, options, rate, topic, prefix, n -> false, () -> {}).all();
  }

  /** {@link #relay}, running {@code atMeasureStart} when the warm-up ends. */
  static Measured relay(BenchServers servers, DatabaseUrl db, EventShape shape,
      BenchOptions options, double rate, String topic, String prefix, LongPredicate select,
      AtMeasureStart atMeasureStart) throws Exception {
    int warmup = options.latencyWarmupSeconds();
    int seconds = options.latencySeconds();
    int capacity = (int) (rate * (warmup + seconds)) + 1;
    Pool pool = new Database(db).pool(servers.vertx, 8);
    Future<Written> writing = write(servers.vertx, pool, shape, topic, prefix, rate, warmup,
        seconds, options.tickMillis());
    Thread.sleep(warmup * 1000L);
    atMeasureStart.run();
    Written written = Blocking.await(writing, Duration.ofSeconds(warmup + seconds + 120L));
    AppendTimes appends = AppendTimes.start(servers.bootstrap(), topic, prefix, capacity);
    long[] appendMillis = appends.finish(written.events(), Duration.ofSeconds(60));
    Blocking.await(pool.close(), Duration.ofSeconds(10));
    long[] missing = new long[1];
    Histogram histogram = latencies(written, appendMillis, n -> true, missing);
    Histogram selected = latencies(written, appendMillis, select, new long[1]);
    return new Measured(new Result(histogram, null, written.events(), written.transactions(),
        written.failed(), missing[0], appends.duplicates()), selected,
        worstBySlice(written, appendMillis, select, seconds),
        written.measureFromMillis(), written.measureFromMillis() + seconds * 1000L);
  }

  /** The raw producer at {@code rate}, same pacing: send-to-ack and send-to-append. */
  static Result raw(BenchServers servers, ProducerBaseline raw, BenchOptions options,
      double rate, String topic) throws Exception {
    int capacity = (int) (rate * (options.latencyWarmupSeconds() + options.latencySeconds())) + 2;
    Recorder acks = new Recorder(3);
    long[] sentMillis = new long[capacity];
    long sent = raw.paced(topic, rate, options.latencyWarmupSeconds(), options.latencySeconds(),
        options.tickMillis(), acks, sentMillis);
    AppendTimes appends = AppendTimes.start(servers.bootstrap(), topic, "raw-paced", capacity);
    long[] appendMillis = appends.finish(sent, Duration.ofSeconds(60));
    Histogram toAppend = new Histogram(3_600_000_000L, 3);
    long missing = 0;
    long measureFrom = (long) (rate * options.latencyWarmupSeconds());
    for (int n = (int) measureFrom; n < sent; n++) {
      if (appendMillis[n] < 0) {
        missing++;
      } else {
        toAppend.recordValue(Math.max(0, appendMillis[n] - sentMillis[n]) * 1000);
      }
    }
    return new Result(toAppend, acks.getIntervalHistogram(), sent, sent, 0, missing,
        appends.duplicates());
  }

  /**
   * Builds a histogram (µs, at ms resolution) of append minus commit for the measured events
   * {@code select} chooses.
   */
  static Histogram latencies(Written written, long[] appendMillis, LongPredicate select,
      long[] missing) {
    Histogram histogram = new Histogram(3_600_000_000L, 3);
    for (int n = 0; n < written.events(); n++) {
      if (!select.test(n)) {
        continue;
      }
      long commit = written.commitMillis()[n];
      if (commit == 0 || commit < written.measureFromMillis()) {
        continue;
      }
      if (appendMillis[n] < 0) {
        missing[0]++;
        continue;
      }
      histogram.recordValue(Math.max(0, appendMillis[n] - commit) * 1000);
    }
    return histogram;
  }

  /**
   * The worst commit-to-append (ms) of the measured events {@code select} chooses, per {@link
   * #SLICE_MILLIS} of commit time from the measurement's start: when in the window they waited.
   */
  static long[] worstBySlice(Written written, long[] appendMillis, LongPredicate select,
      int seconds) {
    long[] worst = new long[(seconds * 1000 + SLICE_MILLIS - 1) / SLICE_MILLIS];
    for (int n = 0; n < written.events(); n++) {
      long commit = written.commitMillis()[n];
      if (!select.test(n) || commit == 0 || commit < written.measureFromMillis()
          || appendMillis[n] < 0) {
        continue;
      }
      int slice = (int) Math.min(worst.length - 1,
          (commit - written.measureFromMillis()) / SLICE_MILLIS);
      worst[slice] = Math.max(worst[slice], appendMillis[n] - commit);
    }
    return worst;
  }

  /** The writer, confined to one event loop. */
  private static final class Pacer {
    private final Vertx vertx;
    private final Pool pool;
    private final Outbox outbox;
    private final EventShape shape;
    private final String topic;
    private final String prefix;
    private final double perSecond;
    private final long[] commitMillis;
    private final Promise<Written> done;
    private final long startNanos = System.nanoTime();
    private final long endNanos;
    private final long measureFromMillis;
    private final int tickMillis;
    private long next;
    private long open;
    private long transactions;
    private long failed;
    private boolean finished;

    Pacer(Vertx vertx, Pool pool, Outbox outbox, EventShape shape, String topic, String prefix,
        double perSecond, int warmupSeconds, int seconds, int tickMillis, long[] commitMillis,
        Promise<Written> done) {
      this.vertx = vertx;
      this.pool = pool;
      this.outbox = outbox;
      this.shape = shape;
      this.topic = topic;
      this.prefix = prefix;
      this.perSecond = perSecond;
      this.tickMillis = tickMillis;
      this.commitMillis = commitMillis;
      this.done = done;
      this.endNanos = startNanos + Duration.ofSeconds(warmupSeconds + seconds).toNanos();
      this.measureFromMillis = System.currentTimeMillis() + warmupSeconds * 1000L;
    }

    void start() {
      vertx.setPeriodic(tickMillis, id -> {
        long now = System.nanoTime();
        if (now >= endNanos) {
          vertx.cancelTimer(id);
          finished = true;
          maybeDone();
          return;
        }
        long due = Math.min(commitMillis.length, (long) ((now - startNanos) / 1e9 * perSecond));
        if (due > next) {
          commit(next, due);
          next = due;
        }
      });
    }

    private void commit(long from, long to) {
      List<OutboxEntry> entries = new ArrayList<>((int) (to - from));
      for (long n = from; n < to; n++) {
        entries.add(OutboxEntry.of(shape.tenant(n), shape.dedupeKey(prefix, n), topic,
            shape.aggregate(n), new JsonObject(shape.payload(n))));
      }
      open++;
      transactions++;
      Future<Integer> tx = Transaction.run(pool, conn -> outbox.enqueueAll(conn, entries));
      tx.onComplete(ar -> {
        open--;
        if (ar.succeeded()) {
          long at = System.currentTimeMillis();
          for (long n = from; n < to; n++) {
            commitMillis[(int) n] = at;
          }
        } else {
          failed += to - from;
        }
        maybeDone();
      });
    }

    private void maybeDone() {
      if (finished && open == 0) {
        done.tryComplete(new Written(next, transactions, failed, commitMillis, measureFromMillis));
      }
    }
  }
}
