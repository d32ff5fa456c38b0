package dev.soma.resilience.failover.llm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.LlmConfig;
import dev.soma.resilience.failover.chain.ProviderFailure;
import dev.soma.resilience.failover.llm.LlmRequest;
import dev.soma.resilience.testing.AnthropicDouble;
import dev.soma.resilience.testing.OpenAiDouble;
import dev.soma.resilience.testing.ProviderDouble;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Both wire formats against their doubles: requests as the providers expect, every fault mapped.
 */
class LlmClientsIT {

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = vertx.createHttpClient();
  private final OpenAiDouble openai = new OpenAiDouble(vertx);
  private final AnthropicDouble anthropic = new AnthropicDouble(vertx);
  private final List<String> tokens = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    Blocking.await(vertx.close(), Duration.ofSeconds(10));
  }

  @Test
  void openAiNonStreamSendsBearerKeyAndTheBodyFieldsAndReadsTheCompletion() throws Exception {
    Completion answer = await(openAiClient(Map.of()).complete(call(Duration.ofSeconds(5))));

    assertThat(answer.content()).isEqualTo("Hello from openai");
    assertThat(answer.model()).isEqualTo("gpt-4o");
    assertThat(answer.finishReason()).isEqualTo("stop");
    assertThat(answer.usage())
        .hasValueSatisfying(u -> assertThat(u.getInteger("total_tokens")).isEqualTo(8));
    ProviderDouble.Received request = openai.requests().get(0);
    assertThat(request.path()).isEqualTo("/v1/chat/completions");
    assertThat(request.headers().get("Authorization")).isEqualTo("Bearer sk-openai-test");
    assertThat(request.body().getString("model")).isEqualTo("gpt-4o");
    assertThat(request.body().getBoolean("stream")).isFalse();
    assertThat(request.body().getInteger("max_tokens")).isEqualTo(64);
    assertThat(request.body().getDouble("temperature")).isEqualTo(0.2);
    assertThat(request.body().getJsonArray("messages"))
        .isEqualTo(
            new JsonArray()
                .add(new JsonObject().put("role", "system").put("content", "be brief"))
                .add(new JsonObject().put("role", "user").put("content", "hi")));
  }

  @Test
  void openRouterGetsItsRefererAndTitleHeaders() throws Exception {
    await(
        openAiClient(Map.of("HTTP-Referer", "https://soma.dev", "X-Title", "Soma"))
            .complete(call(Duration.ofSeconds(5))));

    assertThat(openai.requests().get(0).headers().get("HTTP-Referer"))
        .isEqualTo("https://soma.dev");
    assertThat(openai.requests().get(0).headers().get("X-Title")).isEqualTo("Soma");
  }

  @Test
  void openAiStreamDeliversEachTokenAndCompletesAtDone() throws Exception {
    Completion answer =
        await(openAiClient(Map.of()).stream(call(Duration.ofSeconds(5)), tokens::add));

    assertThat(tokens).containsExactly("Hello", " from", " openai");
    assertThat(answer.content()).isEqualTo("Hello from openai");
    assertThat(openai.requests().get(0).body().getBoolean("stream")).isTrue();
  }

  @Test
  void anthropicNonStreamSendsKeyVersionSystemAndMaxTokens() throws Exception {
    Completion answer = await(anthropicClient().complete(call(Duration.ofSeconds(5))));

    assertThat(answer.content()).isEqualTo("Hello from anthropic");
    assertThat(answer.finishReason()).isEqualTo("end_turn");
    ProviderDouble.Received request = anthropic.requests().get(0);
    assertThat(request.path()).isEqualTo("/v1/messages");
    assertThat(request.headers().get("x-api-key")).isEqualTo("sk-ant-test");
    assertThat(request.headers().get("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(request.headers().get("Authorization")).isNull();
    assertThat(request.body().getString("system")).isEqualTo("be brief");
    assertThat(request.body().getInteger("max_tokens")).isEqualTo(64);
    assertThat(request.body().getJsonArray("messages"))
        .isEqualTo(new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
  }

  @Test
  void anthropicStreamDeliversEachTokenAndCompletesAtMessageStop() throws Exception {
    Completion answer = await(anthropicClient().stream(call(Duration.ofSeconds(5)), tokens::add));

    assertThat(tokens).containsExactly("Hello", " from", " anthropic");
    assertThat(answer.content()).isEqualTo("Hello from anthropic");
    assertThat(answer.usage())
        .hasValueSatisfying(u -> assertThat(u.getInteger("output_tokens")).isEqualTo(3));
  }

  @Test
  void anErrorEventInAnAnthropicStreamFailsIt() {
    anthropic.errorEventAfterTokens(1);

    assertFailure(
        anthropicClient().stream(call(Duration.ofSeconds(5)), tokens::add),
        ProviderFailure.Kind.PROVIDER_ERROR);
    assertThat(tokens).containsExactly("Hello");
  }

  @Test
  void aStreamCutBeforeItsTerminatorIsNeverASuccess() {
    openai.cutAfterTokens(2);
    anthropic.cutAfterTokens(2);

    assertFailure(
        openAiClient(Map.of()).stream(call(Duration.ofSeconds(5)), tokens::add),
        ProviderFailure.Kind.CUT_OFF);
    assertFailure(
        anthropicClient().stream(call(Duration.ofSeconds(5)), tokens::add),
        ProviderFailure.Kind.CUT_OFF);
    assertThat(tokens).containsExactly("Hello", " from", "Hello", " from");
  }

  @Test
  void rateLimitingCarriesTheRetryAfter() {
    openai.rateLimited(7);

    ProviderFailure failure =
        assertFailure(
            openAiClient(Map.of()).complete(call(Duration.ofSeconds(5))),
            ProviderFailure.Kind.RATE_LIMITED);
    assertThat(failure.retryAfter()).contains(Duration.ofSeconds(7));
    assertThat(failure.status()).isEqualTo(429);
  }

  @Test
  void statusesMapToKinds() {
    assertKindForStatus(500, ProviderFailure.Kind.PROVIDER_ERROR);
    assertKindForStatus(529, ProviderFailure.Kind.PROVIDER_ERROR);
    assertKindForStatus(400, ProviderFailure.Kind.REJECTED);
    assertKindForStatus(422, ProviderFailure.Kind.REJECTED);
    assertKindForStatus(401, ProviderFailure.Kind.MISCONFIGURED);
    assertKindForStatus(403, ProviderFailure.Kind.MISCONFIGURED);
  }

  @Test
  void aMalformedBodyOrStreamEventIsMalformed() {
    openai.malformed();
    anthropic.malformed();

    assertFailure(
        openAiClient(Map.of()).complete(call(Duration.ofSeconds(5))),
        ProviderFailure.Kind.MALFORMED);
    assertFailure(
        openAiClient(Map.of()).stream(call(Duration.ofSeconds(5)), tokens::add),
        ProviderFailure.Kind.MALFORMED);
    assertFailure(
        anthropicClient().complete(call(Duration.ofSeconds(5))), ProviderFailure.Kind.MALFORMED);
  }

  @Test
  void aProviderThatIsDownIsUnreachable() {
    openai.down();

    assertFailure(
        openAiClient(Map.of()).complete(call(Duration.ofSeconds(5))),
        ProviderFailure.Kind.UNREACHABLE);
  }

  @Test
  void noFirstTokenInTimeIsATimeout() {
    openai.slowFirstByte(Duration.ofSeconds(5));

    ProviderFailure failure =
        assertFailure(
            openAiClient(Map.of()).stream(
                call(Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofSeconds(5)),
                tokens::add),
            ProviderFailure.Kind.TIMEOUT);
    assertThat(failure.getMessage()).contains("no first token");
  }

  @Test
  void tooLongBetweenTokensIsATimeoutAfterTheFirstToken() {
    anthropic.slowBetweenTokens(Duration.ofSeconds(5));

    ProviderFailure failure =
        assertFailure(
            anthropicClient().stream(
                call(Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMillis(200)),
                tokens::add),
            ProviderFailure.Kind.TIMEOUT);
    assertThat(failure.getMessage()).contains("no token for");
    assertThat(tokens).containsExactly("Hello");
  }

  @Test
  void aNonStreamAnswerLaterThanTheAttemptsTimeIsATimeout() {
    anthropic.slowFirstByte(Duration.ofSeconds(5));

    assertFailure(
        anthropicClient().complete(call(Duration.ofMillis(200))), ProviderFailure.Kind.TIMEOUT);
  }

  @Test
  void listingOpenAiModelsIsAGetWithTheBearerKeyAndNoCompletion() throws Exception {
    await(
        openAiClient(Map.of("HTTP-Referer", "https://soma.dev")).listModels(Duration.ofSeconds(5)));

    ProviderDouble.Received listing = openai.modelListings().get(0);
    assertThat(listing.path()).isEqualTo("/v1/models");
    assertThat(listing.headers().get("Authorization")).isEqualTo("Bearer sk-openai-test");
    assertThat(listing.headers().get("HTTP-Referer")).isEqualTo("https://soma.dev");
    assertThat(openai.requests()).as("no completion").isEmpty();
  }

  @Test
  void listingAnthropicModelsSendsTheKeyAndVersionHeaders() throws Exception {
    await(anthropicClient().listModels(Duration.ofSeconds(5)));

    ProviderDouble.Received listing = anthropic.modelListings().get(0);
    assertThat(listing.path()).isEqualTo("/v1/models");
    assertThat(listing.headers().get("x-api-key")).isEqualTo("sk-ant-test");
    assertThat(listing.headers().get("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(anthropic.requests()).as("no completion").isEmpty();
  }

  @Test
  void aModelListingFailsLikeAnyCallWhenTheProviderIsDownOrFailing() {
    openai.down();
    anthropic.failWith(529);

    assertFailure(
        openAiClient(Map.of()).listModels(Duration.ofSeconds(5)), ProviderFailure.Kind.UNREACHABLE);
    assertFailure(
        anthropicClient().listModels(Duration.ofSeconds(5)), ProviderFailure.Kind.PROVIDER_ERROR);
  }

  private void assertKindForStatus(int status, ProviderFailure.Kind kind) {
    openai.failWith(status);
    anthropic.failWith(status);
    ProviderFailure failure =
        assertFailure(openAiClient(Map.of()).complete(call(Duration.ofSeconds(5))), kind);
    assertThat(failure.getMessage()).contains("openai double says " + status);
    assertFailure(anthropicClient().stream(call(Duration.ofSeconds(5)), tokens::add), kind);
  }

  private static ProviderFailure assertFailure(Future<?> future, ProviderFailure.Kind kind) {
    var failure =
        new Object() {
          ProviderFailure value;
        };
    assertThatThrownBy(() -> Blocking.await(future, Duration.ofSeconds(15)))
        .isInstanceOfSatisfying(
            ProviderFailure.class,
            f -> {
              assertThat(f.kind()).as(f.getMessage()).isEqualTo(kind);
              failure.value = f;
            });
    return failure.value;
  }

  private OpenAiChatClient openAiClient(Map<String, String> headers) {
    return new OpenAiChatClient(
        vertx,
        http,
        new LlmConfig.Provider(
            "openai",
            LlmConfig.Format.OPENAI_CHAT,
            URI.create(openai.baseUrl()),
            "sk-openai-test",
            headers),
        Clock.systemUTC());
  }

  private AnthropicMessagesClient anthropicClient() {
    return new AnthropicMessagesClient(
        vertx,
        http,
        new LlmConfig.Provider(
            "anthropic",
            LlmConfig.Format.ANTHROPIC_MESSAGES,
            URI.create(anthropic.baseUrl()),
            "sk-ant-test",
            Map.of()),
        Clock.systemUTC());
  }

  private static ProviderCall call(Duration total) {
    return call(total, total, total);
  }

  private static ProviderCall call(Duration total, Duration firstToken, Duration betweenTokens) {
    return new ProviderCall(
        "gpt-4o",
        List.of(new LlmRequest.Message("system", "be brief"), new LlmRequest.Message("user", "hi")),
        64,
        Optional.of(0.2),
        total,
        firstToken,
        betweenTokens,
        "t1");
  }

  private static <T> T await(Future<T> future) throws Exception {
    return Blocking.await(future, Duration.ofSeconds(15));
  }
}
