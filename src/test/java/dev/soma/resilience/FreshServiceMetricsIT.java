package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.memory.Memory;
import dev.soma.resilience.memory.PendingMemories;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.SomaBrainDouble;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a scrape of a service that has done nothing yet finds: every meter OPERATIONS.md documents,
 * with a total series at 0 where the per-tenant (per-topic) ones are still empty; the JVM's meters;
 * and a status that already knows the storage it has.
 */
@ExtendWith(TestServices.class)
class FreshServiceMetricsIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Application app;
  private static String firstScrape;

  @BeforeAll
  static void start() throws Exception {
    // no SomaBrain; two LLM providers with keys (never called): one hop openai -> anthropic
    app = Application.start(OutboxFixture.config(env("fresh")), Application.Role.SERVICE);
    firstScrape = get(app, "/metrics").body();
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void theOutboxPendingGaugeHasATotalAtZeroOnAFreshService() {
    assertThat(firstScrape).contains("outbox_messages_pending{tenant=\"_all\"} 0.0");
  }

  @Test
  void theOldestPendingAgeHasATotalAtZeroOnAFreshService() {
    assertThat(firstScrape).contains("outbox_oldest_pending_age_seconds{tenant=\"_all\"} 0.0");
  }

  @Test
  void theLeaseLostCounterIsAtZeroOnAFreshService() {
    assertThat(firstScrape).contains("outbox_lease_lost_total 0.0");
  }

  @Test
  void thePublishFailureCounterHasEveryKindAtZeroOnAFreshService() {
    assertThat(firstScrape)
        .contains("outbox_publish_failures_total{kind=\"permanent\"} 0.0")
        .contains("outbox_publish_failures_total{kind=\"transient\"} 0.0")
        .contains("outbox_publish_failures_total{kind=\"unavailable\"} 0.0");
  }

  @Test
  void theDeadLetterCounterHasATotalAtZeroOnAFreshService() {
    assertThat(firstScrape).contains("dlq_messages_total{topic=\"_all\"} 0.0");
  }

  @Test
  void theLlmFailoverCounterHasAZeroSeriesForEachConfiguredHopOfEachUseCase() {
    assertThat(firstScrape)
        .contains(
            "llm_failover_count_total{from_provider=\"openai\",to_provider=\"anthropic\","
                + "use_case=\"chat\"} 0.0")
        .contains(
            "llm_failover_count_total{from_provider=\"anthropic\",to_provider=\"openai\","
                + "use_case=\"coding\"} 0.0");
  }

  @Test
  void theCutStreamCounterHasAZeroSeriesForEachUseCase() {
    assertThat(firstScrape)
        .contains("llm_streams_cut_total{use_case=\"chat\"} 0.0")
        .contains("llm_streams_cut_total{use_case=\"coding\"} 0.0");
  }

  @Test
  void theMemoryGaugesAreThereWithoutSomaBrain() {
    assertThat(firstScrape)
        .contains("memory_pending{tenant=\"_all\"} 0.0")
        .contains("memory_sync_lag_seconds 0.0");
  }

  @Test
  void memoriesQueuedWithoutSomaBrainShowInTheGauges() throws Exception {
    Memory memory = new Memory("acme", "wm", "k1", new JsonObject().put("v", 1), new JsonObject());
    Blocking.await(new PendingMemories(app.pool()).enqueue(app.pool(), memory, 10), TIMEOUT);

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              String scrape = get(app, "/metrics").body();
              assertThat(scrape)
                  .contains("memory_pending{tenant=\"acme\"} 1.0")
                  .contains("memory_pending{tenant=\"_all\"} 1.0");
              assertThat(value(scrape, "memory_sync_lag_seconds")).isPositive();
            });
  }

  @Test
  void everyJvmMeterOperationsMdListsIsExposed() throws Exception {
    String operations = Files.readString(Path.of("docs/OPERATIONS.md"));
    Matcher row = Pattern.compile("(?ms)^JVM and process meters[^:]*:(.*?)^$").matcher(operations);
    assertThat(row.find()).as("OPERATIONS.md lists the JVM meters").isTrue();
    List<String> names =
        Pattern.compile("`((?:jvm|process|system)_[a-z_]+)`")
            .matcher(row.group(1))
            .results()
            .map(m -> m.group(1))
            .toList();

    assertThat(names).hasSizeGreaterThanOrEqualTo(10);
    assertThat(names)
        .allSatisfy(name -> assertThat(firstScrape).containsPattern("(?m)^" + name + "[{ ]"));
  }

  @Test
  void uploadsShowsTheLocalStorageStateBeforeTheFirstUpload() {
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              JsonObject services =
                  new JsonObject(get(app, "/v1/status").body()).getJsonObject("services");
              assertThat(services.getJsonObject("uploads").getString("state")).isEqualTo("healthy");
              assertThat(services.getJsonObject("storage.local").getString("state"))
                  .isEqualTo("healthy");
            });
  }

  @Test
  void theBreakerGaugeOfEveryConfiguredLinkIsThereBeforeItsFirstCall() {
    assertThat(firstScrape)
        .contains("circuit_state{service=\"llm.openai\",tenant=\"_all\"} 0.0")
        .contains("circuit_state{service=\"llm.anthropic\",tenant=\"_all\"} 0.0")
        .contains("circuit_state{service=\"storage.local\",tenant=\"_all\"} 0.0")
        .doesNotContain("circuit_state{service=\"storage.s3\"");
  }

  @Test
  void theBreakerGaugeOfAConfiguredSomaBrainIsThereBeforeTheFirstCall() throws Exception {
    Vertx doubles = Vertx.vertx();
    try (SomaBrainDouble brain = SomaBrainDouble.start(doubles, "brain-token")) {
      Map<String, String> env = env("fresh-brain");
      env.put("SA01_SOMABRAIN_URL", brain.url());
      env.put("SA01_SOMABRAIN_TOKEN", "brain-token");
      try (Application withBrain =
          Application.start(OutboxFixture.config(env), Application.Role.SERVICE)) {
        assertThat(get(withBrain, "/metrics").body())
            .contains("circuit_state{service=\"somabrain\",tenant=\"_all\"} 0.0");
      }
    } finally {
      Blocking.await(doubles.close(), TIMEOUT);
    }
  }

  private static double value(String scrape, String series) {
    Matcher line = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
    assertThat(line.find()).as(series).isTrue();
    return Double.parseDouble(line.group(1));
  }

  private static Map<String, String> env(String purpose) {
    Map<String, String> env = new HashMap<>();
    env.put("SA01_DATABASE_URL", TestServices.databaseUrlSetting(TestServices.freshDatabase()));
    env.put("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap());
    env.put("SA01_HTTP_PORT", "0");
    env.put("SA01_DATA_DIR", TestServices.tempDir(purpose).toString());
    env.put("SA01_MEMORY_SYNC_INTERVAL_SECONDS", "1");
    env.put("SA01_LLM_OPENAI_API_KEY", "sk-test-openai");
    env.put("SA01_LLM_ANTHROPIC_API_KEY", "sk-test-anthropic");
    return env;
  }

  private static HttpResponse<String> get(Application target, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.httpPort() + path))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
