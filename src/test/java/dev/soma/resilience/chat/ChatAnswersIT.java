package dev.soma.resilience.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.testing.AnthropicDouble;
import dev.soma.resilience.testing.OpenAiDouble;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.SomaBrainDouble;
import dev.soma.resilience.testing.TenantKeys;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a chat answer tells its caller: {@code degraded} lists only what is degraded (not the chat
 * that just answered, not what is not configured), and a failed turn says what happened in words,
 * never an exception's text.
 */
@ExtendWith(TestServices.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // healthy first: providers recover by traffic
class ChatAnswersIT {

  private static final HttpClient http = HttpClient.newHttpClient();
  private static final Vertx doubles = Vertx.vertx();
  private static OpenAiDouble openai;
  private static AnthropicDouble anthropic;
  private static SomaBrainDouble brain;
  private static Application app;
  private static String key;

  @BeforeAll
  static void start() throws Exception {
    openai = new OpenAiDouble(doubles);
    anthropic = new AnthropicDouble(doubles);
    brain = SomaBrainDouble.start(doubles, "brain-token");
    ServiceConfig config =
        OutboxFixture.config(
            Map.ofEntries(
                Map.entry(
                    "SA01_DATABASE_URL",
                    TestServices.databaseUrlSetting(TestServices.freshDatabase())),
                Map.entry("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap()),
                Map.entry("SA01_REDIS_URL", TestServices.redis().toString()),
                Map.entry("SA01_HTTP_PORT", "0"),
                Map.entry("SA01_DATA_DIR", TestServices.tempDir("chat-answers").toString()),
                Map.entry("SA01_SOMABRAIN_URL", brain.url()),
                Map.entry("SA01_SOMABRAIN_TOKEN", "brain-token"),
                Map.entry("SA01_DEGRADATION_PROBE_INTERVAL_MS", "300"),
                Map.entry("SA01_LLM_OPENAI_BASE_URL", openai.baseUrl()),
                Map.entry("SA01_LLM_OPENAI_API_KEY", "sk-openai-test"),
                Map.entry("SA01_LLM_ANTHROPIC_BASE_URL", anthropic.baseUrl()),
                Map.entry("SA01_LLM_ANTHROPIC_API_KEY", "sk-ant-test"),
                Map.entry("SA01_LLM_OPENROUTER_API_KEY", ""),
                // a chain of links that are all unconfigured (OpenRouter has no key)
                Map.entry("SA01_LLM_CHAINS_FAST", "openrouter:meta-llama/llama-3.1-8b-instruct"),
                Map.entry("SA01_LLM_REQUEST_TIMEOUT_MS", "3000"),
                Map.entry("SA01_LLM_BREAKER_RESET_MS", "300"),
                Map.entry("SA01_API_RATE_LIMIT_PER_SECOND", "10000"),
                Map.entry("SA01_API_RATE_LIMIT_BURST", "10000")));
    app = Application.start(config, Application.Role.SERVICE);
    key = TenantKeys.create(app.pool(), "answers");
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    brain.close();
    Blocking.await(doubles.close(), Duration.ofSeconds(10));
  }

  @BeforeEach
  void healthy() throws Exception {
    openai.healthy();
    anthropic.healthy();
    brain.up();
  }

  @Test
  @Order(1)
  void aTurnServedWhileEverythingConfiguredIsHealthyListsNothingAsDegraded() throws Exception {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> state("somabrain").equals("healthy") && state("redis").equals("healthy"));

    JsonObject turn =
        new JsonObject(chat("{\"conversationId\":\"h\",\"message\":\"hi\"}", false).body());

    assertThat(turn.getString("provider")).isEqualTo("openai");
    assertThat(turn.getJsonArray("degraded")).as(status().encodePrettily()).isEmpty();
  }

  @Test
  @Order(2)
  void aTurnServedByTheFallbackNamesTheFailedProviderNotChat() throws Exception {
    openai.down();
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                chat("{\"conversationId\":\"fo\",\"message\":\"hi\"}", false);
                return !state("llm.openai").equals("healthy")
                    && !state("llm.openai").equals("unknown");
              });

      JsonObject turn =
          new JsonObject(chat("{\"conversationId\":\"fo\",\"message\":\"again\"}", false).body());

      assertThat(turn.getString("provider")).isEqualTo("anthropic");
      assertThat(turn.getJsonArray("degraded")).contains("llm.openai").doesNotContain("chat");
    } finally {
      openai.up();
    }
  }

  @Test
  @Order(3)
  void aStreamThatBreaksOffSaysWhatHappenedInWordsNotInExceptionText() throws Exception {
    openai.malformedAfterTokens(1);
    anthropic.malformedAfterTokens(1); // whichever link serves (a breaker may still be open)

    String stream =
        chat("{\"conversationId\":\"m\",\"message\":\"hi\",\"stream\":true}", true).body();

    assertThat(stream).contains("event: token").contains("event: error");
    String event = stream.substring(stream.indexOf("event: error"));
    JsonObject error = new JsonObject(event.substring(event.indexOf("data: ") + 6).trim());
    assertThat(error.getBoolean("partial")).isTrue();
    assertThat(error.getString("message"))
        .contains("broke off")
        .doesNotContain("Exception")
        .doesNotContain("io.vertx")
        .doesNotContain("unreadable");
  }

  @Test
  @Order(4)
  void aTurnNoProviderCanAnswerSaysSoInWords() throws Exception {
    openai.malformed();
    anthropic.malformed();

    HttpResponse<String> whole = chat("{\"conversationId\":\"m\",\"message\":\"hi again\"}", false);

    assertThat(whole.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(whole.body()).getString("detail"))
        .isEqualTo("no language model could answer now; retry shortly");
  }

  @Test
  @Order(5)
  void aTurnWhoseChainHasNoProviderConfiguredIs501SayingSoWithoutAskingToRetry() throws Exception {
    HttpResponse<String> whole =
        chat("{\"conversationId\":\"nc\",\"message\":\"hi\",\"useCase\":\"fast\"}", false);

    assertThat(whole.statusCode()).as(whole.body()).isEqualTo(501);
    assertThat(whole.headers().firstValue("Retry-After")).isEmpty();
    JsonObject problem = new JsonObject(whole.body());
    assertThat(problem.getString("type")).isEqualTo("urn:soma:problem:not-configured");
    assertThat(problem.getString("detail"))
        .contains("no language model provider is configured")
        .doesNotContain("retry");

    // a stream has started when the chain is asked: its error event says the same
    String stream =
        chat(
                "{\"conversationId\":\"nc\",\"message\":\"again\",\"useCase\":\"fast\","
                    + "\"stream\":true}",
                true)
            .body();
    assertThat(stream).doesNotContain("event: token");
    String event = stream.substring(stream.indexOf("event: error"));
    JsonObject error = new JsonObject(event.substring(event.indexOf("data: ") + 6).trim());
    assertThat(error.getInteger("status")).isEqualTo(501);
    assertThat(error.getBoolean("partial")).isFalse();
    assertThat(error.containsKey("retryAfterMs")).isFalse();
    assertThat(error.getString("message")).contains("no language model provider is configured");
  }

  private static String state(String service) throws Exception {
    JsonObject services = status().getJsonObject("services");
    JsonObject one = services.getJsonObject(service);
    return one == null ? "absent" : one.getString("state");
  }

  private static JsonObject status() throws Exception {
    return new JsonObject(
        http.send(
                HttpRequest.newBuilder(uri("/v1/status")).GET().build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }

  private static HttpResponse<String> chat(String body, boolean stream) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri("/v1/chat"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .header("X-Request-ID", UUID.randomUUID().toString())
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (stream) {
      request.header("Accept", "text/event-stream");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + app.httpPort() + path);
  }
}
