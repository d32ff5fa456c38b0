package dev.soma.resilience.bench;

import static dev.soma.resilience.bench.OutboxBenchmark.step;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.Database;
import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.tenant.Tenants;
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
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The API benchmark (issue 4, see docs/PERFORMANCE.md): {@code POST
 * /v1/conversations/{id}/messages} against the whole service started in-process (relay included)
 * on the benchmark's embedded PostgreSQL and Kafka, at a fixed number of concurrent clients,
 * against the bare two-insert transaction ({@link MessageBaseline}) on the same database at the
 * same concurrency, in the same run. Rounds alternate baseline and API.
 */
public final class ApiBenchmark {

  static final int QUIET_WAIT_SECONDS = 20;
  static final String TENANT = "bench";

  private ApiBenchmark() {}

  public static void main(String[] args) throws Exception {
    SuiteOptions options = new SuiteOptions(args);
    int concurrency = options.number("concurrency", 32, 1);
    int seconds = options.number("seconds", 20, 1);
    int warmupSeconds = options.number("warmup-seconds", 15, 0);
    int rounds = options.number("rounds", 3, 1);
    int conversations = options.number("conversations", 1000, 1);
    int contentBytes = options.number("content-bytes", 200, 1);
    Path results = Path.of(options.text("results-dir", "bench/results"));
    options.rejectUnknown();

    SuiteReport report = new SuiteReport("api", "API benchmark (issue 4)");
    CpuAccounting cpu = new CpuAccounting();
    String content = "word ".repeat(contentBytes / 5 + 1).substring(0, contentBytes);
    try (BenchServers servers = BenchServers.start(6)) {
      cpu.own(servers.postmasterPid(), "PostgreSQL");
      step("database and service");
      DatabaseUrl db = servers.database("bench_api");
      Map<String, String> env = new HashMap<>(Map.of(
          "SA01_DATABASE_URL", "postgresql://" + db.user() + "@" + db.host() + ":" + db.port()
              + "/" + db.database(),
          "SA01_KAFKA_BOOTSTRAP_SERVERS", servers.bootstrap(),
          "SA01_HTTP_PORT", "0",
          "SA01_DATA_DIR", servers.dir.resolve("service-data").toString(),
          "SA01_API_RATE_LIMIT_PER_SECOND", "1000000",
          "SA01_API_RATE_LIMIT_BURST", "1000000",
          "SA01_API_BACKLOG_LIMIT", "2000000000"));
      ServiceConfig config = ServiceConfig.load(env);
      try (Application app = Application.start(config, Application.Role.SERVICE)) {
        Blocking.await(new Tenants(app.pool()).create(TENANT, "benchmark", "bench"), Duration.ofSeconds(10));
        String key = Blocking.await(new Tenants(app.pool()).createKey(TENANT, "bench", "bench"),
            Duration.ofSeconds(10)).getString("apiKey");
        HttpClient http = servers.vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true).setDefaultHost("127.0.0.1").setDefaultPort(app.httpPort()),
            new PoolOptions().setHttp1MaxSize(concurrency));
        Buffer body = Buffer.buffer(new JsonObject().put("content", content).encode());
        Supplier<Future<?>> api = () -> http.request(new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setURI("/v1/conversations/" + conversation(conversations) + "/messages")
                .putHeader("Authorization", "Bearer " + key)
                .putHeader("Content-Type", "application/json"))
            .compose(request -> request.send(body))
            .compose(response -> response.body().map(answer -> {
              if (response.statusCode() != 202) {
                throw new IllegalStateException("HTTP " + response.statusCode() + ": " + answer);
              }
              return answer;
            }));
        Pool pool = new Database(db).pool(servers.vertx, config.database().poolSize());
        MessageBaseline baseline = new MessageBaseline(pool, TENANT);
        Supplier<Future<?>> bare = () -> baseline.store(conversation(conversations), content);
        Context apiContext = servers.vertx.getOrCreateContext();
        Context bareContext = servers.vertx.getOrCreateContext();
        Duration warm = Duration.ofSeconds(warmupSeconds);
        Duration measured = Duration.ofSeconds(seconds);

        report.line("Service: `Application.start(config, SERVICE)` in the benchmark's JVM (relay,"
            + " API and every other verticle), database pool %d, embedded PostgreSQL 17 and"
            + " Kafka; rate limit and backlog limit set out of the way. Load: %d concurrent"
            + " clients in a closed loop on one event loop, %d-byte content, %d conversations"
            + " picked at random; %d s measured per phase after %d s of warm-up each.",
            config.database().poolSize(), concurrency, contentBytes, conversations, seconds,
            warmupSeconds);
        report.line("");
        if (warmupSeconds > 0) {
          step("warm-up: " + warmupSeconds + " s each");
          ClosedLoad.run(bareContext, concurrency, Long.MAX_VALUE, warm, bare);
          ClosedLoad.run(apiContext, concurrency, Long.MAX_VALUE, warm, api);
        }
        report.line("| round | path | requests/s | mean ms | p50 ms | p99 ms | failed |"
            + " pending events after | other load |");
        report.line("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        ClosedLoad.Result[] bares = new ClosedLoad.Result[rounds];
        ClosedLoad.Result[] apis = new ClosedLoad.Result[rounds];
        double waited = 0;
        for (int r = 0; r < rounds; r++) {
          waited += cpu.awaitQuiet(QUIET_WAIT_SECONDS);
          step("round " + (r + 1) + ": baseline, two inserts in one transaction");
          CpuAccounting.Snapshot phase = cpu.snapshot();
          bares[r] = ClosedLoad.run(bareContext, concurrency, Long.MAX_VALUE, measured, bare);
          row(report, r + 1, "baseline: two-insert transaction", bares[r], pending(db),
              cpu.since(phase));
          waited += cpu.awaitQuiet(QUIET_WAIT_SECONDS);
          step("round " + (r + 1) + ": POST /v1/conversations/{id}/messages");
          phase = cpu.snapshot();
          apis[r] = ClosedLoad.run(apiContext, concurrency, Long.MAX_VALUE, measured, api);
          row(report, r + 1, "`POST /v1/conversations/{id}/messages`", apis[r], pending(db),
              cpu.since(phase));
        }
        summary(report, bares, apis, waited);
        Blocking.await(http.close(), Duration.ofSeconds(10));
        Blocking.await(pool.close(), Duration.ofSeconds(10));
      }
    }
    report.write(results);
  }

  private static String conversation(int conversations) {
    return "c-" + ThreadLocalRandom.current().nextInt(conversations);
  }

  /** Events the relay has not published yet: whether it kept up with the writers. */
  private static long pending(DatabaseUrl db) throws Exception {
    try (Connection c = BenchServers.connect(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT count(*) FROM outbox_messages WHERE status = 'pending'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void row(SuiteReport report, int round, String path, ClosedLoad.Result r,
      long pending, CpuAccounting.Usage usage) {
    report.line("| %d | %s | %,.0f | %.2f | %.2f | %.2f | %d%s | %,d | %.0f%% |", round, path,
        r.perSecond(), r.meanMs(), r.percentileMs(50), r.percentileMs(99), r.failed(),
        r.firstFailure() == null ? "" : " (" + r.firstFailure() + ")", pending,
        100 * usage.others());
  }

  private static void summary(SuiteReport report, ClosedLoad.Result[] bares,
      ClosedLoad.Result[] apis, double waited) {
    double bRate = mean(bares, ClosedLoad.Result::perSecond);
    double aRate = mean(apis, ClosedLoad.Result::perSecond);
    double bP50 = mean(bares, x -> x.percentileMs(50));
    double aP50 = mean(apis, x -> x.percentileMs(50));
    double bP99 = mean(bares, x -> x.percentileMs(99));
    double aP99 = mean(apis, x -> x.percentileMs(99));
    report.line("");
    report.line("| mean of rounds | baseline | API | ratio API / baseline |");
    report.line("| --- | ---: | ---: | ---: |");
    report.line("| requests/s | %,.0f | %,.0f | **%.2f** |", bRate, aRate, aRate / bRate);
    report.line("| p50 ms | %.2f | %.2f | %.2f |", bP50, aP50, aP50 / bP50);
    report.line("| p99 ms | %.2f | %.2f | %.2f |", bP99, aP99, aP99 / bP99);
    report.line("");
    report.line("Goal: API throughput at least 75%% of the baseline's: %s (%.2f). Waited %.0f s"
        + " in all for other load to drop under 5%%.", aRate / bRate >= 0.75 ? "met" : "missed",
        aRate / bRate, waited);
  }

  private static double mean(ClosedLoad.Result[] results,
      java.util.function.ToDoubleFunction<ClosedLoad.Result> f) {
    double sum = 0;
    for (ClosedLoad.Result r : results) {
      sum += f.applyAsDouble(r);
    }
    return sum / results.length;
  }
}
