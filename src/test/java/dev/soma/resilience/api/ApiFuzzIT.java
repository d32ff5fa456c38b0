package dev.soma.resilience.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.tenant.Tenants;
import dev.soma.resilience.testing.OpenAiDouble;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * At least 10,000 malformed requests, drawn from one seed, across every operation of
 * docs/openapi.yaml ({@link FuzzRequests}): never a 5xx, every error problem+json, no stack trace
 * in the log, and nothing written (the fuzz tenant, which only ever sends malformed requests, has
 * no rows anywhere, and no tenant or key appeared). The seed is printed; replay a failure with
 * {@code -Dfuzz.seed=<seed>}.
 */
@ExtendWith(TestServices.class)
class ApiFuzzIT {

  private static final long SEED = Long.getLong("fuzz.seed", 20261206L);
  private static final int REQUESTS = Integer.getInteger("fuzz.requests", 10_000);
  private static final int CONCURRENCY = 24;
  private static final String ADMIN = "admin-token-for-fuzzing-0123456789";
  private static final List<String> TENANT_TABLES =
      List.of(
          "outbox_messages",
          "dead_letter_messages",
          "idempotency_records",
          "conversation_messages",
          "tool_executions",
          "upload_completions",
          "pending_memories",
          "api_keys");

  /** Kinds whose every request the document itself says is invalid: none may be accepted. */
  private static final Set<String> DOCUMENT_REFUSES = Set.of("bad-json", "wrong-type");

  private static final Vertx clients = Vertx.vertx();
  private static OpenAiDouble openai;
  private static Application app;
  private static String key;
  private static HttpClient http;
  private static NetClient net;

  @BeforeAll
  static void start() throws Exception {
    openai = new OpenAiDouble(clients);
    ServiceConfig config =
        OutboxFixture.config(
            Map.ofEntries(
                Map.entry(
                    "SA01_DATABASE_URL",
                    TestServices.databaseUrlSetting(TestServices.freshDatabase())),
                Map.entry("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap()),
                Map.entry("SA01_REDIS_URL", TestServices.redis().toString()),
                Map.entry("SA01_HTTP_PORT", "0"),
                Map.entry("SA01_DATA_DIR", TestServices.tempDir("fuzz").toString()),
                Map.entry("SA01_ADMIN_TOKEN", ADMIN),
                Map.entry("SA01_LLM_OPENAI_BASE_URL", openai.baseUrl()),
                Map.entry("SA01_LLM_OPENAI_API_KEY", "sk-openai-test"),
                Map.entry("SA01_LLM_ANTHROPIC_API_KEY", ""),
                Map.entry("SA01_LLM_OPENROUTER_API_KEY", ""),
                Map.entry("SA01_LLM_REQUEST_TIMEOUT_MS", "3000"),
                Map.entry("SA01_AUDIO_TIMEOUT_MS", "1000"),
                Map.entry("SA01_API_RATE_LIMIT_PER_SECOND", "100000"),
                Map.entry("SA01_API_RATE_LIMIT_BURST", "100000")));
    app = Application.start(config, Application.Role.SERVICE);
    Tenants tenants = new Tenants(app.pool());
    Blocking.await(tenants.create("fuzz", null, "test"), Duration.ofSeconds(10));
    key =
        Blocking.await(tenants.createKey("fuzz", "fuzz", "test"), Duration.ofSeconds(10))
            .getString("apiKey");
    http =
        clients.createHttpClient(
            new HttpClientOptions()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(app.httpPort())
                .setKeepAlive(true)
                .setIdleTimeout(30),
            new PoolOptions().setHttp1MaxSize(CONCURRENCY));
    net = clients.createNetClient(new NetClientOptions().setConnectTimeout(5000));
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    Blocking.await(clients.close(), Duration.ofSeconds(10));
  }

  @Test
  void malformedRequestsAcrossTheDocumentGetAClearRefusalAndWriteNothing() throws Exception {
    System.out.printf(
        "ApiFuzzIT: seed %d, %d requests (replay with -Dfuzz.seed=%d)%n", SEED, REQUESTS, SEED);
    OpenApiDocument document = OpenApiDocument.load(app.vertx());
    List<FuzzCase> cases = new FuzzRequests(SEED, document, key, ADMIN).generate(REQUESTS);
    Map<String, Long> before = writes();
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    log.start();
    root.addAppender(log);
    long started = System.nanoTime();
    List<String> failures;
    try {
      failures = run(cases);
    } finally {
      root.detachAppender(log);
    }
    System.out.printf(
        "ApiFuzzIT: %d requests in %d ms%n",
        cases.size(), (System.nanoTime() - started) / 1_000_000);

    List<String> stackTraces =
        log.list.stream()
            .filter(
                e -> e.getLevel().isGreaterOrEqual(Level.ERROR) && e.getThrowableProxy() != null)
            .map(
                e ->
                    e.getLoggerName()
                        + ": "
                        + e.getFormattedMessage()
                        + " / "
                        + e.getThrowableProxy().getClassName()
                        + ": "
                        + e.getThrowableProxy().getMessage())
            .distinct()
            .limit(10)
            .toList();
    SoftAssertions.assertSoftly(
        soft -> {
          soft.assertThat(failures).as("requests answered wrongly (seed %d)", SEED).isEmpty();
          soft.assertThat(stackTraces)
              .as("ERROR events with a stack trace (seed %d)", SEED)
              .isEmpty();
          soft.assertThat(writes())
              .as("rows of the fuzz tenant, tenants, keys (seed %d)", SEED)
              .isEqualTo(before);
        });
    assertThat(before.get("fuzz outbox_messages")).isZero();
  }

  /** Sends every case, CONCURRENCY at a time; returns what went wrong, grouped by kind. */
  private static List<String> run(List<FuzzCase> cases) throws Exception {
    AtomicInteger next = new AtomicInteger();
    Map<String, ConcurrentLinkedQueue<String>> wrong = new ConcurrentHashMap<>();
    Map<String, Map<Integer, AtomicInteger>> statuses = new ConcurrentHashMap<>();
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < CONCURRENCY; w++) {
      Promise<Void> done = Promise.promise();
      worker(cases, next, wrong, statuses, done);
      workers.add(done.future());
    }
    Blocking.await(Future.all(workers), Duration.ofMinutes(5));
    statuses.forEach(
        (kind, counts) -> System.out.printf("ApiFuzzIT: %-20s %s%n", kind, new TreeMap<>(counts)));
    List<String> failures = new ArrayList<>();
    wrong.forEach(
        (kind, list) -> {
          failures.add(kind + ": " + list.size() + " wrong, e.g.");
          list.stream().limit(3).forEach(f -> failures.add("    " + f));
        });
    return failures;
  }

  /** Sends the next case, then the one after, until none is left; completes {@code done}. */
  private static void worker(
      List<FuzzCase> cases,
      AtomicInteger next,
      Map<String, ConcurrentLinkedQueue<String>> wrong,
      Map<String, Map<Integer, AtomicInteger>> statuses,
      Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= cases.size()) {
      done.complete();
      return;
    }
    FuzzCase c = cases.get(i);
    send(c)
        .onComplete(
            ar -> {
              Answer answer = ar.succeeded() ? ar.result() : Answer.none(ar.cause());
              statuses
                  .computeIfAbsent(c.kind(), k -> new ConcurrentHashMap<>())
                  .computeIfAbsent(answer.status(), s -> new AtomicInteger())
                  .incrementAndGet();
              String problem = answer.problem();
              if (problem == null && DOCUMENT_REFUSES.contains(c.kind()) && answer.status() < 300) {
                problem = "accepted what the document refuses: " + answer.status();
              }
              if (problem != null) {
                wrong
                    .computeIfAbsent(
                        problem.split(":")[0] + " (" + c.kind() + ")",
                        k -> new ConcurrentLinkedQueue<>())
                    .add(c.describe() + " -> " + answer.summary());
              }
              worker(cases, next, wrong, statuses, done);
            });
  }

  private static Future<Answer> send(FuzzCase c) {
    if (c.raw() != null) {
      return RawExchange.send(clients, net, app.httpPort(), c.raw()).map(Answer::of);
    }
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(c.method()))
            .setURI(c.uri())
            .setTimeout(15_000);
    c.headers().forEach(h -> options.addHeader(h.getKey(), h.getValue()));
    return http.request(options)
        .compose(req -> c.body() == null ? req.send() : req.send(c.body()))
        .compose(
            response ->
                response
                    .body()
                    .map(
                        body ->
                            new Answer(
                                response.statusCode(),
                                response.getHeader("Content-Type"),
                                body.toString(),
                                null)));
  }

  /** Row counts of every business table for the fuzz tenant, and of all tenants and keys. */
  private static Map<String, Long> writes() {
    Map<String, Long> counts = new TreeMap<>();
    for (String table : TENANT_TABLES) {
      counts.put(
          "fuzz " + table,
          count("SELECT count(*) FROM " + table + " WHERE tenant_id = $1", "fuzz")
              - (table.equals("api_keys") ? 1 : 0));
    }
    counts.put("all tenants", count("SELECT count(*) FROM tenants"));
    counts.put("all api_keys", count("SELECT count(*) FROM api_keys"));
    return counts;
  }

  private static long count(String sql, Object... params) {
    try {
      return Blocking.await(
          app.pool()
              .preparedQuery(sql)
              .execute(Tuple.from(params))
              .map(rows -> rows.iterator().next().getLong(0)),
          Duration.ofSeconds(10));
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** What came back, and what is wrong with it (null: nothing). */
  record Answer(int status, String contentType, String body, Throwable failure) {

    static Answer none(Throwable failure) {
      return new Answer(0, null, null, failure);
    }

    static Answer of(RawExchange.Response raw) {
      return new Answer(raw.status(), raw.header("content-type"), raw.body(), null);
    }

    String problem() {
      if (status == 0) {
        return "no answer: " + failure;
      }
      if (status >= 500) {
        return "5xx: " + status;
      }
      if (status == 101) {
        return "upgraded: a broken upgrade was accepted";
      }
      if (status < 400) {
        return null;
      }
      if (contentType == null || !contentType.startsWith("application/problem+json")) {
        return "not problem+json: " + status + " " + contentType;
      }
      try {
        io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject(body);
        if (!Integer.valueOf(status).equals(json.getInteger("status"))
            || json.getString("title") == null
            || json.getString("title").isBlank()) {
          return "problem without status/title: " + body;
        }
      } catch (RuntimeException e) {
        return "problem body not JSON: " + body;
      }
      return null;
    }

    String summary() {
      if (status == 0) {
        return "no answer (" + failure + ")";
      }
      String text = body == null ? "" : body.length() > 160 ? body.substring(0, 160) + "..." : body;
      return status + " " + contentType + " " + text.replace("\n", "\\n");
    }
  }
}
