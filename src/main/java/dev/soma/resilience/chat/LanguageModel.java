package dev.soma.resilience.chat;

import dev.soma.resilience.cluster.InFlight;
import dev.soma.resilience.failover.llm.FailoverAddresses;
import dev.soma.resilience.failover.llm.LlmError;
import dev.soma.resilience.failover.llm.LlmFailure;
import dev.soma.resilience.failover.llm.LlmReply;
import dev.soma.resilience.failover.llm.LlmRequest;
import dev.soma.resilience.failover.llm.LlmStreamEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the LLM failover verticle over the event bus: whole ({@code failover.llm.complete}) or
 * streamed ({@code failover.llm.stream}, tokens handed to the caller as they arrive). Failures are
 * {@link LlmFailure}; a stream that breaks after tokens were handed out fails with a {@link
 * PartialTurn} carrying what the caller already has.
 */
final class LanguageModel {

  private static final Logger LOG = LoggerFactory.getLogger(LanguageModel.class);

  private final Vertx vertx;
  private final Duration deadline;

  LanguageModel(Vertx vertx, Duration deadline) {
    this.vertx = vertx;
    this.deadline = deadline;
  }

  /**
   * The answer to {@code messages}; streamed to {@code onToken} unless it is null. A failover node
   * that dies while working on it ({@link InFlight}: it stops beating) is left behind and the
   * request sent again, where another node takes it, as long as the deadline allows and nothing
   * reached the caller yet; otherwise the turn fails with what it has.
   */
  Future<LlmReply> ask(
      String useCase,
      String tenant,
      List<LlmRequest.Message> messages,
      Integer maxTokens,
      Consumer<String> onToken) {
    // what the current attempt handed out: asked again only while nothing reached the caller
    AtomicReference<StringBuilder> seen = new AtomicReference<>(new StringBuilder());
    String address =
        onToken == null ? FailoverAddresses.LLM_COMPLETE : FailoverAddresses.LLM_STREAM;
    return InFlight.retrying(
            vertx,
            address,
            deadline,
            (watch, left) -> {
              seen.set(new StringBuilder());
              return attempt(
                  useCase, tenant, messages, maxTokens, onToken, left, seen.get(), watch);
            },
            () -> {
              if (seen.get().length() > 0) {
                return false;
              }
              LOG.warn("the node answering a {} turn of {} is gone: asking again", useCase, tenant);
              return true;
            })
        .recover(
            e -> Future.failedFuture(e instanceof InFlight.HandlerLost ? lost(seen.get()) : e));
  }

  private Future<LlmReply> attempt(
      String useCase,
      String tenant,
      List<LlmRequest.Message> messages,
      Integer maxTokens,
      Consumer<String> onToken,
      Duration left,
      StringBuilder seen,
      InFlight.Watch watch) {
    DeliveryOptions options =
        watch.on(new DeliveryOptions().setSendTimeout(left.toMillis() + 2_000));
    if (onToken == null) {
      LlmRequest request = request(useCase, tenant, messages, maxTokens, left, Optional.empty());
      return vertx
          .eventBus()
          .<JsonObject>request(FailoverAddresses.LLM_COMPLETE, request.toJson(), options)
          .map(reply -> LlmReply.fromJson(reply.body()))
          .recover(e -> Future.failedFuture(new LlmFailure(llmError(e), false)));
    }
    String address = "chat.stream." + UUID.randomUUID();
    return stream(
        request(useCase, tenant, messages, maxTokens, left, Optional.of(address)),
        onToken,
        options,
        left,
        seen,
        watch.lost());
  }

  /** A request bounded by what is left of the turn's deadline; streamed when {@code streamTo}. */
  private static LlmRequest request(
      String useCase,
      String tenant,
      List<LlmRequest.Message> messages,
      Integer maxTokens,
      Duration left,
      Optional<String> streamTo) {
    return new LlmRequest(
        useCase,
        tenant,
        messages,
        Optional.ofNullable(maxTokens),
        Optional.empty(),
        Optional.of(Math.max(1, left.toMillis())),
        streamTo);
  }

  /**
   * Listens on the request's stream address, then asks for the stream: tokens go to {@code onToken}
   * (and {@code seen}); the end completes the answer; an error, or nothing within the deadline,
   * fails it with what the caller already has.
   */
  private Future<LlmReply> stream(
      LlmRequest request,
      Consumer<String> onToken,
      DeliveryOptions options,
      Duration left,
      StringBuilder seen,
      Future<Void> lost) {
    Promise<LlmReply> done = Promise.promise();
    // left behind: stop listening at once, so that a node that was only slow cannot add tokens
    lost.onSuccess(v -> done.tryFail(new InFlight.HandlerLost(FailoverAddresses.LLM_STREAM)));
    MessageConsumer<JsonObject> events =
        vertx
            .eventBus()
            .consumer(
                request.replyTo().orElseThrow(),
                message -> onEvent(LlmStreamEvent.fromJson(message.body()), done, seen, onToken));
    events
        .completion()
        .compose(
            v -> vertx.eventBus().request(FailoverAddresses.LLM_STREAM, request.toJson(), options))
        .onFailure(e -> done.tryFail(new LlmFailure(llmError(e), false)));
    long timer = vertx.setTimer(left.toMillis() + 5_000, id -> done.tryFail(tooLate(seen)));
    return done.future()
        .eventually(
            () -> {
              vertx.cancelTimer(timer);
              return events.unregister();
            })
        .recover(e -> Future.failedFuture(e instanceof PartialTurn p ? p : e));
  }

  private static void onEvent(
      LlmStreamEvent event, Promise<LlmReply> done, StringBuilder seen, Consumer<String> onToken) {
    switch (event.type()) {
      case "token" ->
          event
              .text()
              .ifPresent(
                  text -> {
                    seen.append(text);
                    onToken.accept(text);
                  });
      case "end" -> done.tryComplete(event.reply().orElseThrow());
      default ->
          done.tryFail(
              new PartialTurn(
                  new LlmFailure(event.error().orElseThrow(), event.partial()), seen.toString()));
    }
  }

  private static PartialTurn lost(StringBuilder seen) {
    return cutShort(seen, LlmError.UNAVAILABLE, "the node working on the answer stopped answering");
  }

  private static PartialTurn tooLate(StringBuilder seen) {
    return cutShort(seen, LlmError.DEADLINE_EXCEEDED, "the answer did not finish in time");
  }

  /** A turn cut short with {@code code}, keeping what was {@code seen} of the answer. */
  private static PartialTurn cutShort(StringBuilder seen, int code, String message) {
    return new PartialTurn(
        new LlmFailure(new LlmError(code, message, Optional.empty(), List.of()), seen.length() > 0),
        seen.toString());
  }

  /** The chain's error, or "unavailable" when it did not answer at all (timeout, no handler). */
  private static LlmError llmError(Throwable e) {
    return LlmError.from(e)
        .orElseGet(
            () ->
                new LlmError(
                    LlmError.UNAVAILABLE,
                    "the LLM failover service did not answer: " + e.getMessage(),
                    Optional.empty(),
                    List.of()));
  }
}
