package dev.soma.resilience.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OrderFencesTest {

  private final OrderFences fences = new OrderFences();

  @Test
  void nothingIsFencedBeforeAFailure() {
    assertThat(fences.fenced("t:a", 10, 1)).isFalse();
  }

  @Test
  void aFailureFencesTheLaterEventsOfItsAggregateOnly() {
    fences.failed("t:a", 10);

    assertThat(fences.fenced("t:a", 11, 1)).as("later, same aggregate").isTrue();
    assertThat(fences.fenced("t:a", 10, 1)).as("the failed event itself").isFalse();
    assertThat(fences.fenced("t:a", 9, 1)).as("earlier").isFalse();
    assertThat(fences.fenced("t:b", 11, 1)).as("another aggregate").isFalse();
  }

  @Test
  void anUnsettledFenceHoldsForEveryClaim() {
    fences.failed("t:a", 10);

    assertThat(fences.fenced("t:a", 5_000, Long.MAX_VALUE - 1)).isTrue();
  }

  @Test
  void onceSettledItHoldsForTheClaimsStartedUntilThenOnly() {
    fences.failed("t:a", 10);
    fences.settled(List.of("t:a"), 7, 5);

    assertThat(fences.fenced("t:a", 11, 7)).as("a claim started before the settlement").isTrue();
    assertThat(fences.fenced("t:a", 11, 8)).as("a claim started after it").isFalse();
  }

  /**
   * The failed event (id 10, claim 5) is settled while claim 6, which sent a later event of its
   * aggregate (id 11) before the failure was known, is still out; claim 8 takes the failed event
   * again and sends it. Claim 6's batch, judged after that, must still find its event fenced: its
   * acknowledgement came before the failed event's retry, so it was a first delivery out of order
   * (seen in RollingRestartIT as an aggregate's second message delivered after its third and
   * fourth, each once).
   */
  @Test
  void aLaterClaimMeetingTheFenceDoesNotLiftItForAnEarlierClaimStillToBeJudged() {
    fences.failed("t:a", 10);
    fences.settled(List.of("t:a"), 7, 6);

    assertThat(fences.fenced("t:a", 10, 8)).as("the failed event's retry, sent").isFalse();
    assertThat(fences.fenced("t:a", 11, 6)).as("claim 6's later event, judged after").isTrue();
    assertThat(fences.size()).isOne();

    fences.settled(List.of(), 8, 8);
    assertThat(fences.size()).as("forgotten once every claim it could meet is settled").isZero();
  }

  @Test
  void theEarliestFailureOfAnAggregateIsTheFence() {
    fences.failed("t:a", 20);
    fences.failed("t:a", 10);
    fences.failed("t:a", 30);

    assertThat(fences.fenced("t:a", 15, 1)).isTrue();
  }

  @Test
  void aNewFailureReopensASettledFence() {
    fences.failed("t:a", 10);
    fences.settled(List.of("t:a"), 3, 1);
    fences.failed("t:a", 12);

    assertThat(fences.fenced("t:a", 11, 9)).isTrue();
  }

  @Test
  void settledFencesNoOpenClaimCanMeetAreForgotten() {
    fences.failed("t:a", 10);
    fences.failed("t:b", 10);
    fences.settled(List.of("t:a"), 4, 2);
    assertThat(fences.size()).isEqualTo(2);

    fences.settled(List.of(), 6, 5);

    assertThat(fences.size()).as("t:a's claims are all settled; t:b is not settled yet").isOne();
    assertThat(fences.fenced("t:b", 11, 6)).isTrue();
  }
}
