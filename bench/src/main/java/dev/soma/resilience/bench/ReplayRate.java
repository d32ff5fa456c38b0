package dev.soma.resilience.bench;

import static dev.soma.resilience.bench.OutboxBenchmark.step;

import dev.soma.resilience.Application;
import dev.soma.resilience.api.AgentApi;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.journal.Journal;
import dev.soma.resilience.journal.JournalRecord;
import dev.soma.resilience.journal.JournalReplay;
import dev.soma.resilience.journal.JournalSettings;
import dev.soma.resilience.tenant.Tenants;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The journal suite's replay phase (issue 16 section 6): a journal of {@code records} conversation
 * messages, written as the API journals them, replayed into PostgreSQL by the service's own {@link
 * JournalReplay} (as {@code journal replay} runs it: the database pool and outbox of {@code
 * Application.start(TOOLS)}, no relay), against a plain batched insert of the same message rows
 * and outbox rows ({@code executeBatch}, {@code rows} per transaction, one transaction at a time)
 * on the same database, in the same run. Every round starts from empty tables and a fresh copy of
 * the journal; rounds alternate baseline and replay.
 */
final class ReplayRate {

  static final String TENANT = "bench";
  static final String INSERT_MESSAGE = MessageBaseline.INSERT_MESSAGE;
  static final String INSERT_EVENT = MessageBaseline.INSERT_EVENT;

  record Result(double baselineRate, double replayRate) {}

  private final BenchServers servers;
  private final DatabaseUrl db;
  private final Application app;
  private final ServiceConfig config;
  private final Path source;
  private final Path copy;
  private final List<JournalRecord> records = new ArrayList<>();

  private ReplayRate(BenchServers servers, DatabaseUrl db, Application app, ServiceConfig config,
      Path dir) {
    this.servers = servers;
    this.db = db;
    this.app = app;
    this.config = config;
    this.source = dir.resolve("replay-source");
    this.copy = dir.resolve("replay-run");
  }

  /** Runs the phase and adds its rows to {@code report}. */
  static void run(BenchServers servers, SuiteReport report, int count, int conversations,
      int contentBytes, int rows, int rounds) throws Exception {
    step("replay: database and a journal of " + count + " messages");
    DatabaseUrl db = servers.database("bench_replay");
    Map<String, String> env = Map.of(
        "SA01_DATABASE_URL", "postgresql://" + db.user() + "@" + db.host() + ":" + db.port() + "/"
            + db.database(),
        "SA01_KAFKA_BOOTSTRAP_SERVERS", servers.bootstrap(),
        "SA01_DATA_DIR", servers.dir.resolve("replay-data").toString());
    ServiceConfig config = ServiceConfig.load(env);
    try (Application app = Application.start(config, Application.Role.TOOLS)) {
      Blocking.await(new Tenants(app.pool()).create(TENANT, "benchmark", "bench"),
          Duration.ofSeconds(10));
      ReplayRate phase = new ReplayRate(servers, db, app, config, servers.dir);
      phase.write(count, conversations, contentBytes);
      report.line("");
      report.line("Replay of a journal of %,d conversation messages (%d-byte content, %d"
          + " conversations, no Idempotency-Key) into PostgreSQL by `JournalReplay`, against a"
          + " plain batched insert of the same message and outbox rows (`executeBatch`, %d rows"
          + " per transaction); every round from empty tables.", count, contentBytes,
          conversations, rows);
      report.line("");
      report.line("| round | baseline rows/s | replay records/s | ratio | load average |");
      report.line("|---|---|---|---|---|");
      for (int round = 1; round <= rounds; round++) {
        step("replay round " + round + ": baseline, batched insert");
        double baseline = phase.baseline(rows);
        step("replay round " + round + ": JournalReplay");
        double replay = phase.replay();
        step(String.format("baseline %,.0f rows/s, replay %,.0f records/s", baseline, replay));
        report.line("| %d | %,.0f | %,.0f | %.2f | %s |", round, baseline, replay,
            replay / baseline, Machine.loadAverage());
      }
    }
  }

  private void write(int count, int conversations, int contentBytes) throws Exception {
    String content = "word ".repeat(contentBytes / 5 + 1).substring(0, contentBytes);
    for (int n = 0; n < count; n++) {
      String conversation = "c-" + (n % conversations);
      String message = "m-" + n;
      JsonObject request = new JsonObject().put("conversationId", conversation)
          .put("messageId", message).put("role", "user").put("content", content)
          .put("metadata", new JsonObject());
      records.add(JournalRecord.of("conversation.message", TENANT,
          "conv:" + conversation + ":" + message, Optional.empty(),
          new JsonObject().put(JournalReplay.REQUEST, request).put(JournalReplay.STATUS, 202),
          System.currentTimeMillis()));
    }
    JournalBenchmark.clean(source);
    try (Journal journal = Journal.open(settings(source), Clock.systemUTC())) {
      for (int from = 0; from < count; from += 1000) {
        List<Future<JournalRecord>> appends = new ArrayList<>();
        for (JournalRecord record : records.subList(from, Math.min(count, from + 1000))) {
          appends.add(journal.append(record));
        }
        Blocking.await(Future.all(appends), Duration.ofMinutes(1));
      }
    }
  }

  private JournalSettings settings(Path dir) {
    return config.journal().settings(dir);
  }

  private double replay() throws Exception {
    empty();
    JournalBenchmark.clean(copy);
    Files.createDirectories(copy);
    try (var files = Files.list(source)) {
      for (Path file : files.toList()) {
        if (Files.isRegularFile(file) && !file.getFileName().toString().endsWith(".lock")) {
          Files.copy(file, copy.resolve(file.getFileName()));
        }
      }
    }
    Vertx vertx = app.vertx();
    try (Journal journal = Journal.open(settings(copy), Clock.systemUTC())) {
      JournalReplay replay = AgentApi.journalReplay(app.pool(), app.leaseKeeper(), app.outbox(),
          app.memories(config, () -> false).service(), config, journal, Duration.ofMillis(10));
      long start = System.nanoTime();
      String id = Blocking.await(vertx.deployVerticle(replay), Duration.ofSeconds(30));
      while (journal.pendingRecords() > 0) {
        Thread.sleep(5);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Blocking.await(vertx.undeploy(id), Duration.ofSeconds(30));
      check(replay.failed() == 0, "replay passed " + replay.failed() + " record(s)");
      stored();
      return records.size() / seconds;
    }
  }

  private double baseline(int rows) throws Exception {
    empty();
    List<Tuple> messages = new ArrayList<>();
    List<Tuple> events = new ArrayList<>();
    for (JournalRecord record : records) {
      JsonObject r = record.body().getJsonObject(JournalReplay.REQUEST);
      String conversation = r.getString("conversationId");
      String message = r.getString("messageId");
      messages.add(Tuple.of(TENANT, conversation, message, "user", r.getString("content"),
          r.getJsonObject("metadata")));
      events.add(Tuple.of(TENANT, record.dedupeKey(), "conversation.inbound",
          "conv:" + conversation, r.copy(), new JsonObject()));
    }
    Pool pool = app.pool();
    long start = System.nanoTime();
    Future<?> chain = Future.succeededFuture();
    // one transaction after the other, as the replay writes
    for (int from = 0; from < messages.size(); from += rows) {
      int to = Math.min(messages.size(), from + rows);
      List<Tuple> m = messages.subList(from, to);
      List<Tuple> e = events.subList(from, to);
      chain = chain.compose(v -> pool.withTransaction(tx -> tx.preparedQuery(INSERT_MESSAGE)
          .executeBatch(m).compose(done -> tx.preparedQuery(INSERT_EVENT).executeBatch(e))));
    }
    Blocking.await(chain, Duration.ofMinutes(30));
    double seconds = (System.nanoTime() - start) / 1e9;
    stored();
    return records.size() / seconds;
  }

  /** Empty tables (and a checkpoint) before each round, so that every round starts alike. */
  private void empty() throws Exception {
    try (Connection c = BenchServers.connect(db); Statement s = c.createStatement()) {
      s.execute("TRUNCATE conversation_messages, outbox_messages, idempotency_records");
      s.execute("VACUUM ANALYZE conversation_messages");
      s.execute("VACUUM ANALYZE outbox_messages");
      s.execute("CHECKPOINT");
    }
  }

  private void stored() throws Exception {
    long messages = count("SELECT count(*) FROM conversation_messages");
    long events = count("SELECT count(*) FROM outbox_messages");
    check(messages == records.size() && events == records.size(), "stored " + messages
        + " messages and " + events + " events of " + records.size());
  }

  private long count(String sql) throws Exception {
    try (Connection c = BenchServers.connect(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException(what);
    }
  }
}
