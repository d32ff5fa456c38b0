package dev.soma.resilience.failover.chain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.breaker.BreakerSettings;
import dev.soma.resilience.breaker.CircuitBreakers;
import dev.soma.resilience.breaker.CircuitState;
import dev.soma.resilience.degradation.CallReport;
import dev.soma.resilience.failover.chain.ChainExhausted.Why;
import dev.soma.resilience.failover.chain.ProviderFailure.Kind;
import dev.soma.resilience.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The engine's rules, one test each, on a manual clock and scripted links. */
class FallbackChainTest {

  private static final Duration RESET = Duration.ofSeconds(60);

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<CallReport> reports = new ArrayList<>();
  private final List<Duration> sleeps = new ArrayList<>();
  private final List<Promise<Void>> wakeUps = new ArrayList<>();
  private final CircuitBreakers breakers =
      new CircuitBreakers(
          clock, new BreakerSettings(2, RESET, 1), Map.of(), meters, t -> {}, new BreakerPanel());
  private final FallbackChain chain =
      new FallbackChain(
          "llm", breakers, clock, Optional.empty(), ChainReport.llm(reports::add, meters));
  private final ScriptedLink first = new ScriptedLink("first");
  private final ScriptedLink second = new ScriptedLink("second");
  private final Walk walk = Walk.of("t1", "test");

  @ParameterizedTest
  @EnumSource(
      value = Kind.class,
      names = {"REJECTED", "NOT_FOUND"},
      mode = EnumSource.Mode.EXCLUDE)
  void failsOverOnEveryKindThatDoesNotEndTheWalk(Kind kind) {
    first.failing(new ProviderFailure(kind, "it broke"));

    Served<String> served = served(walk(walk));

    assertThat(served.provider()).isEqualTo("second");
    assertThat(served.result()).isEqualTo("second says hi");
    assertThat(served.failovers())
        .containsExactly(new Hop("first:model", "second:model", kind.reason()));
  }

  @Test
  void aRejectedRequestEndsTheWalkWithoutCallingTheNextLink() {
    first.failing(ProviderFailure.ofStatus(422, "first answered 422", Optional.empty()));

    ChainExhausted ended = exhausted(walk(walk));

    assertThat(ended.why()).isEqualTo(Why.REJECTED);
    assertThat(ended.link()).contains("first:model");
    assertThat(ended.getMessage()).isEqualTo("first answered 422");
    assertThat(second.calls()).isZero();
  }

  @Test
  void aLinkThatIsNotConfiguredIsSkippedWithoutAFailover() {
    ScriptedLink unset = new ScriptedLink("unset", false);

    Served<String> served = served(chain.walk(List.of(unset, second), "hi", walk));

    assertThat(served.provider()).isEqualTo("second");
    assertThat(served.failovers()).isEmpty();
    assertThat(unset.calls()).isZero();
    assertThat(meters.find("llm.failover.count").counters()).isEmpty();
  }

  @Test
  void nothingConfiguredIsSaidSo() {
    ChainExhausted ended =
        exhausted(chain.walk(List.of(new ScriptedLink("unset", false)), "hi", walk));

    assertThat(ended.why()).isEqualTo(Why.NOTHING_CONFIGURED);
  }

  @Test
  void aLinkWhoseBreakerIsOpenIsSkippedUncalled() {
    first.failing(failure(Kind.PROVIDER_ERROR), failure(Kind.PROVIDER_ERROR));
    walk(walk);
    walk(walk);

    Served<String> served = served(walk(walk));

    assertThat(first.calls()).isEqualTo(2);
    assertThat(served.failovers()).extracting(Hop::reason).containsExactly("circuit open");
  }

  @Test
  void dependencyFailuresCountOnTheBreakersAndRejectionsDeclinesAndNotFoundDoNot() {
    first.failing(
        failure(Kind.REJECTED),
        failure(Kind.DECLINED),
        failure(Kind.NOT_FOUND),
        failure(Kind.REJECTED),
        failure(Kind.TIMEOUT),
        failure(Kind.MALFORMED));
    for (int i = 0; i < 4; i++) {
      walk(walk);
    }
    assertThat(breakers.state("llm.first", "t1")).isEqualTo(CircuitState.CLOSED);

    walk(walk);
    walk(walk);

    assertThat(breakers.state("llm.first", "t1")).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void aRetryAfterInSecondsOn429HoldsTheLinkOffForThatLong() {
    first.failing(ProviderFailure.ofStatus(429, "slow down", RetryAfter.parse("30", clock)));
    walk(walk);

    clock.advance(Duration.ofSeconds(29));
    Served<String> held = served(walk(walk));
    clock.advance(Duration.ofSeconds(1));
    Served<String> back = served(walk(walk));

    assertThat(held.provider()).isEqualTo("second");
    assertThat(held.failovers())
        .extracting(Hop::reason)
        .containsExactly("rate limited, retry after 1000 ms");
    assertThat(back.provider()).isEqualTo("first");
    assertThat(first.calls()).isEqualTo(2);
  }

  @Test
  void aRetryAfterAsAnHttpDateOn503HoldsTheLinkOffUntilThatDate() {
    first.failing(
        ProviderFailure.ofStatus(
            503, "overloaded", RetryAfter.parse("Thu, 01 Jan 2026 00:02:00 GMT", clock)));
    walk(walk);

    clock.advance(Duration.ofSeconds(119));
    assertThat(served(walk(walk)).provider()).isEqualTo("second");
    clock.advance(Duration.ofSeconds(1));
    assertThat(served(walk(walk)).provider()).isEqualTo("first");
  }

  @Test
  void aRetryAfterOnAnyOtherStatusIsIgnored() {
    first.failing(ProviderFailure.ofStatus(500, "broken", Optional.of(Duration.ofMinutes(5))));
    walk(walk);

    assertThat(served(walk(walk)).provider()).isEqualTo("first");
  }

  @Test
  void noLinkIsCalledOnceTheDeadlinePassed() {
    first.then(
        () -> {
          clock.advance(Duration.ofSeconds(2));
          return Future.failedFuture(failure(Kind.TIMEOUT));
        });

    ChainExhausted ended = exhausted(walk(walk.deadline(clock.millis() + 1_000)));

    assertThat(ended.why()).isEqualTo(Why.DEADLINE);
    assertThat(ended.calls()).isEqualTo(1);
    assertThat(second.calls()).isZero();
  }

  @Test
  void eachLinkIsToldTheTimeLeftBeforeTheDeadline() {
    first.then(
        () -> {
          clock.advance(Duration.ofMillis(300));
          return Future.failedFuture(failure(Kind.TIMEOUT));
        });

    served(walk(walk.deadline(clock.millis() + 1_000)));

    assertThat(first.timesLeft).containsExactly(Optional.of(Duration.ofMillis(1_000)));
    assertThat(second.timesLeft).containsExactly(Optional.of(Duration.ofMillis(700)));
  }

  @Test
  void onceTheAnswerReachedTheCallerAFailureEndsTheWalkAsPartial() {
    boolean[] streamed = {false};
    first.then(
        () -> {
          streamed[0] = true;
          return Future.failedFuture(failure(Kind.CUT_OFF));
        });

    ChainExhausted ended = exhausted(walk(walk.reachedCaller(() -> streamed[0])));

    assertThat(ended.why()).isEqualTo(Why.PARTIAL);
    assertThat(ended.last()).map(ProviderFailure::kind).contains(Kind.CUT_OFF);
    assertThat(second.calls()).isZero();
  }

  @Test
  void whenEveryLinkRefusesTheSoonestToRecoverIsTriedOnceAfterWaitingForIt() {
    second.failing(failure(Kind.UNREACHABLE), failure(Kind.UNREACHABLE));
    chain.walk(List.of(second), "hi", walk);
    chain.walk(List.of(second), "hi", walk);
    clock.advance(Duration.ofSeconds(10));
    first.failing(failure(Kind.UNREACHABLE), failure(Kind.UNREACHABLE));
    chain.walk(List.of(first), "hi", walk);
    chain.walk(List.of(first), "hi", walk);
    clock.advance(Duration.ofSeconds(20)); // second reopens in 30 s, first in 40 s

    Future<Served<String>> result =
        walk(walk.deadline(clock.millis() + 120_000).waitForSoonest(this::sleep));
    assertThat(result.isComplete()).isFalse();
    assertThat(sleeps).containsExactly(Duration.ofSeconds(30));
    clock.advance(Duration.ofSeconds(30));
    wakeUps.get(0).complete();

    Served<String> served = served(result);
    assertThat(served.provider()).isEqualTo("second");
    assertThat(served.failovers()).as("served after a wait, not by failing over").isEmpty();
  }

  @Test
  void itDoesNotWaitForALinkThatRecoversAfterTheDeadlineAndSaysWhenToRetry() {
    openBothBreakers();

    ChainExhausted ended =
        exhausted(walk(walk.deadline(clock.millis() + 10_000).waitForSoonest(this::sleep)));

    assertThat(sleeps).isEmpty();
    assertThat(ended.why()).isEqualTo(Why.UNAVAILABLE);
    assertThat(ended.calls()).isZero();
    assertThat(ended.retryAfter()).contains(RESET);
  }

  @Test
  void itDoesNotWaitLongerThanTheWalksLongestWaitThoughTheLinkRecoversBeforeTheDeadline() {
    openBothBreakers();

    ChainExhausted ended =
        exhausted(
            walk(
                walk.deadline(clock.millis() + 120_000)
                    .waitForSoonest(Duration.ofSeconds(2), this::sleep)));

    assertThat(sleeps).isEmpty();
    assertThat(ended.why()).isEqualTo(Why.UNAVAILABLE);
    assertThat(ended.retryAfter()).contains(RESET);
  }

  @Test
  void itWaitsForALinkThatRecoversWithinTheWalksLongestWait() {
    openBothBreakers();
    clock.advance(RESET.minusSeconds(1));

    Future<Served<String>> result =
        walk(
            walk.deadline(clock.millis() + 120_000)
                .waitForSoonest(Duration.ofSeconds(2), this::sleep));
    assertThat(sleeps).containsExactly(Duration.ofSeconds(1));
    clock.advance(Duration.ofSeconds(1));
    wakeUps.get(0).complete();

    assertThat(served(result).provider()).isEqualTo("first");
  }

  @Test
  void withoutTheWaitingHookEveryLinkRefusingIsUnavailableAtOnce() {
    openBothBreakers();

    assertThat(exhausted(walk(walk)).why()).isEqualTo(Why.UNAVAILABLE);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void everyLinkFailingIsFailed() {
    first.failing(failure(Kind.UNREACHABLE));
    second.failing(failure(Kind.PROVIDER_ERROR));

    ChainExhausted ended = exhausted(walk(walk));

    assertThat(ended.why()).isEqualTo(Why.FAILED);
    assertThat(ended.failovers()).hasSize(1);
    assertThat(ended.getMessage()).contains("first it broke", "second it broke");
  }

  @Test
  void theLlmReportCountsEachHopAsItIsTakenUnderTheWalksUseCase() {
    ScriptedLink third = new ScriptedLink("third");
    first.failing(failure(Kind.UNREACHABLE));
    second.failing(failure(Kind.PROVIDER_ERROR));

    served(chain.walk(List.of(first, second, third), "hi", walk));

    assertThat(
            meters
                .counter(
                    "llm.failover.count",
                    "from_provider",
                    "first",
                    "to_provider",
                    "second",
                    "use_case",
                    "test")
                .count())
        .isEqualTo(1.0);
    assertThat(
            meters
                .counter(
                    "llm.failover.count",
                    "from_provider",
                    "second",
                    "to_provider",
                    "third",
                    "use_case",
                    "test")
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void aMediaReportCountsWhoServedAndOneFailoverFromThePrimary() {
    FallbackChain media =
        new FallbackChain(
            "tts",
            breakers,
            clock,
            Optional.empty(),
            ChainReport.media("tts", reports::add, meters));
    ScriptedLink third = new ScriptedLink("third");
    first.failing(failure(Kind.UNREACHABLE));
    second.failing(failure(Kind.PROVIDER_ERROR));

    served(media.walk(List.of(first, second, third), "hi", walk));

    assertThat(meters.counter("media.served.count", "kind", "tts", "provider", "third").count())
        .isEqualTo(1.0);
    assertThat(
            meters
                .counter(
                    "media.failover.count",
                    "kind",
                    "tts",
                    "from_provider",
                    "first",
                    "to_provider",
                    "third")
                .count())
        .isEqualTo(1.0);
    assertThat(meters.find("media.failover.count").counters()).hasSize(1);
  }

  @Test
  void everyCallIsReportedUnderTheChainsKindWithWhetherTheProviderWorked() {
    first.failing(failure(Kind.PROVIDER_ERROR));
    second.failing(failure(Kind.NOT_FOUND));
    ScriptedLink third = new ScriptedLink("third");

    served(chain.walk(List.of(first, second, third), "hi", walk));

    assertThat(reports)
        .extracting(CallReport::dependency, CallReport::ok, CallReport::error)
        .containsExactly(
            // the kind, not the message: reports reach the public status, messages may carry a
            // path, an object key or a tenant's id
            org.assertj.core.groups.Tuple.tuple("llm.first", false, Optional.of("provider error")),
            org.assertj.core.groups.Tuple.tuple("llm.second", true, Optional.empty()),
            org.assertj.core.groups.Tuple.tuple("llm.third", true, Optional.empty()));
    assertThat(reports).allSatisfy(r -> assertThat(r.tenant()).contains("t1"));
  }

  @Test
  void notFoundEverywhereIsATypedResultThatIsNoFailure() {
    first.failing(ProviderFailure.notFound("first"));
    second.failing(ProviderFailure.notFound("second"));

    ChainExhausted ended = exhausted(walk(walk));

    assertThat(ended.why()).isEqualTo(Why.NOT_FOUND);
    assertThat(ended.failovers()).isEmpty();
    assertThat(meters.find("llm.failover.count").counters()).isEmpty();
  }

  @Test
  void notFoundOnOneLinkAndAFailureOnAnotherIsAFailureItMayBeThere() {
    first.failing(ProviderFailure.notFound("first"));
    second.failing(failure(Kind.UNREACHABLE));

    assertThat(exhausted(walk(walk)).why()).isEqualTo(Why.FAILED);
  }

  @Test
  void anUntypedFailureIsAProviderErrorAndATimeoutATimeout() {
    first.then(() -> Future.failedFuture(new IllegalStateException("boom")));
    second.then(() -> Future.failedFuture(new java.util.concurrent.TimeoutException("late")));

    ChainExhausted ended = exhausted(walk(walk));

    assertThat(ended.failovers()).extracting(Hop::reason).containsExactly("provider error");
    assertThat(ended.getMessage()).contains("second late");
  }

  @Test
  void aLinkThatThrowsInsteadOfFailingIsFailedOver() {
    first.then(
        () -> {
          throw new IllegalStateException("thrown");
        });

    assertThat(served(walk(walk)).provider()).isEqualTo("second");
  }

  private Future<Served<String>> walk(Walk walk) {
    return chain.walk(List.of(first, second), "hi", walk);
  }

  private void openBothBreakers() {
    first.failing(failure(Kind.UNREACHABLE), failure(Kind.UNREACHABLE));
    second.failing(failure(Kind.UNREACHABLE), failure(Kind.UNREACHABLE));
    walk(walk);
    walk(walk);
    assertThat(breakers.state("llm.second", "t1")).isEqualTo(CircuitState.OPEN);
  }

  private Future<Void> sleep(Duration duration) {
    sleeps.add(duration);
    Promise<Void> wakeUp = Promise.promise();
    wakeUps.add(wakeUp);
    return wakeUp.future();
  }

  private static ProviderFailure failure(Kind kind) {
    return new ProviderFailure(kind, "it broke");
  }

  private static <T> T served(Future<T> future) {
    assertThat(future.succeeded()).as(String.valueOf(future.cause())).isTrue();
    return future.result();
  }

  private static ChainExhausted exhausted(Future<?> future) {
    assertThat(future.cause()).isInstanceOf(ChainExhausted.class);
    return (ChainExhausted) future.cause();
  }
}
