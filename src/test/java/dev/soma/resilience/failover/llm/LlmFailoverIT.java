package dev.soma.resilience.failover.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.testing.AnthropicDouble;
import dev.soma.resilience.testing.ManualClock;
import dev.soma.resilience.testing.OpenAiDouble;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The failover verticle over the event bus, against real HTTP doubles of OpenAI (primary of {@code
 * chat}), Anthropic and OpenRouter; DeepSeek has no key, so it is "not configured".
 */
class LlmFailoverIT {

  private final Vertx vertx = Vertx.vertx();
  private final OpenAiDouble openai = new OpenAiDouble(vertx);
  private final AnthropicDouble anthropic = new AnthropicDouble(vertx);
  private final OpenAiDouble openrouter = new OpenAiDouble(vertx, "openrouter");
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @AfterEach
  void close() throws Exception {
    Blocking.await(vertx.close(), Duration.ofSeconds(10));
  }

  @Test
  void aHealthyPrimaryServesAndTheReplySaysWhichProviderAndModel() throws Exception {
    deploy(Clock.systemUTC(), Map.of());

    LlmReply reply = complete(request("chat"));

    assertThat(reply.provider()).isEqualTo("openai");
    assertThat(reply.model()).isEqualTo("gpt-4o");
    assertThat(reply.content()).isEqualTo("Hello from openai");
    assertThat(reply.finishReason()).isEqualTo("stop");
    assertThat(reply.failovers()).isEmpty();
    assertThat(anthropic.requests()).isEmpty();
  }

  @Test
  void aPrimaryAnswering5xxFailsOverTransparentlyAndCountsTheFailover() throws Exception {
    deploy(Clock.systemUTC(), Map.of());
    openai.failWith(500);

    LlmReply reply = complete(request("chat"));

    assertThat(reply.provider()).isEqualTo("anthropic");
    assertThat(reply.model()).isEqualTo("claude-3-5-sonnet");
    assertThat(reply.content()).isEqualTo("Hello from anthropic");
    assertThat(reply.failovers())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.from()).isEqualTo("openai:gpt-4o");
              assertThat(f.to()).isEqualTo("anthropic:claude-3-5-sonnet");
              assertThat(f.reason()).contains("HTTP 500");
            });
    assertThat(failoverCount("openai", "anthropic")).isEqualTo(1.0);
  }

  @Test
  void aPrimaryThatRefusesConnectionsFailsOver() throws Exception {
    deploy(Clock.systemUTC(), Map.of());
    openai.down();

    assertThat(complete(request("chat")).provider()).isEqualTo("anthropic");
  }

  @Test
  void aPrimaryTooSlowToAnswerFailsOverWithinTheAttemptsTime() throws Exception {
    deploy(Clock.systemUTC(), Map.of());
    openai.slowFirstByte(Duration.ofSeconds(5));

    LlmReply reply = complete(request("chat"));

    assertThat(reply.provider()).isEqualTo("anthropic");
    assertThat(reply.failovers().get(0).reason()).isEqualTo("timeout");
  }

  @Test
  void aMalformedAnswerFailsOverAndTheChainGoesOnToItsLastLink() throws Exception {
    deploy(Clock.systemUTC(), Map.of());
    openai.malformed();
    anthropic.failWith(529);

    LlmReply reply = complete(request("chat"));

    assertThat(reply.provider()).isEqualTo("openrouter");
    assertThat(reply.model()).isEqualTo("qwen/qwen-2.5-72b-instruct");
    assertThat(reply.failovers())
        .extracting(Failover::reason)
        .containsExactly("malformed answer", "provider error (HTTP 529)");
    assertThat(failoverCount("anthropic", "openrouter")).isEqualTo(1.0);
  }

  @Test
  void aRequestTheProviderCallsWrongFailsWith400AndNeverFailsOver() throws Exception {
    deploy(Clock.systemUTC(), Map.of());
    openai.failWith(400);

    LlmError error = failure(request("chat"));

    assertThat(error.status()).isEqualTo(400);
    assertThat(error.message()).contains("openai double says 400");
    assertThat(anthropic.requests()).isEmpty();
  }

  @Test
  void aProviderWithoutACredentialIsSkippedNotFailed() throws Exception {
    deploy(Clock.systemUTC(), Map.of("SA01_LLM_OPENAI_API_KEY", ""));

    LlmReply reply = complete(request("chat"));

    assertThat(reply.provider()).isEqualTo("anthropic");
    assertThat(reply.failovers()).isEmpty();
    assertThat(openai.requests()).isEmpty();
    assertThat(meters.find("llm.failover.count").counters()).isEmpty();
  }

  @Test
  void aChainWithNoConfiguredProviderFailsWith501AndNoRetryAfter() throws Exception {
    deploy(Clock.systemUTC(), Map.of("SA01_LLM_CHAINS_CODING", "deepseek:deepseek-coder"));

    LlmError error = failure(request("coding"));

    // not 503: no retry helps until an operator configures a provider
    assertThat(error.status()).isEqualTo(501);
    assertThat(error.message()).contains("no provider").contains("configured");
    assertThat(error.retryAfterMs()).isEmpty();
  }

  @Test
  void malformedRequestsAndUnknownUseCasesAre400() throws Exception {
    deploy(Clock.systemUTC(), Map.of());

    assertThat(failure(new JsonObject().put("useCase", "chat").put("tenant", "t1")).status())
        .isEqualTo(400);
    assertThat(failure(request("poetry")).message()).contains("unknown use case 'poetry'");
  }

  @Test
  void aRateLimitedProviderIsNotCalledAgainBeforeItsRetryAfter() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    deploy(clock, Map.of());
    openai.rateLimited(30);

    assertThat(complete(request("chat")).provider()).isEqualTo("anthropic");
    openai.healthy();
    clock.advance(Duration.ofSeconds(29));
    LlmReply held = complete(request("chat"));
    assertThat(held.provider()).isEqualTo("anthropic");
    assertThat(held.failovers().get(0).reason()).startsWith("rate limited, retry after 1000 ms");
    assertThat(openai.requests()).hasSize(1);

    clock.advance(Duration.ofSeconds(1));
    assertThat(complete(request("chat")).provider()).isEqualTo("openai");
  }

  @Test
  void whenEveryLinkIsOpenAndNoneRecoversWithinTheDeadlineItFailsWith503AndRetryAfter()
      throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    deploy(
        clock,
        Map.of("SA01_LLM_BREAKER_FAILURE_THRESHOLD", "1", "SA01_LLM_BREAKER_RESET_MS", "60000"));
    openai.failWith(500);
    anthropic.failWith(500);
    openrouter.failWith(500);
    assertThat(failure(request("chat")).message()).contains("failed");
    clock.advance(Duration.ofSeconds(10));

    LlmError error = failure(request("chat").withDeadlineMs(5_000));

    assertThat(error.status()).isEqualTo(503);
    assertThat(error.message()).contains("unavailable");
    assertThat(error.retryAfterMs()).contains(50_000L);
    assertThat(openai.requests()).hasSize(1);
  }

  @Test
  void whenEveryLinkIsOpenTheOneRecoveringSoonestIsTriedIfItFitsTheDeadline() throws Exception {
    deploy(
        Clock.systemUTC(),
        Map.of("SA01_LLM_BREAKER_FAILURE_THRESHOLD", "1", "SA01_LLM_BREAKER_RESET_MS", "400"));
    openai.failWith(500);
    anthropic.failWith(500);
    openrouter.failWith(500);
    assertThat(failure(request("chat")).status()).isEqualTo(503);
    openai.healthy();
    anthropic.healthy();
    openrouter.healthy();

    LlmReply reply = complete(request("chat").withDeadlineMs(5_000));

    assertThat(reply.provider()).as("opened first, so due first").isEqualTo("openai");
    assertThat(openai.requests()).hasSize(2);
    assertThat(anthropic.requests()).hasSize(1);
  }

  @Test
  void aRecoveredPrimaryGetsItsTrafficBackAfterTheResetTimeout() throws Exception {
    deploy(Clock.systemUTC(), Map.of("SA01_LLM_BREAKER_RESET_MS", "500"));
    openai.down();
    for (int i = 0; i < 3; i++) {
      assertThat(complete(request("chat")).provider()).isEqualTo("anthropic");
    }
    LlmReply whileOpen = complete(request("chat"));
    assertThat(whileOpen.provider()).isEqualTo("anthropic");
    assertThat(whileOpen.failovers().get(0).reason()).isEqualTo("circuit open");

    openai.up();

    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(complete(request("chat")).provider()).isEqualTo("openai"));
    assertThat(complete(request("chat")).failovers()).isEmpty();
  }

  @Test
  void everyProviderCallIsReportedToTheDegradationMonitor() throws Exception {
    deploy(Clock.systemUTC(), Map.of());
    List<JsonObject> outcomes = new CopyOnWriteArrayList<>();
    Blocking.await(
        vertx
            .eventBus()
            .<JsonObject>consumer(
                dev.soma.resilience.degradation.DegradationAddresses.CALL_OUTCOME,
                m -> outcomes.add(m.body()))
            .completion(),
        Duration.ofSeconds(5));
    openai.failWith(503);

    complete(request("chat"));

    await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.size() == 2);
    assertThat(outcomes.get(0).getString("dependency")).isEqualTo("llm.openai");
    assertThat(outcomes.get(0).getBoolean("ok")).isFalse();
    assertThat(outcomes.get(0).getString("tenant")).isEqualTo("t1");
    assertThat(outcomes.get(0).getString("error")).contains("HTTP 503");
    assertThat(outcomes.get(1).getString("dependency")).isEqualTo("llm.anthropic");
    assertThat(outcomes.get(1).getBoolean("ok")).isTrue();
    assertThat(outcomes.get(1).getLong("latencyMs")).isNotNegative();
  }

  // --- streaming ---

  @Test
  void aStreamDeliversTokensThenAnEndSayingWhoServedIt() throws Exception {
    deploy(Clock.systemUTC(), Map.of());

    List<LlmStreamEvent> events = stream(request("chat"));

    assertThat(tokens(events)).containsExactly("Hello", " from", " openai");
    LlmStreamEvent end = events.get(events.size() - 1);
    assertThat(end.type()).isEqualTo("end");
    assertThat(end.reply().orElseThrow().provider()).isEqualTo("openai");
    assertThat(end.reply().orElseThrow().content()).isEqualTo("Hello from openai");
  }

  @Test
  void aStreamCutBeforeItsFirstTokenFailsOverUnnoticed() throws Exception {
    deploy(Clock.systemUTC(), Map.of());
    openai.cutAfterTokens(0);

    List<LlmStreamEvent> events = stream(request("chat"));

    assertThat(tokens(events)).containsExactly("Hello", " from", " anthropic");
    LlmStreamEvent end = events.get(events.size() - 1);
    assertThat(end.type()).isEqualTo("end");
    assertThat(end.reply().orElseThrow().failovers())
        .extracting(Failover::reason)
        .containsExactly("stream cut off");
    assertThat(streamsCut("chat")).isZero();
    assertThat(failoverCount("openai", "anthropic")).isEqualTo(1.0);
  }

  @Test
  void aStreamWithoutAFirstTokenInTimeFailsOver() throws Exception {
    deploy(Clock.systemUTC(), Map.of());
    openai.slowFirstByte(Duration.ofSeconds(5));

    List<LlmStreamEvent> events = stream(request("chat"));

    assertThat(events.get(events.size() - 1).reply().orElseThrow().provider())
        .isEqualTo("anthropic");
  }

  @Test
  void aStreamCutAfterItsFirstTokenEndsWithAPartialErrorAndNoFailover() throws Exception {
    deploy(Clock.systemUTC(), Map.of());
    openai.cutAfterTokens(2);

    List<LlmStreamEvent> events = stream(request("chat"));

    assertThat(tokens(events)).containsExactly("Hello", " from");
    LlmStreamEvent last = events.get(events.size() - 1);
    assertThat(last.type()).isEqualTo("error");
    assertThat(last.partial()).isTrue();
    assertThat(last.error().orElseThrow().status()).isEqualTo(502);
    assertThat(last.error().orElseThrow().message()).contains("stream cut off", "openai:gpt-4o");
    assertThat(anthropic.requests()).isEmpty();
    assertThat(streamsCut("chat")).isEqualTo(1.0);
  }

  @Test
  void aStreamStallingBetweenTokensEndsWithAPartialError() throws Exception {
    deploy(Clock.systemUTC(), Map.of());
    openai.slowBetweenTokens(Duration.ofSeconds(5));

    List<LlmStreamEvent> events = stream(request("chat"));

    assertThat(tokens(events)).containsExactly("Hello");
    assertThat(events.get(events.size() - 1).partial()).isTrue();
    assertThat(anthropic.requests()).isEmpty();
  }

  @Test
  void aStreamThatCannotStartAnywhereEndsWithANonPartialError() throws Exception {
    deploy(Clock.systemUTC(), Map.of());
    openai.failWith(500);
    anthropic.failWith(500);
    openrouter.down();

    List<LlmStreamEvent> events = stream(request("chat"));

    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo("error");
              assertThat(e.partial()).isFalse();
              assertThat(e.error().orElseThrow().status()).isEqualTo(503);
              assertThat(e.error().orElseThrow().failovers()).hasSize(2);
            });
  }

  @Test
  void aStreamRequestWithoutReplyToIsRefused() throws Exception {
    deploy(Clock.systemUTC(), Map.of());

    assertThatThrownBy(
            () ->
                Blocking.await(
                    vertx
                        .eventBus()
                        .request(
                            FailoverAddresses.LLM_STREAM,
                            request("chat").toJson(),
                            new DeliveryOptions().setSendTimeout(5_000)),
                    Duration.ofSeconds(10)))
        .satisfies(e -> assertThat(LlmError.from(e).orElseThrow().status()).isEqualTo(400));
  }

  // --- helpers ---

  private void deploy(Clock clock, Map<String, String> overrides) throws Exception {
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "SA01_LLM_OPENAI_BASE_URL", openai.baseUrl(),
                "SA01_LLM_OPENAI_API_KEY", "sk-openai-test",
                "SA01_LLM_ANTHROPIC_BASE_URL", anthropic.baseUrl(),
                "SA01_LLM_ANTHROPIC_API_KEY", "sk-ant-test",
                "SA01_LLM_OPENROUTER_BASE_URL", openrouter.baseUrl(),
                "SA01_LLM_OPENROUTER_API_KEY", "sk-or-test",
                "SA01_LLM_REQUEST_TIMEOUT_MS", "1000",
                "SA01_LLM_FIRST_TOKEN_TIMEOUT_MS", "500",
                "SA01_LLM_BETWEEN_TOKENS_TIMEOUT_MS", "500"));
    env.putAll(overrides);
    var config = ServiceConfig.load(env).llm();
    Blocking.await(
        vertx.deployVerticle(new LlmFailoverVerticle(config, meters, clock, new BreakerPanel())),
        Duration.ofSeconds(10));
  }

  private static LlmRequest request(String useCase) {
    return LlmRequest.of(useCase, "t1", List.of(new LlmRequest.Message("user", "hi")));
  }

  private LlmReply complete(LlmRequest request) throws Exception {
    return LlmReply.fromJson(
        Blocking.await(
                vertx
                    .eventBus()
                    .<JsonObject>request(
                        FailoverAddresses.LLM_COMPLETE,
                        request.toJson(),
                        new DeliveryOptions().setSendTimeout(15_000)),
                Duration.ofSeconds(20))
            .body());
  }

  private LlmError failure(LlmRequest request) {
    return failure(request.toJson());
  }

  private LlmError failure(JsonObject request) {
    var holder = new ArrayList<LlmError>();
    assertThatThrownBy(
            () ->
                Blocking.await(
                    vertx
                        .eventBus()
                        .request(
                            FailoverAddresses.LLM_COMPLETE,
                            request,
                            new DeliveryOptions().setSendTimeout(15_000)),
                    Duration.ofSeconds(20)))
        .satisfies(e -> holder.add(LlmError.from(e).orElseThrow()));
    return holder.get(0);
  }

  /** Opens a stream and collects its events up to the last one. */
  private List<LlmStreamEvent> stream(LlmRequest request) throws Exception {
    String address = "test.stream." + UUID.randomUUID();
    List<LlmStreamEvent> events = new CopyOnWriteArrayList<>();
    Promise<Void> ended = Promise.promise();
    MessageConsumer<JsonObject> consumer =
        vertx
            .eventBus()
            .consumer(
                address,
                m -> {
                  LlmStreamEvent event = LlmStreamEvent.fromJson(m.body());
                  events.add(event);
                  if (event.last()) {
                    ended.tryComplete();
                  }
                });
    Blocking.await(consumer.completion(), Duration.ofSeconds(5));
    JsonObject ack =
        Blocking.await(
                vertx
                    .eventBus()
                    .<JsonObject>request(
                        FailoverAddresses.LLM_STREAM,
                        request.withReplyTo(address).toJson(),
                        new DeliveryOptions().setSendTimeout(5_000)),
                Duration.ofSeconds(10))
            .body();
    assertThat(ack.getBoolean("accepted")).isTrue();
    Blocking.await(ended.future(), Duration.ofSeconds(20));
    return events;
  }

  private static List<String> tokens(List<LlmStreamEvent> events) {
    return events.stream()
        .filter(e -> e.type().equals("token"))
        .map(e -> e.text().orElseThrow())
        .toList();
  }

  private double streamsCut(String useCase) {
    Counter counter = meters.find("llm.streams.cut").tag("use_case", useCase).counter();
    return counter == null ? 0 : counter.count();
  }

  private double failoverCount(String from, String to) {
    Counter counter =
        meters
            .find("llm.failover.count")
            .tag("from_provider", from)
            .tag("to_provider", to)
            .counter();
    return counter == null ? 0 : counter.count();
  }
}
