package dev.soma.resilience.failover.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.testing.AnthropicDouble;
import dev.soma.resilience.testing.OpenAiDouble;
import dev.soma.resilience.testing.ProviderDouble;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When links are open: a request never waits longer than {@code llm.maxRecoveryWaitMs} for one to
 * recover, and an open provider is probed with a model listing (never a completion) so a recovered
 * primary gets its traffic back within a probe interval, long before its breaker's reset (60 s
 * here). The time bounds are loose on purpose: these test the behaviour, not its speed.
 */
class LlmRecoveryIT {

  private static final Duration LOOSE_BOUND = Duration.ofSeconds(10);

  private final Vertx vertx = Vertx.vertx();
  private final OpenAiDouble openai = new OpenAiDouble(vertx);
  private final AnthropicDouble anthropic = new AnthropicDouble(vertx);
  private final OpenAiDouble openrouter = new OpenAiDouble(vertx, "openrouter");

  @AfterEach
  void close() throws Exception {
    Blocking.await(vertx.close(), Duration.ofSeconds(10));
  }

  @Test
  void withEveryLinkOpenAWholeRequestAnswers503WithRetryAfterWithinTheWaitLimit() throws Exception {
    openEveryLink();

    long started = System.nanoTime();
    LlmError error =
        LlmError.from(Blocking.await(attempt(request()), LOOSE_BOUND).cause()).orElseThrow();

    assertThat(elapsed(started)).isLessThan(LOOSE_BOUND);
    assertThat(error.status()).isEqualTo(503);
    assertThat(error.retryAfterMs()).hasValueSatisfying(ms -> assertThat(ms).isGreaterThan(50_000));
  }

  @Test
  void withEveryLinkOpenAStreamEndsWithA503ErrorEventWithinTheWaitLimit() throws Exception {
    openEveryLink();

    long started = System.nanoTime();
    LlmStreamEvent last = stream(request());

    assertThat(elapsed(started)).isLessThan(LOOSE_BOUND);
    assertThat(last.type()).isEqualTo("error");
    assertThat(last.partial()).isFalse();
    assertThat(last.error().orElseThrow().status()).isEqualTo(503);
    assertThat(last.error().orElseThrow().retryAfterMs()).isPresent();
  }

  @Test
  void withEveryLinkOpenFiveConcurrentRequestsEachAnswer503WithinTheWaitLimit() throws Exception {
    openEveryLink();

    long started = System.nanoTime();
    List<Future<AsyncResult<Message<Object>>>> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      calls.add(attempt(request()));
    }
    Blocking.await(Future.all(calls), LOOSE_BOUND);

    assertThat(elapsed(started)).isLessThan(LOOSE_BOUND);
    assertThat(calls)
        .allSatisfy(
            call -> {
              LlmError error = LlmError.from(call.result().cause()).orElseThrow();
              assertThat(error.status()).isEqualTo(503);
              assertThat(error.retryAfterMs()).isPresent();
            });
  }

  @Test
  void aPrimaryBackUpIsFoundByProbingAndServesAgainLongBeforeItsBreakerResets() throws Exception {
    deploy(Map.of("SA01_LLM_PROBE_INTERVAL_MS", "300"));
    openai.down();
    assertThat(complete(request()).provider()).isEqualTo("anthropic");
    assertThat(complete(request()).failovers().get(0).reason()).isEqualTo("circuit open");

    openai.up();
    AtomicInteger servedByOpenai = new AtomicInteger();
    await()
        .atMost(LOOSE_BOUND)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              boolean primary = complete(request()).provider().equals("openai");
              servedByOpenai.addAndGet(primary ? 1 : 0);
              return primary;
            });

    assertThat(complete(request()).failovers()).isEmpty();
    assertThat(openai.modelListings()).isNotEmpty();
    assertThat(openai.requests())
        .as("every completion the primary got was a request of this test, none a probe")
        .hasSize(servedByOpenai.get() + 1)
        .allSatisfy(r -> assertThat(r.path()).isEqualTo("/v1/chat/completions"));
  }

  @Test
  void aFailedProbeKeepsTheProviderOpenAndSendsItNoCompletion() throws Exception {
    deploy(Map.of("SA01_LLM_PROBE_INTERVAL_MS", "200"));
    openai.failWith(503);
    assertThat(complete(request()).provider()).isEqualTo("anthropic");

    await().atMost(LOOSE_BOUND).until(() -> openai.modelListings().size() >= 2);
    LlmReply whileFailing = complete(request());

    assertThat(whileFailing.provider()).isEqualTo("anthropic");
    assertThat(whileFailing.failovers().get(0).reason()).isEqualTo("circuit open");
    assertThat(openai.requests()).as("only the first, failed completion").hasSize(1);
    assertThat(openai.modelListings())
        .allSatisfy(r -> assertThat(r.path()).isEqualTo(ProviderDouble.MODELS_PATH));

    openai.healthy();
    await()
        .atMost(LOOSE_BOUND)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> complete(request()).provider().equals("openai"));
  }

  @Test
  void withProbingOffAnOpenPrimaryIsNeverProbed() throws Exception {
    deploy(Map.of("SA01_LLM_PROBE_INTERVAL_MS", "0"));
    openai.failWith(503);
    assertThat(complete(request()).provider()).isEqualTo("anthropic");
    // an interval's worth of other probes: one enabled would have probed openai by now
    Blocking.await(vertx.timer(600), Duration.ofSeconds(5));

    assertThat(openai.modelListings()).isEmpty();
  }

  // --- helpers ---

  /** Every link fails once and opens (threshold 1, reset 60 s). */
  private void openEveryLink() throws Exception {
    deploy(Map.of("SA01_LLM_MAX_RECOVERY_WAIT_MS", "2000"));
    openai.failWith(500);
    anthropic.failWith(500);
    openrouter.failWith(500);
    LlmError first =
        LlmError.from(Blocking.await(attempt(request()), LOOSE_BOUND).cause()).orElseThrow();
    assertThat(first.status()).isEqualTo(503);
  }

  private void deploy(Map<String, String> overrides) throws Exception {
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
                "SA01_LLM_BREAKER_FAILURE_THRESHOLD", "1",
                "SA01_LLM_BREAKER_RESET_MS", "60000"));
    env.putAll(overrides);
    var config = ServiceConfig.load(env).llm();
    Blocking.await(
        vertx.deployVerticle(
            new LlmFailoverVerticle(
                config, new SimpleMeterRegistry(), Clock.systemUTC(), new BreakerPanel())),
        Duration.ofSeconds(10));
  }

  private static LlmRequest request() {
    return LlmRequest.of("chat", "t1", List.of(new LlmRequest.Message("user", "hi")));
  }

  /** A whole request; its outcome, success or failure (a timeout if the service holds it 15 s). */
  private Future<AsyncResult<Message<Object>>> attempt(LlmRequest request) {
    return vertx
        .eventBus()
        .request(
            FailoverAddresses.LLM_COMPLETE,
            request.toJson(),
            new DeliveryOptions().setSendTimeout(15_000))
        .transform(Future::succeededFuture);
  }

  private LlmReply complete(LlmRequest request) throws Exception {
    var outcome = Blocking.await(attempt(request), Duration.ofSeconds(20));
    assertThat(outcome.succeeded()).as(String.valueOf(outcome.cause())).isTrue();
    return LlmReply.fromJson((JsonObject) outcome.result().body());
  }

  /** Opens a stream and answers its last event. */
  private LlmStreamEvent stream(LlmRequest request) throws Exception {
    String address = "test.stream." + UUID.randomUUID();
    Promise<LlmStreamEvent> last = Promise.promise();
    Blocking.await(
        vertx
            .eventBus()
            .<JsonObject>consumer(
                address,
                m -> {
                  LlmStreamEvent event = LlmStreamEvent.fromJson(m.body());
                  if (event.last()) {
                    last.tryComplete(event);
                  }
                })
            .completion(),
        Duration.ofSeconds(5));
    Blocking.await(
        vertx
            .eventBus()
            .request(
                FailoverAddresses.LLM_STREAM,
                request.withReplyTo(address).toJson(),
                new DeliveryOptions().setSendTimeout(5_000)),
        Duration.ofSeconds(10));
    return Blocking.await(last.future(), Duration.ofSeconds(20));
  }

  private static Duration elapsed(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }
}
