package dev.soma.resilience.bench;

import static dev.soma.resilience.bench.OutboxBenchmark.step;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.Database;
import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.tenant.Tenants;
import dev.soma.resilience.testing.TcpProxy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The journal suite's POST phase (issue 16 section 6): {@code POST
 * /v1/conversations/{id}/messages} against the whole service started in-process on the
 * benchmark's PostgreSQL (through a {@link TcpProxy}) and Kafka, by {@code concurrency} callers in
 * a closed loop, with PostgreSQL reachable and with it cut off (the service journals), in the same
 * run, rounds alternating. After each journaling window the proxy is restored and the next window
 * waits until the journal is replayed and the relay has published every event.
 */
final class JournaledPosts {

  private static final java.net.http.HttpClient STATUS = java.net.http.HttpClient.newHttpClient();

  private JournaledPosts() {}

  static void run(BenchServers servers, SuiteReport report, int concurrency, int seconds,
      int warmupSeconds, int rounds, int conversations, int contentBytes) throws Exception {
    step("POST: database, proxy and service");
    DatabaseUrl db = servers.database("bench_post");
    try (TcpProxy proxy = TcpProxy.before(db)) {
      DatabaseUrl proxied = proxy.through(db);
      ServiceConfig config = ServiceConfig.load(Map.of(
          "SA01_DATABASE_URL", "postgresql://" + proxied.user() + "@" + proxied.host() + ":"
              + proxied.port() + "/" + proxied.database(),
          "SA01_KAFKA_BOOTSTRAP_SERVERS", servers.bootstrap(),
          "SA01_HTTP_PORT", "0",
          "SA01_DATA_DIR", servers.dir.resolve("post-data").toString(),
          "SA01_JOURNAL_REPLAY_INTERVAL_MS", "100",
          "SA01_API_RATE_LIMIT_PER_SECOND", "1000000",
          "SA01_API_RATE_LIMIT_BURST", "1000000",
          "SA01_API_BACKLOG_LIMIT", "2000000000"));
      Pool direct = new Database(db).pool(servers.vertx, 2);
      try (Application app = Application.start(config, Application.Role.SERVICE)) {
        Tenants tenants = new Tenants(direct);
        Blocking.await(tenants.create(ApiBenchmark.TENANT, "benchmark", "bench"),
            Duration.ofSeconds(10));
        String key = Blocking.await(tenants.createKey(ApiBenchmark.TENANT, "bench", "bench"),
            Duration.ofSeconds(10)).getString("apiKey");
        HttpClient http = servers.vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true).setDefaultHost("127.0.0.1").setDefaultPort(app.httpPort()),
            new PoolOptions().setHttp1MaxSize(concurrency));
        String content = "word ".repeat(contentBytes / 5 + 1).substring(0, contentBytes);
        AtomicLong journaled = new AtomicLong();
        Supplier<Future<?>> post = () -> http.request(new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setURI("/v1/conversations/c-" + ThreadLocalRandom.current().nextInt(conversations)
                    + "/messages")
                .putHeader("Authorization", "Bearer " + key)
                .putHeader("Content-Type", "application/json"))
            .compose(request -> request.send(Buffer.buffer(new JsonObject()
                .put("messageId", UUID.randomUUID().toString()).put("content", content)
                .encode())))
            .compose(response -> response.body().map(answer -> {
              if (response.statusCode() != 202) {
                throw new IllegalStateException("HTTP " + response.statusCode() + ": " + answer);
              }
              if ("journaled".equals(new JsonObject(answer).getString("status"))) {
                journaled.incrementAndGet();
              }
              return answer;
            }));
        Context context = servers.vertx.getOrCreateContext();
        report.line("");
        report.line("`POST /v1/conversations/{id}/messages` on the whole service (`Application`,"
            + " SERVICE role: relay included), its PostgreSQL reached through a TCP proxy that"
            + " is cut for the journaling windows; %d callers in a closed loop on one event"
            + " loop, %d-byte content, %d conversations; %d s per window after %d s of warm-up"
            + " each way; before every window the journal is replayed and the outbox published.",
            concurrency, contentBytes, conversations, seconds, warmupSeconds);
        report.line("");
        report.line("| round | PostgreSQL | requests/s | p50 ms | p99 ms | failed | journaled |"
            + " load average |");
        report.line("|---|---|---|---|---|---|---|---|");
        Window window = new Window(proxy, db, app, context, concurrency, post, journaled);
        if (warmupSeconds > 0) {
          step("POST warm-up: " + warmupSeconds + " s each way");
          window.run(true, warmupSeconds);
          window.run(false, warmupSeconds);
        }
        double up = 0;
        double down = 0;
        for (int round = 1; round <= rounds; round++) {
          step("POST round " + round + ": PostgreSQL up");
          up += window.row(report, round, true, seconds);
          step("POST round " + round + ": PostgreSQL cut off, journaling");
          down += window.row(report, round, false, seconds);
        }
        report.line("");
        report.line("Journaling / PostgreSQL up, mean of rounds: %,.0f / %,.0f = **%.2f**.",
            down / rounds, up / rounds, down / up);
        Blocking.await(http.close(), Duration.ofSeconds(10));
      } finally {
        proxy.restore();
        Blocking.await(direct.close(), Duration.ofSeconds(10));
      }
    }
  }

  /** One measured window, PostgreSQL up or cut off, after the last one's journal is drained. */
  private record Window(TcpProxy proxy, DatabaseUrl db, Application app, Context context,
      int concurrency, Supplier<Future<?>> post, AtomicLong journaled) {

    ClosedLoad.Result run(boolean up, int seconds) throws Exception {
      drained();
      if (!up) {
        proxy.cut();
      }
      try {
        return ClosedLoad.run(context, concurrency, Long.MAX_VALUE, Duration.ofSeconds(seconds),
            post);
      } finally {
        proxy.restore();
      }
    }

    double row(SuiteReport report, int round, boolean up, int seconds) throws Exception {
      long before = journaled.get();
      ClosedLoad.Result r = run(up, seconds);
      step(String.format("%s: %,.0f requests/s", up ? "up" : "cut off", r.perSecond()));
      report.line("| %d | %s | %,.0f | %.2f | %.2f | %d%s | %,d | %s |", round,
          up ? "up" : "cut off", r.perSecond(), r.percentileMs(50), r.percentileMs(99),
          r.failed(), r.firstFailure() == null ? "" : " (" + r.firstFailure() + ")",
          journaled.get() - before, Machine.loadAverage());
      return r.perSecond();
    }

    /** Waits until nothing is left to replay or to publish (at most 10 minutes). */
    private void drained() throws Exception {
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (System.nanoTime() < deadline) {
        if (waiting() == 0) {
          return;
        }
        Thread.sleep(200);
      }
      throw new IllegalStateException("the journal or the outbox did not drain in 10 minutes");
    }

    private long waiting() throws Exception {
      java.net.http.HttpResponse<String> answer = STATUS.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + app.httpPort() + "/v1/status"))
          .timeout(Duration.ofSeconds(10)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      JsonObject journal = answer.statusCode() == 200
          ? new JsonObject(answer.body()).getJsonObject("journal") : null;
      if (journal == null) {
        return 1; // the status cannot be told yet (503 while the monitor catches up)
      }
      long records = journal.getLong("records");
      try (Connection c = BenchServers.connect(db); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(
              "SELECT count(*) FROM outbox_messages WHERE status = 'pending'")) {
        rs.next();
        return records + rs.getLong(1);
      }
    }
  }
}
